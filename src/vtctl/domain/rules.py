"""The API guide's token rules as pure functions (CONTRACT.md, "Engine rules")."""

from __future__ import annotations

import functools
from datetime import datetime

from vtctl.domain.models import User
from vtctl.util.text import is_unicode_text

MIN_LIFETIME_MINUTES = 60
MAX_LIFETIME_MINUTES = 240
BUFFER_MINUTES = 30
#: Ids beyond SQLite's INTEGER range cannot exist in the store or the API.
MAX_ID = 2**63 - 1

#: Twilio rejects access tokens whose identity is longer than this.
MAX_IDENTITY_LENGTH = 128


def token_lifetime_minutes(duration_minutes: int) -> int:
    """Appointment duration + 30 min buffer, clamped to 60..240 minutes."""
    minutes = duration_minutes + BUFFER_MINUTES
    # comparisons, not max(min(...)): a tenth of the cost, on every minted token
    if minutes < MIN_LIFETIME_MINUTES:
        return MIN_LIFETIME_MINUTES
    return MAX_LIFETIME_MINUTES if minutes > MAX_LIFETIME_MINUTES else minutes


@functools.cache  # a handful of distinct values; it runs on every minted token
def token_valid_until(lifetime_minutes: int) -> str:
    """The guide's human text, e.g. ``"90 minutes (1 hours)"``."""
    return f"{lifetime_minutes} minutes ({lifetime_minutes // 60} hours)"


@functools.lru_cache(maxsize=1024)  # serve checks the same few identities on every token
def identity_problem(identity: str) -> str | None:
    """Why Twilio would refuse ``identity`` in an access token, or None when it is fine."""
    if not identity.strip():
        return "must not be empty"
    if len(identity) > MAX_IDENTITY_LENGTH:
        return (f"is {len(identity)} characters; Twilio accepts at most "
                f"{MAX_IDENTITY_LENGTH}")
    if not is_unicode_text(identity):
        return "is not valid Unicode text (it holds a lone surrogate)"
    return None


def user_identity(user: User) -> str:
    return user_identity_of(user.id, user.email)


def user_identity_of(user_id: int, email: str) -> str:
    """A user's identity in its tokens: ``{id}-{email}``."""
    return f"{user_id}-{email}"


def new_room_name(appointment_id: int, now: datetime) -> str:
    """``apt-{appointment_id}-{unix_seconds}-{8 lowercase hex}``."""
    import secrets  # lazily: hashlib/hmac/random cost ~4 ms on every vtctl start

    return f"apt-{appointment_id}-{int(now.timestamp())}-{secrets.token_hex(4)}"
