"""``--from`` / ``--to`` times and alert durations, as a support engineer types them.

A TIME is one of:

- ISO 8601: ``2025-11-16T09:00:00Z``, ``2025-11-16T10:00+01:00``, ``2025-11-16 09:00``
  (no offset: UTC);
- relative to now: ``now``, ``-30m``, ``+2h``, ``-1h30m``, ``+1d`` (units s, m, h, d);
- a whole UTC day: ``today``, ``yesterday``, ``tomorrow`` or ``2025-11-16``: its
  start (00:00 UTC) as ``--from``, its end (the next 00:00 UTC) as ``--to``, so
  ``--from today --to today`` is the whole day.

Parsing (:func:`parse_time`) is separate from resolving against a clock
(:meth:`TimeSpec.resolve`): a ``--watch`` window like ``-2h..+2h`` moves with
time, an absolute one stays.  Pure: no clock is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from vtctl.domain.errors import UsageError

#: the forms a TIME may take, for error messages and --help
TIME_FORMS = (
    "ISO 8601 (2025-11-16T09:00:00Z), relative to now (now, -30m, +2h, -1h30m, +1d) "
    "or a UTC day (today, yesterday, tomorrow, 2025-11-16)"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_DURATION = re.compile(r"(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?")
_DAY_WORDS = {"yesterday": -1, "today": 0, "tomorrow": 1}
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_duration(text: str) -> timedelta:
    """``90s``, ``5m``, ``2h``, ``1h30m``, ``1d`` as a timedelta (units in that order)."""
    cleaned = text.strip().lower()
    match = _DURATION.fullmatch(cleaned)
    if not cleaned or match is None:
        raise UsageError(
            f"{text!r} is not a duration",
            hint="give a number and a unit: 90s, 5m, 2h, 1h30m, 1d",
        )
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


@dataclass(frozen=True, slots=True)
class TimeSpec:
    """A parsed TIME: an instant, an offset from now, or a UTC day (offset or date)."""

    text: str
    at: datetime | None = None
    offset: timedelta | None = None
    day: date | None = None
    day_offset: int | None = None

    def resolve(self, now: datetime, *, end: bool = False) -> datetime:
        """The instant it names at ``now``; a day is its start, or with ``end`` its end."""
        if self.at is not None:
            return self.at
        if self.offset is not None:
            return now + self.offset
        day = self.day if self.day is not None else (
            now.astimezone(UTC).date() + timedelta(days=self.day_offset or 0)
        )
        start = datetime.combine(day, time(0), tzinfo=UTC)
        return start + timedelta(days=1) if end else start

    @property
    def relative(self) -> bool:
        """True when the instant depends on the clock (it moves in a --watch)."""
        return self.at is None and self.day is None


def parse_time(text: str, flag: str = "TIME") -> TimeSpec:
    """Parse a TIME (see the module docstring) or raise a usage error naming ``flag``."""
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered == "now":
        return TimeSpec(cleaned, offset=timedelta(0))
    if lowered in _DAY_WORDS:
        return TimeSpec(cleaned, day_offset=_DAY_WORDS[lowered])
    if lowered[:1] in ("+", "-") and lowered[1:2].isdigit():
        try:
            span = parse_duration(lowered[1:])
        except UsageError:
            raise _bad(text, flag) from None
        return TimeSpec(cleaned, offset=-span if lowered[0] == "-" else span)
    if _DATE_ONLY.fullmatch(cleaned):
        try:
            return TimeSpec(cleaned, day=date.fromisoformat(cleaned))
        except ValueError:
            raise _bad(text, flag) from None
    return TimeSpec(cleaned, at=_iso(text, flag))


def _iso(text: str, flag: str) -> datetime:
    cleaned = text.strip()
    if not cleaned[:4].isdigit():
        raise _bad(text, flag)
    try:
        moment = datetime.fromisoformat(cleaned.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise _bad(text, flag) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _bad(text, flag) from None


def _bad(text: str, flag: str) -> UsageError:
    shown = repr(text) if len(text) <= 40 else repr(text[:37] + "...")
    return UsageError(f"{flag} {shown} is not a time", hint=f"give {TIME_FORMS}")


@dataclass(frozen=True, slots=True)
class Window:
    """``[start, end)`` in UTC."""

    start: datetime
    end: datetime


def resolve_window(start: TimeSpec, end: TimeSpec, now: datetime) -> Window:
    """The window the two TIMEs name at ``now``; an empty or inverted one is exit 2."""
    window = Window(start.resolve(now), end.resolve(now, end=True))
    if window.end <= window.start:
        raise UsageError(
            f"--to {end.text} is not after --from {start.text}",
            hint="e.g. --from -2h --to +2h, or --from today --to today for the whole UTC day",
        )
    return window
