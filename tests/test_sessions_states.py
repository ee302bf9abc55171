"""Each state of the shift view from the schedule and Twilio's view (pure: no I/O),
the attention order, the counts, and the live rooms of no appointment."""

from __future__ import annotations

import pytest

from tests.sessions_fakes import (
    JANE,
    JOHN,
    NOW,
    OUTSIDER,
    SARAH,
    apt,
    completed,
    identity,
    live,
    minutes,
    person,
    room_sid,
)
from vtctl.checks.sessions import session_report, session_row
from vtctl.domain.errors import MissingCredentialsError, NetworkError, ServerError
from vtctl.domain.models import Appointment
from vtctl.domain.sessions import (
    FIELDS,
    SessionEvidence,
    SessionRow,
    TwilioRoom,
    TwilioView,
)

EMPTY = TwilioView(live=(), completed=())


def row(a: Appointment, view: TwilioView = EMPTY, now_offset: float = 0,
        flags: tuple[str, ...] = ()) -> SessionRow:
    lives = {r.name: r for r in view.live}
    done = {r.name: r for r in view.completed or ()}
    return session_row(a, view, lives.get(a.video_room_id), done.get(a.video_room_id),
                       NOW + minutes(now_offset), flags)


def with_live(*rooms: TwilioRoom, completed_rooms: tuple[TwilioRoom, ...] = ()) -> TwilioView:
    return TwilioView(live=rooms, completed=completed_rooms)


# -- no room ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_in", "state", "detail"),
    [
        (16, "upcoming", "starts in 16 min; no room yet"),
        (15, "no room", "starts in 15 min and has no room"),
        (0, "no room", "started 0 s ago and has no room"),
        (-9, "no room", "started 9 min ago and has no room"),
        (-10, "missed", "no room was created, so nobody could join"),
    ],
)
def test_an_appointment_without_a_room(starts_in: float, state: str, detail: str) -> None:
    found = row(apt(48, starts_in, room=False))
    assert (found.state, found.detail) == (state, detail)
    assert found.action == "vtctl room create 48"


def test_no_room_needs_no_twilio_answer_and_once_over_both_are_contacted() -> None:
    """README's state table: missed's action is contact both (a room is no use any more)."""
    unreachable = TwilioView(failure=NetworkError("cannot reach Twilio"))
    assert row(apt(48, 5, room=False), unreachable).state == "no room"
    over = row(apt(48, -60, duration=50, room=False))
    assert (over.state, over.action) == (
        "missed", "contact the patient (Jane Doe) and the psychologist (Dr. Sarah)")


def test_actions_carry_the_backend_flags_of_the_run() -> None:
    found = row(apt(48, 5, room=False), flags=("--local", "--store", "/tmp/my store.db"))
    assert found.action == "vtctl room create 48 --local --store '/tmp/my store.db'"


# -- a live room ----------------------------------------------------------------------------


def test_waiting_says_who_and_for_how_long() -> None:
    found = row(apt(47, -3), with_live(live(47, person(JANE, 7))))
    assert found.state == "waiting"
    assert found.since == NOW - minutes(7)
    assert found.detail == "the patient (Jane Doe) has been waiting 7 min for the psychologist"
    assert found.action == "contact the psychologist (Dr. Sarah)"
    assert [p.role for p in found.connected] == ["patient"]
    assert found.room_sid == room_sid(47)


def test_the_psychologist_waiting_for_the_patient() -> None:
    found = row(apt(47, -1), with_live(live(47, person(SARAH, 2))))
    assert found.state == "waiting"
    assert found.detail == "the psychologist (Dr. Sarah) has been waiting 2 min for the patient"
    assert found.action == "contact the patient (Jane Doe)"


def test_in_session_shows_elapsed_over_scheduled_minutes() -> None:
    found = row(apt(47, -20, duration=50),
                with_live(live(47, person(JANE, 22), person(SARAH, 18))))
    assert (found.state, found.detail) == ("in session", "18 / 50 min")
    assert found.since == NOW - minutes(18)  # both connected since the later one joined
    assert found.action is None


