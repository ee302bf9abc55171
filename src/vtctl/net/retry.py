"""When an API client tries again: transient statuses, backoff, ``Retry-After``."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: first backoff delay in seconds, doubled on each retry, capped
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
#: a Retry-After longer than this is not waited for, whatever --timeout allows
MAX_RETRY_AFTER = 60.0


def backoff(tries: int) -> float:
    """The delay after the ``tries``-th failed try."""
    return float(min(BACKOFF_BASE * 2 ** (tries - 1), BACKOFF_MAX))


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds < 0:  # NaN or negative
        return 0.0
    return seconds
