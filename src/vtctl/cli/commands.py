"""Every command module, registered on the app in this order (help order)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from vtctl.cli import appointment, room, serve, token

REGISTRY: list[Callable[[typer.Typer], None]] = [
    token.register,
    room.register,
    appointment.register,
    serve.register,
]
