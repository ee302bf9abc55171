"""``vtctl appointment import FILE``: users and appointments into the local store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.settings import Settings
from vtctl.domain.errors import UsageError
from vtctl.domain.models import JsonFields
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit_json, output_format


@dataclass(frozen=True, slots=True)
class ImportSummary(JsonFields):
    """What an import did (``--json``): records in the file and what became of them."""

    store: str
    users: int
    appointments: int
    added: int
    updated: int
    unchanged: int


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
    summary = ImportSummary(str(opts.settings.store_path), len(data.users),
                            len(data.appointments), counts.added, counts.updated,
                            counts.unchanged)
    if opts.fmt.json:
        emit_json(opts.io, opts.fmt, summary.to_json())
    else:
        opts.io.info(
            f"imported {name} into {summary.store}: {counts.added} added, "
            f"{counts.updated} updated, {counts.unchanged} unchanged"
        )


def import_command(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Import file (JSON), or - for stdin.")
    ],
    json: Annotated[str | None, json_option(ImportSummary.json_fields())] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Import users and appointments (a JSON document) into the local store.

    The format is described in docs/api.md ("The import format") in vtctl's
    repository, with a complete example in examples/appointments.json;
    `vtctl appointment export --profile demo` prints another. The whole file is
    validated first: a bad file is refused with the line and field at fault and
    the store is left untouched. Importing the same file twice changes nothing.
    """
    with store_settings(profile, store) as settings:
        run_import(
            ImportOptions(
                io=streams(ctx), settings=settings,
                fmt=output_format(json, jq), source=file,
            )
        )


def register(group: typer.Typer) -> None:
    group.command("import", cls=JsonCommand)(import_command)
