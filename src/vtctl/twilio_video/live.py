"""Twilio's view of a shift in a few requests, whatever the size of the day.

1. one paged ``GET /v1/Rooms?Status=in-progress``: every live room;
2. ``GET /v1/Rooms/{sid}/Participants?Status=connected`` only for the live rooms
   whose name is one of the window's appointments' rooms, ``WORKERS`` at a time;
3. only when an appointment's room is not live and its start has passed: one
   paged ``GET /v1/Rooms?Status=completed&DateCreatedAfter=...`` (ended or missed?).

Never one request per appointment: 500 appointments with 40 live rooms cost
1 + 40 requests plus paging (and the completed list when it is needed).  A 429
is retried per ``Retry-After`` within the timeout by the client; a room whose
participants still fail is that room's failure, the others are kept.  Requests
and error translation go through :mod:`vtctl.twilio_video.client`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from vtctl.config.settings import DEFAULT_TIMEOUT
from vtctl.domain.errors import VtctlError
from vtctl.domain.room_state import Participant
from vtctl.domain.sessions import TwilioRoom, TwilioView
from vtctl.twilio_video.client import make_http_client, translated, twilio_session
from vtctl.twilio_video.paging import fan_out, paged_records, sid_of
from vtctl.twilio_video.paths import path_segment
from vtctl.twilio_video.rooms import CONNECTED_PAGE_SIZE, as_utc, text

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials

#: participants asked for this many rooms at a time
WORKERS = 4
#: the Rooms list's page size (Twilio's largest for Rooms, as ``room list`` asks)
ROOMS_PAGE_SIZE = 50
#: a paging loop stops here whatever the links say (5,000 rooms)
MAX_PAGES = 100
#: a room is created when its first participant connects, maybe this early
EARLY_JOIN = timedelta(hours=1)

DEMO_REASON = ("the demo profile's Twilio credentials are fake, so Twilio was not asked "
               "(set TWILIO_* credentials and use another profile)")


def fetch_twilio_view(
    credentials: TwilioCredentials,
    rooms: Mapping[str, datetime],
    now: datetime,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = WORKERS,
    sleep: Callable[[float], None] | None = None,
) -> TwilioView:
    """What Twilio says about ``rooms`` (room name -> its appointment's start) at ``now``.

    Never raises a Twilio fault: it is the view's ``failure`` (nothing could be
    asked), a room's ``failure`` or ``completed_failure``.
    """
    if credentials.source == "demo":
        return TwilioView(not_asked=DEMO_REASON)
    http = make_http_client(timeout=timeout, sleep=sleep)
    try:
        with twilio_session(credentials, http, timeout=timeout) as client:
            rooms_api = client.video.v1.rooms
            live = _listed(rooms_api, status="in-progress")
            live = _with_participants(rooms_api, live, set(rooms), workers)
            completed, completed_failure = _completed(rooms_api, live, rooms, now)
    except VtctlError as exc:
        return TwilioView(failure=exc, requests=http.requests_sent)
    finally:
        http.close()
    return TwilioView(live=live, completed=completed, completed_failure=completed_failure,
                      requests=http.requests_sent)


def _listed(rooms_api: Any, **filters: Any) -> tuple[TwilioRoom, ...]:
    """Every room of the list, following ``meta.next_page_url`` (at most ``MAX_PAGES``)."""
    records = paged_records(rooms_api.page(page_size=ROOMS_PAGE_SIZE, **filters),
                            MAX_PAGES * ROOMS_PAGE_SIZE, follow=True, max_pages=MAX_PAGES)
    return tuple(_room(record) for record in records)


def _with_participants(rooms_api: Any, live: tuple[TwilioRoom, ...], wanted: set[str],
                       workers: int) -> tuple[TwilioRoom, ...]:
    """The live rooms, those named in ``wanted`` with their connected participants."""
    asked = [room for room in live if room.name in wanted]
    if not asked:
        return live
    answered = dict(zip((r.sid for r in asked),
                        fan_out(lambda r: _connected(rooms_api, r), asked, workers), strict=True))
    return tuple(answered.get(room.sid, room) for room in live)


def _connected(rooms_api: Any, room: TwilioRoom) -> TwilioRoom:
    """The room with its connected participants, or with why they are unknown."""
    from dataclasses import replace

    try:
        with translated():
            sid = sid_of(room, "RM", "room")
            records = paged_records(rooms_api(path_segment(sid)).participants.page(
                status="connected", page_size=CONNECTED_PAGE_SIZE), CONNECTED_PAGE_SIZE)
            people = tuple(_participant(record) for record in records)
    except VtctlError as exc:
        return replace(room, failure=exc)
    return replace(room, participants=people)


def _completed(
    rooms_api: Any, live: tuple[TwilioRoom, ...], rooms: Mapping[str, datetime], now: datetime,
) -> tuple[tuple[TwilioRoom, ...] | None, VtctlError | None]:
    """Completed rooms of the names that are not live though their start has passed."""
    live_names = {room.name for room in live}
    started = [start for name, start in rooms.items()
               if name not in live_names and start <= now]
    if not started:
        return None, None
    try:
        with translated():
            found = _listed(rooms_api, status="completed",
                            date_created_after=min(started) - EARLY_JOIN)
    except VtctlError as exc:
        return None, exc
    return tuple(room for room in found if room.name in rooms), None


def _room(record: Any) -> TwilioRoom:
    return TwilioRoom(
        sid=text(record.sid) or "?", name=text(record.unique_name), status=text(record.status),
        created_at=as_utc(record.date_created), ended_at=as_utc(record.end_time),
    )


def _participant(record: Any) -> Participant:
    return Participant(
        identity=text(record.identity) or "?", status=text(record.status), sid=text(record.sid),
        connected_at=as_utc(record.start_time or record.date_created),
    )
