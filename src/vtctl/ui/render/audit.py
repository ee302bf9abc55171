"""Renderables for the audit trail of minted tokens."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.table import Table
from rich.text import Text

from vtctl.domain.audit import AuditRecord, shown


def audit_table(records: Sequence[AuditRecord]) -> Table:
    table = Table(title=f"{len(records)} minted token(s)", title_justify="left")
    table.add_column("at (UTC)", no_wrap=True)
    table.add_column("who", overflow="fold")
    table.add_column("command", no_wrap=True)
    table.add_column("appt", justify="right", no_wrap=True)
    table.add_column("identity", overflow="fold")
    table.add_column("room", overflow="fold")
    table.add_column("ttl", justify="right", no_wrap=True)
    table.add_column("jti", overflow="fold")
    for r in records:
        table.add_row(*(Text(cell) for cell in _cells(r)))  # stored text, never markup
    return table


def audit_lines(records: Sequence[AuditRecord]) -> Iterator[str]:
    """One tab-separated line per record, for a pipe (the table's columns)."""
    for r in records:
        yield "\t".join(_cells(r))


def _cells(r: AuditRecord) -> tuple[str, ...]:
    """A record's columns as printable text (stored values: any SQLite type after an
    edit behind vtctl's back)."""
    return (
        shown(r.at), f"{shown(r.os_user)}@{shown(r.host)} ({shown(r.profile)})",
        shown(r.command), shown(r.appointment_id), shown(r.identity), shown(r.room_name),
        f"{shown(r.ttl_seconds)}s", shown(r.jti),
    )
