"""Renderable for ``vtctl mint``: an ad-hoc Twilio Video token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.table import Table

from vtctl.domain.models import format_utc
from vtctl.util.timefmt import humanize_duration

if TYPE_CHECKING:
    from vtctl.domain.models import MintedToken


def mint_table(token: MintedToken, now: datetime | None = None) -> Table:
    now = now or datetime.now(UTC)
    left = (token.expires_at - now).total_seconds()
    table = Table(title="Twilio Video token", show_header=False, title_justify="left")
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("identity", token.identity)
    table.add_row("room", token.room_name)
    lifetime = f"{token.ttl} s" + (f" ({humanize_duration(token.ttl)})" if token.ttl >= 60 else "")
    table.add_row("valid for", lifetime)
    table.add_row(
        "expires at",
        f"{format_utc(token.expires_at)}  (in {humanize_duration(left)})"
        if left >= 60
        else format_utc(token.expires_at),
    )
    table.add_row("signed by", f"API key {token.api_key_sid} ({token.source} credentials)")
    table.add_row("access token", token.access_token)
    return table
