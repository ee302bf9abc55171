"""What a ``ROOM`` argument names: an appointment, a room name or a Twilio room SID.

``status``, ``room participants|end|kick``, ``history`` and ``diagnose`` all take one;
the parsing is here once so every command accepts and refuses the same forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vtctl.domain.errors import UsageError
from vtctl.domain.rooms import ROOM_NAME
from vtctl.domain.rules import MAX_ID

_ROOM_SID = re.compile(r"RM[0-9a-fA-F]{32}")

ACCEPTED_FORMS = (
    "an appointment id (47), a room name (apt-47-1763138954-46eb915c) "
    "or a Twilio room SID (RM followed by 32 hex digits)"
)


@dataclass(frozen=True, slots=True)
class RoomRef:
    """One of the three forms; ``appointment_id`` is known for the first two."""

    text: str
    appointment_id: int | None = None
    room_name: str | None = None
    room_sid: str | None = None

    @property
    def kind(self) -> str:
        if self.room_sid:
            return "sid"
        return "name" if self.room_name else "appointment"


def parse_room_ref(text: str) -> RoomRef:
    """Parse ``ROOM`` or raise a usage error (exit 2) naming the accepted forms."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit():
        digits = stripped.lstrip("0")
        if digits and len(digits) <= len(str(MAX_ID)) and int(digits) <= MAX_ID:
            return RoomRef(text=stripped, appointment_id=int(digits))
    elif (match := ROOM_NAME.fullmatch(stripped)) and 0 < int(match.group(1)) <= MAX_ID:
        return RoomRef(text=stripped, appointment_id=int(match.group(1)), room_name=stripped)
    elif _ROOM_SID.fullmatch(stripped):
        return RoomRef(text=stripped, room_sid="RM" + stripped[2:].lower())
    shown = repr(text) if len(text) <= 60 else f"{text[:30]!r}... ({len(text)} characters)"
    raise UsageError(f"ROOM must be {ACCEPTED_FORMS}, not {shown}")
