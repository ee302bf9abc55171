"""``vtctl diagnose``'s checklist at its edges: the exact words of each finding (what
the engineer reads and passes on), the time boundaries of the schedule, who counts
as present and when a full room is a problem. test_diagnose_checks.py has one
scenario per finding; this file pins what those scenarios leave loose."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from tests.helpers import ROOM_47
from tests.test_diagnose_checks import (
    BOTH_TRACKS,
    DURING,
    LOCAL,
    SARAH,
    START,
    appt,
    one,
    person,
    room,
    run,
)
from tests.twilio_fakes import JANE_ID, SARAH_ID
from vtctl.checks import diagnose as d
from vtctl.checks.diagnose import Evidence, Fixes, Unknown, Upcoming
from vtctl.domain.errors import MissingCredentialsError, ServerError
from vtctl.domain.findings import Finding, Severity
from vtctl.domain.models import Appointment
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus

END = START + timedelta(hours=1)  # appt() is 60 minutes
WHEN = "(2025-11-16 09:00-10:00 UTC)"
JANE = "patient Jane Doe (2-jane.doe@example.com)"
SARAH_NAMED = "psychologist Dr. Sarah (5-sarah@example.com)"
RM = "RM" + "a1" * 16
REJOIN = ("tell Jane Doe (patient) and Dr. Sarah (psychologist): reload the session page to "
          "join again: a new room of the same name opens")
WORK = Fixes(47, ("--local", "--profile", "work", "--store", "s"))


def rows(findings: list[Finding]) -> list[tuple[str, str, str, str | None]]:
    return [(f.check, f.status, f.detail, f.action) for f in findings]


# -- the whole checklist, word for word --------------------------------------------------


def test_a_fine_session_word_for_word() -> None:
    jane = Participant(JANE_ID, "connected", "PA1", tracks=BOTH_TRACKS)  # no connected_at
    view = RoomStatus(47, ROOM_47, status="in-progress", max_participants=50,
                      participants=(jane, person(SARAH_ID, 2)))  # no SID, no creation time
    assert rows(run(view)) == [
        ("appointment", "ok", f"appointment 47 exists (60 min, {ROOM_47})", None),
        ("users", "ok", f"{JANE}, {SARAH_NAMED}", None),
        ("schedule", "ok", f"under way: started 12 min ago, ends in 48 min {WHEN}", None),
        ("room", "ok", f"room {ROOM_47}", None),
        ("twilio", "ok", "room in progress (no SID)", None),
        ("patient", "ok", f"{JANE} is connected", None),
        ("psychologist", "ok", f"{SARAH_NAMED} is connected since 09:02 UTC", None),
        ("media", "ok", f"{JANE_ID} publishes audio and video", None),
        ("media", "ok", f"{SARAH_ID} publishes audio and video", None),
    ]


def test_reconnecting_counts_as_in_the_room() -> None:
    """A dropped network is "reconnecting" for a while: still there, not missing."""
    findings = run(room(person(JANE_ID, 1, status="reconnecting"), person(SARAH_ID, 2)))
    assert one(findings, "patient") == Finding(
        "patient", "ok", f"{JANE} is connected since 09:02 UTC")
    assert [f.detail for f in findings if f.check == "media"] == [
        f"{JANE_ID} publishes audio and video", f"{SARAH_ID} publishes audio and video"]
    gone = run(room(person(JANE_ID, 1, status="disconnected"), person(SARAH_ID, 2)))
    assert one(gone, "patient").status == "warning"


def test_nobody_joined_yet_word_for_word() -> None:
    findings = run(room(status="not-created"))
    assert rows(findings)[4:] == [
        ("twilio", "ok",
         "not created yet: Twilio creates the room when the first person connects", None),
        ("patient", "warning", f"{JANE} is not connected and has not joined yet", None),
        ("psychologist", "warning", f"{SARAH_NAMED} is not connected and has not joined yet",
         None),
    ]


def test_a_room_ended_during_the_session_word_for_word() -> None:
    assert rows(run(room(status="completed")))[4:] == [
        ("twilio", "problem",
         "the room was ended (completed) while the session is still scheduled: whoever was in "
         "it was disconnected; connecting again opens a new room of the same name (`vtctl "
         "history 47 --local` tells who was in it and why it ended)", REJOIN),
        ("patient", "ok", f"{JANE} is not connected (the room has ended)", None),
        ("psychologist", "ok", f"{SARAH_NAMED} is not connected (the room has ended)", None),
    ]


# -- twilio: each state's words, and `vtctl history` with the backend flags ---------------


LATER = START + timedelta(hours=2)


@pytest.mark.parametrize(("view", "now", "expected"), [
    (room(), LATER, ("ok", f"room in progress since 09:00 UTC ({RM}), though the session "
                     "ended 1 h 00 min ago: `vtctl history 47 --local --profile work --store s` "
                     "tells what happened in it", None)),
    (room(status="not-created"), LATER,
     ("ok", "not created: nobody connected, and the session ended 1 h 00 min ago; `vtctl "
      "history 47 --local --profile work --store s` shows the tokens minted for it", None)),
    (room(status="completed"), LATER,
     ("ok", "the room was ended (completed) after the session: `vtctl history 47 --local "
      "--profile work --store s` tells what happened in it", None)),
    (room(status="failed"), DURING,
     ("problem", "the room failed in Twilio: nobody is in it; connecting again opens a new "
      "room of the same name", REJOIN)),
    (room(status="paused"), DURING, ("warning", "room status paused", None)),
    (room(), DURING, ("ok", f"room in progress since 09:00 UTC ({RM})", None)),
])
def test_twilio_state_words_and_action(
    view: RoomStatus, now: datetime, expected: tuple[str, str, str | None]
) -> None:
    finding = d.twilio_state(view, appt(), now, WORK)
    assert (finding.status, finding.detail, finding.action) == expected


def test_twilio_state_without_fixes_uses_the_default_backend() -> None:
    """The default backend is the remote one, where ``vtctl history`` does not run."""
    finding = d.twilio_state(room(), appt(), LATER)
    assert finding.detail == ("room in progress since 09:00 UTC "
                              f"(RM{'a1' * 16}), though the session ended 1 h 00 min ago")
    assert finding.action is None


def test_session_over_from_its_last_second() -> None:
    """At the scheduled end the session is over: history is what is left to read."""
    assert d.session_over(appt(), END)
    assert not d.session_over(appt(), END - timedelta(seconds=1))
    assert "`vtctl history 47 --local`" in d.twilio_state(room(), appt(), END, LOCAL).detail
    assert "history" not in d.twilio_state(room(), appt(), END - timedelta(seconds=1),
                                           LOCAL).detail


# -- why Twilio's view is unknown, and the fault that sets the exit code -----------------


def test_an_offline_or_silent_room_is_the_backends_fault() -> None:
    for view, reason in [
        (RoomStatus(47, ROOM_47, status="offline"), "Twilio's state of the room is offline"),
        (RoomStatus(47, ROOM_47), "Twilio's state of the room is not given"),
        (RoomStatus(47, ROOM_47, status=""), "Twilio's state of the room is not given"),
        (RoomStatus(47, ROOM_47, status=" \t"), "Twilio's state of the room is not given"),
        (RoomStatus(47, ROOM_47, status=" offline "), "Twilio's state of the room is offline"),
        (RoomStatus(47, ROOM_47, status="unknown"), "Twilio's state of the room is unknown"),
        (RoomStatus(47, ROOM_47, status="offline", message="offline: no credentials"),
         "offline: no credentials"),
    ]:
        unknown = d.known_room(view)
        assert isinstance(unknown, Unknown) and unknown.reason == reason
        assert type(unknown.fault) is ServerError
        assert str(unknown.fault) == f"the backend did not say the room's state ({reason})"


def test_a_blank_status_is_not_given_rather_than_an_empty_room_status() -> None:
    """Empty text from the backend says nothing about the room: "could not run", with
    the backend's fault, never the warning "room status " with nothing after it."""
    for blank in ("", "  "):
        finding = d.twilio_state(room(status=blank), appt(), DURING, WORK)
        assert (finding.status, finding.detail) == (
            "warning", "could not run: Twilio's state of the room is not given")
        assert type(finding.fault) is ServerError


