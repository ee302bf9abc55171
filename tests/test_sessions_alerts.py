"""``--alert RULES``: the rule syntax, its usage errors, and which rows each rule matches."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sessions_fakes import JANE, NOW, OUTSIDER, SARAH, apt, live, person
from vtctl.checks.alerts import AlertRule, matching, parse_alert_rules
from vtctl.checks.sessions import session_row
from vtctl.domain.errors import UsageError
from vtctl.domain.models import Appointment
from vtctl.domain.sessions import SessionRow, TwilioRoom, TwilioView


def row(a: Appointment, *rooms: TwilioRoom, view: TwilioView | None = None) -> SessionRow:
    view = view or TwilioView(live=rooms, completed=())
    found = {r.name: r for r in view.live}
    return session_row(a, view, found.get(a.video_room_id), None, NOW)


def test_the_issues_example_parses() -> None:
    assert parse_alert_rules("waiting>5m,missed,no-room,stranger") == (
        AlertRule("waiting", timedelta(minutes=5)), AlertRule("missed"), AlertRule("no room"),
        AlertRule("stranger"),
    )


def test_spellings_and_round_trip() -> None:
    rules = parse_alert_rules(" In-Session>1h30m , no_room,overrun>90s, unknown,missed,missed")
    assert [r.text for r in rules] == ["in-session>1h30m", "no-room", "overrun>1m30s",
                                       "unknown", "missed"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has an empty rule"),
        ("waiting,,missed", "has an empty rule"),
        ("waiting,", "has an empty rule"),
        ("late", "unknown state 'late'"),
        ("waiting>5", "'5' is not a duration"),
        ("waiting>", "'' is not a duration"),
        ("waiting>=5m", "only > is supported"),
        ("waiting<5m", "only > is supported"),
        ("upcoming>5m", "upcoming rows have no start time"),
        ("unknown>1m", "unknown rows have no start time"),
    ],
)
def test_bad_rules_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_alert_rules(text)
    assert message in caught.value.message
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith("--alert")


def test_bad_state_hint_lists_the_states() -> None:
    with pytest.raises(UsageError) as caught:
        parse_alert_rules("late")
    assert "no-room" in (caught.value.hint or "") and "in-session" in (caught.value.hint or "")


@pytest.mark.parametrize(("joined_ago", "matches"), [(4 + 59 / 60, False), (5, False),
                                                     (5 + 1 / 60, True)])
def test_waiting_longer_than_five_minutes(joined_ago: float, matches: bool) -> None:
    waiting = row(apt(47, -1), live(47, person(JANE, joined_ago)))
    assert waiting.state == "waiting"
    assert bool(matching([waiting], parse_alert_rules("waiting>5m"), NOW)) is matches
    # a rule without a duration matches any wait
    assert matching([waiting], parse_alert_rules("waiting"), NOW) == [waiting]


def test_each_state_rule_matches_its_rows_only() -> None:
    rows = [
        row(apt(40, 5, room=False)),                                       # no room
        row(apt(41, -30)),                                                 # missed
        row(apt(42, -5), live(42, person(JANE, 5), person(OUTSIDER, 1))),  # stranger
        row(apt(43, -70, duration=60), live(43, person(JANE, 70), person(SARAH, 69))),  # overrun
        row(apt(44, -10), live(44, person(JANE, 9), person(SARAH, 9))),    # in session
        row(apt(45, 30)),                                                  # upcoming
    ]
    states = {r.appointment_id: r.state for r in rows}
    assert states == {40: "no room", 41: "missed", 42: "stranger", 43: "overrun",
                      44: "in session", 45: "upcoming"}
    for rule, ids in [("no-room", [40]), ("missed", [41]), ("stranger", [42]),
                      ("overrun", [43]), ("overrun>15m", []), ("overrun>9m", [43]),
                      ("in-session", [44]), ("upcoming", [45]), ("waiting", []),
                      ("missed>29m", [41]), ("missed>30m", []),
                      ("no-room,stranger", [40, 42])]:
        found = [r.appointment_id for r in matching(rows, parse_alert_rules(rule), NOW)]
        assert found == ids, rule


def test_unknown_rule_matches_rows_twilio_could_not_tell() -> None:
    from vtctl.domain.errors import NetworkError

    down = TwilioView(failure=NetworkError("cannot reach Twilio"))
    unknown = row(apt(47, -5), view=down)
    assert matching([unknown], parse_alert_rules("unknown"), NOW) == [unknown]
    assert matching([unknown], parse_alert_rules("waiting,missed"), NOW) == []


def test_a_row_whose_since_is_unknown_matches_a_duration_rule() -> None:
    from dataclasses import replace

    waiting = row(apt(47, -1), live(47, person(JANE, 1)))
    assert replace(waiting, since=None) in matching(
        [replace(waiting, since=None)], parse_alert_rules("waiting>1h"), NOW)