def test_overrun_past_the_scheduled_end() -> None:
    found = row(apt(47, -60, duration=50),
                with_live(live(47, person(JANE, 61), person(SARAH, 59))))
    assert found.state == "overrun"
    assert found.since == NOW - minutes(10)  # the scheduled end
    assert found.detail == "10 min past the scheduled end (59 / 50 min)"


def test_a_stranger_in_the_room_comes_with_the_kick_command() -> None:
    intruder = identity(OUTSIDER)
    found = row(apt(47, -5), with_live(live(47, person(JANE, 6), person(intruder, 2))),
                flags=("--local",))
    assert found.state == "stranger"
    assert found.since == NOW - minutes(2)
    assert found.action == f"vtctl room kick 47 {intruder} --local"
    assert "neither the patient nor the psychologist" in found.detail
    assert {p.identity: p.role for p in found.connected} == {
        identity(JANE): "patient", intruder: None}


def test_the_patient_of_another_appointment_is_a_stranger_here() -> None:
    found = row(apt(47, -5), with_live(live(47, person(SARAH, 3), person(JOHN, 1))))
    assert found.state == "stranger"


def test_an_empty_live_room() -> None:
    early = row(apt(47, 10), with_live(live(47)))
    assert (early.state, early.detail) == ("upcoming", "room open; nobody connected yet")
    left = row(apt(47, -30), with_live(live(47)))
    assert left.state == "ended"
    assert left.detail == "everyone left; Twilio closes the empty room shortly"


def test_a_live_room_whose_participants_failed_is_unknown_with_why() -> None:
    rate_limited = ServerError("Twilio is rate limiting requests (HTTP 429)")
    room = TwilioRoom(sid=room_sid(47), name=apt(47, 0).video_room_id, status="in-progress",
                      failure=rate_limited)
    found = row(apt(47, -5), with_live(room))
    assert found.state == "unknown"
    assert found.fault is rate_limited
    assert found.detail == ("the room is live; who is in it is unknown: "
                            "Twilio is rate limiting requests (HTTP 429)")
    assert found.action == "vtctl status 47"


# -- no live room ----------------------------------------------------------------------------


def test_not_live_before_the_start_is_upcoming() -> None:
    found = row(apt(47, 25))
    assert (found.state, found.detail, found.since) == (
        "upcoming", "starts in 25 min; room ready", None)


@pytest.mark.parametrize(
    ("late", "state"), [(9.99, "upcoming"), (10, "missed"), (45, "missed")],
)
def test_nobody_joined_ten_minutes_after_the_start_is_missed(late: float, state: str) -> None:
    found = row(apt(47, -late, duration=50))
    assert found.state == state
    if state == "missed":
        assert found.since == NOW - minutes(late)
        assert found.action == "contact the patient (Jane Doe) and the psychologist (Dr. Sarah)"


def test_missed_after_its_end_still_says_contact_both() -> None:
    """Every missed row has an action (README's table): once over, to rebook."""
    assert row(apt(47, -60, duration=30)).action == (
        "contact the patient (Jane Doe) and the psychologist (Dr. Sarah)")


def test_a_completed_room_is_ended() -> None:
    found = row(apt(47, -50), with_live(completed_rooms=(completed(47, 3),)))
    assert (found.state, found.detail) == ("ended", "the room completed 3 min ago")
    assert found.since == NOW - minutes(3)


def test_completed_list_failure_leaves_past_rooms_unknown() -> None:
    view = TwilioView(live=(), completed=None,
                      completed_failure=ServerError("Twilio failed (HTTP 503)"))
    found = row(apt(47, -30), view)
    assert found.state == "unknown" and found.fault is view.completed_failure
    assert row(apt(47, 30), view).state == "upcoming"  # not needed before the start


def test_twilio_unreachable_every_room_row_unknown() -> None:
    down = NetworkError("cannot reach Twilio (GET https://video.twilio.com/v1/Rooms)",
                        hint="check your network")
    view = TwilioView(failure=down)
    for a in (apt(47, -5), apt(49, 60), apt(50, -120)):
        found = row(a, view)
        assert (found.state, found.fault, found.action) == ("unknown", down, "check your network")


