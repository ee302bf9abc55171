"""``vtctl room create ID``: give the appointment a video room (idempotent)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from vtctl.backends.base import call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.one_appointment import AppointmentOptions, appointment_options
from vtctl.domain.models import RoomInfo
from vtctl.ui.output import emit

#: the fields of `room create --json`, declared on the model
FIELDS = RoomInfo.json_fields()


def run_create(opts: AppointmentOptions) -> None:
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
    run_create(appointment_options(ctx, backend, appointment_id, json, jq))


def register(group: typer.Typer) -> None:
    group.command("create", cls=JsonCommand)(create_command)
