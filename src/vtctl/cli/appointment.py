"""``vtctl appointment show|list|add|import`` (list/add/import: local store)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice, settings_from
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.config.settings import Settings
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

if TYPE_CHECKING:
    from vtctl.domain.models import Appointment

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

DEFAULT_LIMIT = 30
#: rows per rich table on a terminal: a long --all listing is printed as it is read
TABLE_CHUNK = 500


@dataclass
class ListOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat
    limit: int = DEFAULT_LIMIT
    all: bool = False


def run_list(opts: ListOptions) -> None:
    """Like ``gh ... list``: the first ``--limit`` rows (or ``--all``), streamed from the
    store; a table on a terminal, one tab-separated line per appointment in a pipe."""
    from vtctl.backends.local import open_store

    with open_store(opts.settings) as store:
        total = store.count_appointments()
        if total == 0 and not opts.fmt.json:
            opts.io.info(
                f"no appointments in {opts.settings.store_path}; "
                "add some with `vtctl appointment import FILE`"
            )
            return
        rows = store.iter_appointments(None if opts.all else opts.limit)
        if opts.fmt.json:
            shown = _list_json(opts, rows)
        elif opts.io.is_stdout_tty:
            shown = _list_tables(opts.io, rows, total)
        else:
            from vtctl.ui.render.appointments import appointment_line

            shown = 0
            for appointment in rows:
                opts.io.out.write(appointment_line(appointment) + "\n")
                shown += 1
    if shown < total and not opts.fmt.json:
        opts.io.info(f"showing {shown} of {total} appointments; --limit N or --all for more")


def _list_json(opts: ListOptions, rows: Iterator[Appointment]) -> int:
    if opts.fmt.fields is not None or opts.fmt.jq is not None:
        appointments = [a.to_json() for a in rows]
        emit(opts.io, opts.fmt, lambda: appointments, lambda: "")
        return len(appointments)
    import json

    out, shown = opts.io.out, 0
    out.write("[")
    for appointment in rows:
        out.write(("," if shown else "") + "\n  " + json.dumps(appointment.to_json(),
                                                              ensure_ascii=False))
        shown += 1
    out.write("\n]\n" if shown else "]\n")
    return shown


def _list_tables(io: IOStreams, rows: Iterator[Appointment], total: int) -> int:
    from itertools import islice

    from vtctl.ui.render.appointments import appointments_table

    shown = 0
    while chunk := list(islice(rows, TABLE_CHUNK)):
        io.render(appointments_table(chunk, title=None if shown else f"{total} appointment(s)"))
        shown += len(chunk)
    return shown


@group.command("list", cls=JsonCommand)
def list_command(
    ctx: typer.Context,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    limit: Annotated[
        int, typer.Option("--limit", "-L", min=1, help="Show at most this many.")
    ] = DEFAULT_LIMIT,
    all_: Annotated[
        bool, typer.Option("--all", help="Show every appointment (ignores --limit).")
    ] = False,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """List the appointments in the local store, by id (the first 30 unless --limit/--all).

    On a terminal: a table. In a pipe: one appointment a line, tab-separated
    (id, patient id, psychologist id, minutes, start, room).
    """
    run_list(
        ListOptions(
            io=streams(ctx), settings=settings_from(True, profile, store),
            fmt=output_format(json, jq), limit=limit, all=all_,
        )
    )


# -- export ----------------------------------------------------------------


@dataclass
class ExportOptions:
    io: IOStreams
    settings: Settings


def run_export(opts: ExportOptions) -> None:
    from vtctl.backends.local import open_store
    from vtctl.local.importer import export_lines

    with open_store(opts.settings) as store:
        for line in export_lines(store.iter_users(), store.iter_appointments()):
            opts.io.out.write(line + "\n")


@group.command("export")
def export_command(
    ctx: typer.Context,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Print the local store as an import document (JSON) on stdout.

    `vtctl appointment import` takes it back unchanged, e.g. to copy a store:
    vtctl appointment export > backup.json
    """
    run_export(ExportOptions(io=streams(ctx), settings=settings_from(True, profile, store)))


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
                from vtctl.util.text import quoted

                raise UsageError(
                    f"no stored user {quoted(ref)} (the {role})",
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
        typer.Option("--id", min=1, help="Appointment id \\[default: the next free id]."),
    ] = None,
    starts_at: Annotated[
        str | None, typer.Option("--starts-at", help="Start time, ISO 8601 (UTC if no zone).")
    ] = None,
    room: Annotated[
        str | None,
        typer.Option("--room", help="Video room name \\[default: none; see `vtctl room create`]."),
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
    with open_store(opts.settings, create=True) as store:
        for user_id in sorted(data.users_from_elsewhere()):
            if store.get_user(user_id) is None:
                raise data.unknown_user(user_id)
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
    import vtctl.cli.appointment_pull  # noqa: F401  (its import adds `pull` to the group)

    app.add_typer(group)
