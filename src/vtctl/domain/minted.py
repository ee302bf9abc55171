"""A token ``vtctl mint`` made for any identity and room (no appointment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vtctl.domain.models import JsonFields


@dataclass(frozen=True, slots=True)
class MintedToken(JsonFields):
    JSON_FIELDS = ("access_token", "identity", "room_name", "ttl", "expires_at")

    access_token: str
    identity: str
    room_name: str
    ttl: int
    expires_at: datetime
    api_key_sid: str
    source: str  # environment | keyring | demo