def test_demo_profile_not_asked_is_unknown_with_the_missing_credentials_fault() -> None:
    """Not asked is not checked: the row carries a fault of exit code 3, as no credentials."""
    found = row(apt(47, 0), TwilioView(not_asked="the demo profile's credentials are fake"))
    assert found.state == "unknown" and found.action is None
    assert isinstance(found.fault, MissingCredentialsError)
    assert int(found.fault.exit_code) == 3
    assert found.fault.message == "the demo profile's credentials are fake"


# -- midnight UTC ----------------------------------------------------------------------------


def test_an_appointment_across_midnight_utc() -> None:
    """23:30 to 00:20 UTC, both joined at 23:35: in session at 00:05, overrun at 00:25."""
    from dataclasses import replace

    late_evening = NOW.replace(hour=23, minute=30)
    a = apt(60, 0, duration=50)._replace(starts_at=late_evening)
    joined = late_evening + minutes(5)
    people = tuple(replace(person(u, 0), connected_at=joined) for u in (JANE, SARAH))
    rooms = with_live(live(60, *people))
    after_midnight = late_evening + minutes(35)
    assert after_midnight.day == 17
    found = session_row(a, rooms, rooms.live[0], None, after_midnight)
    assert (found.state, found.detail) == ("in session", "30 / 50 min")
    assert found.to_json()["ends_at"] == "2025-11-17T00:20:00Z"
    later = session_row(a, rooms, rooms.live[0], None, after_midnight + minutes(20))
    assert (later.state, later.detail) == (
        "overrun", "5 min past the scheduled end (50 / 50 min)")


# -- the report -------------------------------------------------------------------------------


def test_report_sorts_by_attention_counts_states_and_lists_other_rooms() -> None:
    appointments = (
        apt(40, 30),                       # upcoming
        apt(41, -20, room=False),          # missed (no room)... 20 min past: missed
        apt(42, 5, room=False),            # no room
        apt(43, -5),                       # waiting 3 min
        apt(44, -10),                      # waiting 9 min (longer: first)
        apt(45, -20),                      # in session
        apt(46, -5),                       # stranger
        apt(47, -50, duration=30),         # ended (completed)
    )
    view = TwilioView(
        live=(
            live(43, person(JANE, 3)), live(44, person(SARAH, 9)),
            live(45, person(JANE, 20), person(SARAH, 19)),
            live(46, person(JANE, 4), person(OUTSIDER, 1)),
            live(99, person("someone", 1), name="lobby"),
            live(98, name="apt-98-1763280000-00000062"),
        ),
        completed=(completed(47, 15),),
    )
    report = session_report(SessionEvidence(appointments, view), NOW - minutes(120),
                            NOW + minutes(120), NOW)
    assert [(r.appointment_id, r.state) for r in report.rows] == [
        (46, "stranger"), (44, "waiting"), (43, "waiting"), (42, "no room"), (41, "missed"),
        (45, "in session"), (40, "upcoming"), (47, "ended"),
    ]
    assert report.counts() == {"stranger": 1, "waiting": 2, "no room": 1, "missed": 1,
                               "in session": 1, "upcoming": 1, "ended": 1}
    assert [r.name for r in report.other_rooms] == ["lobby", "apt-98-1763280000-00000062"]
    assert report.faults() == [] and report.failure is None


def test_json_rows_have_exactly_the_contract_fields() -> None:
    found = row(apt(47, -3), with_live(live(47, person(JANE, 7))))
    data = found.to_json()
    assert tuple(data) == FIELDS
    assert data["state"] == "waiting"
    assert data["starts_at"] == "2025-11-16T09:57:00Z" and data["ends_at"] == "2025-11-16T10:47:00Z"
    assert data["since"] == "2025-11-16T09:53:00Z"
    assert data["patient"] == {"id": 2, "email": "jane.doe@example.com", "name": "Jane Doe"}
    assert data["connected"] == [{"identity": identity(JANE), "role": "patient",
                                  "since": "2025-11-16T09:53:00Z"}]
    assert data["room_sid"] == room_sid(47)
