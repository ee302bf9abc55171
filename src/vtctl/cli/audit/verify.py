"""``vtctl audit verify``: check the hash chain of the local store's audit trail."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.config.settings import Settings
from vtctl.ui.iostreams import IOStreams


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


def verify_command(
    ctx: typer.Context,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Check the hash chain: exit 0 when intact, 9 naming the first changed, removed or
    reordered record."""
    settings = settings_from(local=True, profile=profile, store=store)
    run_audit_verify(AuditVerifyOptions(io=streams(ctx), settings=settings))


def register(group: typer.Typer) -> None:
    group.command("verify")(verify_command)
