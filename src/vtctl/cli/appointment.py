"""``vtctl appointment show|list|add|import`` (list/add/import: local store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli import options as o
from vtctl.cli.backend_flags import BackendChoice, settings_from
from vtctl.cli.context import streams, with_backend_flags
from vtctl.cli.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.validate import parse_appointment_id
from vtctl.config.settings import Settings
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

group = typer.Typer(
    name="appointment",
    help="Show appointments; list, add and import them in the local store.",
    no_args_is_help=True,
)

#: the keys of an appointment's JSON document (Appointment.to_json, without extras)
FIELDS = (
    "id", "patient_id", "psychologist_id", "duration_minutes", "starts_at", "video_room_id",
    "patient", "psychologist",
)


# -- show ------------------------------------------------------------------


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

    def table() -> Any:
        from vtctl.ui.render.appointments import appointment_table

        return appointment_table(appointment)

    emit(opts.io, opts.fmt, appointment.to_json, table)


@group.command("show", cls=JsonCommand)
@with_backend_flags
def show_command(
    ctx: typer.Context,
    appointment_id: o.AppointmentId,
    json: Annotated[str | None, json_option(FIELDS)] = None,
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


# -- list ------------------------------------------------------------------


@dataclass
class ListOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat
    limit: int | None = None


def run_list(opts: ListOptions) -> None:
    from vtctl.backends.local import open_store

    with open_store(opts.settings) as store:
        appointments = store.list_appointments(limit=opts.limit)
    if not appointments and not opts.fmt.json:
        opts.io.info(
            f"no appointments in {opts.settings.store_path}; "
            "add some with `vtctl appointment import FILE`"
        )
        return

    def table() -> Any:
        from vtctl.ui.render.appointments import appointments_table

        return appointments_table(appointments)

    emit(opts.io, opts.fmt, lambda: [a.to_json() for a in appointments], table)


@group.command("list", cls=JsonCommand)
def list_command(
    ctx: typer.Context,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Show at most this many.")
    ] = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """List the appointments in the local store."""
    run_list(
        ListOptions(
            io=streams(ctx), settings=settings_from(True, profile, store),
            fmt=output_format(json, jq), limit=limit,
        )
    )


# -- add -------------------------------------------------------------------


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
    from vtctl.domain.models import Appointment, parse_utc

    try:
        starts_at = parse_utc(opts.starts_at) if opts.starts_at else None
    except ValueError as exc:
        raise UsageError(f"--starts-at {opts.starts_at!r} is not an ISO 8601 timestamp") from exc
    with open_store(opts.settings) as store:
        users = {}
        for role, ref in (("patient", opts.patient), ("psychologist", opts.psychologist)):
            user = store.find_user(ref)
            if user is None:
                shown = repr(ref) if len(ref) <= 60 else repr(ref[:40] + "...")
                raise UsageError(
                    f"no stored user {shown} (the {role})",
                    hint="users come from `vtctl appointment import FILE`",
                )
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

    def table() -> Any:
        from vtctl.ui.render.appointments import appointment_table

        return appointment_table(added)

    emit(opts.io, opts.fmt, added.to_json, table)


@group.command("add", cls=JsonCommand)
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
        typer.Option("--id", min=1, help="Appointment id [default: the next free id]."),
    ] = None,
    starts_at: Annotated[
        str | None, typer.Option("--starts-at", help="Start time, ISO 8601 (UTC if no zone).")
    ] = None,
    room: Annotated[
        str | None,
        typer.Option("--room", help="Video room name [default: none; see `vtctl room create`]."),
    ] = None,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Add an appointment between two stored users to the local store."""
    run_add(
        AddOptions(
            io=streams(ctx), settings=settings_from(True, profile, store),
            fmt=output_format(json, jq), patient=patient, psychologist=psychologist,
            duration_minutes=duration, appointment_id=appointment_id,
            starts_at=starts_at, room=room,
        )
    )


# -- import ----------------------------------------------------------------


@dataclass
class ImportOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat
    source: str  # a path, or "-" for stdin


def run_import(opts: ImportOptions) -> None:
    from vtctl.backends.local import open_store
    from vtctl.local.importer import MAX_IMPORT_BYTES, parse_import

    if opts.source == "-":
        raw = opts.io.stdin.buffer.read(MAX_IMPORT_BYTES + 1) if hasattr(
            opts.io.stdin, "buffer"
        ) else opts.io.stdin.read().encode()
        name = "stdin"
    else:
        path = Path(opts.source)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {opts.source}: {exc.strerror}") from exc
        name = str(path)
    data = parse_import(raw, source=name)  # everything validated before any write
    with open_store(opts.settings) as store:
        counts = store.import_records(data.users, data.appointments)
    summary = {
        "store": str(opts.settings.store_path),
        "users": len(data.users),
        "appointments": len(data.appointments),
        "added": counts.added,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }
    if opts.fmt.json:
        opts.io.print_json(summary)
    else:
        opts.io.info(
            f"imported {name} into {summary['store']}: {counts.added} added, "
            f"{counts.updated} updated, {counts.unchanged} unchanged"
        )


@group.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Import file (JSON), or - for stdin.")
    ],
    json: o.Json = False,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Import users and appointments (CONTRACT.md format) into the local store.

    The whole file is validated first: a bad file is refused with the line and
    field at fault and the store is left untouched. Importing the same file
    twice changes nothing.
    """
    run_import(
        ImportOptions(
            io=streams(ctx), settings=settings_from(True, profile, store),
            fmt=OutputFormat(json=json), source=file,
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(group)
