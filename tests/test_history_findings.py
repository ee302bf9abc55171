"""What ``vtctl history`` says stands out, as pure functions: for each finding a timeline
that must produce it and one that must not (no backend, no network, a fixed clock)."""

from __future__ import annotations

from tests.history_builders import (
    JANE,
    ROOM,
    SARAH,
    at,
    history,
    stay,
    token,
)
from vtctl.domain.findings import Finding
from vtctl.domain.history import SessionHistory


def found(result: SessionHistory, check: str) -> list[Finding]:
    return [f for f in result.findings if f.check == check]


def one(result: SessionHistory, check: str) -> Finding:
    (finding,) = found(result, check)
    return finding


BOTH_ON_TIME = (stay(JANE, 0, 60), stay(SARAH, 0, 60))


def test_a_session_that_went_as_planned_has_nothing_that_stands_out() -> None:
    assert history(*BOTH_ON_TIME).findings == ()


def test_waited_alone() -> None:
    finding = one(history(stay(JANE, 0, 60), stay(SARAH, 7, 60)), "alone")
    assert finding.status == "warning"
    assert finding.detail == ("the patient was in the room without the psychologist for 7 min "
                              "(09:00-09:07); the psychologist first joined at 09:07")
    # a minute is not worth a line; nor is waiting before the scheduled start
    assert found(history(stay(JANE, 0, 60), stay(SARAH, 1, 60)), "alone") == []
    assert found(history(stay(JANE, -10, 60), stay(SARAH, 0, 60)), "alone") == []


def test_the_psychologist_alone_after_the_patient_dropped() -> None:
    result = history(stay(JANE, 0, 20, 1), stay(JANE, 31, 60, 2), stay(SARAH, 0, 60))
    assert "the psychologist was in the room without the patient for 11 min (09:20-09:31)" in (
        one(result, "alone").detail)


def test_reconnected() -> None:
    result = history(stay(JANE, 0, 14, 1), stay(JANE, 15, 31, 2), stay(JANE, 33, 60, 3),
                     stay(SARAH, 0, 60))
    finding = one(result, "reconnects")
    assert finding.detail == ("the patient (2-jane.doe@example.com) reconnected 2 times "
                              "(left 09:14, back 09:15, left 09:31, back 09:33)")
    assert found(history(*BOTH_ON_TIME), "reconnects") == []


def test_connected_twice_at_once_is_told_as_it_happened() -> None:
    """Two connections of one identity that overlap (a second tab): the first never left
    before the second came; "left" was the time of the run and came after "back"."""
    both_open = history(stay(JANE, 0, None, 1, status="connected"),
                        stay(JANE, 13, None, 2, status="connected"),
                        stay(SARAH, 0, None, status="connected"), live=True, now=at(18))
    assert one(both_open, "reconnects").detail == (
        "the patient (2-jane.doe@example.com) reconnected 1 time (connected again 09:13 "
        "while still connected since 09:00; both connections are open)")
    first_closed = history(stay(JANE, 0, 20, 1), stay(JANE, 13, 60, 2), stay(SARAH, 0, 60))
    assert one(first_closed, "reconnects").detail == (
        "the patient (2-jane.doe@example.com) reconnected 1 time (connected again 09:13 "
        "while still connected since 09:00; the first closed 09:20)")
    second_closed = history(stay(JANE, 0, None, 1, status="connected"), stay(JANE, 13, 15, 2),
                            stay(SARAH, 0, None, status="connected"), live=True, now=at(18))
    assert one(second_closed, "reconnects").detail.endswith(
        "(connected again 09:13 while still connected since 09:00; the second closed 09:15, "
        "the first is still open)")


