"""The rules' limits checked against where they come from: SQLite's INTEGER
range for ids, whole hours in the guide's ``token_valid_until`` text."""

from __future__ import annotations

import sqlite3

import pytest

from vtctl.domain import rules


def test_max_id_is_sqlites_largest_integer() -> None:
    db = sqlite3.connect(":memory:")
    assert type(rules.MAX_ID) is int
    assert db.execute("SELECT ?", (rules.MAX_ID,)).fetchone() == (rules.MAX_ID,)
    with pytest.raises(OverflowError):
        db.execute("SELECT ?", (rules.MAX_ID + 1,))


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(119, "119 minutes (1 hours)"), (179, "179 minutes (2 hours)"),
     (236, "236 minutes (3 hours)"), (239, "239 minutes (3 hours)")],
)
def test_valid_until_counts_whole_hours(minutes: int, text: str) -> None:
    assert rules.token_valid_until(minutes) == text


# -- the caches on the mint path: answered from memory, and bounded ----------------------


def test_a_repeated_identity_check_is_answered_from_the_cache() -> None:
    identity = "7-cache.hit@example.com"
    assert rules.identity_problem(identity) is None
    before = rules.identity_problem.cache_info()
    assert rules.identity_problem(identity) is None
    after = rules.identity_problem.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_a_flood_of_distinct_identities_keeps_at_most_1024_in_the_cache() -> None:
    """serve checks the identity of every token it mints: however many distinct ones
    arrive, the cache holds the last 1024 and no more (memory stays bounded)."""
    for n in range(3000):
        rules.identity_problem(f"{n}-flood@example.com")
    info = rules.identity_problem.cache_info()
    assert (info.maxsize, info.currsize) == (1024, 1024)
    misses = info.misses
    rules.identity_problem("0-flood@example.com")  # pushed out long ago
    rules.identity_problem("2999-flood@example.com")  # among the last 1024
    info = rules.identity_problem.cache_info()
    assert (info.misses, info.currsize) == (misses + 1, 1024)


def test_the_valid_until_text_is_made_once_per_lifetime() -> None:
    rules.token_valid_until(95)
    before = rules.token_valid_until.cache_info()
    assert rules.token_valid_until(95) == "95 minutes (1 hours)"
    after = rules.token_valid_until.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_its_unbounded_cache_stays_small_as_lifetimes_are_clamped() -> None:
    """``token_valid_until`` has no bound of its own: it is only ever given a clamped
    lifetime, so any number of distinct durations adds at most 181 texts (60..240)."""
    rules.token_valid_until.cache_clear()
    for duration in range(-5000, 50000, 7):
        rules.token_valid_until(rules.token_lifetime_minutes(duration))
    span = rules.MAX_LIFETIME_MINUTES - rules.MIN_LIFETIME_MINUTES + 1
    assert rules.token_valid_until.cache_info().currsize <= span == 181
