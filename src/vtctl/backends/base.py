"""The one interface both backends implement, so every command is written once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:  # in annotations only: importing the interface costs no model
    from datetime import datetime

    from vtctl.domain.history import SessionSources
    from vtctl.domain.models import Appointment, VideoToken
    from vtctl.domain.room_info import RoomInfo
    from vtctl.domain.room_ref import RoomRef
    from vtctl.domain.room_state import RoomChange, RoomStatus, RoomSummary
    from vtctl.domain.sessions import SessionEvidence

T = TypeVar("T")


class Backend(Protocol):
    """Remote (the REST API) or local (the embedded engine).

    ``as_user`` is the user a token is minted for; the remote backend
    ignores it (the server takes the user from the Bearer JWT).
    """

    name: str

    def video_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken: ...

    def refresh_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken: ...

    def resolve_room(self, ref: RoomRef) -> int:
        """The appointment a ``ROOM`` argument names (a SID needs Twilio: local only)."""
        ...

    def room_status(self, appointment_id: int) -> RoomStatus:
        """The room and its participants with their published tracks (when Twilio says).

        Twilio not asked or not answering: the demo profile gives status
        ``unknown`` (exit 0); no credentials, Twilio unreachable or failing raise
        the error of ``domain.rooms.UNKNOWN_REASONS`` on both backends.
        """
        ...

    def check_room_operations(self, command: str) -> None:
        """Raise a usage error (exit 2) when this backend cannot list, end or kick rooms
        or read their history (it cannot ask Twilio).

        The CLI refuses such a command before it opens a backend
        (``with_backend_flags(remote=None)``); this guards other callers."""
        ...

    def list_rooms(self, status: str | None, limit: int) -> list[RoomSummary]:
        """Recent Twilio rooms mapped to appointments (local only)."""
        ...

    def end_room(self, appointment_id: int) -> RoomChange:
        """Set the appointment's room to ``completed`` (local only)."""
        ...

    def kick(self, appointment_id: int, who: str) -> RoomChange:
        """Disconnect a participant (identity, user id or email) from the room (local only)."""
        ...

    def session_sources(self, appointment_id: int, room_name: str, all_rooms: bool = False
                        ) -> SessionSources:
        """Twilio's rooms of that name (with Video Insights) and the audit trail's tokens
        for the appointment or the room (local only)."""
        ...

    def session_evidence(
        self, start: datetime, end: datetime, user: str | None, now: datetime
    ) -> SessionEvidence:
        """The appointments overlapping ``[start, end)`` (of ``user``, an id or email, if
        given) and Twilio's view of their rooms at ``now`` (local only)."""
        ...

    def next_appointment(self, user_id: int, after: datetime, excluding: int
                         ) -> Appointment | None:
        """The user's first appointment not over at ``after``, other than ``excluding``
        (local only: the guide's API cannot list a user's appointments)."""
        ...

    def create_room(self, appointment_id: int) -> RoomInfo: ...

    def appointment(self, appointment_id: int) -> Appointment: ...

    def close(self) -> None: ...


def call_backend(open_backend: Callable[[], Backend], action: Callable[[Backend], T]) -> T:
    """Open a backend, run one action on it, and always close it."""
    backend = open_backend()
    try:
        return action(backend)
    finally:
        backend.close()