def test_the_demo_profile_counts_as_no_credentials() -> None:
    view = RoomStatus(47, ROOM_47, status="unknown", message="demo credentials",
                      unknown_reason="demo")
    unknown = d.known_room(view)
    assert isinstance(unknown, Unknown) and isinstance(unknown.fault, MissingCredentialsError)
    assert (str(unknown.fault), unknown.fault.hint) == (
        "demo credentials",
        "set TWILIO_* credentials and use another profile (--profile NAME)")


@pytest.mark.parametrize(("count", "phrase"), [
    (1, "1 check could not run (twilio)"),
    (2, "2 checks could not run (twilio, people)"),
    (3, "3 checks could not run (twilio, people, media)"),
])
def test_unrun_phrase_counts_and_names(count: int, phrase: str) -> None:
    unrun = [Finding(check, "warning", "x") for check in ("twilio", "people", "media")[:count]]
    assert d.unrun_phrase(unrun) == phrase


def test_the_footer_names_both_kinds_of_action() -> None:
    assert d.ACTION_HINT == (
        "each problem has an action: a `vtctl ...` command to run, or words to act on; "
        "`tell NAME: ...` is for you to pass on to that person (phone, chat)")


# -- the appointment and its people --------------------------------------------------------


def test_an_appointment_without_a_room_says_so() -> None:
    assert d.appointment_exists(appt(room=None)).detail == (
        "appointment 47 exists (60 min, no room yet)")


