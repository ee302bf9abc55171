"""``vtctl room end ROOM [--yes]``: set the room's status to completed (local backend)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import typer

from vtctl.backends.base import Backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.room.change import run_change
from vtctl.domain.room_ref import RoomRef, parse_room_ref
from vtctl.domain.room_state import RoomChange
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, output_format


@dataclass
class EndOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    room: RoomRef
    fmt: OutputFormat
    yes: bool = False


def run_end(opts: EndOptions) -> RoomChange:
    return run_change(
        opts.io, opts.open_backend, opts.room, opts.fmt, opts.yes, "room end",
        lambda appointment_id: f"End the video room of appointment {appointment_id} "
        "for everyone in it?",
        lambda backend, appointment_id: backend.end_room(appointment_id),
    )


@with_backend_flags(remote=None, local=("engine", "twilio"))
def end_command(
    ctx: typer.Context,
    room: o.Room,
    yes: o.Yes = False,
    json: Annotated[str | None, json_option(RoomChange.END_FIELDS)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """End the room: Twilio disconnects everyone and the room becomes completed (local backend).

    Asks first on a terminal; elsewhere needs --yes (without it: exit 2, nothing
    sent). A room that is already completed is exit 0, saying so.
    """
    run_end(EndOptions(io=streams(ctx), open_backend=backend.open, room=parse_room_ref(room),
                       fmt=output_format(json, jq), yes=yes))


def register(group: typer.Typer) -> None:
    group.command("end", cls=JsonCommand)(end_command)
