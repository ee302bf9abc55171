"""What ``vtctl history`` reads before the pure timeline is built (``checks.history``).

The backend must be able to ask Twilio (local; the remote backend is exit 2
before anything is read); the appointment must exist (5) and have a room (5);
Twilio's Video API must answer (3, 6, 7).  Video Insights need not: what it
lacks becomes a note.  The audit trail need not verify either: the backend says
why it did not (``SessionSources.trail_doubt``), a finding tells it, and
``vtctl history`` exits 9 or 3 once the story is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from vtctl.backends.base import Backend
from vtctl.checks.history import build_history
from vtctl.domain.errors import NoVideoRoomError
from vtctl.domain.history import SessionHistory
from vtctl.domain.room_ref import RoomRef


def gather_history(backend: Backend, ref: RoomRef, now: datetime, all_rooms: bool = False,
                   action_flags: Sequence[str] = ()) -> SessionHistory:
    backend.check_room_operations("history")
    appointment_id = backend.resolve_room(ref)
    appointment = backend.appointment(appointment_id)
    room_name = ref.room_name or appointment.video_room_id
    if not room_name:
        raise NoVideoRoomError.of(appointment.id)
    sources = backend.session_sources(appointment.id, room_name, all_rooms)
    return build_history(sources, now, action_flags)