def test_one_user_without_a_name_is_noted() -> None:
    half = Appointment(47, 2, 5, 60, starts_at=START, video_room_id=ROOM_47, psychologist=SARAH)
    assert d.people_named(half) == Finding(
        "users", "ok", f"patient user 2, {SARAH_NAMED} (the backend gave no names)")


def test_no_start_time_word_for_word() -> None:
    bare = Appointment(47, 2, 5, 60, video_room_id=ROOM_47)
    assert d.schedule(bare, DURING) == Finding(
        "schedule", "warning", "the appointment has no scheduled start time")


# -- the schedule's boundaries ------------------------------------------------------------


@pytest.mark.parametrize(("now", "status", "detail"), [
    (START - timedelta(minutes=15), "ok", f"starts in 15 min {WHEN}"),
    (START - timedelta(minutes=15, seconds=1), "warning", f"starts in 15 min {WHEN}"),
    (START - timedelta(minutes=16), "warning", f"starts in 16 min {WHEN}"),
    (START, "ok", f"under way: started 0 s ago, ends in 1 h 00 min {WHEN}"),
    (END - timedelta(seconds=1), "ok", f"under way: started 59 min ago, ends in 1 s {WHEN}"),
    (END, "warning", f"ended 0 s ago {WHEN}"),
    (END + timedelta(minutes=30), "warning", f"ended 30 min ago {WHEN}"),
])
def test_schedule_boundaries(now: datetime, status: Severity, detail: str) -> None:
    """Up to 15 minutes early is ordinary; from the end up to 30 minutes after it (the
    tokens' buffer) is a warning; later is a problem (test below)."""
    assert d.schedule(appt(), now, WORK) == Finding("schedule", status, detail)


def test_long_over_from_the_first_second_past_the_buffer() -> None:
    late = END + timedelta(minutes=30, seconds=1)
    assert d.schedule(appt(), late, WORK) == Finding(
        "schedule", "problem",
        f"ended 30 min ago {WHEN}: whoever cannot get in is using an old link",
        "vtctl appointment list --user jane.doe@example.com --from now --profile work --store s")
    assert d.long_over(appt(), late)
    assert not d.long_over(appt(), END + timedelta(minutes=30))
    assert not d.long_over(Appointment(47, 2, 5, 60), late)  # no start: never over
    assert d.schedule(appt(), late).action == (  # without fixes: the remote default, where
        # appointment list does not run (no store): words for the patient
        "tell Jane Doe (patient): this link's session ended 30 min ago: join your next "
        "session from its own link (or book one)")


def test_long_over_and_nothing_booked_tells_the_patient() -> None:
    finding = d.schedule(appt(), START + timedelta(hours=3), WORK, Upcoming(known=True))
    assert finding.action == ("tell Jane Doe (patient): this link's session ended 2 h 00 min "
                              "ago and no later appointment is booked: book a new one")


# -- strangers, ghosts and a full room -----------------------------------------------------


