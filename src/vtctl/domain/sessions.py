"""The shift view's values (``vtctl sessions``): what Twilio said, and one row per appointment.

Plain dataclasses; the states are computed in ``vtctl.checks.sessions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vtctl.domain.errors import VtctlError
from vtctl.domain.models import Appointment, JsonFields, json_value
from vtctl.domain.room_state import Participant

UPCOMING = "upcoming"
NO_ROOM = "no room"
WAITING = "waiting"
IN_SESSION = "in session"
OVERRUN = "overrun"
MISSED = "missed"
ENDED = "ended"
STRANGER = "stranger"
UNKNOWN = "unknown"

#: every state, in the order the view sorts them: what needs someone now comes first
STATES: tuple[str, ...] = (
    STRANGER, WAITING, NO_ROOM, MISSED, OVERRUN, UNKNOWN, IN_SESSION, UPCOMING, ENDED,
)

#: the fields of each row's JSON object, in order (CONTRACT.md): ``SessionRow.to_json``
FIELDS: tuple[str, ...] = (
    "appointment_id", "starts_at", "ends_at", "state", "since", "patient", "psychologist",
    "room_name", "room_sid", "connected", "detail", "action",
)


@dataclass(frozen=True, slots=True)
class TwilioRoom:
    """One room from Twilio's Rooms list, with its connected participants when asked."""

    sid: str
    name: str | None
    status: str | None
    created_at: datetime | None = None
    ended_at: datetime | None = None
    #: connected participants (roles not set); None: not asked or not answered
    participants: tuple[Participant, ...] | None = None
    #: why the participants are unknown (they were asked and Twilio did not answer)
    failure: VtctlError | None = None


@dataclass(frozen=True, slots=True)
class TwilioView:
    """What Twilio said in one refresh (``live``: every in-progress room).

    ``failure``: Twilio could not be asked at all (every room row is unknown);
    ``completed``: recently completed rooms of the window's names (None: not asked,
    or ``completed_failure`` says why not).
    """

    live: tuple[TwilioRoom, ...] = ()
    completed: tuple[TwilioRoom, ...] | None = None
    failure: VtctlError | None = None
    completed_failure: VtctlError | None = None
    #: why Twilio was not asked (the demo profile's fake credentials): rows that needed it
    #: are unknown, and the command exits 3 as with no credentials
    not_asked: str | None = None
    #: how many HTTP requests it took (the benchmark and the request-count test read it)
    requests: int = 0


@dataclass(frozen=True, slots=True)
class SessionEvidence:
    """What one refresh read: the window's appointments and Twilio's view."""

    appointments: tuple[Appointment, ...]
    twilio: TwilioView
    #: appointment ids that live rooms outside the window are named for, and the store
    #: does not have (such a room is no appointment's, not one outside the window)
    missing: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class SessionRow(JsonFields):
    """One appointment of the window and its state at ``now``."""

    JSON_FIELDS = FIELDS

    appointment: Appointment
    state: str
    #: when the state began (joined, both connected, scheduled end...); None: not known
    since: datetime | None = None
    room_sid: str | None = None
    connected: tuple[Participant, ...] = ()
    detail: str = ""
    #: a command to paste, or words for the engineer; None: nothing to do
    action: str | None = None
    #: the fault that left the state unknown (its exit code is the command's)
    fault: VtctlError | None = field(default=None, compare=False)

    @property
    def appointment_id(self) -> int:
        return self.appointment.id

    @property
    def starts_at(self) -> datetime | None:
        return self.appointment.starts_at

    @property
    def ends_at(self) -> datetime | None:
        from datetime import timedelta

        start = self.appointment.starts_at
        return None if start is None else start + timedelta(
            minutes=self.appointment.duration_minutes)

    def json_attr(self, name: str) -> Any:
        if name in ("patient", "psychologist"):
            return getattr(self.appointment, name)
        if name == "room_name":
            return self.appointment.video_room_id
        if name == "connected":
            return [{"identity": p.identity, "role": p.role, "since": json_value(p.connected_at)}
                    for p in self.connected]
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class SessionsReport:
    """The shift at ``now``: rows sorted by attention, and live rooms of no appointment shown."""

    now: datetime
    start: datetime
    end: datetime
    rows: tuple[SessionRow, ...]
    other_rooms: tuple[TwilioRoom, ...] = ()
    #: Twilio could not be asked at all (its live rooms are unknown)
    failure: VtctlError | None = None
    #: ``SessionEvidence.missing``: other rooms' appointments the store does not have
    missing: frozenset[int] = frozenset()

    def counts(self) -> dict[str, int]:
        """Rows per state, in ``STATES`` order, states with no row left out."""
        found = {state: 0 for state in STATES}
        for row in self.rows:
            found[row.state] += 1
        return {state: n for state, n in found.items() if n}

    def faults(self) -> list[VtctlError]:
        return [row.fault for row in self.rows if row.fault is not None]

