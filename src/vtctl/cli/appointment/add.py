"""``vtctl appointment add``: one appointment between two stored users (local store)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.settings import Settings
from vtctl.domain.errors import UsageError
from vtctl.domain.models import Appointment
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format


@dataclass
class AddOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat
    patient: str
    psychologist: str
    duration_minutes: int
    appointment_id: int | None = None
    starts_at: str | None = None
    room: str | None = None


def run_add(opts: AddOptions) -> None:
    from vtctl.backends.local import open_store
    from vtctl.domain.models import parse_utc

    try:
        starts_at = parse_utc(opts.starts_at) if opts.starts_at else None
    except ValueError as exc:
        raise UsageError(f"--starts-at {opts.starts_at!r} is not an ISO 8601 timestamp") from exc
    with open_store(opts.settings) as store:
        users = {}
        for role, ref in (("patient", opts.patient), ("psychologist", opts.psychologist)):
            user = store.find_user(ref)
            if user is None:
                from vtctl.domain.commands import STORE_FLAGS, Suggestion
                from vtctl.util.text import quoted

                raise UsageError(f"no stored user {quoted(ref)} (the {role})", suggests=Suggestion(
                    ("appointment", "import", "FILE"), "users come from `{command}`", STORE_FLAGS))
            users[role] = user
        new_id = store.add_appointment(
            Appointment(
                id=opts.appointment_id or 0,
                patient_id=users["patient"].id,
                psychologist_id=users["psychologist"].id,
                duration_minutes=opts.duration_minutes,
                starts_at=starts_at,
                video_room_id=opts.room,
            ),
            next_id=opts.appointment_id is None,  # chosen in the write transaction
        )
        added = store.get_appointment(new_id)
    assert added is not None

    def view() -> Any:
        from vtctl.ui.render.appointments import appointment_sheet

        return appointment_sheet(added)

    emit(opts.io, opts.fmt, added.to_json, view)


def add_command(
    ctx: typer.Context,
    patient: Annotated[str, typer.Option("--patient", help="Patient: user id or email.")],
    psychologist: Annotated[
        str, typer.Option("--psychologist", help="Psychologist: user id or email.")
    ],
    duration: Annotated[
        int, typer.Option("--duration", min=0, max=1440, help="Duration in minutes.")
    ] = 60,
    appointment_id: Annotated[
        int | None,
        typer.Option("--id", min=1, help="Appointment id \\[default: the next free id]."),
    ] = None,
    starts_at: Annotated[
        str | None, typer.Option("--starts-at", help="Start time, ISO 8601 (UTC if no zone).")
    ] = None,
    room: Annotated[
        str | None,
        typer.Option("--room", help="Video room name \\[default: none; see `vtctl room create`]."),
    ] = None,
    json: Annotated[str | None, json_option(Appointment.json_fields())] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Add an appointment between two stored users to the local store."""
    with store_settings(profile, store) as settings:
        run_add(
            AddOptions(
                io=streams(ctx), settings=settings,
                fmt=output_format(json, jq), patient=patient, psychologist=psychologist,
                duration_minutes=duration, appointment_id=appointment_id,
                starts_at=starts_at, room=room,
            )
        )


def register(group: typer.Typer) -> None:
    group.command("add", cls=JsonCommand)(add_command)
