"""``twilio_video.live.fetch_twilio_view``: participants asked 4 rooms at a time, a 429
waited out per ``Retry-After`` (an injected sleep), the completed list only when needed."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from pytest_httpx import HTTPXMock

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.sessions_fakes import JANE, NOW, FakeTwilio, minutes, room_name, room_sid
from vtctl.domain.credentials import TwilioCredentials
from vtctl.twilio_video.live import fetch_twilio_view

CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)


def test_participants_are_asked_four_rooms_at_a_time(httpx_mock: HTTPXMock) -> None:
    """Eight live rooms: the participants requests meet at a barrier of 4, which only
    four requests in flight at once can pass; never more than four are."""
    twilio = FakeTwilio()
    for i in range(8):
        twilio.add_live(100 + i, (JANE, 1))
    barrier = threading.Barrier(4, timeout=20)
    lock = threading.Lock()
    active, most = [0], [0]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Participants"):
            with lock:
                active[0] += 1
                most[0] = max(most[0], active[0])
            try:
                barrier.wait()  # BrokenBarrierError (a failed room) if fewer run at once
                return twilio(request)
            finally:
                with lock:
                    active[0] -= 1
        return twilio(request)

    httpx_mock.add_callback(answer, is_reusable=True)
    view = fetch_twilio_view(CREDENTIALS, {room_name(100 + i): NOW for i in range(8)}, NOW)
    assert [room.failure for room in view.live] == [None] * 8
    assert all(room.participants for room in view.live)
    assert most[0] == 4
    assert view.requests == 9 and view.completed is None  # nothing past its start


def test_a_429_is_waited_out_per_retry_after(httpx_mock: HTTPXMock) -> None:
    twilio = FakeTwilio()
    twilio.add_live(42, (JANE, 3))
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Participants"):
            calls.append("participants")
            if len(calls) == 1:
                return httpx.Response(429, headers={"Retry-After": "2"},
                                      json={"code": 20429, "message": "Too Many Requests"})
        return twilio(request)

    httpx_mock.add_callback(answer, is_reusable=True)
    slept: list[float] = []
    view = fetch_twilio_view(CREDENTIALS, {room_name(42): NOW}, NOW, sleep=slept.append)
    assert slept == [2.0] and calls == ["participants", "participants"]
    (room,) = view.live
    assert room.failure is None and [p.identity for p in room.participants or ()] == [
        "2-jane.doe@example.com"]


def test_completed_list_only_for_rooms_past_their_start_and_not_live(
    httpx_mock: HTTPXMock
) -> None:
    twilio = FakeTwilio()
    twilio.add_live(42, (JANE, 3))
    twilio.add_completed(43, 5)
    httpx_mock.add_callback(twilio, is_reusable=True)
    rooms: dict[str, Any] = {room_name(42): NOW - minutes(10), room_name(43): NOW - minutes(60),
                             room_name(44): NOW + minutes(30)}
    view = fetch_twilio_view(CREDENTIALS, rooms, NOW)
    assert [r.sid for r in view.completed or ()] == [room_sid(43)]
    completed = [line for line in twilio.seen if "Status=completed" in line]
    # from an hour before the earliest start that needs it (43's, 60 min ago)
    assert len(completed) == 1 and "DateCreatedAfter=2025-11-16T08%3A00%3A00Z" in completed[0]


def test_demo_credentials_ask_nothing() -> None:
    from vtctl.local.demo import DEMO_CREDENTIALS

    view = fetch_twilio_view(DEMO_CREDENTIALS, {room_name(42): NOW}, NOW)
    assert view.not_asked is not None and "demo" in view.not_asked
    assert view.requests == 0 and view.live == ()
