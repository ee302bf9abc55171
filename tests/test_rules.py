"""The guide's token rules at their edges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vtctl.domain import rules
from vtctl.domain.models import User


@pytest.mark.parametrize(
    ("duration", "minutes"),
    [(0, 60), (29, 60), (30, 60), (31, 61), (60, 90), (210, 240), (211, 240), (1000, 240)],
)
def test_lifetime_is_duration_plus_buffer_clamped(duration: int, minutes: int) -> None:
    assert rules.token_lifetime_minutes(duration) == minutes


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(60, "60 minutes (1 hours)"), (90, "90 minutes (1 hours)"), (61, "61 minutes (1 hours)"),
     (120, "120 minutes (2 hours)"), (240, "240 minutes (4 hours)")],
)
def test_token_valid_until_text_matches_the_guide(minutes: int, text: str) -> None:
    assert rules.token_valid_until(minutes) == text


def test_identity_is_user_id_dash_email() -> None:
    user = User(2, "jane.doe@example.com", "Jane Doe", "patient")
    assert rules.user_identity(user) == "2-jane.doe@example.com"


def test_room_names_follow_the_pattern_and_differ() -> None:
    now = datetime(2025, 11, 14, 16, 49, 14, tzinfo=UTC)
    names = {rules.new_room_name(47, now) for _ in range(20)}
    assert len(names) == 20
    for name in names:
        prefix, appointment, unix, suffix = name.split("-")
        assert (prefix, appointment, unix) == ("apt", "47", str(int(now.timestamp())))
        assert len(suffix) == 8 and all(c in "0123456789abcdef" for c in suffix)


@pytest.mark.parametrize(
    ("identity", "problem"),
    [("2-jane@example.com", None), ("x" * 128, None), ("", "must not be empty"),
     ("  ", "must not be empty"), ("x" * 129, "is 129 characters; Twilio accepts at most 128"),
     ("2-jane\udcff@example.com", "is not valid Unicode text (it holds a lone surrogate)"),
     ("\ud800", "is not valid Unicode text (it holds a lone surrogate)"),
     ("2-zoë@example.com", None)],
)
def test_identity_problem_is_the_one_identity_rule(identity: str, problem: str | None) -> None:
    assert rules.identity_problem(identity) == problem
