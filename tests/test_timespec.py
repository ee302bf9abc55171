"""TIME for --from/--to (ISO 8601, relative, UTC days) and DURATION for --alert rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vtctl.domain.errors import UsageError
from vtctl.domain.timespec import parse_duration, parse_time, resolve_window

NOW = datetime(2025, 11, 16, 10, 0, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-11-16T09:00:00Z", "2025-11-16T09:00:00", "2025-11-16T09:00:00"),
        ("2025-11-16T10:30+01:00", "2025-11-16T09:30:00", "2025-11-16T09:30:00"),
        ("2025-11-16 09:15", "2025-11-16T09:15:00", "2025-11-16T09:15:00"),  # no offset: UTC
        ("now", "2025-11-16T10:00:00", "2025-11-16T10:00:00"),
        ("-30m", "2025-11-16T09:30:00", "2025-11-16T09:30:00"),
        ("+2h", "2025-11-16T12:00:00", "2025-11-16T12:00:00"),
        ("-1h30m", "2025-11-16T08:30:00", "2025-11-16T08:30:00"),
        ("+1d", "2025-11-17T10:00:00", "2025-11-17T10:00:00"),
        ("-90s", "2025-11-16T09:58:30", "2025-11-16T09:58:30"),
        # a day: its start as --from, its end (the next midnight UTC) as --to
        ("today", "2025-11-16T00:00:00", "2025-11-17T00:00:00"),
        ("Yesterday", "2025-11-15T00:00:00", "2025-11-16T00:00:00"),
        ("tomorrow", "2025-11-17T00:00:00", "2025-11-18T00:00:00"),
        ("2025-12-31", "2025-12-31T00:00:00", "2026-01-01T00:00:00"),
    ],
)
def test_time_forms(text: str, start: str, end: str) -> None:
    spec = parse_time(text)
    assert spec.resolve(NOW) == at(start)
    assert spec.resolve(NOW, end=True) == at(end)


def test_today_is_the_utc_day_of_now_at_both_midnight_edges() -> None:
    today = parse_time("today")
    last_second = datetime(2025, 11, 16, 23, 59, 59, tzinfo=UTC)
    midnight = datetime(2025, 11, 17, 0, 0, 0, tzinfo=UTC)
    assert today.resolve(last_second) == at("2025-11-16T00:00:00")
    assert today.resolve(midnight) == at("2025-11-17T00:00:00")
    assert today.resolve(midnight, end=True) == at("2025-11-18T00:00:00")
    # a clock in another zone is the same instant: still the UTC day
    from datetime import timezone
    tokyo = midnight.astimezone(timezone(timedelta(hours=9)))
    assert today.resolve(tokyo) == at("2025-11-17T00:00:00")


def test_relative_times_move_with_the_clock_absolute_ones_do_not() -> None:
    assert parse_time("-2h").relative and parse_time("today").relative
    assert not parse_time("2025-11-16").relative
    assert not parse_time("2025-11-16T09:00:00Z").relative


@pytest.mark.parametrize("text", ["", "soon", "-", "+", "-5x", "+2h-1m", "30m", "2025-13-01",
                                  "2025-11-16T25:00", "--2h", "- 2h", "-1m30h"])
def test_bad_times_are_usage_errors_naming_the_flag(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_time(text, "--from")
    assert caught.value.message.startswith("--from ")
    assert "is not a time" in caught.value.message
    assert "today" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("5m", 300), ("2h", 7200), ("1h30m", 5400), ("1d", 86400), ("0m", 0),
     (" 5M ", 300)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "m", "5 m", "-5m", "5m1h", "1.5h", "5min"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UsageError, match="is not a duration"):
        parse_duration(text)


def test_window_must_not_be_empty_or_inverted() -> None:
    window = resolve_window(parse_time("today"), parse_time("today"), NOW)
    assert (window.start, window.end) == (at("2025-11-16T00:00:00"), at("2025-11-17T00:00:00"))
    with pytest.raises(UsageError, match="--to -3h is not after --from -2h"):
        resolve_window(parse_time("-2h"), parse_time("-3h"), NOW)
    with pytest.raises(UsageError):
        resolve_window(parse_time("now"), parse_time("now"), NOW)
