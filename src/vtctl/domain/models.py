"""Plain dataclasses passed between the engine, the store, the REST client,
the server and the renderers.  No I/O and no heavy imports here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from vtctl.domain.errors import VtctlError

Role = Literal["patient", "psychologist"]
Severity = Literal["ok", "warning", "problem"]
ROLES: tuple[Role, ...] = ("patient", "psychologist")

#: The guide's eight fields of a token reply, in the guide's order.
TOKEN_FIELDS: tuple[str, ...] = (
    "access_token",
    "room_name",
    "user_identity",
    "expires_in",
    "expires_at",
    "appointment_id",
    "appointment_duration_minutes",
    "token_valid_until",
)


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix, to the second (the guide's form)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; naive values are taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError(f"{text!r} is out of range in UTC") from exc


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    patient_id: int
    psychologist_id: int
    duration_minutes: int
    starts_at: datetime | None = None
    video_room_id: str | None = None
    patient: User | None = None
    psychologist: User | None = None
    #: fields a remote backend sent that the guide does not name
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def participant_ids(self) -> tuple[int, int]:
        return (self.patient_id, self.psychologist_id)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "patient_id": self.patient_id,
            "psychologist_id": self.psychologist_id,
            "duration_minutes": self.duration_minutes,
            "starts_at": format_utc(self.starts_at) if self.starts_at else None,
            "video_room_id": self.video_room_id,
        }
        for role, user in (("patient", self.patient), ("psychologist", self.psychologist)):
            if user is not None:
                data[role] = {"id": user.id, "email": user.email, "name": user.name}
        return {**self.extra, **data}


@dataclass(slots=True)
class VideoToken:
    """A token reply: exactly the guide's eight fields.

    Not frozen: frozen dataclasses pay ``object.__setattr__`` per field, and
    ``serve`` builds one of these per request.
    """

    access_token: str
    room_name: str
    user_identity: str
    expires_in: int
    expires_at: datetime
    appointment_id: int
    appointment_duration_minutes: int
    token_valid_until: str

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "room_name": self.room_name,
            "user_identity": self.user_identity,
            "expires_in": self.expires_in,
            "expires_at": format_utc(self.expires_at),
            "appointment_id": self.appointment_id,
            "appointment_duration_minutes": self.appointment_duration_minutes,
            "token_valid_until": self.token_valid_until,
        }


@dataclass(frozen=True, slots=True)
class RoomInfo:
    """What ``room create`` returns: the room the appointment now has."""

    appointment_id: int
    room_name: str
    created: bool  # False when the appointment already had this room

    def to_json(self) -> dict[str, Any]:
        return {
            "appointment_id": self.appointment_id,
            "room_name": self.room_name,
            "created": self.created,
        }


@dataclass(frozen=True, slots=True)
class PublishedTrack:
    """One track a participant publishes (Twilio's PublishedTracks resource)."""

    kind: str  # audio | video | data
    name: str | None = None
    sid: str | None = None
    enabled: bool | None = None  # False: published but muted/disabled

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "sid": self.sid, "enabled": self.enabled}


@dataclass(frozen=True, slots=True)
class Participant:
    identity: str
    status: str | None = None
    sid: str | None = None
    role: str | None = None
    connected_at: datetime | None = None
    disconnected_at: datetime | None = None
    duration_seconds: int | None = None
    #: None: the tracks were not asked for (unknown), () : none published
    tracks: tuple[PublishedTrack, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "status": self.status,
            "sid": self.sid,
            "role": self.role,
            "connected_at": format_utc(self.connected_at) if self.connected_at else None,
            "disconnected_at": format_utc(self.disconnected_at) if self.disconnected_at else None,
            "duration_seconds": self.duration_seconds,
            "tracks": None if self.tracks is None else [t.to_json() for t in self.tracks],
        }


#: ``RoomStatus.status`` when Twilio was not asked (or could not answer): nobody
#: knows who is in the room, which is not the same as nobody being there
UNKNOWN_STATE = "unknown"


@dataclass(frozen=True, slots=True)
class RoomStatus:
    """Room inspection; every field but the ids may be unknown."""

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

    def to_json(self) -> dict[str, Any]:
        data = {
            "appointment_id": self.appointment_id,
            "room_name": self.room_name,
            "status": self.status,
            "sid": self.sid,
            "type": self.room_type,
            "created_at": format_utc(self.created_at) if self.created_at else None,
            "duration_seconds": self.duration_seconds,
            "participant_count": self.active_participant_count,
            "max_participants": self.max_participants,
            "participants": [p.to_json() for p in self.participants],
            "message": self.message,
        }
        if self.unknown_reason is not None:
            data["unknown_reason"] = self.unknown_reason
        return data


@dataclass(frozen=True, slots=True)
class RoomSummary:
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

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "name": self.name,
            "status": self.status,
            "created_at": format_utc(self.created_at) if self.created_at else None,
            "duration_seconds": self.duration_seconds,
            "participant_count": self.participant_count,
            "appointment_id": self.appointment_id,
            "patient": _user_json(self.patient),
            "psychologist": _user_json(self.psychologist),
        }


def _user_json(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "email": user.email, "name": user.name}


@dataclass(frozen=True, slots=True)
class RoomChange:
    """What ``room end`` / ``room kick`` did (``changed`` False: it was so already)."""

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
        data: dict[str, Any] = {
            "action": self.action,
            "appointment_id": self.appointment_id,
            "room_name": self.room_name,
            "room_sid": self.room_sid,
            "status": self.status,
            "changed": self.changed,
        }
        if self.action == "kick":
            data["identity"] = self.identity
            data["participant_sid"] = self.participant_sid
        return data


@dataclass(frozen=True, slots=True)
class MintedToken:
    access_token: str
    identity: str
    room_name: str
    ttl: int
    expires_at: datetime
    api_key_sid: str
    source: str  # environment | keyring | demo

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "identity": self.identity,
            "room_name": self.room_name,
            "ttl": self.ttl,
            "expires_at": format_utc(self.expires_at),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of ``vtctl diagnose``: what was checked, how it went, what to do next."""

    check: str
    status: Severity
    detail: str
    #: a command to paste or words to tell the person (``tell ...``), or None
    action: str | None = None
    #: the check could not run because of this fault (no credentials, Twilio unreachable,
    #: a reply that is not Twilio's): its exit code is the command's unless a problem was
    #: found.  Not in the JSON (the status is ``warning``, the detail ``could not run: ...``)
    fault: VtctlError | None = field(default=None, compare=False, repr=False)

    @property
    def ran(self) -> bool:
        return self.fault is None

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "detail": self.detail,
                "action": self.action}
