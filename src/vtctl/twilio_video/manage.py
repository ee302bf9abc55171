"""Room operations on Twilio's Video REST API: find a room by SID, list, end, kick.

Local backend only (they need the Twilio credentials).  Requests and error
translation go through :func:`vtctl.twilio_video.client.twilio_session`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vtctl.config.settings import DEFAULT_TIMEOUT
from vtctl.domain.errors import NotFoundError, NoVideoRoomError
from vtctl.domain.models import Appointment
from vtctl.domain.room_state import RoomChange, RoomSummary
from vtctl.domain.rooms import appointment_of_room
from vtctl.domain.rules import user_identity
from vtctl.twilio_video import paths
from vtctl.twilio_video.client import twilio_session
from vtctl.twilio_video.paging import fan_out, paged_records, sid_of
from vtctl.twilio_video.rooms import (
    CONNECTED_PAGE_SIZE,
    as_utc,
    fetch_room,
    role_of,
    room_duration,
    room_participants,
    text,
)

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials
    from vtctl.net.deadline import Deadline

#: Twilio's largest page for the Rooms list
MAX_PAGE_SIZE = 50


def find_room_name(
    credentials: TwilioCredentials, sid: str, http_client: Any | None = None,
    *, timeout: float = DEFAULT_TIMEOUT, budget: Deadline | None = None,
) -> str | None:
    """The unique name of the room with that SID (Twilio error 20404 is exit 5)."""
    with twilio_session(credentials, http_client, timeout=timeout, budget=budget) as client:
        try:
            room = paths.room_api(client, sid).fetch()
        except Exception as exc:
            if _is_not_found(exc):
                raise NotFoundError(f"Twilio has no room {sid}",
                                    hint="check the SID (`vtctl room list --local`)") from exc
            raise
    return text(room.unique_name)


def list_rooms(
    credentials: TwilioCredentials, status: str | None, limit: int,
    http_client: Any | None = None, *, timeout: float = DEFAULT_TIMEOUT,
    budget: Deadline | None = None,
) -> list[RoomSummary]:
    """The most recent rooms (Twilio's order), following ``meta.next_page_url`` up to ``limit``
    (``paging.paged_records``: each room once, at most ``MAX_PAGES`` pages).

    Each row counts the room's participants from one page: connected ones for
    an in-progress room, everyone who took part otherwise (a few rooms at a time).
    """
    with twilio_session(credentials, http_client, timeout=timeout, budget=budget) as client:
        rooms_api = client.video.v1.rooms
        found = paged_records(rooms_api.page(status=status, page_size=min(limit, MAX_PAGE_SIZE)),
                              limit, follow=True)
        return fan_out(lambda room: _summary(client, room), found)


def _summary(client: Any, room: Any) -> RoomSummary:
    participants = paths.room_api(client, sid_of(room, "RM", "room")).participants
    status = "connected" if room.status == "in-progress" else None
    count = len(paged_records(participants.page(status=status, page_size=CONNECTED_PAGE_SIZE),
                              CONNECTED_PAGE_SIZE))
    name = text(room.unique_name)
    return RoomSummary(
        sid=text(room.sid) or "?", name=name, status=text(room.status),
        created_at=as_utc(room.date_created), duration_seconds=room_duration(room),
        participant_count=count,
        appointment_id=appointment_of_room(name),
    )


def end_room(
    credentials: TwilioCredentials, appointment: Appointment, http_client: Any | None = None,
    *, timeout: float = DEFAULT_TIMEOUT, budget: Deadline | None = None,
) -> RoomChange:
    """Ask Twilio to set the appointment's in-progress room to ``completed`` (a room not in
    progress: nothing is sent); the result is the status in Twilio's reply."""
    room_name = _room_name(appointment)
    with twilio_session(credentials, http_client, timeout=timeout, budget=budget) as client:
        room = _existing_room(client, appointment, room_name)
        requested = False
        if room.status == "in-progress":
            room_api = paths.room_api(client, sid_of(room, "RM", "room"))
            try:
                room = room_api.update(status="completed")
                requested = True
            except Exception as exc:
                # it may have ended between the two calls: look again before failing
                again = room_api.fetch()
                if again.status == "in-progress":
                    raise exc from None
                room = again
        status = text(room.status)  # what Twilio's reply says, not what was asked
        return RoomChange(
            action="end", appointment_id=appointment.id,
            room_name=text(room.unique_name) or room_name, room_sid=text(room.sid),
            status=status, changed=requested and status == "completed", requested=requested,
        )


