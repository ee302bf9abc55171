"""``vtctl appointment show ID``: one appointment, from either backend."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from vtctl.backends.base import call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.one_appointment import AppointmentOptions, appointment_options
from vtctl.domain.models import Appointment
from vtctl.ui.output import emit

#: the remote API may send more than the guide names; the document keeps it.  FIELDS
#: names only the declared ones: a name is checked before the API is asked, when nobody
#: knows yet what it will send, so a typo never costs a request; --jq reaches the others
NOTE = "On the remote backend, other fields the API sends follow these (pick them with --jq)."
OTHER_FIELDS = ("fields the API sends beyond these are in the whole document: pick them "
                "with --jq, e.g. --jq '{id, notes}'")


def run_show(opts: AppointmentOptions) -> None:
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
    json: Annotated[
        str | None, json_option(Appointment.json_fields(), NOTE, OTHER_FIELDS)
    ] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """Show one appointment (remote: GET /api/appointments/ID/; local: the store)."""
    run_show(appointment_options(ctx, backend, appointment_id, json, jq))


def register(group: typer.Typer) -> None:
    group.command("show", cls=JsonCommand)(show_command)
