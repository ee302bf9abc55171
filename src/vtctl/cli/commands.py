"""Every command module, registered on the app in this order (help order)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from vtctl.cli import (
    appointment,
    appointment_pull,
    audit,
    auth,
    config,
    inspect,
    mint,
    room,
    serve,
    smoke,
    status,
    token,
)

REGISTRY: list[Callable[[typer.Typer], None]] = [
    token.register,
    room.register,
    appointment.register,
    appointment_pull.register,
    inspect.register,
    mint.register,
    audit.register,
    serve.register,
    smoke.register,
    status.register,
    auth.register,
    config.register,
]
