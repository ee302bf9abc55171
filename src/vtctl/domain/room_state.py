"""What Twilio says about rooms, as vtctl reports it: a room's state, participants and
published tracks (``status``, ``room participants``, ``diagnose``), the room list, and
what ``room end`` / ``room kick`` did.  Apart from ``models`` so that minting a token
does not build these classes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vtctl.domain.models import JsonFields, User


@dataclass(frozen=True, slots=True)
class PublishedTrack(JsonFields):
    """One track a participant publishes (Twilio's PublishedTracks resource)."""

    kind: str  # audio | video | data
    name: str | None = None
    sid: str | None = None
    enabled: bool | None = None  # False: published but muted/disabled


@dataclass(frozen=True, slots=True)
class Participant(JsonFields):
    identity: str
    status: str | None = None
    sid: str | None = None
    role: str | None = None
    connected_at: datetime | None = None
    disconnected_at: datetime | None = None
    duration_seconds: int | None = None
    #: None: the tracks were not asked for (unknown), () : none published
    tracks: tuple[PublishedTrack, ...] | None = None


#: ``RoomStatus.status`` when Twilio was not asked (or could not answer): nobody
#: knows who is in the room, which is not the same as nobody being there
UNKNOWN_STATE = "unknown"


@dataclass(frozen=True, slots=True)
class RoomStatus(JsonFields):
    """Room inspection; every field but the ids may be unknown."""

    JSON_FIELDS = (
        "appointment_id", "room_name", "status", "sid", "type", "created_at",
        "duration_seconds", "participant_count", "max_participants", "participants",
        "message", "unknown_reason",
    )

    appointment_id: int
    room_name: str | None
    status: str | None = None  # in-progress, completed, not-created, unknown
    sid: str | None = None
    room_type: str | None = None
    created_at: datetime | None = None
    duration_seconds: int | None = None
    max_participants: int | None = None
    participants: tuple[Participant, ...] = ()
    participant_count: int | None = None
    message: str | None = None  # why the state is unknown, or a note about it
    #: with status ``unknown``: why Twilio gave no answer (see ``domain.rooms.UNKNOWN_REASONS``)
    unknown_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def state_known(self) -> bool:
        return self.status != UNKNOWN_STATE

    @property
    def active_participant_count(self) -> int | None:
        """Connected participants; None when the room's state is unknown."""
        if self.participant_count is not None:
            return self.participant_count
        if not self.state_known:
            return None
        return sum(1 for p in self.participants if p.status in (None, "connected"))

    def json_attr(self, name: str) -> Any:
        if name == "type":
            return self.room_type
        if name == "participant_count":  # connected now, however it was learnt
            return self.active_participant_count
        if name == "participants" and not self.participants and not self.state_known:
            return None  # nobody was asked: not "nobody is there"
        return getattr(self, name)


@dataclass(frozen=True, slots=True)
class RoomSummary(JsonFields):
    """One row of ``vtctl room list``: a Twilio room and the appointment its name maps to."""

    sid: str
    name: str | None
    status: str | None
    created_at: datetime | None = None
    duration_seconds: int | None = None
    #: in-progress: connected now; otherwise: everyone who took part (None: not counted)
    participant_count: int | None = None
    appointment_id: int | None = None
    patient: User | None = None
    psychologist: User | None = None


@dataclass(frozen=True, slots=True)
class RoomChange(JsonFields):
    """What ``room end`` / ``room kick`` did (``changed`` False: it was so already)."""

    #: ``room kick``'s fields; ``room end`` has the first six (``END_FIELDS``)
    JSON_FIELDS = ("action", "appointment_id", "room_name", "room_sid", "status", "changed",
                   "identity", "participant_sid")
    END_FIELDS = JSON_FIELDS[:6]

    action: str  # end | kick
    appointment_id: int
    room_name: str | None
    room_sid: str | None
    status: str | None  # the room's (end) or the participant's (kick) status in Twilio's reply
    changed: bool
    identity: str | None = None
    participant_sid: str | None = None
    #: the change was asked of Twilio (False: the room was not live, nothing was sent)
    requested: bool = False

    def unfinished(self) -> str | None:
        """Why Twilio's reply shows the change not made (None: made, or nothing to make).

        The reply is the truth: an end answered ``in-progress`` did not end the room."""
        if not self.requested or self.status == self.target:
            return None
        who = f"room {self.room_name}" if self.action == "end" else (self.identity or "?")
        return f"Twilio's reply to the {self.action} request says {who} {self.state_words}"

    @property
    def target(self) -> str:
        """The status the action asks Twilio for."""
        return "completed" if self.action == "end" else "disconnected"

    @property
    def state_words(self) -> str:
        """``is still in-progress``, ``is failed, not completed``: the state in the reply."""
        if not self.status:
            return "is in a state it does not give"
        if self.status in ("in-progress", "connected", "reconnecting"):
            return f"is still {self.status}"
        return f"is {self.status}, not {self.target}"

    def to_json(self) -> dict[str, Any]:
        return self.json_of(self.JSON_FIELDS if self.action == "kick" else self.END_FIELDS)
