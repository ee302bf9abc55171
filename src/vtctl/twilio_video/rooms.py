"""Room status from Twilio's Video Rooms, Participants and PublishedTracks REST API.

Used by the local backend and ``vtctl serve``'s video-status.  Requests and
error translation go through :func:`vtctl.twilio_video.client.twilio_session`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vtctl.config.settings import DEFAULT_TIMEOUT
from vtctl.domain.errors import NoVideoRoomError
from vtctl.domain.models import Appointment
from vtctl.domain.room_state import UNKNOWN_STATE, Participant, PublishedTrack, RoomStatus
from vtctl.domain.rooms import UNKNOWN_PREFIX
from vtctl.twilio_video import paths
from vtctl.twilio_video.client import make_http_client, twilio_session
from vtctl.twilio_video.paging import fan_out, paged_records, sid_of
from vtctl.util.text import printable

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials
    from vtctl.net.deadline import Deadline

__all__ = ["fetch_room_status", "make_http_client", "role_of"]

log = logging.getLogger("vtctl.twilio")

#: Group rooms hold at most 50 participants: one page holds every connected one.
CONNECTED_PAGE_SIZE = 50
#: How many recently disconnected participants to show (one page, newest first).
DISCONNECTED_LIMIT = 20
#: Tracks per participant asked for (one page; a participant publishes a handful).
TRACKS_PAGE_SIZE = 50

NOT_CREATED_MESSAGE = (
    "the room does not exist in Twilio yet: it is created when the first participant connects"
)
DEMO_MESSAGE = (
    UNKNOWN_PREFIX + "the demo profile's Twilio credentials are fake, so Twilio was not asked "
    "(set TWILIO_* credentials and use another profile to see the real room)"
)


def unknown_status(appointment: Appointment, reason: str, message: str) -> RoomStatus:
    """What is known when Twilio gave no answer: the room's name, and why no more."""
    if not message.startswith(UNKNOWN_PREFIX):
        message = UNKNOWN_PREFIX + message
    return RoomStatus(
        appointment_id=appointment.id, room_name=appointment.video_room_id,
        status=UNKNOWN_STATE, message=message, unknown_reason=reason,
    )



def fetch_room_status(
    credentials: TwilioCredentials,
    appointment: Appointment,
    http_client: Any | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    budget: Deadline | None = None,
    include_disconnected: bool = True,
    tracks: bool = True,
    now: datetime | None = None,
) -> RoomStatus:
    """Ask Twilio about the appointment's room, who is (or was) in it and what they publish.

    ``http_client``: a ``twilio.http.HttpClient`` or an ``httpx.Client`` to use.
    A room Twilio does not know (HTTP 404) is reported with status
    ``not-created`` (rooms are created when the first participant connects),
    or ``completed`` when a finished room of that name is found.  With the demo
    profile's credentials Twilio is not asked: the status is ``unknown``.
    ``tracks``: ask for the published tracks of each connected participant (at most
    ``paging.MAX_CONCURRENT_REQUESTS`` at a time).  ``budget``: the command's
    (``client.twilio_budget``), else ``timeout`` seconds from now.
    """
    room_name = appointment.video_room_id
    if not room_name:
        raise NoVideoRoomError.of(appointment.id)
    if credentials.source == "demo":
        return unknown_status(appointment, "demo", DEMO_MESSAGE)
    with twilio_session(credentials, http_client, timeout=timeout, budget=budget) as client:
        return _room_status(client, appointment, room_name, include_disconnected, tracks)


def _room_status(
    client: Any, appointment: Appointment, room_name: str, include_disconnected: bool,
    tracks: bool,
) -> RoomStatus:
    room = fetch_room(client, room_name)
    if room is None:
        return RoomStatus(
            appointment_id=appointment.id, room_name=room_name, status="not-created",
            participant_count=0, participants=(), message=NOT_CREATED_MESSAGE,
        )
    found, connected = room_participants(client, room, include_disconnected)
    participants = tuple(_participant(p, appointment) for p in found)
    if tracks:
        room_api = paths.room_api(client, sid_of(room, "RM", "room"))
        participants = tuple(fan_out(
            lambda p: with_tracks(room_api, p) if p.status == "connected" and p.sid else p,
            participants,
        ))
    return RoomStatus(
        appointment_id=appointment.id,
        room_name=text(room.unique_name) or room_name,
        status=text(room.status),
        sid=text(room.sid),
        room_type=text(room.type),
        created_at=as_utc(room.date_created),
        duration_seconds=room_duration(room),
        max_participants=count_of(room.max_participants),
        participants=participants,
        participant_count=connected,
    )


