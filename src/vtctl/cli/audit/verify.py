"""``vtctl audit verify``: check the keyed chain of the local store's audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.config.settings import Settings
from vtctl.domain.audit_verdict import Expectation
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams


@dataclass
class AuditVerifyOptions:
    io: IOStreams
    settings: Settings
    expect: Expectation | None = None


def parse_expect(text: str | None) -> Expectation | None:
    """``--expect SEQ:MAC`` (as ``vtctl audit head`` prints it), or a usage error."""
    if text is None:
        return None
    found = Expectation.parse(text)
    if found is None:
        from vtctl.util.text import printable, quoted

        raise UsageError(
            f"--expect takes SEQ:MAC as `vtctl audit head` prints it, not "
            f"{printable(quoted(text))}",
            hint="e.g. --expect 42:" + "3f" * 32,
        )
    return found


def run_audit_verify(opts: AuditVerifyOptions) -> int:
    """The number of records verified; ``AuditTrailError`` (exit 9) on the first bad one,
    ``AuditKeyError`` (exit 3) when the trail's key is not available here."""
    from vtctl.backends.local import open_store
    from vtctl.domain.audit import shown
    from vtctl.local.trail_check import verified
    from vtctl.local.trail_key import TrailKeys

    path = opts.settings.store_path
    with open_store(opts.settings) as store:
        checked = verified(store, TrailKeys(),
                           path, opts.expect)
    count = checked.verdict.count
    held = f"; it holds the expected head {opts.expect}" if opts.expect else ""
    opts.io.info(
        f"audit trail intact: {count} record(s) in {path} since "
        f"{shown(checked.anchor.created_at)} ({checked.key_description()}){held}"
    )
    return count


def verify_command(
    ctx: typer.Context,
    expect: Annotated[
        str | None,
        typer.Option("--expect", metavar="SEQ:MAC", show_default=False,
                     help="Also prove that the record `vtctl audit head` printed earlier (kept "
                     "elsewhere) is still there, unchanged: nothing up to it was removed or "
                     "rewritten, not even by replacing the whole file."),
    ] = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Check every record's hash and keyed MAC and the trail's anchor: exit 0 when intact,
    9 naming the first record or anchor that was changed, removed, reordered or forged,
    3 when the trail's key is not available here (another machine or keyring)."""
    with store_settings(profile, store) as settings:
        run_audit_verify(
            AuditVerifyOptions(
                io=streams(ctx), settings=settings,
                expect=parse_expect(expect),
            )
        )


def register(group: typer.Typer) -> None:
    group.command("verify")(verify_command)
