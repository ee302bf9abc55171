"""``vtctl history``'s Twilio side: rooms of a name in any status, participants in every
status (streamed), Video Insights summaries, with pytest-httpx answering as Twilio."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.history_fakes import (
    INSIGHTS,
    ROOM_NAME,
    VIDEO,
    FakeTwilio,
    a_participant,
    a_room,
    a_room_summary,
    a_summary,
    one_room,
    room_sid,
)
from tests.twilio_fakes import (
    JANE,
    JANE_ID,
    SARAH,
    SARAH_ID,
    TEST_ACCOUNT_SID,
    TEST_API_KEY,
    TEST_API_SECRET,
)
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import UsageError
from vtctl.domain.history import SessionRoom
from vtctl.domain.models import Appointment
from vtctl.twilio_video.client import twilio_insights_url, twilio_session
from vtctl.twilio_video.history import MAX_KEPT, attendances, keep_bounded, read_sessions
from vtctl.twilio_video.insights import NOT_FOUND

CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
APPOINTMENT = Appointment(47, 2, 5, 60, starts_at=datetime(2025, 11, 16, 9, tzinfo=UTC),
                          video_room_id=ROOM_NAME, patient=JANE, psychologist=SARAH)


def serve(httpx_mock: HTTPXMock, fake: FakeTwilio) -> FakeTwilio:
    httpx_mock.add_callback(fake, is_reusable=True)
    return fake


#: a budget no loaded test machine reaches: these tests check what is read, not how fast
GENEROUS = 300.0


def read(all_rooms: bool = False) -> tuple[tuple[SessionRoom, ...], bool]:
    return read_sessions(CREDENTIALS, APPOINTMENT, ROOM_NAME, all_rooms=all_rooms,
                         timeout=GENEROUS)


def asked(httpx_mock: HTTPXMock, host: str, path_end: str = "") -> list[str]:
    return [str(r.url) for r in httpx_mock.get_requests()
            if str(r.url).startswith(host) and r.url.path.endswith(path_end)]


def test_a_name_reused_by_three_rooms_gives_three_rooms_newest_first(
        httpx_mock: HTTPXMock) -> None:
    fake = serve(httpx_mock, FakeTwilio(rooms=[
        a_room(1, "2025-11-14T09:00:00Z"),
        a_room(3, "2025-11-16T09:00:00Z", status="in-progress"),
        a_room(2, "2025-11-15T09:00:00Z"),
    ]))
    rooms, more = read()
    assert [r.sid for r in rooms] == [room_sid(3), room_sid(2), room_sid(1)]
    assert [r.status for r in rooms] == ["in-progress", "completed", "completed"]
    assert more is False
    statuses = {dict(r.url.params).get("Status") for r in httpx_mock.get_requests()
                if r.url.path == "/v1/Rooms"}
    assert statuses == {"in-progress", "completed"}
    assert all(dict(r.url.params)["UniqueName"] == ROOM_NAME for r in httpx_mock.get_requests()
               if r.url.path == "/v1/Rooms")
    # the live room's participants are asked in every status; a completed one's once
    live = [dict(r.url.params)["Status"] for r in httpx_mock.get_requests()
            if r.url.path == f"/v1/Rooms/{room_sid(3)}/Participants"]
    assert sorted(live) == ["connected", "disconnected", "reconnecting"]
    assert fake.rooms


def test_paging_the_first_page_only_unless_all(httpx_mock: HTTPXMock) -> None:
    rooms = [a_room(n, f"2025-11-{n:02d}T09:00:00Z") for n in range(1, 26)]  # 25: two pages
    serve(httpx_mock, FakeTwilio(rooms=rooms))
    first, more = read()
    assert len(first) == 20 and more is True
    assert first[0].sid == room_sid(25)
    httpx_mock.reset()
    serve(httpx_mock, FakeTwilio(rooms=rooms))
    every, more = read(all_rooms=True)
    assert len(every) == 25 and more is False
    pages = [dict(r.url.params).get("Page", "0") for r in httpx_mock.get_requests()
             if r.url.path == "/v1/Rooms" and dict(r.url.params)["Status"] == "completed"]
    assert pages == ["0", "1"]


def test_a_paging_link_that_loops_stops_the_listing_with_each_room_once(
        httpx_mock: HTTPXMock) -> None:
    rooms = [a_room(n, f"2025-11-{n:02d}T09:00:00Z") for n in range(1, 26)]
    serve(httpx_mock, FakeTwilio(rooms=rooms, looping=True))
    found, _ = read(all_rooms=True)
    sids = [room.sid for room in found]
    assert sids and len(sids) == len(set(sids))
    assert len(asked(httpx_mock, VIDEO, "/Rooms")) <= 4


@pytest.mark.parametrize(("answer", "says"), [
    (404, NOT_FOUND),
    (403, "Twilio refused Video Insights (HTTP 403)"),
])
def test_insights_missing_is_a_note_not_a_failure(
        httpx_mock: HTTPXMock, answer: int, says: str) -> None:
    fake = one_room()
    fake.insights = {room_sid(1): answer}
    serve(httpx_mock, fake)
    (room,), _ = read()
    assert room.insights is None
    assert room.insights_missing is not None and room.insights_missing.startswith(says)
    assert [a.identity for a in room.attendances] == [JANE_ID, SARAH_ID]  # the rest is there
    assert all(a.insights is None for a in room.attendances)
    assert asked(httpx_mock, INSIGHTS, "/Participants") == []  # not asked after the refusal


def test_a_refusal_is_asked_once_for_every_room(httpx_mock: HTTPXMock) -> None:
    fake = FakeTwilio(rooms=[a_room(1, "2025-11-14T09:00:00Z"), a_room(2, "2025-11-15T09:00:00Z")],
                      insights={room_sid(1): 403, room_sid(2): 403})
    serve(httpx_mock, fake)
    rooms, _ = read()
    assert all("refused" in (r.insights_missing or "") for r in rooms)
    assert len(asked(httpx_mock, INSIGHTS)) == 1


def test_insights_not_processed_yet_says_so_and_keeps_what_there_is(
        httpx_mock: HTTPXMock) -> None:
    fake = one_room()
    fake.insights = {room_sid(1): a_room_summary(1, processing_state="in_progress")}
    serve(httpx_mock, fake)
    (room,), _ = read()
    assert room.insights is not None
    assert "not finished summarising it yet (processing state in_progress)" in (
        room.insights_missing or "")
    assert room.attendances[0].insights is not None


def test_insights_summaries_join_the_participants(httpx_mock: HTTPXMock) -> None:
    fake = one_room()
    fake.summaries = {room_sid(1): [a_summary(1, JANE_ID, error_code=53405,
                                              end_reason="signaling_connection_error")]}
    serve(httpx_mock, fake)
    (room,), _ = read()
    jane, sarah = room.attendances
    assert jane.insights is not None and sarah.insights is None
    assert jane.insights.error_text == "53405 Media connection failed or Media activity ceased"
    assert jane.insights.error_kind == "media"
    assert jane.insights.publisher is not None
    assert jane.insights.publisher.text() == "Chrome 120 on macOS 14.1, twilio-video.js 2.28.1"
    assert room.insights is not None and room.insights.end_reason == "room_ended_via_api"
    assert room.insights_missing is None
    requested = asked(httpx_mock, INSIGHTS)
    assert requested[0] == f"{INSIGHTS}/v1/Video/Rooms/{room_sid(1)}"


def test_an_unknown_error_code_keeps_twilios_link(httpx_mock: HTTPXMock) -> None:
    fake = one_room()
    fake.summaries = {room_sid(1): [a_summary(1, JANE_ID, error_code=53999,
                                              error_code_url="https://www.twilio.com/x/53999")]}
    serve(httpx_mock, fake)
    (room,), _ = read()
    summary = room.attendances[0].insights
    assert summary is not None
    assert summary.error_text == "53999 (see https://www.twilio.com/x/53999)"
    assert summary.error_kind == "error"


def test_a_participant_without_leave_time_is_still_connected(httpx_mock: HTTPXMock) -> None:
    fake = FakeTwilio(
        rooms=[a_room(1, "2025-11-16T08:58:00Z", status="in-progress")],
        participants={room_sid(1): [
            a_participant(JANE_ID, 1, "2025-11-16T08:58:00Z", None, status="connected"),
            a_participant(SARAH_ID, 2, "2025-11-16T09:01:00Z", None, status="reconnecting"),
        ]},
    )
    serve(httpx_mock, fake)
    (room,), _ = read()
    assert {(a.identity, a.status, a.left_at) for a in room.attendances} == {
        (JANE_ID, "connected", None), (SARAH_ID, "reconnecting", None)}


def test_left_and_rejoined_are_two_attendances(httpx_mock: HTTPXMock) -> None:
    fake = one_room()
    fake.participants[room_sid(1)] = [
        a_participant(JANE_ID, 1, "2025-11-16T09:00:00Z", "2025-11-16T09:14:00Z"),
        a_participant(JANE_ID, 3, "2025-11-16T09:15:00Z", "2025-11-16T09:50:00Z"),
    ]
    serve(httpx_mock, fake)
    (room,), _ = read()
    assert [(a.sid, a.joined_at, a.left_at) for a in room.attendances] == [
        ("PA" + "0" * 31 + "1", datetime(2025, 11, 16, 9, tzinfo=UTC),
         datetime(2025, 11, 16, 9, 14, tzinfo=UTC)),
        ("PA" + "0" * 31 + "3", datetime(2025, 11, 16, 9, 15, tzinfo=UTC),
         datetime(2025, 11, 16, 9, 50, tzinfo=UTC)),
    ]
    assert {a.role for a in room.attendances} == {"patient"}


def test_times_in_other_offsets_are_read_as_utc(httpx_mock: HTTPXMock) -> None:
    fake = one_room()
    fake.rooms = [a_room(1, "2025-11-16T09:58:00+01:00", end="2025-11-16T04:52:00.250-05:00")]
    fake.participants[room_sid(1)] = [
        a_participant(JANE_ID, 1, "2025-11-16T10:00:00+01:00", "2025-11-16T09:14:00.5Z"),
    ]
    serve(httpx_mock, fake)
    (room,), _ = read()
    assert room.created_at == datetime(2025, 11, 16, 8, 58, tzinfo=UTC)
    assert room.ended_at == datetime(2025, 11, 16, 9, 52, 0, 250000, tzinfo=UTC)
    (jane,) = room.attendances
    assert jane.joined_at == datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
    assert jane.left_at == datetime(2025, 11, 16, 9, 14, 0, 500000, tzinfo=UTC)


# -- a 10,000-participant room --------------------------------------------------------------


def crowd(count: int) -> FakeTwilio:
    def person(i: int) -> dict[str, Any]:
        identity = JANE_ID if i == 0 else SARAH_ID if i == 1 else f"{1000 + i}-guest@example.com"
        return a_participant(identity, i + 1, "2025-11-16T09:00:00Z", "2025-11-16T09:30:00Z")

    return FakeTwilio(rooms=[a_room(1, "2025-11-16T08:58:00Z")],
                      participants={room_sid(1): (count, person)},
                      insights={room_sid(1): a_room_summary(1)},
                      summaries={room_sid(1): (count, lambda i: a_summary(i + 1, "x"))})


def test_a_huge_room_is_streamed_a_page_at_a_time(httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, crowd(10_000))
    room = SessionRoom(room_sid(1), ROOM_NAME, "completed")
    pages = f"/v1/Rooms/{room_sid(1)}/Participants"
    with twilio_session(CREDENTIALS, timeout=GENEROUS) as client:
        stream = attendances(client, room, APPOINTMENT)
        assert asked(httpx_mock, VIDEO, pages) == []  # nothing fetched before it is read
        for _ in range(1000):
            next(stream)
        assert len(asked(httpx_mock, VIDEO, pages)) == 1  # one page of 1000 in memory
        next(stream)
        assert len(asked(httpx_mock, VIDEO, pages)) == 2
        kept, counted = keep_bounded(stream)
    assert len(asked(httpx_mock, VIDEO, pages)) == 10
    assert len(kept) == 50 and counted == 10_000 - 1001 - 50  # only strangers were left


def test_a_huge_room_keeps_both_users_and_counts_the_crowd(httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, crowd(10_000))
    (room,), _ = read()
    roles = [a.role for a in room.attendances]
    assert roles.count("patient") == 1 and roles.count("psychologist") == 1
    assert len(room.attendances) == 52 <= MAX_KEPT
    assert room.others == 10_000 - 52
    # Insights' 10 pages are read too, but only the kept participants are joined
    assert len(asked(httpx_mock, INSIGHTS, "/Participants")) == 10
    assert sum(a.insights is not None for a in room.attendances) == 52


# -- VTCTL_TWILIO_INSIGHTS_URL -------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("", "https://insights.twilio.com"),
    ("http://127.0.0.1:4011/", "http://127.0.0.1:4011"),
    ("https://insights.proxy.example", "https://insights.proxy.example"),
])
def test_insights_url(value: str, expected: str) -> None:
    assert twilio_insights_url({"VTCTL_TWILIO_INSIGHTS_URL": value}) == expected


@pytest.mark.parametrize("value", ["http://insights.example.com", "ftp://127.0.0.1",
                                   "http://u:p@127.0.0.1", "http://127.0.0.1:99999"])
def test_a_bad_insights_url_is_a_usage_error_naming_it(value: str) -> None:
    with pytest.raises(UsageError, match="VTCTL_TWILIO_INSIGHTS_URL"):
        twilio_insights_url({"VTCTL_TWILIO_INSIGHTS_URL": value})


def test_insights_url_is_where_insights_requests_go(
        httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_TWILIO_INSIGHTS_URL", "http://127.0.0.1:4011")
    fake = one_room()

    def moved(request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.host == "127.0.0.1":  # the mock at the URL answers as Insights would
            url = url.copy_with(scheme="https", host="insights.twilio.com", port=None)
        return fake(httpx.Request(request.method, url))

    httpx_mock.add_callback(moved, is_reusable=True)
    (room,), _ = read()
    assert room.insights is not None and room.attendances[0].insights is not None
    hosts = {(r.url.scheme, r.url.host, r.url.port) for r in httpx_mock.get_requests()}
    assert hosts == {("https", "video.twilio.com", None), ("http", "127.0.0.1", 4011)}
