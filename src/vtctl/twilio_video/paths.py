"""Values in Twilio URL paths: the one place they are encoded.

twilio-python builds a resource's path by formatting the value in (``/Rooms/{sid}``)
and does not escape it; httpx then resolves ``..`` segments.  A room name from the
store, a participant identity typed on the command line or a SID in Twilio's reply
would otherwise be path syntax: ``../../v1/Rooms/RM<sid>#`` addresses another room,
``x?Status=completed`` adds a query.  Every such value goes through these helpers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def path_segment(value: object) -> str:
    """``value`` as exactly one URL path segment: everything but unreserved characters
    percent-encoded, and a segment of dots too (``..`` would climb a level)."""
    encoded = quote(value if isinstance(value, str) else str(value), safe="")
    return encoded.replace(".", "%2E") if not encoded.strip(".") else encoded


def room_api(client: Any, room: object) -> Any:
    """Twilio's ``RoomContext`` for a room SID or unique name."""
    return client.video.v1.rooms(path_segment(room))


def insights_room_api(client: Any, room: object) -> Any:
    """Video Insights' room summary context for a room SID."""
    return client.insights.v1.rooms(path_segment(room))


def participant_api(room: Any, participant: object) -> Any:
    """The ``ParticipantContext`` of a room context for a participant SID or identity."""
    return room.participants(path_segment(participant))
