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
