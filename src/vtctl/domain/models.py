"""Plain dataclasses passed between the engine, the store, the REST client,
the server and the renderers.  No I/O and no heavy imports here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

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


def json_value(value: Any) -> Any:
    """``value`` as JSON: a datetime in the guide's form, a model through its ``to_json``."""
    if isinstance(value, datetime):
        return format_utc(value)
    if hasattr(value, "to_json"):  # a JsonFields model, or a nested record of its own
        return value.to_json()
    if isinstance(value, tuple | list):
        return [json_value(item) for item in value]
    return value


class JsonFields:
    """A dataclass whose JSON document is its ``json_fields()``, read off the object.

    The field list is declared once, here: ``to_json`` builds the document from it and
    a command's ``--help`` lists it (``cli.framework.json_flags.json_option``).  A class
    names its fields in ``JSON_FIELDS`` (a computed one is a property of that name);
    without it, every dataclass field is one.
    """

    __slots__ = ()
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def json_fields(cls) -> tuple[str, ...]:
        return cls.JSON_FIELDS or tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def json_attr(self, name: str) -> Any:
        """The value of the field ``name`` (an attribute or property of that name)."""
        return getattr(self, name)

    def json_of(self, fields: tuple[str, ...]) -> dict[str, Any]:
        return {name: json_value(self.json_attr(name)) for name in fields}

    def to_json(self) -> dict[str, Any]:
        return self.json_of(self.json_fields())


@dataclass(frozen=True, slots=True)
class User(JsonFields):
    JSON_FIELDS = ("id", "email", "name")  # the role is the key it sits under

    id: int
    email: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class Appointment(JsonFields):
    """An appointment; its JSON also carries the fields a remote backend sent that the
    guide does not name (``extra``), after the declared ones."""

    JSON_FIELDS = ("id", "patient_id", "psychologist_id", "duration_minutes", "starts_at",
                   "video_room_id", "patient", "psychologist")

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
        data = self.json_of(self.JSON_FIELDS)
        return {**data, **{k: v for k, v in self.extra.items() if k not in data}}


@dataclass(slots=True)
class VideoToken(JsonFields):
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

    JSON_FIELDS = TOKEN_FIELDS


@dataclass(frozen=True, slots=True)
class RoomInfo(JsonFields):
    """What ``room create`` returns: the room the appointment now has."""

    appointment_id: int
    room_name: str
    created: bool  # False when the appointment already had this room


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


@dataclass(frozen=True, slots=True)
class MintedToken(JsonFields):
    JSON_FIELDS = ("access_token", "identity", "room_name", "ttl", "expires_at")

    access_token: str
    identity: str
    room_name: str
    ttl: int
    expires_at: datetime
    api_key_sid: str
    source: str  # environment | keyring | demo


@dataclass(frozen=True, slots=True)
class Finding(JsonFields):
    """One line of ``vtctl diagnose``: what was checked, how it went, what to do next."""

    JSON_FIELDS = ("check", "status", "detail", "action")  # CONTRACT.md; not the fault

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