def test_stranger_and_ghost_word_for_word() -> None:
    findings = run(room(person(JANE_ID, 1), person(JANE_ID, 3), person(SARAH_ID, 2),
                        person("9-x@example.com", 4)))
    assert rows(findings)[7:9] == [
        ("stranger", "problem",
         "9-x@example.com is connected but is neither the patient nor the psychologist",
         "vtctl room kick 47 9-x@example.com --local"),
        ("ghost", "problem",
         f"{JANE_ID} is connected 2 times: an old tab or device still holds a seat (a ghost); "
         "remove it and let them join again", f"vtctl room kick 47 {JANE_ID} --local"),
    ]


def test_a_full_room_with_both_in_it_is_fine_even_with_a_stranger() -> None:
    """Only the patient and the psychologist decide whether full is a problem: the
    stranger is a problem of its own, not a reason to flag the room."""
    findings = run(room(person(JANE_ID, 1), person(SARAH_ID, 2), person("9-x@example.com", 3),
                        limit=3))
    assert one(findings, "capacity") == Finding("capacity", "ok", "the room is full (3 of 3)")
    assert one(findings, "stranger").status == "problem"


def test_a_full_room_with_someone_missing_names_who_to_remove() -> None:
    ghost_and_stranger = run(room(person(SARAH_ID, 1), person(SARAH_ID, 2),
                                  person("9-x@example.com", 3), limit=3))
    assert one(ghost_and_stranger, "capacity") == Finding(
        "capacity", "problem", "the room is full (3 of 3): nobody else can join",
        "vtctl room kick 47 9-x@example.com --local")  # the first finding with an action
    nobody_extra = run(room(person(SARAH_ID, 1), limit=1),
                       fixes=Fixes(47, ("--base-url", "http://x", "--profile", "w")))
    assert one(nobody_extra, "capacity") == Finding(
        "capacity", "problem", "the room is full (1 of 1): nobody else can join",
        "vtctl room participants 47 --base-url http://x --profile w")


def test_fixes_keep_profile_and_store_for_appointment_list() -> None:
    assert WORK.upcoming("jane.doe@example.com") == (
        "vtctl appointment list --user jane.doe@example.com --from now --profile work --store s")


# -- media -----------------------------------------------------------------------------------


MIC_OFF = PublishedTrack("audio", "mic", "MT1", False)
CAM_OFF = PublishedTrack("video", None, "MT2", False)
NAMELESS = PublishedTrack("audio", None, None, False)
AUDIO_ON = PublishedTrack("audio", "mic", "MT3", True)
VIDEO_ON = PublishedTrack("video", "cam", "MT4", True)


@pytest.mark.parametrize(("tracks", "expected"), [
    ((), ("problem", f"{JANE_ID} publishes no audio and no video: the browser may have been "
          "refused the camera and microphone",
          "tell Jane Doe (patient): allow this site the camera and microphone (the icon at the "
          "left of the address bar), then reload the session page")),
    ((VIDEO_ON,), ("problem", f"{JANE_ID} publishes no audio: nobody can hear them",
                   "tell Jane Doe (patient): check the microphone is allowed for this site and "
                   "selected in the browser (not muted at the headset), then reload the session "
                   "page")),
    ((MIC_OFF, CAM_OFF), ("warning", f"{JANE_ID}: muted (audio mic, video MT2 disabled)", None)),
    ((NAMELESS, VIDEO_ON), ("warning", f"{JANE_ID}: microphone muted (audio disabled)", None)),
    ((AUDIO_ON, CAM_OFF), ("warning", f"{JANE_ID}: camera off (video MT2 disabled)", None)),
    ((AUDIO_ON,), ("warning", f"{JANE_ID} publishes no video (audio only)", None)),
    ((AUDIO_ON, VIDEO_ON), ("ok", f"{JANE_ID} publishes audio and video", None)),
])
def test_media_word_for_word(
    tracks: tuple[PublishedTrack, ...], expected: tuple[str, str, str | None]
) -> None:
    jane = one(run(room(person(JANE_ID, 1, tracks=tracks))), "media")
    assert (jane.status, jane.detail, jane.action) == expected


# -- values, not state ------------------------------------------------------------------------


def test_the_evidence_and_its_parts_cannot_be_changed_by_a_check() -> None:
    evidence = Evidence(appt(), room(), DURING, LOCAL)
    for value, name in [(evidence, "now"), (LOCAL, "flags"), (Unknown("x"), "reason"),
                        (Upcoming(), "known")]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, name, None)
