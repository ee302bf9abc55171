"""What ``vtctl audit list`` prints: one row per minted token (never the token)."""

from __future__ import annotations

from collections.abc import Sequence

from vtctl.domain.audit import AuditRecord, shown
from vtctl.ui.sheet import Column, Rows, Sheet, sheet


def _who(r: AuditRecord) -> str:
    return f"{shown(r.os_user)}@{shown(r.host)} ({shown(r.profile)})"


def _appointment(r: AuditRecord) -> str:
    return "-" if r.appointment_id is None else shown(r.appointment_id)


#: a pipe's line: at, who, command, appointment, identity, room, ttl seconds, jti; every
#: cell ``shown`` (stored values: any SQLite type after an edit behind vtctl's back)
AUDIT_COLUMNS: list[Column[AuditRecord]] = [
    Column("at (UTC)", lambda r: shown(r.at), short="at"),
    Column("who", _who, drop=1),
    Column("command", lambda r: shown(r.command), short="cmd", drop=2),
    Column("appt", _appointment, justify="right", drop=3,
           piped=lambda r: "" if r.appointment_id is None else shown(r.appointment_id)),
    Column("identity", lambda r: shown(r.identity), key=True),
    Column("room", lambda r: shown(r.room_name), key=True),
    Column("ttl", lambda r: f"{shown(r.ttl_seconds)}s", justify="right", drop=4,
           piped=lambda r: shown(r.ttl_seconds)),
    Column("jti", lambda r: shown(r.jti), key=True),
]


def audit_sheet(records: Sequence[AuditRecord], filtered: bool = False) -> Sheet:
    """``filtered``: the records asked for were narrowed (--since, --appointment,
    --identity), so an empty list says that nothing matched, not that nothing was minted."""
    empty = "no record matches the filters" if filtered else "no minted tokens recorded"
    return sheet(Rows(AUDIT_COLUMNS, records, title=f"{len(records)} minted token(s)",
                      empty=empty))
