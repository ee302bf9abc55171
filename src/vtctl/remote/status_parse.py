"""Parse the remote backend's GET /api/appointments/video-status/ID/ reply.

The guide only promises "current room status, participant count, and
connection information", so this is tolerant: it reads ``RoomStatus.to_json()``'s
shape and the usual variants (``room_name``/``room_sid``/``sid``,
``status``/``room_status``, ``participant_count``/``participants_count``,
Twilio-style participant records, a nested ``room`` object), ignores unknown
fields (kept in ``extra``) and treats optional fields of the wrong type as
unknown.  Only a reply that is not a JSON object is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from vtctl.domain.errors import MalformedResponseError
from vtctl.domain.models import parse_utc
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus
from vtctl.util.jsonkind import json_kind
from vtctl.util.text import printable

T = TypeVar("T")

_ROOM_NAME_KEYS = ("room_name", "unique_name", "video_room_id", "name", "room")
_ROOM_SID_KEYS = ("room_sid", "sid")
_STATUS_KEYS = ("status", "room_status", "state")
_TYPE_KEYS = ("type", "room_type")
_CREATED_KEYS = ("created_at", "date_created", "start_time", "started_at")
_DURATION_KEYS = ("duration_seconds", "duration")
_MAX_KEYS = ("max_participants",)
_COUNT_KEYS = (
    "participant_count", "participants_count", "num_participants", "connected_participants",
    "active_participants",
)
_PARTICIPANTS_KEYS = ("participants", "participant_list", "connected_participants")
_MESSAGE_KEYS = ("message", "detail", "error")

_P_IDENTITY_KEYS = ("identity", "user_identity", "name")
_P_STATUS_KEYS = ("status", "state")
_P_SID_KEYS = ("sid", "participant_sid")
_P_ROLE_KEYS = ("role",)
_P_CONNECTED_KEYS = ("connected_at", "start_time", "date_created", "joined_at")
_P_DISCONNECTED_KEYS = ("disconnected_at", "end_time", "left_at")
_P_DURATION_KEYS = ("duration_seconds", "duration")

_KNOWN = {
    *_ROOM_NAME_KEYS, *_ROOM_SID_KEYS, *_STATUS_KEYS, *_TYPE_KEYS, *_CREATED_KEYS,
    *_DURATION_KEYS, *_MAX_KEYS, *_COUNT_KEYS, *_PARTICIPANTS_KEYS, *_MESSAGE_KEYS,
    "appointment_id", "unknown_reason",
}


def parse_room_status(payload: Any, appointment_id: int) -> RoomStatus:
    """A ``RoomStatus`` from a video-status reply; a non-object is malformed."""
    if not isinstance(payload, Mapping):
        raise MalformedResponseError(
            f"the video status reply is not a JSON object (got {json_kind(payload)})",
            hint="check --base-url: it should point at the telehealth API",
        )
    # some servers nest the room: {"room": {...}, "participants": [...]}
    fields: dict[str, Any] = {}
    room = payload.get("room")
    if isinstance(room, Mapping):
        fields.update(room)
    for key, value in payload.items():
        if key == "room" and isinstance(value, Mapping):
            continue
        if value is not None or key not in fields:  # top level wins unless null
            fields[key] = value

    sid = _first_str(fields, _ROOM_SID_KEYS)
    room_name = _first_str(fields, _ROOM_NAME_KEYS)
    participants = _participants(_first(fields, _PARTICIPANTS_KEYS))
    count = _first_int(fields, _COUNT_KEYS)
    if count is None:  # {"participants": 2} is a count, not a list
        count = _int(fields.get("participants"))
    return RoomStatus(
        appointment_id=_int(fields.get("appointment_id")) or appointment_id,
        room_name=room_name,
        status=_first_str(fields, _STATUS_KEYS),
        sid=sid,
        room_type=_first_str(fields, _TYPE_KEYS),
        created_at=_first_time(fields, _CREATED_KEYS),
        duration_seconds=_first_int(fields, _DURATION_KEYS),
        max_participants=_first_int(fields, _MAX_KEYS),
        participants=participants,
        participant_count=count,
        message=_first_str(fields, _MESSAGE_KEYS),
        unknown_reason=_first_str(fields, ("unknown_reason",)),
        extra={k: v for k, v in payload.items() if k not in _KNOWN},
    )


def _participants(value: Any) -> tuple[Participant, ...]:
    if not isinstance(value, list):
        return ()
    found = []
    for item in value:
        if isinstance(item, str) and item.strip():
            found.append(Participant(identity=item.strip()))
        elif isinstance(item, Mapping):
            identity = _first_str(item, _P_IDENTITY_KEYS)
            if identity is None:
                continue
            found.append(
                Participant(
                    identity=identity,
                    status=_first_str(item, _P_STATUS_KEYS),
                    sid=_first_str(item, _P_SID_KEYS),
                    role=_first_str(item, _P_ROLE_KEYS),
                    connected_at=_first_time(item, _P_CONNECTED_KEYS),
                    disconnected_at=_first_time(item, _P_DISCONNECTED_KEYS),
                    duration_seconds=_first_int(item, _P_DURATION_KEYS),
                    tracks=_tracks(item.get("tracks")),
                )
            )
    return tuple(found)


def _tracks(value: Any) -> tuple[PublishedTrack, ...] | None:
    """vtctl serve's ``tracks`` list (absent: the server did not say)."""
    if not isinstance(value, list):
        return None
    return tuple(
        PublishedTrack(
            kind=_first_str(item, ("kind",)) or "?",
            name=_first_str(item, ("name",)),
            sid=_first_str(item, ("sid",)),
            enabled=item["enabled"] if isinstance(item.get("enabled"), bool) else None,
        )
        for item in value
        if isinstance(item, Mapping)
    )


# -- tolerant field readers: the first key present with a usable value wins ----------


def _first_read(fields: Mapping[str, Any], keys: tuple[str, ...],
                read: Callable[[Any], T | None]) -> T | None:
    """What ``read`` makes of the first key's value it makes something (not None) of."""
    for key in keys:
        value = read(fields.get(key))
        if value is not None:
            return value
    return None


def _first(fields: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return _first_read(fields, keys, lambda value: value)


def _first_str(fields: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    return _first_read(fields, keys, _text)


def _first_int(fields: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    return _first_read(fields, keys, _int)


def _first_time(fields: Mapping[str, Any], keys: tuple[str, ...]) -> datetime | None:
    return _first_read(fields, keys, _time)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return printable(value.strip())  # no terminal escapes from the server
    return None


def _time(value: Any) -> datetime | None:
    if isinstance(value, str) and value.strip():
        try:
            return parse_utc(value.strip())
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    """An int, an integral float, or a decimal string; anything else is unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= 19:  # no int() of 5000 digits
        return int(text)
    return None