def kick_participant(
    credentials: TwilioCredentials, appointment: Appointment, who: str,
    http_client: Any | None = None, *, timeout: float = DEFAULT_TIMEOUT,
    budget: Deadline | None = None,
) -> RoomChange:
    """Set a connected participant's status to ``disconnected`` (Twilio addresses a
    connected participant by identity, so this is one request).

    ``who``: a Twilio identity, or a user id or email of the appointment's
    patient or psychologist.  Not connected: exit 5 naming who is.
    """
    room_name = _room_name(appointment)
    wanted = identity_of(who, appointment)
    with twilio_session(credentials, http_client, timeout=timeout, budget=budget) as client:
        room = _existing_room(client, appointment, room_name)
        shown_room = text(room.unique_name) or room_name
        if room.status != "in-progress":
            raise NotFoundError(
                f"{wanted} is not connected to room {shown_room}: the room is "
                f"{text(room.status) or 'not in progress'}, nobody is connected",
            )
        room_api = paths.room_api(client, sid_of(room, "RM", "room"))
        try:
            record = paths.participant_api(room_api, wanted).update(status="disconnected")
        except Exception as exc:
            if not _is_not_found(exc):
                raise
            connected, _ = room_participants(client, room, include_disconnected=False)
            raise NotFoundError(
                f"{wanted} is not connected to room {shown_room}; "
                f"{_who_is(connected, appointment)}",
                hint=f"see `vtctl room participants {appointment.id} --local`",
            ) from exc
        status = text(record.status)  # what Twilio's reply says, not what was asked
        return RoomChange(
            action="kick", appointment_id=appointment.id, room_name=shown_room,
            room_sid=text(room.sid), status=status, changed=status == "disconnected",
            identity=text(record.identity) or wanted, participant_sid=text(record.sid),
            requested=True,
        )


def identity_of(who: str, appointment: Appointment) -> str:
    """``who`` as a Twilio identity: the appointment's user with that id or email, else as is."""
    text = who.strip()
    for user in (appointment.patient, appointment.psychologist):
        if user is not None and text.casefold() in (str(user.id), user.email.casefold()):
            return user_identity(user)
    return text


def _who_is(connected: list[Any], appointment: Appointment) -> str:
    if not connected:
        return "nobody is connected"
    names = []
    for record in connected:
        identity = text(record.identity) or "?"
        role = role_of(identity, appointment)
        names.append(f"{identity} ({role})" if role else identity)
    return "connected: " + ", ".join(names)


def _room_name(appointment: Appointment) -> str:
    if not appointment.video_room_id:
        raise NoVideoRoomError.of(appointment.id)
    return appointment.video_room_id


def _existing_room(client: Any, appointment: Appointment, room_name: str) -> Any:
    room = fetch_room(client, room_name)
    if room is None:
        raise NotFoundError(
            f"room {room_name} does not exist in Twilio: nobody has connected to it yet",
            hint=f"`vtctl status {appointment.id} --local` shows the room",
        )
    return room


def _is_not_found(exc: BaseException) -> bool:
    from vtctl.twilio_video.client import NOT_FOUND_CODE, twilio_status

    status, code = twilio_status(exc)
    return status == 404 or code == NOT_FOUND_CODE
