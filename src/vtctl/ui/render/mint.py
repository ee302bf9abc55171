"""Rows for ``vtctl mint``: an ad-hoc Twilio Video token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vtctl.domain.models import format_utc
from vtctl.ui.render.keyvalue import Rows, key_value_table
from vtctl.util.timefmt import humanize_duration

if TYPE_CHECKING:
    from rich.table import Table

    from vtctl.domain.minted import MintedToken

MINT_TITLE = "Twilio Video token"


def mint_rows(token: MintedToken, now: datetime | None = None) -> Rows:
    now = now or datetime.now(UTC)
    left = (token.expires_at - now).total_seconds()
    lifetime = f"{token.ttl} s" + (f" ({humanize_duration(token.ttl)})" if token.ttl >= 60 else "")
    expires = format_utc(token.expires_at)
    return [
        ("identity", token.identity),
        ("room", token.room_name),
        ("valid for", lifetime),
        ("expires at", f"{expires}  (in {humanize_duration(left)})" if left >= 60 else expires),
        ("signed by", f"API key {token.api_key_sid} ({token.source} credentials)"),
        ("access token", token.access_token),
    ]


def mint_table(token: MintedToken, now: datetime | None = None) -> Table:
    return key_value_table(MINT_TITLE, mint_rows(token, now))