def test_a_third_connection_is_measured_against_every_earlier_one() -> None:
    """A laptop on since 09:00 and a phone 09:13-09:15 then again from 09:20: the person
    never left, so no "left ... back"; each connection is told against the one still open."""
    result = history(stay(JANE, 0, None, 1, status="connected"), stay(JANE, 13, 15, 2),
                     stay(JANE, 20, None, 3, status="connected"),
                     stay(SARAH, 0, None, status="connected"), live=True, now=at(30))
    detail = one(result, "reconnects").detail
    assert "left" not in detail
    assert detail == (
        "the patient (2-jane.doe@example.com) reconnected 2 times (connected again 09:13 "
        "while still connected since 09:00; the second closed 09:15, the first is still open, "
        "connected again 09:20 while still connected since 09:00; both connections are open)")
    # and a real gap after overlapping connections is measured from the last to close
    closed = history(stay(JANE, 0, 30, 1), stay(JANE, 10, 20, 2), stay(JANE, 40, 60, 3),
                     stay(SARAH, 0, 60))
    assert one(closed, "reconnects").detail.endswith(
        "(connected again 09:10 while still connected since 09:00; the first closed 09:30, "
        "left 09:30, back 09:40)")


def test_left_with_a_media_or_signalling_error() -> None:
    result = history(stay(JANE, 0, 14, 1, error=53405), stay(JANE, 15, 60, 2), stay(SARAH, 0, 60))
    finding = one(result, "error")
    assert finding.status == "problem"
    assert finding.detail == (
        "the patient (2-jane.doe@example.com) left at 09:14 with a media error: 53405 Media "
        "connection failed or Media activity ceased (end reason signaling_connection_error)")
    signalling = one(history(stay(JANE, 0, 60, error=53001), stay(SARAH, 0, 60)), "error")
    assert "a signalling error: 53001 Signaling connection disconnected" in signalling.detail
    unknown = one(history(stay(JANE, 0, 60, error=53999), stay(SARAH, 0, 60)), "error")
    assert "a Twilio error: 53999 (see https://www.twilio.com/docs/api/errors/53999)" in (
        unknown.detail)
    assert found(history(stay(JANE, 0, 60, error=0), stay(SARAH, 0, 60)), "error") == []


def test_token_expired_while_in_the_room() -> None:
    tokens = (token(JANE, -10, 60, "SKjane-1"),)  # valid 08:50-09:50
    finding = one(history(*BOTH_ON_TIME, tokens=tokens), "token")
    assert finding.status == "problem"
    assert finding.detail == (
        "the patient (2-jane.doe@example.com)'s token (jti SKjane-1) expired at 09:50 while they "
        "were in the room (joined 09:00, left at 10:00): a reconnect after it fails with 20104 "
        "(Access Token expired)")
    # a token that outlives the stay, or one minted after the join, is not the finding
    assert found(history(*BOTH_ON_TIME, tokens=(token(JANE, -10, 90),)), "token") == []
    assert found(history(*BOTH_ON_TIME, tokens=(token(JANE, 5, 30),)), "token") == []


def test_token_expired_while_still_connected() -> None:
    result = history(stay(JANE, 0, None, status="connected"), stay(SARAH, 0, None,
                     status="connected"), tokens=(token(JANE, -10, 60),), live=True,
                     now=at(55))
    assert "is still connected" in one(result, "token").detail


def test_shorter_and_longer_than_scheduled() -> None:
    shorter = one(history(stay(JANE, 0, 40), stay(SARAH, 0, 45)), "length")
    assert shorter.detail == ("the session lasted 40 min, 20 min shorter than the 1 h 00 min "
                              "scheduled (together 09:00-09:40)")
    longer = one(history(stay(JANE, 0, 80), stay(SARAH, 0, 85)), "length")
    assert "lasted 1 h 20 min, 20 min longer than the 1 h 00 min scheduled" in longer.detail
    assert found(history(stay(JANE, 0, 58), stay(SARAH, 0, 60)), "length") == []
    # a session under way is not "shorter" yet
    live = history(stay(JANE, 0, None, status="connected"),
                   stay(SARAH, 0, None, status="connected"), live=True, now=at(30))
    assert found(live, "length") == []


def test_nobody_joined() -> None:
    none = one(history(rooms=0, tokens=(token(JANE, -10, 90),)), "nobody")
    assert none.detail == ("nobody joined: Twilio has no room named apt-47-1763138954-46eb915c "
                           "(it creates one when the first person connects); vtctl minted 1 "
                           "token for it")
    empty = one(history(), "nobody")
    assert empty.detail.startswith("nobody joined: the 1 room named")
    assert found(history(rooms=0, now=at(-60)), "nobody") == []  # its time has not come
    assert found(history(*BOTH_ON_TIME), "nobody") == []


