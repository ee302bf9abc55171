"""``vtctl audit head``: the newest record of a verified trail, to keep elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.settings import Settings
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

FIELDS = ("seq", "mac", "records", "trail_id", "created_at", "key_source")


@dataclass
class AuditHeadOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat


def run_audit_head(opts: AuditHeadOptions) -> str:
    """``SEQ:MAC`` of the newest record (``0:`` and 64 zeros for an empty trail), printed
    after the whole trail verified (exit 9 or 3 otherwise, as ``audit verify``)."""
    from vtctl.backends.local import open_store
    from vtctl.domain.audit import GENESIS_HASH, stored_json
    from vtctl.local.trail_check import verified
    from vtctl.local.trail_key import TrailKeys

    with open_store(opts.settings) as store:
        checked = verified(store, TrailKeys(),
                           opts.settings.store_path)
    head = checked.verdict.head
    seq, mac = (head.seq, str(head.mac)) if head is not None else (0, GENESIS_HASH)
    anchor = checked.anchor
    document: dict[str, Any] = {
        "seq": seq, "mac": mac, "records": checked.verdict.count,
        "trail_id": anchor.trail_id, "created_at": stored_json(anchor.created_at),
        "key_source": anchor.key_source,
    }
    line = f"{seq}:{mac}"
    if opts.fmt.json:
        from vtctl.ui.sheet import Drawn, sheet

        emit(opts.io, opts.fmt, lambda: document, lambda: sheet(Drawn(line, [line])))
    else:
        opts.io.print_raw(line)
    return line


def head_command(
    ctx: typer.Context,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Print SEQ:MAC of the trail's newest record, after verifying the whole trail.

    Keep the line somewhere the store's users cannot write (a ticket, a log server,
    another machine): `vtctl audit verify --expect SEQ:MAC` later proves that nothing
    up to that record was removed or rewritten, even if the whole file was replaced.
    """
    with store_settings(profile, store) as settings:
        run_audit_head(
            AuditHeadOptions(
                io=streams(ctx), settings=settings,
                fmt=output_format(json, jq),
            )
        )


def register(group: typer.Typer) -> None:
    group.command("head", cls=JsonCommand)(head_command)
