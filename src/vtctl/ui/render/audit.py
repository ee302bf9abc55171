"""Renderables for the audit trail of minted tokens."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from vtctl.domain.audit import AuditRecord
from vtctl.util.text import printable


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
        cells = (
            r.at, f"{r.os_user}@{r.host} ({r.profile})", r.command,
            "-" if r.appointment_id is None else str(r.appointment_id),
            r.identity, r.room_name, f"{r.ttl_seconds}s", r.jti,
        )
        table.add_row(*(Text(printable(cell)) for cell in cells))  # stored text, never markup
    return table