def test_no_show() -> None:
    result = history(stay(SARAH, 0, 25), tokens=(token(JANE, -10, 90, "SKjane-1"),))
    finding = one(result, "no-show")
    assert finding.detail == ("the patient never joined; the psychologist waited 25 min "
                              "(09:00-09:25); vtctl minted the patient 1 token, the last at "
                              "08:50 (jti SKjane-1)")
    assert found(result, "alone") == []  # said once, as the no-show
    assert "vtctl minted no token for the psychologist" in one(
        history(stay(JANE, 0, 25)), "no-show").detail
    assert found(history(*BOTH_ON_TIME), "no-show") == []


def test_a_stranger_joined() -> None:
    result = history(*BOTH_ON_TIME, stay("9-mallory@example.com", 12, 20))
    finding = one(result, "stranger")
    assert finding.status == "problem"
    assert finding.detail == ("9-mallory@example.com joined at 09:12 and is neither the patient "
                              "nor the psychologist; vtctl minted no token for it, so it came "
                              "from elsewhere")
    minted = history(*BOTH_ON_TIME, stay("9-mallory@example.com", 12, 20),
                     tokens=(token("9-mallory@example.com", 10, 60, "SKm-1"),))
    assert "vtctl minted it a token at 09:10 (jti SKm-1, `vtctl token` as support)" in one(
        minted, "stranger").detail
    assert found(history(*BOTH_ON_TIME), "stranger") == []


def test_a_crowd_is_counted() -> None:
    assert "9948 more participant records were counted" in one(
        history(*BOTH_ON_TIME, others=9948), "crowd").detail
    assert found(history(*BOTH_ON_TIME), "crowd") == []


# -- the timeline -------------------------------------------------------------------------


def test_the_audit_trail_is_in_the_timeline_with_only_the_jti_and_times() -> None:
    result = history(*BOTH_ON_TIME, tokens=(token(JANE, -10, 90, "SKjane-1"),))
    minted = [e for e in result.events if e.kind == "token-minted"]
    assert [(e.at, e.who, e.role) for e in minted] == [(at(-10), JANE, "patient")]
    assert minted[0].detail == ("by `vtctl token` as support on laptop (profile default); valid "
                                "1 h 30 min until 10:20:00 UTC; jti SKjane-1")
    expired = [e for e in result.events if e.kind == "token-expired"]
    assert [(e.at, e.detail) for e in expired] == [(at(80), "jti SKjane-1")]


def test_events_are_oldest_first_with_a_fixed_order_at_the_same_second() -> None:
    result = history(stay(JANE, 0, 14, 1), stay(JANE, 14, 60, 2), stay(SARAH, 0, 60),
                     tokens=(token(JANE, -5, 90),))
    kinds = [(e.kind, e.who) for e in result.events]
    assert kinds[:2] == [("token-minted", JANE), ("room-created", ROOM)]
    assert kinds[4:6] == [("left", JANE), ("joined", JANE)]  # at 09:14: left, then back
    assert kinds[-2:] == [("room-ended", ROOM), ("token-expired", JANE)]
    times = [e.at for e in result.events if e.at is not None]
    assert times == sorted(times)


def test_the_tracks_draw_both_users_even_when_absent() -> None:
    result = history(stay(SARAH, 0, 25))
    assert [(t.label, t.identity, len(t.presences)) for t in result.tracks] == [
        ("patient", JANE, 0), ("psychologist", SARAH, 1)]


def test_a_drop_is_marked_on_the_track() -> None:
    result = history(stay(JANE, 0, 14, 1, error=53405), stay(JANE, 15, 31, 2),
                     stay(JANE, 33, 60, 3), stay(SARAH, 0, 60))
    jane = result.tracks[0]
    assert [p.dropped for p in jane.presences] == [
        "53405 Media connection failed or Media activity ceased", "rejoined", None]
