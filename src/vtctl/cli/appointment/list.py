"""``vtctl appointment list``: the local store's appointments, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.cli.appointment.fields import FIELDS
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.settings import Settings
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

if TYPE_CHECKING:
    from vtctl.domain.models import Appointment


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
        shown = _list_json(opts, rows) if opts.fmt.json else _list_sheets(opts.io, rows, total)
    if shown < total and not opts.fmt.json:
        opts.io.info(f"showing {shown} of {total} appointments; --limit N or --all for more")


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
            io=streams(ctx), settings=settings_from(local=True, profile=profile, store=store),
            fmt=output_format(json, jq), limit=limit, all=all_,
        )
    )


def register(group: typer.Typer) -> None:
    group.command("list", cls=JsonCommand)(list_command)
