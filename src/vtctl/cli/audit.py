"""``vtctl audit list|verify``: the local store's trail of minted tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.config.settings import Settings
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit

group = typer.Typer(
    name="audit",
    help="The local store's audit trail: one hash-chained record per token minted locally "
    "(token/refresh --local, mint, serve).",
    no_args_is_help=True,
)


@dataclass
class AuditListOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat
    since: str | None = None
    appointment_id: int | None = None
    identity: str | None = None


def run_audit_list(opts: AuditListOptions) -> None:
    from vtctl.backends.local import open_store
    from vtctl.domain.models import format_utc, parse_utc

    since = None
    if opts.since is not None:
        try:
            since = format_utc(parse_utc(opts.since))
        except ValueError as exc:
            raise UsageError(
                f"--since {opts.since!r} is not an ISO 8601 time",
                hint="e.g. --since 2025-11-16 or --since 2025-11-16T09:00:00Z",
            ) from exc
    with open_store(opts.settings) as store:
        records = [
            c.record for c in store.read_audit(
                since=since, appointment_id=opts.appointment_id, identity=opts.identity
            )
        ]

    def table() -> Any:
        from vtctl.ui.render.audit import audit_table

        return audit_table(records)

    emit(opts.io, opts.fmt, lambda: [r.to_json() for r in records], table)


@group.command("list")
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
    json: o.Json = False,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """List the tokens minted locally, oldest first (never the tokens themselves)."""
    run_audit_list(
        AuditListOptions(
            io=streams(ctx), settings=settings_from(True, profile, store),
            fmt=OutputFormat(json=json), since=since,
            appointment_id=None if appointment is None else parse_appointment_id(appointment),
            identity=identity,
        )
    )


@dataclass
class AuditVerifyOptions:
    io: IOStreams
    settings: Settings


def run_audit_verify(opts: AuditVerifyOptions) -> int:
    """The number of records verified; ``AuditTrailError`` (exit 9) on the first bad one."""
    from vtctl.backends.local import open_store
    from vtctl.domain.audit import verify_chain
    from vtctl.domain.errors import AuditTrailError

    with open_store(opts.settings) as store:
        count, broken = verify_chain(store.read_audit())
    if broken is not None:
        raise AuditTrailError(
            broken.describe(),
            hint=f"the trail in {opts.settings.store_path} was edited outside vtctl; "
            "keep a copy of the file for investigation",
        )
    opts.io.info(f"audit trail intact: {count} record(s) in {opts.settings.store_path}")
    return count


@group.command("verify")
def verify_command(
    ctx: typer.Context,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Check the hash chain: exit 0 when intact, 9 naming the first changed, removed or
    reordered record."""
    run_audit_verify(
        AuditVerifyOptions(io=streams(ctx), settings=settings_from(True, profile, store))
    )


def register(app: typer.Typer) -> None:
    app.add_typer(group)
