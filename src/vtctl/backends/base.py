"""The one interface both backends implement, so every command is written once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from vtctl.domain.models import Appointment, RoomInfo, RoomStatus, VideoToken
from vtctl.domain.rooms import RoomRef

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

    def room_status(self, appointment_id: int) -> RoomStatus: ...

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
