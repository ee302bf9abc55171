"""``vtctl audit list``: the local store's trail of minted tokens, verified as
``vtctl audit verify`` verifies it: records that fail are still listed (they are
what an investigation starts from), never as fact: one line on stderr and exit 9."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.config.settings import Settings
from vtctl.domain.audit import ChainedRecord
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format


@dataclass
class AuditListOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat
    #: the command that verifies the same trail, named when it fails (the same flags)
    verify_line: str
    since: str | None = None
    appointment_id: int | None = None
    identity: str | None = None


def verify_line(profile: str | None, store: str | None) -> str:
    """``vtctl audit verify`` with the ``--profile``/``--store`` given, pasteable."""
    from vtctl.domain.commands import VERIFY_TRAIL
    from vtctl.util.text import printable

    flags: list[str] = []
    for flag, value in (("--profile", profile), ("--store", store)):
        if value is not None:
            flags += [flag, value]
    return printable(VERIFY_TRAIL.command(flags))


def run_audit_list(opts: AuditListOptions) -> None:
    """Print the records (filtered), then raise ``not_verified`` if the whole trail does not
    verify."""
    from vtctl.backends.local import open_store
    from vtctl.domain.models import format_utc, parse_utc
    from vtctl.local.trail_check import doubt_of, not_verified

    since = None
    if opts.since is not None:
        try:
            since = format_utc(parse_utc(opts.since))
        except ValueError as exc:
            raise UsageError(
                f"--since {opts.since!r} is not an ISO 8601 time",
                hint="e.g. --since 2025-11-16 or --since 2025-11-16T09:00:00Z",
            ) from exc
    filtered = (since, opts.appointment_id, opts.identity) != (None, None, None)
    with open_store(opts.settings) as store:
        everything = store.read_audit()
        chained = store.read_audit(
            since=since, appointment_id=opts.appointment_id, identity=opts.identity
        ) if filtered else everything
        doubt = doubt_of(store, everything)
    records = [c.record for c in chained]

    def view() -> Any:
        from vtctl.ui.render.audit import audit_sheet

        return audit_sheet(records, filtered)

    emit(opts.io, opts.fmt, lambda: [c.to_json() for c in chained], view)
    if doubt is not None:
        raise not_verified(doubt, "the records listed are", f"; run `{opts.verify_line}`")


def list_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", metavar="ISO",
                                 help="Only tokens minted at or after this time (UTC if no zone).")
    ] = None,
    appointment: Annotated[
        str | None, typer.Option("--appointment", metavar="ID",
                                 help="Only tokens for this appointment.")
    ] = None,
    identity: Annotated[
        str | None, typer.Option("--identity", metavar="X",
                                 help="Only tokens for this identity (e.g. 2-jane@example.com).")
    ] = None,
    # the contract's keys, then each record's place in the keyed chain
    json: Annotated[str | None, json_option(ChainedRecord.json_fields())] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """List the tokens minted locally, oldest first (never the tokens themselves).

    On a terminal: a table. In a pipe: one record a line, tab-separated (time, who,
    command, appointment, identity, room, ttl, jti). Stored text is shown printable.
    The whole trail is verified as `vtctl audit verify` does: when it fails, the records
    are still listed, one line on stderr names the first bad record, and the exit code
    is 9 (3 when the trail's key is not available here).
    """
    with store_settings(profile, store) as settings:
        run_audit_list(
            AuditListOptions(
                io=streams(ctx), settings=settings,
                fmt=output_format(json, jq), since=since,
                appointment_id=None if appointment is None else parse_appointment_id(appointment),
                identity=identity, verify_line=verify_line(profile, store),
            )
        )


def register(group: typer.Typer) -> None:
    group.command("list", cls=JsonCommand)(list_command)
