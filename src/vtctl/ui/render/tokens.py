"""Rows for token replies (a table on a terminal, ``field<TAB>value`` lines in a pipe)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vtctl.domain.models import VideoToken, format_utc
from vtctl.ui.render.keyvalue import Rows, key_value_table
from vtctl.util.timefmt import humanize_duration

if TYPE_CHECKING:
    from rich.table import Table


def token_title(token: VideoToken) -> str:
    return f"Video token for appointment {token.appointment_id}"


def token_rows(token: VideoToken, now: datetime | None = None) -> Rows:
    now = now or datetime.now(UTC)
    left = (token.expires_at - now).total_seconds()
    when = f"in {humanize_duration(left)}" if left > 0 else f"expired {humanize_duration(left)} ago"
    return [
        ("room", token.room_name),
        ("identity", token.user_identity),
        # in words people read; the guide's "90 minutes (1 hours)" stays exact in --json
        ("valid for", f"{humanize_duration(token.expires_in)} ({token.expires_in} s)"),
        ("expires at", f"{format_utc(token.expires_at)}  ({when})"),
        ("appointment", f"{token.appointment_id} ({token.appointment_duration_minutes} min)"),
        ("access token", token.access_token),
    ]


def token_table(token: VideoToken, now: datetime | None = None) -> Table:
    return key_value_table(token_title(token), token_rows(token, now))
