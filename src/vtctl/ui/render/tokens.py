"""Renderables for token replies."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.table import Table

from vtctl.domain.models import VideoToken, format_utc
from vtctl.util.timefmt import humanize_duration


def token_table(token: VideoToken, now: datetime | None = None) -> Table:
    now = now or datetime.now(UTC)
    left = (token.expires_at - now).total_seconds()
    when = f"in {humanize_duration(left)}" if left > 0 else f"expired {humanize_duration(left)} ago"
    expiry = f"{format_utc(token.expires_at)}  ({when})"
    table = Table(
        title=f"Video token for appointment {token.appointment_id}",
        show_header=False, title_justify="left", expand=False,
    )
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")  # the JWT folds; room and identity fit first
    table.add_row("room", token.room_name)
    table.add_row("identity", token.user_identity)
    # in words people read; the guide's "90 minutes (1 hours)" stays exact in --json
    table.add_row("valid for", f"{humanize_duration(token.expires_in)} ({token.expires_in} s)")
    table.add_row("expires at", expiry)
    table.add_row(
        "appointment", f"{token.appointment_id} ({token.appointment_duration_minutes} min)"
    )
    table.add_row("access token", token.access_token)
    return table
