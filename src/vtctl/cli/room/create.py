"""``vtctl room create ID``: give the appointment a video room (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.domain.room_info import RoomInfo
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

#: the fields of `room create --json`, declared on the model
FIELDS = RoomInfo.json_fields()


@dataclass
class CreateOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    appointment_id: int
    fmt: OutputFormat


def run_create(opts: CreateOptions) -> None:
    room = call_backend(opts.open_backend, lambda backend: backend.create_room(opts.appointment_id))

    def view() -> Any:
        from vtctl.ui.render.appointments import room_sheet

        return room_sheet(room)

    emit(opts.io, opts.fmt, room.to_json, view)


@with_backend_flags
def create_command(
    ctx: typer.Context,
    appointment_id: o.AppointmentId,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """Create the appointment's video room if it has none (idempotent).

    Remote: POST /api/appointments/video-room/ID/. Local: sets a room name
    apt-ID-UNIX-HEX on the stored appointment once; running it again returns
    the same room.
    """
    run_create(
        CreateOptions(
            io=streams(ctx),
            open_backend=backend.open,
            appointment_id=parse_appointment_id(appointment_id),
            fmt=output_format(json, jq),
        )
    )


def register(group: typer.Typer) -> None:
    group.command("create", cls=JsonCommand)(create_command)
