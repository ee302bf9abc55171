"""``vtctl diagnose``'s checklist as pure functions: one scenario per finding,
no backend, no network, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import ROOM_47
from tests.twilio_fakes import JANE_ID, SARAH_ID
from vtctl.checks.diagnose import Evidence, Fixes, Unknown, diagnose, not_run, problems
from vtctl.domain.errors import MissingCredentialsError
from vtctl.domain.findings import Finding
from vtctl.domain.models import Appointment, User
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus

JANE = User(2, "jane.doe@example.com", "Jane Doe", "patient")
SARAH = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
START = datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
DURING = START + timedelta(minutes=12)
LOCAL = Fixes(47, ("--local",))
AUDIO = PublishedTrack("audio", "mic", "MT" + "a" * 32, True)
VIDEO = PublishedTrack("video", "camera", "MT" + "b" * 32, True)
BOTH_TRACKS = (AUDIO, VIDEO)


def appt(room: str | None = ROOM_47, users: bool = True) -> Appointment:
    return Appointment(47, 2, 5, 60, starts_at=START, video_room_id=room,
                       patient=JANE if users else None, psychologist=SARAH if users else None)


def person(identity: str, sid: int, status: str = "connected",
           tracks: tuple[PublishedTrack, ...] | None = BOTH_TRACKS, **extra: object) -> Participant:
    return Participant(identity, status, f"PA{sid:032x}", connected_at=START + timedelta(minutes=2),
                       tracks=tracks, **extra)  # type: ignore[arg-type]


def room(*people: Participant, status: str = "in-progress", limit: int | None = 50
         ) -> RoomStatus:
    return RoomStatus(47, ROOM_47, status=status, sid="RM" + "a1" * 16, created_at=START,
                      max_participants=limit, participants=people)


def run(view: RoomStatus | Unknown, now: datetime = DURING, appointment: Appointment | None = None,
        fixes: Fixes = LOCAL) -> list[Finding]:
    return diagnose(Evidence(appointment or appt(), view, now, fixes))


def the(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


def one(findings: list[Finding], check: str) -> Finding:
    found = the(findings, check)
    assert len(found) == 1, findings
    return found[0]


def test_everything_fine_is_all_ok() -> None:
    findings = run(room(person(JANE_ID, 1), person(SARAH_ID, 2)))
    assert [f.check for f in findings] == [
        "appointment", "users", "schedule", "room", "twilio", "patient", "psychologist",
        "media", "media",
    ]
    assert all(f.status == "ok" for f in findings), findings
    assert not problems(findings)
    assert one(findings, "users").detail == (
        "patient Jane Doe (2-jane.doe@example.com), psychologist Dr. Sarah (5-sarah@example.com)"
    )
    assert one(findings, "patient").detail.endswith("is connected since 09:02 UTC")
    assert "ends in 48 min" in one(findings, "schedule").detail


def test_users_without_names_are_named_by_id() -> None:
    findings = run(room(), appointment=appt(users=False))
    assert one(findings, "users").detail.startswith("patient user 2, psychologist user 5")


@pytest.mark.parametrize(("now", "status", "text"), [
    (START - timedelta(hours=2, minutes=10), "warning", "starts in 2 h 10 min"),
    (START - timedelta(minutes=10), "ok", "starts in 10 min"),
    (START + timedelta(hours=1, minutes=20), "warning", "ended 20 min ago"),
    (START + timedelta(hours=4), "problem", "ended 3 h 00 min ago"),
])
def test_schedule_gap(now: datetime, status: str, text: str) -> None:
    finding = one(run(room(), now=now), "schedule")
    assert (finding.status, finding.detail.split(" (")[0]) == (status, text)
    assert "(2025-11-16 09:00-10:00 UTC)" in finding.detail


def test_no_start_time_is_a_warning() -> None:
    appointment = Appointment(47, 2, 5, 60, video_room_id=ROOM_47, patient=JANE,
                              psychologist=SARAH)
    assert one(run(room(), appointment=appointment), "schedule").status == "warning"


def test_room_not_set_is_a_problem_with_room_create() -> None:
    findings = run(Unknown("the appointment has no room, so Twilio was not asked"),
                   appointment=appt(room=None))
    assert one(findings, "room") == Finding(
        "room", "problem", "the appointment has no video room: nobody can join",
        "vtctl room create 47 --local",
    )
    assert one(findings, "twilio").detail.startswith("skipped: the appointment has no room")
    assert one(findings, "people").detail.startswith("skipped:")
    assert one(findings, "media").status == "warning"


def test_room_create_on_the_remote_backend_has_no_local_flag() -> None:
    findings = run(Unknown("no room"), appointment=appt(room=None), fixes=Fixes(47))
    assert one(findings, "room").action == "vtctl room create 47"


@pytest.mark.parametrize("view", [
    Unknown("Twilio's view of the room is unknown: no Twilio credentials for profile 'default'",
            MissingCredentialsError("no Twilio credentials for profile 'default'")),
    RoomStatus(47, ROOM_47, status="offline",
               message="offline: room status needs the Twilio API and no Twilio credentials"),
])
def test_twilio_unknown_or_offline_could_not_run(view: RoomStatus | Unknown) -> None:
    """A fault kept Twilio from answering: those checks did not run (never a pass)."""
    findings = run(view)
    twilio = one(findings, "twilio")
    assert twilio.status == "warning" and twilio.detail.startswith("could not run: ")
    assert "no Twilio credentials" in twilio.detail
    assert [one(findings, c).status for c in ("people", "media")] == ["warning", "warning"]
    assert [f.check for f in not_run(findings)] == ["twilio", "people", "media"]
    assert all(f.fault is not None for f in not_run(findings))
    assert not problems(findings)  # the rest still ran, nothing failed
    assert one(findings, "room").status == "ok"


def test_nothing_to_ask_twilio_is_skipped_not_a_fault() -> None:
    findings = run(Unknown("the appointment has no room, so Twilio was not asked"),
                   appointment=appt(room=None))
    assert one(findings, "twilio").detail.startswith("skipped: ")
    assert not_run(findings) == []


def test_not_created_yet_nobody_connected() -> None:
    findings = run(RoomStatus(47, ROOM_47, status="not-created", participant_count=0))
    assert one(findings, "twilio").status == "ok"
    assert "not created yet" in one(findings, "twilio").detail
    for role in ("patient", "psychologist"):
        assert one(findings, role).status == "warning"
        assert "has not joined yet" in one(findings, role).detail
    assert the(findings, "media") == []


def test_missing_patient_says_when_she_left() -> None:
    gone = person(JANE_ID, 1, status="disconnected",
                  disconnected_at=START + timedelta(minutes=7))
    findings = run(room(gone, person(SARAH_ID, 2)))
    patient = one(findings, "patient")
    assert patient.status == "warning"
    assert patient.detail == (
        "patient Jane Doe (2-jane.doe@example.com) is not connected (left at 09:07 UTC)"
    )
    assert one(findings, "psychologist").status == "ok"


def test_stranger_is_a_problem_with_the_kick_command() -> None:
    findings = run(room(person(SARAH_ID, 1), person("9-outsider@example.com", 2)))
    stranger = one(findings, "stranger")
    assert stranger.status == "problem"
    assert "9-outsider@example.com is connected but is neither" in stranger.detail
    assert stranger.action == "vtctl room kick 47 9-outsider@example.com --local"


def test_kick_is_quoted_and_from_the_remote_backend_words() -> None:
    """The remote backend cannot kick (no such endpoint, no Twilio credentials): a
    ``--local`` command would not run where it is suggested, so the action is words."""
    odd = "evil; rm -rf ~"
    local = Fixes(47, ("--local", "--profile", "work"))
    assert one(run(room(person(odd, 1)), fixes=local), "stranger").action == (
        "vtctl room kick 47 'evil; rm -rf ~' --local --profile work"
    )
    remote = Fixes(47, ("--profile", "work", "--base-url", "https://api.example.com"))
    action = one(run(room(person(odd, 1)), fixes=remote), "stranger").action
    assert action is not None and not action.startswith("vtctl")
    assert action.startswith("remove evil; rm -rf ~ from the room in the Twilio Console")


def test_ghost_same_identity_twice() -> None:
    findings = run(room(person(JANE_ID, 1), person(JANE_ID, 3), person(SARAH_ID, 2)))
    ghost = one(findings, "ghost")
    assert ghost.status == "problem"
    assert ghost.detail.startswith("2-jane.doe@example.com is connected 2 times")
    assert ghost.action == "vtctl room kick 47 2-jane.doe@example.com --local"
    assert the(findings, "stranger") == []


def test_full_room_with_someone_missing_is_a_problem() -> None:
    findings = run(room(person(SARAH_ID, 1), person("9-x@example.com", 2), limit=2))
    capacity = one(findings, "capacity")
    assert (capacity.status, capacity.detail) == (
        "problem", "the room is full (2 of 2): nobody else can join"
    )
    both = run(room(person(SARAH_ID, 1), person(JANE_ID, 2), limit=2))
    assert one(both, "capacity").status == "ok"


@pytest.mark.parametrize(("during", "status"), [(True, "problem"), (False, "ok")])
def test_completed_room(during: bool, status: str) -> None:
    gone = person(JANE_ID, 1, status="disconnected", disconnected_at=START)
    now = DURING if during else START + timedelta(hours=2)
    findings = run(room(gone, status="completed"), now=now)
    twilio = one(findings, "twilio")
    assert twilio.status == status
    assert twilio.detail.startswith("the room was ended (completed)")
    assert one(findings, "patient").detail.endswith("(the room has ended)")


def test_unexpected_twilio_status_is_a_warning() -> None:
    assert one(run(room(status="paused")), "twilio").status == "warning"


def test_a_failed_room_is_a_problem_both_are_told_to_rejoin() -> None:
    twilio = one(run(room(status="failed")), "twilio")
    assert twilio.status == "problem" and "failed" in twilio.detail
    assert twilio.action == ("tell Jane Doe (patient) and Dr. Sarah (psychologist): reload the "
                             "session page to join again: a new room of the same name opens")


@pytest.mark.parametrize(("tracks", "status", "text"), [
    ((), "problem", "publishes no audio and no video"),
    ((VIDEO,), "problem", "publishes no audio: nobody can hear them"),
    ((AUDIO,), "warning", "publishes no video (audio only)"),
    ((AUDIO, PublishedTrack("video", "camera", None, False)), "warning",
     "camera off (video camera disabled)"),
    ((PublishedTrack("audio", "mic", None, False), VIDEO), "warning",
     "microphone muted (audio mic disabled)"),
])
def test_media(tracks: tuple[PublishedTrack, ...], status: str, text: str) -> None:
    findings = run(room(person(JANE_ID, 1, tracks=tracks), person(SARAH_ID, 2)))
    jane, sarah = the(findings, "media")
    assert jane.status == status and text in jane.detail and JANE_ID in jane.detail
    assert sarah.status == "ok"


def test_tracks_unknown_is_skipped_never_no_audio() -> None:
    findings = run(room(person(JANE_ID, 1, tracks=None), person(SARAH_ID, 2, tracks=None)))
    media = one(findings, "media")
    assert media.status == "warning"
    assert media.detail.startswith("skipped: tracks unknown")
    assert "no audio" not in media.detail


def test_finding_json_shape_is_exact() -> None:
    finding = Finding("room", "problem", "no room", "vtctl room create 47")
    assert finding.to_json() == {"check": "room", "status": "problem", "detail": "no room",
                                 "action": "vtctl room create 47"}
    assert Finding("room", "ok", "fine").to_json()["action"] is None


def test_fixes_keep_the_backend_flags() -> None:
    fixes = Fixes(47, ("--local", "--store", "/tmp/my store.sqlite3"))
    assert fixes.room_create() == "vtctl room create 47 --local --store '/tmp/my store.sqlite3'"
    assert fixes.upcoming("jane.doe@example.com") == (
        "vtctl appointment list --user jane.doe@example.com --from now "
        "--store '/tmp/my store.sqlite3'")
    remote = Fixes(47, ("--base-url", "http://x", "--profile", "w"))
    assert remote.participants() == "vtctl room participants 47 --base-url http://x --profile w"
    assert remote.room_create() == "vtctl room create 47 --base-url http://x --profile w"
    assert remote.history() is None and remote.upcoming("jane.doe@example.com") is None
    assert not remote.kick("9-x").startswith("vtctl")


def test_a_room_name_other_than_the_appointments_is_a_warning() -> None:
    other = "apt-47-1700000000-00000000"
    finding = one(diagnose(Evidence(appt(), room(), DURING, LOCAL, asked_room=other)), "room")
    assert finding.status == "warning"
    assert finding.detail == (
        f"the appointment's room is {ROOM_47}, not {other} (the name asked about)"
    )
    same = one(diagnose(Evidence(appt(), room(), DURING, LOCAL, asked_room=ROOM_47)), "room")
    assert same.status == "ok"


@pytest.mark.parametrize("status", ["completed", "in-progress", "not-created"])
def test_after_the_session_the_twilio_finding_points_at_history(status: str) -> None:
    later = START + timedelta(hours=2)
    twilio = one(run(room(status=status), now=later), "twilio")
    assert twilio.status == "ok"
    assert "ended 1 h 00 min ago" in twilio.detail or "after the session" in twilio.detail
    assert "`vtctl history 47 --local`" in twilio.detail
    assert twilio.action is None  # an ok finding has nothing to do (CONTRACT.md)
    # not remotely: history runs on the local backend only (Twilio itself)
    remote = one(run(room(status=status), now=later, fixes=Fixes(47, ())), "twilio")
    assert "vtctl" not in remote.detail and remote.action is None


def test_a_room_completed_during_the_session_is_a_problem_with_history_as_its_action() -> None:
    """The action reaches the people who were disconnected (rule 7); the detail names
    `vtctl history` for what happened."""
    twilio = one(run(room(status="completed")), "twilio")
    assert twilio.status == "problem"
    assert "(`vtctl history 47 --local` tells who was in it" in twilio.detail
    assert twilio.action == ("tell Jane Doe (patient) and Dr. Sarah (psychologist): reload the "
                             "session page to join again: a new room of the same name opens")


def test_during_the_session_a_live_room_needs_no_history() -> None:
    assert one(run(room(person(JANE_ID, 1))), "twilio").action is None
