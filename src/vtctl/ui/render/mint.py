"""What ``vtctl mint`` prints: an ad-hoc Twilio Video token's facts, then the token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vtctl.domain.models import format_utc
from vtctl.ui.render.tokens import ACCESS_TOKEN
from vtctl.ui.sheet import CopyLine, Field, Fields, Sheet, sheet
from vtctl.util.timefmt import humanize_duration

if TYPE_CHECKING:
    from vtctl.domain.minted import MintedToken

MINT_TITLE = "Twilio Video token"


def mint_fields(token: MintedToken, now: datetime | None = None) -> list[Field]:
    now = now or datetime.now(UTC)
    left = (token.expires_at - now).total_seconds()
    lifetime = f"{token.ttl} s" + (f" ({humanize_duration(token.ttl)})" if token.ttl >= 60 else "")
    expires = format_utc(token.expires_at)
    if left >= 60:
        expires += f"  (in {humanize_duration(left)})"
    return [
        Field("identity", token.identity, key=True),
        Field("room", token.room_name, key=True),
        Field("valid for", lifetime),
        Field("expires at", expires),
        Field("signed by", f"API key {token.api_key_sid} ({token.source} credentials)"),
    ]


def mint_sheet(token: MintedToken, now: datetime | None = None) -> Sheet:
    return sheet(Fields(mint_fields(token, now), title=MINT_TITLE),
                 CopyLine(ACCESS_TOKEN, token.access_token))
