"""A fake of Twilio's Video Rooms/Participants API and Video Insights for pytest-httpx,
shaped like Twilio's documented resources, with real paging (``PageSize``/``Page`` and
``meta.next_page_url``) so a test sees exactly which pages vtctl asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.twilio_fakes import (
    JANE_ID,
    SARAH_ID,
    TEST_ACCOUNT_SID,
    participant_body,
    room_body,
    twilio_error,
)

VIDEO = "https://video.twilio.com"
INSIGHTS = "https://insights.twilio.com"
ROOM_NAME = "apt-47-1763138954-46eb915c"


def room_sid(n: int) -> str:
    return f"RM{n:032x}"


def participant_sid(n: int) -> str:
    return f"PA{n:032x}"


def a_room(n: int, created: str, status: str = "completed", end: str | None = None,
           **overrides: Any) -> dict[str, Any]:
    sid = room_sid(n)
    return room_body(status, sid=sid, unique_name=ROOM_NAME, date_created=created,
                     end_time=end, url=f"{VIDEO}/v1/Rooms/{sid}", **overrides)


def a_participant(identity: str, n: int, joined: str, left: str | None,
                  status: str = "disconnected", room: int = 1, **overrides: Any
                  ) -> dict[str, Any]:
    return participant_body(identity, n, status, sid=participant_sid(n), room_sid=room_sid(room),
                            start_time=joined, date_created=joined, end_time=left, **overrides)


def a_summary(n: int, identity: str, *, error_code: int | None = None,
              end_reason: str | None = "disconnected_via_api", **overrides: Any
              ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "participant_sid": participant_sid(n), "participant_identity": identity,
        "join_time": None, "leave_time": None, "duration_sec": None,
        "account_sid": TEST_ACCOUNT_SID, "room_sid": room_sid(1), "status": "completed",
        "codecs": ["VP8", "opus"], "end_reason": end_reason, "error_code": error_code,
        "error_code_url": (f"https://www.twilio.com/docs/api/errors/{error_code}"
                           if error_code else None),
        "media_region": "us1", "properties": {}, "edge_location": "ashburn",
        "publisher_info": {"name": "twilio-video.js", "sdk_version": "2.28.1",
                           "browser_name": "Chrome", "browser_version": "120",
                           "os_name": "macOS", "os_version": "14.1"},
        "url": f"{INSIGHTS}/v1/Video/Rooms/{room_sid(1)}/Participants/{participant_sid(n)}",
    }
    body.update(overrides)
    return body


def a_room_summary(n: int, processing_state: str = "complete", **overrides: Any
                   ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "room_sid": room_sid(n), "room_name": ROOM_NAME, "room_type": "group",
        "room_status": "completed", "processing_state": processing_state,
        "end_reason": "room_ended_via_api", "media_region": "us1", "edge_location": "ashburn",
        "create_time": "2025-11-16T08:58:00Z", "end_time": "2025-11-16T09:52:00Z",
        "account_sid": TEST_ACCOUNT_SID, "codecs": ["VP8"],
        "url": f"{INSIGHTS}/v1/Video/Rooms/{room_sid(n)}",
        "links": {"participants": f"{INSIGHTS}/v1/Video/Rooms/{room_sid(n)}/Participants"},
    }
    body.update(overrides)
    return body


#: a participant list: records, or (count, make(i)) built page by page
People = list[dict[str, Any]] | tuple[int, Callable[[int], dict[str, Any]]]


@dataclass
class FakeTwilio:
    """Rooms, participants and Insights summaries, answered per request."""

    rooms: list[dict[str, Any]] = field(default_factory=list)
    participants: dict[str, People] = field(default_factory=dict)
    #: room SID -> its Insights room summary, or an HTTP status to answer with
    insights: dict[str, dict[str, Any] | int] = field(default_factory=dict)
    summaries: dict[str, People] = field(default_factory=dict)
    #: a next_page_url that points back at the first page (a broken upstream)
    looping: bool = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, query = request.url.path, dict(request.url.params)
        host = f"{request.url.scheme}://{request.url.host}"
        if host == VIDEO and path == "/v1/Rooms":
            found = [r for r in self.rooms if r["unique_name"] == query.get("UniqueName")
                     and r["status"] == query.get("Status")]
            found.sort(key=lambda r: r["date_created"], reverse=True)
            return self._page(request, "rooms", found)
        parts = path.strip("/").split("/")
        if host == VIDEO and len(parts) == 4 and parts[3] == "Participants":
            people = self._people(self.participants.get(parts[2], []))
            return self._page(request, "participants", people,
                              lambda r: r["status"] == query.get("Status", r["status"]))
        if host == INSIGHTS and len(parts) == 4 and parts[:3] == ["v1", "Video", "Rooms"]:
            answer = self.insights.get(parts[3], 404)
            if isinstance(answer, int):
                return httpx.Response(answer, json=twilio_error(
                    answer, 20404 if answer == 404 else 20003, "no"))
            return httpx.Response(200, json=answer)
        if host == INSIGHTS and len(parts) == 5 and parts[4] == "Participants":
            return self._page(request, "participants",
                              self._people(self.summaries.get(parts[3], [])))
        return httpx.Response(404, json=twilio_error(404, 20404, f"no route {path}"))

    @staticmethod
    def _people(people: People) -> tuple[int, Callable[[int], dict[str, Any]]]:
        if isinstance(people, tuple):
            return people
        return len(people), people.__getitem__

    def _page(self, request: httpx.Request, key: str,
              found: list[dict[str, Any]] | tuple[int, Callable[[int], dict[str, Any]]],
              keep: Callable[[dict[str, Any]], bool] = lambda r: True) -> httpx.Response:
        query = dict(request.url.params)
        size, number = int(query.get("PageSize", "50")), int(query.get("Page", "0"))
        count, make = found if isinstance(found, tuple) else (len(found), found.__getitem__)
        records = [r for r in (make(i) for i in range(number * size, min(count, (number + 1)
                                                                          * size))) if keep(r)]
        base = f"{request.url.scheme}://{request.url.host}{request.url.path}"
        here = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
        more = (number + 1) * size < count
        following = 0 if self.looping else number + 1
        next_url = (f"{base}?{urlencode({**here, 'Page': following, 'PageToken': 'PT1'})}"
                    if more or self.looping else None)
        return httpx.Response(200, json={key: records, "meta": {
            "page": number, "page_size": size, "key": key,
            "url": f"{base}?{urlencode({**here, 'Page': number})}",
            "first_page_url": f"{base}?{urlencode({**here, 'Page': 0})}",
            "previous_page_url": None, "next_page_url": next_url,
        }})


def one_room(**people: Any) -> FakeTwilio:
    """Room 1, completed, with Jane and Sarah; Insights complete."""
    return FakeTwilio(
        rooms=[a_room(1, "2025-11-16T08:58:00Z", end="2025-11-16T09:52:00Z")],
        participants={room_sid(1): [
            a_participant(JANE_ID, 1, "2025-11-16T08:58:00Z", "2025-11-16T09:52:00Z"),
            a_participant(SARAH_ID, 2, "2025-11-16T09:07:00Z", "2025-11-16T09:52:00Z"),
        ]},
        insights={room_sid(1): a_room_summary(1)},
        summaries={room_sid(1): [a_summary(1, JANE_ID), a_summary(2, SARAH_ID)]},
        **people,
    )
