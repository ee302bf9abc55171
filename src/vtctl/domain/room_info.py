"""What ``room create`` returns: the room an appointment now has (apart from
``models``: ``vtctl token`` does not create this record)."""

from __future__ import annotations

from dataclasses import dataclass

from vtctl.domain.models import JsonFields


@dataclass(frozen=True, slots=True)
class RoomInfo(JsonFields):
    """What ``room create`` returns: the room the appointment now has."""

    appointment_id: int
    room_name: str
    created: bool  # False when the appointment already had this room
