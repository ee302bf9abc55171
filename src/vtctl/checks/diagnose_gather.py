"""What ``vtctl diagnose`` asks the backend and Twilio, before the pure checks run.

The appointment is the one step that must succeed: its error is the
command's (not found 5, unreachable 7, not logged in 3...).  Anything after
it that fails becomes the fault that kept its checks from running (its exit
code is the command's unless a problem is found).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from vtctl.backends.base import Backend
from vtctl.checks.diagnose import Evidence, Fixes, Unknown, Upcoming, diagnose, long_over
from vtctl.checks.diagnose_token import TokenInHand, token_findings
from vtctl.domain.errors import NoVideoRoomError, TokenFormatError, VtctlError
from vtctl.domain.findings import Finding
from vtctl.domain.jwt_inspect import SigningSecret
from vtctl.domain.models import Appointment
from vtctl.domain.room_ref import RoomRef
from vtctl.domain.room_state import RoomStatus


def room_view(backend: Backend, appointment_id: int, has_room: bool) -> RoomStatus | Unknown:
    if not has_room:
        return Unknown("the appointment has no room, so Twilio was not asked")
    try:
        return backend.room_status(appointment_id)
    except NoVideoRoomError:
        return Unknown("the backend says the appointment has no room")
    except VtctlError as exc:  # no credentials, unreachable, rejected, garbage: a fault
        return Unknown(f"Twilio's view of the room is unknown: {exc.message}", exc)


def upcoming(backend: Backend, appointment: Appointment, now: datetime) -> Upcoming:
    """The patient's next appointment, when this one is long over (a link kept from it is
    the likely reason they cannot get in); unknown where the backend cannot list them."""
    if not long_over(appointment, now):
        return Upcoming()
    try:
        return Upcoming(backend.next_appointment(appointment.patient_id, now, appointment.id),
                        known=True)
    except VtctlError:
        return Upcoming()


def token_in_hand(text: str, find_secret: Callable[[], SigningSecret | None]) -> TokenInHand:
    from vtctl.domain.jwt_inspect import decode, signature_verdict

    try:
        token = decode(text)
        status, detail = signature_verdict(text, token, find_secret())
    except TokenFormatError as exc:
        return TokenInHand(None, exc.message)
    return TokenInHand(token, signature=status, signature_detail=detail)


def gather_and_check(
    backend: Backend,
    ref: RoomRef,
    now: datetime,
    flags: tuple[str, ...] = (),
    token_text: str | None = None,
    find_secret: Callable[[], SigningSecret | None] = lambda: None,
) -> list[Finding]:
    """Every finding for the room ``ref`` names, as seen through ``backend`` at ``now``."""
    appointment_id = backend.resolve_room(ref)
    appointment = backend.appointment(appointment_id)
    fixes = Fixes(appointment.id, flags)
    room = room_view(backend, appointment.id, bool(appointment.video_room_id))
    found = diagnose(Evidence(appointment, room, now, fixes, ref.room_name,
                              upcoming(backend, appointment, now)))
    if token_text is not None:
        found += token_findings(token_in_hand(token_text, find_secret), appointment, now, fixes)
    return found
