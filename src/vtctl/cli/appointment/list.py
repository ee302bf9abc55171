"""``vtctl appointment list [--user ID|EMAIL] [--from TIME] [--to TIME]``: the local store's
appointments, streamed; filtered by user (patient or psychologist) and by a time window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import given_flags, refuse_ignored
from vtctl.config.settings import Settings
from vtctl.domain.models import Appointment
from vtctl.domain.timespec import TimeSpec, parse_time, resolve_window
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.clock import utc_now

if TYPE_CHECKING:
    from vtctl.local.appointment_query import AppointmentQuery
    from vtctl.local.store import AppointmentStore


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
    #: only this user's appointments (id or email), as patient or psychologist
    user: str | None = None
    #: only those overlapping [start, end) (either bound may be open)
    start: TimeSpec | None = None
    end: TimeSpec | None = None
    clock: Callable[[], datetime] = utc_now

    @property
    def filtered(self) -> bool:
        return self.user is not None or self.start is not None or self.end is not None


def run_list(opts: ListOptions) -> None:
    """Like ``gh ... list``: the first ``--limit`` rows (or ``--all``), streamed from the
    store; a table on a terminal, one tab-separated line per appointment in a pipe.
    With a time bound, by start time; otherwise by id."""
    from vtctl.backends.local import open_store

    with open_store(opts.settings) as store:
        query = _query(opts, store)
        total = store.count_matching(query)
        if total == 0 and not opts.fmt.json:
            opts.io.info(
                f"no appointments match {_described(opts)} in {opts.settings.store_path}"
                if opts.filtered else
                f"no appointments in {opts.settings.store_path}; "
                "add some with `vtctl appointment import FILE`"
            )
            return
        rows = store.iter_matching(query, None if opts.all else opts.limit)
        shown = _list_json(opts, rows) if opts.fmt.json else _list_sheets(opts.io, rows, total)
    if shown < total and not opts.fmt.json:
        opts.io.info(f"showing {shown} of {total} appointments; --limit N or --all for more")


def _query(opts: ListOptions, store: AppointmentStore) -> AppointmentQuery:
    """The filters as a store query; an empty or inverted window is exit 2."""
    from vtctl.local.schedule import appointment_query

    now = opts.clock()
    start = opts.start.resolve(now) if opts.start is not None else None
    end = opts.end.resolve(now, end=True) if opts.end is not None else None
    if opts.start is not None and opts.end is not None:
        resolve_window(opts.start, opts.end, now)  # an empty or inverted one is exit 2
    return appointment_query(store, opts.user, start, end)


def _described(opts: ListOptions) -> str:
    parts = []
    if opts.user is not None:
        parts.append(f"--user {opts.user}")
    if opts.start is not None:
        parts.append(f"--from {opts.start.text}")
    if opts.end is not None:
        parts.append(f"--to {opts.end.text}")
    return " ".join(parts)


def _list_json(opts: ListOptions, rows: Iterator[Appointment]) -> int:
    if opts.fmt.fields is not None or opts.fmt.jq is not None:
        from vtctl.ui.sheet import sheet

        appointments = [a.to_json() for a in rows]
        emit(opts.io, opts.fmt, lambda: appointments, lambda: sheet())
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


def _list_sheets(io: IOStreams, rows: Iterator[Appointment], total: int) -> int:
    """A table per ``TABLE_CHUNK`` rows on a terminal, a line per appointment in a pipe,
    printed as they are read."""
    from itertools import islice

    from vtctl.ui.render.appointments import appointments_sheet
    from vtctl.ui.sheet import show

    shown = 0
    while chunk := list(islice(rows, TABLE_CHUNK)):
        show(io, appointments_sheet(chunk, title=None if shown else f"{total} appointment(s)"))
        shown += len(chunk)
    return shown


def list_command(
    ctx: typer.Context,
    json: Annotated[str | None, json_option(Appointment.json_fields())] = None,
    jq: Jq = None,
    limit: Annotated[
        int, typer.Option("--limit", "-L", min=1, help="Show at most this many.")
    ] = DEFAULT_LIMIT,
    all_: Annotated[
        bool, typer.Option("--all", help="Show every appointment (not with --limit).")
    ] = False,
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="ID|EMAIL", show_default=False,
                     help="Only this user's appointments (as patient or psychologist)."),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", metavar="TIME", show_default=False,
                     help="Only appointments still running at or after TIME (by start time)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="TIME", show_default=False,
                     help="Only appointments starting before TIME (by start time)."),
    ] = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """List the appointments in the local store (the first 30 unless --limit/--all).

    By id; with --from or --to, those whose scheduled time overlaps the window, by
    start time (an appointment without a start time is then left out). TIME is
    ISO 8601, relative to now (-30m, +2h, now) or a UTC day (today, 2025-11-16: its
    start for --from, its end for --to).

    On a terminal: a table. In a pipe: one appointment a line, tab-separated
    (id, patient id, psychologist id, minutes, start, room).
    """
    if all_:
        refuse_ignored(given_flags(ctx, "limit"), "does not apply with --all (every "
                       "appointment is listed)", "leave out {flag} or --all")
    with store_settings(profile, store) as settings:
        run_list(
            ListOptions(
                io=streams(ctx), settings=settings,
                fmt=output_format(json, jq), limit=limit, all=all_, user=user,
                start=parse_time(from_, "--from") if from_ is not None else None,
                end=parse_time(to, "--to") if to is not None else None,
            )
        )


def register(group: typer.Typer) -> None:
    group.command("list", cls=JsonCommand)(list_command)
