"""Every Twilio room of a unique name, in any status, with everyone who was in it and
Video Insights' summaries: what ``vtctl history`` reads from Twilio.

A unique name addresses one in-progress room, and can be reused once a room
completes, so an appointment's name may have several rooms: ``GET /v1/Rooms``
with ``UniqueName`` and ``Status`` in-progress and completed, newest first (the
first page of completed rooms, or every page with ``all_rooms``).  Participants
are read in every status (Twilio lists only connected ones of an in-progress
room unless asked), lazily, a page at a time: a room with 10,000 participant
records is streamed, and only ``MAX_KEPT`` of them are kept in full (the
appointment's two users first; strangers up to ``MAX_STRANGERS``); the rest are
counted.  Requests and errors go through
:func:`vtctl.twilio_video.client.twilio_session`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vtctl.config.settings import DEFAULT_TIMEOUT
from vtctl.domain.history import STRANGER, Attendance, SessionRoom
from vtctl.domain.models import Appointment
from vtctl.twilio_video import paths
from vtctl.twilio_video.client import twilio_session
from vtctl.twilio_video.insights import Gap, gap, participant_summaries, room_insights
from vtctl.twilio_video.paging import records
from vtctl.twilio_video.rooms import as_utc, count_of, role_of, text

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials

#: completed rooms a page (the first page only without ``all_rooms``)
ROOMS_PAGE_SIZE = 20
#: Twilio's largest page of participants
PARTICIPANTS_PAGE_SIZE = 1000
#: participant records kept in full per room; the rest are counted
MAX_KEPT = 500
#: of those, records of people who are neither the patient nor the psychologist
MAX_STRANGERS = 50
#: a SID vtctl puts in a URL path (anything else in a reply is not followed)
_ROOM_SID = re.compile(r"RM[0-9a-fA-F]{32}")
_PARTICIPANT_STATUSES_LIVE = ("connected", "reconnecting", "disconnected")


def read_sessions(
    credentials: TwilioCredentials, appointment: Appointment, room_name: str,
    *, all_rooms: bool = False, http_client: Any | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[tuple[SessionRoom, ...], bool]:
    """(the rooms named ``room_name``, newest first, with who was in them; whether older
    rooms were left unread).  Video Insights is asked too: what it lacks is noted on
    each room, never raised."""
    with twilio_session(credentials, http_client, timeout=timeout, insights=True) as client:
        found, more = find_rooms(client, room_name, all_rooms)
        stop: Gap | None = None
        rooms = []
        for room in found:
            kept, others = keep_bounded(attendances(client, room, appointment))
            room = replace(room, attendances=tuple(kept), others=others)
            if stop is None:
                room, missing = with_insights(client, room)
                if missing is not None and missing.every_room:
                    stop = missing  # refused or unreachable: the same for every room
            else:
                room = replace(room, insights_missing=stop.reason)
            rooms.append(room)
        return tuple(rooms), more


def find_rooms(client: Any, room_name: str, all_rooms: bool) -> tuple[list[SessionRoom], bool]:
    """The in-progress room of the name (at most one) and its completed rooms, newest first."""
    rooms_api = client.video.v1.rooms
    live = rooms_api.page(unique_name=room_name, status="in-progress", page_size=1)
    found = [session_room(r) for r in records(live, follow=False)]
    done = rooms_api.page(unique_name=room_name, status="completed", page_size=ROOMS_PAGE_SIZE)
    found += [session_room(r) for r in records(done, follow=all_rooms)]
    more = not all_rooms and bool(done.next_page_url)
    unique = {room.sid: room for room in found}  # a room completing between the two asks
    newest_first = sorted(unique.values(), key=lambda r: r.created_at.timestamp()
                          if r.created_at else float("-inf"), reverse=True)
    return newest_first, more


def session_room(record: Any) -> SessionRoom:
    return SessionRoom(
        sid=text(record.sid) or "?",
        name=text(record.unique_name),
        status=text(record.status),
        room_type=text(record.type),
        created_at=as_utc(record.date_created),
        ended_at=as_utc(record.end_time),
        duration_seconds=count_of(record.duration),
    )


def attendances(client: Any, room: SessionRoom, appointment: Appointment
                ) -> Iterator[Attendance]:
    """Every participant record of the room, in every status, fetched a page at a time."""
    if not _ROOM_SID.fullmatch(room.sid):
        return
    participants_api = paths.room_api(client, room.sid).participants
    statuses = _PARTICIPANT_STATUSES_LIVE if room.status == "in-progress" else ("disconnected",)
    for status in statuses:
        first = participants_api.page(status=status, page_size=PARTICIPANTS_PAGE_SIZE)
        for record in records(first):
            yield attendance(record, room.sid, appointment)


def attendance(record: Any, room_sid: str, appointment: Appointment) -> Attendance:
    identity = text(record.identity) or "?"
    return Attendance(
        identity=identity,
        role=role_of(identity, appointment) or STRANGER,
        sid=text(record.sid),
        room_sid=room_sid,
        status=text(record.status),
        joined_at=as_utc(record.start_time) or as_utc(record.date_created),
        left_at=as_utc(record.end_time),
        duration_seconds=count_of(record.duration),
    )


def keep_bounded(found: Iterable[Attendance], limit: int = MAX_KEPT,
                 strangers: int = MAX_STRANGERS) -> tuple[list[Attendance], int]:
    """(the records kept in full, how many more were only counted).

    Consumes ``found`` one record at a time: memory holds at most ``limit`` records.
    """
    kept: list[Attendance] = []
    kept_strangers = counted = 0
    for record in found:
        if len(kept) >= limit or (record.role == STRANGER and kept_strangers >= strangers):
            counted += 1
            continue
        kept_strangers += record.role == STRANGER
        kept.append(record)
    return kept, counted


def with_insights(client: Any, room: SessionRoom) -> tuple[SessionRoom, Gap | None]:
    """The room with Video Insights' summaries of it and of the kept participants, and
    why some are missing."""
    if not _ROOM_SID.fullmatch(room.sid):
        return room, None
    summary, missing = room_insights(client, room.sid)
    if summary is None:
        return replace(room, insights_missing=missing.reason if missing else None), missing
    by_sid = {a.sid: a for a in room.attendances if a.sid}
    try:
        for found in participant_summaries(client, room.sid):
            kept = by_sid.get(found.participant_sid or "")
            if kept is not None and kept.sid:
                by_sid[kept.sid] = replace(kept, insights=found)
    except Exception as exc:  # see insights.gap
        failed = gap(exc)
        missing = Gap(f"its participant summaries are incomplete: {failed.reason}",
                      failed.every_room)
    merged = tuple(by_sid.get(a.sid, a) if a.sid else a for a in room.attendances)
    return replace(room, attendances=merged, insights=summary,
                   insights_missing=missing.reason if missing else None), missing
