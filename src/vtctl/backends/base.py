"""The one interface both backends implement, so every command is written once."""

from __future__ import annotations

from typing import Protocol

from vtctl.models import Appointment, RoomInfo, RoomStatus, VideoToken


class Backend(Protocol):
    """Remote (the REST API) or local (the embedded engine).

    ``as_user`` is the user a token is minted for; the remote backend
    ignores it (the server takes the user from the Bearer JWT).
    """

    name: str

    def video_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken: ...

    def refresh_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken: ...

    def room_status(self, appointment_id: int) -> RoomStatus: ...

    def create_room(self, appointment_id: int) -> RoomInfo: ...

    def appointment(self, appointment_id: int) -> Appointment: ...

    def close(self) -> None: ...
