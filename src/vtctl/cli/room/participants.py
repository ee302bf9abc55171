"""``vtctl room participants ROOM [--all]``: who is in the room and what they publish."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.domain.room_ref import RoomRef, parse_room_ref
from vtctl.domain.room_state import RoomStatus
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.clock import utc_now


@dataclass
class ParticipantsOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    room: RoomRef
    fmt: OutputFormat
    include_all: bool = False
    clock: Callable[[], datetime] = utc_now


def run_participants(opts: ParticipantsOptions) -> RoomStatus:
    def fetch(backend: Backend) -> RoomStatus:
        return backend.room_status(backend.resolve_room(opts.room))

    status = call_backend(opts.open_backend, fetch)
    if not opts.include_all:
        from vtctl.ui.render.rooms import only_present

        status = only_present(status)

    def view() -> Any:
        from vtctl.ui.render.rooms import participants_sheet

        return participants_sheet(status, opts.clock())

    emit(opts.io, opts.fmt, status.to_json, view)
    return status


All = Annotated[
    bool, typer.Option("--all", "-a", help="Also show participants who have disconnected.")
]


@with_backend_flags(local=("engine", "twilio"))
def participants_command(
    ctx: typer.Context,
    room: o.Room,
    include_all: All = False,
    json: Annotated[str | None, json_option(RoomStatus.json_fields())] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """Show who is connected to the room and the tracks each one publishes.

    One row per participant: identity, role (patient or psychologist, from the
    appointment; - for anyone else, or when the backend does not say), status,
    connected since, duration, participant SID
    and published tracks (audio/video/data, name, on or muted). Local: Twilio's
    Participants and PublishedTracks API. Remote: what video-status returns.
    """
    run_participants(
        ParticipantsOptions(
            io=streams(ctx), open_backend=backend.open, room=parse_room_ref(room),
            fmt=output_format(json, jq), include_all=include_all,
        )
    )


def register(group: typer.Typer) -> None:
    group.command("participants", cls=JsonCommand)(participants_command)
