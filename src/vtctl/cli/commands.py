"""Every command module, registered on the app in this order (help order)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from vtctl.cli import (
    appointment,
    auth,
    config,
    diagnose,
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
    inspect.register,
    mint.register,
    serve.register,
    smoke.register,
    status.register,
    diagnose.register,
    auth.register,
    config.register,
]
