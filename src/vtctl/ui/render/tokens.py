"""What ``vtctl token`` and ``refresh`` print: the token's facts, then the token alone
on its line (a pipe gets ``field<TAB>value`` lines, the token's last)."""

from __future__ import annotations

from datetime import UTC, datetime

from vtctl.domain.models import VideoToken, format_utc
from vtctl.ui.sheet import CopyLine, Field, Fields, Sheet, sheet
from vtctl.util.timefmt import humanize_duration

ACCESS_TOKEN = "access token"


def token_title(token: VideoToken) -> str:
    return f"Video token for appointment {token.appointment_id}"


def token_fields(token: VideoToken, now: datetime | None = None) -> list[Field]:
    """Every fact of the reply but the token itself."""
    now = now or datetime.now(UTC)
    left = (token.expires_at - now).total_seconds()
    when = f"in {humanize_duration(left)}" if left > 0 else f"expired {humanize_duration(left)} ago"
    return [
        Field("room", token.room_name, key=True),
        Field("identity", token.user_identity, key=True),
        # in words people read; the guide's "90 minutes (1 hours)" stays exact in --json
        Field("valid for", f"{humanize_duration(token.expires_in)} ({token.expires_in} s)"),
        Field("expires at", f"{format_utc(token.expires_at)}  ({when})"),
        Field("appointment", f"{token.appointment_id} ({token.appointment_duration_minutes} min)"),
    ]


def token_sheet(token: VideoToken, now: datetime | None = None) -> Sheet:
    return sheet(Fields(token_fields(token, now), title=token_title(token)),
                 CopyLine(ACCESS_TOKEN, token.access_token))
