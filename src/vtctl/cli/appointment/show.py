"""``vtctl appointment show ID``: one appointment, from either backend."""

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
from vtctl.domain.models import Appointment
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

#: the remote API may send more than the guide names; the document keeps it
NOTE = "On the remote backend, other fields the API sends follow these."


@dataclass
class ShowOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    appointment_id: int
    fmt: OutputFormat


def run_show(opts: ShowOptions) -> None:
    appointment = call_backend(
        opts.open_backend, lambda backend: backend.appointment(opts.appointment_id)
    )

    def view() -> Any:
        from vtctl.ui.render.appointments import appointment_sheet

        return appointment_sheet(appointment)

    emit(opts.io, opts.fmt, appointment.to_json, view)


@with_backend_flags
def show_command(
    ctx: typer.Context,
    appointment_id: o.AppointmentId,
    json: Annotated[str | None, json_option(Appointment.json_fields(), NOTE)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """Show one appointment (remote: GET /api/appointments/ID/; local: the store)."""
    run_show(
        ShowOptions(
            io=streams(ctx),
            open_backend=backend.open,
            appointment_id=parse_appointment_id(appointment_id),
            fmt=output_format(json, jq),
        )
    )


def register(group: typer.Typer) -> None:
    group.command("show", cls=JsonCommand)(show_command)