def room_participants(
    client: Any, room: Any, include_disconnected: bool = True
) -> tuple[list[Any], int]:
    """Twilio's participant records of a room (connected first, one per identity) and
    how many are connected.  One page each, of at most the size asked for: a room holds
    at most 50 participants, and a paging link is never needed (nor followed)."""
    participants_api = paths.room_api(client, sid_of(room, "RM", "room")).participants
    if room.status == "in-progress":
        found = paged_records(
            participants_api.page(status="connected", page_size=CONNECTED_PAGE_SIZE),
            CONNECTED_PAGE_SIZE)
        connected = len(found)
        if include_disconnected:
            gone = paged_records(
                participants_api.page(status="disconnected", page_size=DISCONNECTED_LIMIT),
                DISCONNECTED_LIMIT)
            present = {p.identity for p in found}
            found += [p for p in gone if p.identity not in present]
    else:
        # a finished room has only disconnected participants
        found = paged_records(participants_api.page(page_size=DISCONNECTED_LIMIT),
                              DISCONNECTED_LIMIT)
        connected = 0
    return _dedupe(found), connected


def with_tracks(room_api: Any, participant: Participant) -> Participant:
    """The participant with its published tracks (Twilio's PublishedTracks resource)."""
    from dataclasses import replace

    participant_api = paths.participant_api(room_api, sid_of(participant, "PA", "participant"))
    records = paged_records(participant_api.published_tracks.page(page_size=TRACKS_PAGE_SIZE),
                            TRACKS_PAGE_SIZE)
    tracks = tuple(
        PublishedTrack(kind=text(t.kind) or "?", name=text(t.name), sid=text(t.sid),
                       enabled=t.enabled if isinstance(t.enabled, bool) else None)
        for t in records
    )
    return replace(participant, tracks=tracks)


def fetch_room(client: Any, room_name: str) -> Any | None:
    """The in-progress room of that unique name, else the latest completed one, else None."""
    from twilio.base.exceptions import TwilioRestException

    rooms = client.video.v1.rooms
    try:
        return paths.room_api(client, room_name).fetch()
    except TwilioRestException as exc:
        if exc.status != 404:
            raise
    # a unique name addresses only in-progress rooms: look for a finished one
    finished = paged_records(rooms.page(unique_name=room_name, status="completed", page_size=1),
                             1)
    return finished[0] if finished else None


def _dedupe(found: list[Any]) -> list[Any]:
    """Every connected record (one identity connected twice is a ghost worth seeing),
    else the first record per identity (connected ones come first)."""
    seen: set[str | None] = set()
    kept = []
    for record in found:
        if record.identity in seen and record.status != "connected":
            continue
        seen.add(record.identity)
        kept.append(record)
    return kept


def text(value: object) -> str | None:
    """A string field of a Twilio record, safe for a terminal (None when absent)."""
    return printable(value) if isinstance(value, str) and value else None


def count_of(value: object) -> int | None:
    """A duration or count field: a non-negative int, else unknown."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def room_duration(room: Any, now: datetime | None = None) -> int | None:
    """Twilio's ``duration`` once the room has ended; a live room's counts from its
    creation (Twilio reports 0 until the room ends)."""
    if room.status != "in-progress":
        return count_of(room.duration)
    created = as_utc(room.date_created)
    if created is None:
        return None
    return max(0, int(((now or datetime.now(UTC)) - created).total_seconds()))


def _participant(record: Any, appointment: Appointment) -> Participant:
    identity = text(record.identity) or "?"
    return Participant(
        identity=identity,
        status=text(record.status),
        sid=text(record.sid),
        role=role_of(identity, appointment),
        connected_at=as_utc(record.start_time or record.date_created),
        disconnected_at=as_utc(record.end_time),
        duration_seconds=count_of(record.duration),
    )


def role_of(identity: str, appointment: Appointment) -> str | None:
    """``patient`` / ``psychologist`` for an identity ``{user_id}-{email}``, else None."""
    folded = identity.strip().casefold()
    users = (("patient", appointment.patient), ("psychologist", appointment.psychologist))
    for role, user in users:
        if user is not None and folded == f"{user.id}-{user.email}".casefold():
            return role
    user_id, sep, _ = folded.partition("-")
    if sep and user_id.isascii() and user_id.isdigit():
        if int(user_id) == appointment.patient_id:
            return "patient"
        if int(user_id) == appointment.psychologist_id:
            return "psychologist"
    return None


def as_utc(moment: object) -> datetime | None:
    """A time field of a Twilio record in UTC, else None.

    twilio's deserializer parses only ``...Z`` to the second and hands anything
    else (``+01:00``, fractions of a second) back as the string: those are read here.
    """
    if isinstance(moment, str):
        from vtctl.domain.models import parse_utc

        try:
            return parse_utc(moment.strip())
        except ValueError:
            return None
    if not isinstance(moment, datetime):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 in another zone
        return None
