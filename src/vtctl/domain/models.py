"""The records passed between the engine, the store, the REST client, the server
and the renderers: users and appointments (``Record``s), their tokens (a NamedTuple), and
``JsonFields``, the mixin that gives a record (a ``Record`` or a dataclass) its JSON.
No I/O and no heavy imports here.

Each module of records holds what the commands that use it need, no more: a
dataclass costs ~1 ms to build at import, so ``vtctl token`` builds these and not
Twilio's room states (``room_state``), ``room create``'s result (``room_info``),
``mint``'s tokens (``minted``) or ``diagnose``'s findings (``findings``).

No ``from __future__ import annotations``: ``VideoToken`` is a NamedTuple, which would
compile each string annotation at every start (DEVELOPING.md)."""

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Literal, NamedTuple

from vtctl.util.record import Record

Role = Literal["patient", "psychologist"]
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
    """A record whose JSON document is its ``json_fields()``, read off the object.

    The field list is declared once, here: ``to_json`` builds the document from it and
    a command's ``--help`` lists it (``cli.framework.json_flags.json_option``).  A class
    names its fields in ``JSON_FIELDS`` (a computed one is a property of that name);
    without it, every dataclass field is one (a ``Record`` names them).
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


class User(Record, JsonFields):
    """A patient or psychologist of the store or the API.

    The records every command builds are ``Record``s, not dataclasses: a dataclass
    compiles its generated methods at each start (about 3 ms for these three here),
    which every command that imports them pays (``vtctl.util.record``).
    """

    JSON_FIELDS = ("id", "email", "name")  # the role is the key it sits under

    id: int
    email: str
    name: str
    role: Role


class Appointment(Record, JsonFields):
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
    #: fields a remote backend sent that the guide does not name (read-only)
    extra: Mapping[str, Any] = MappingProxyType({})

    def participant_ids(self) -> tuple[int, int]:
        return (self.patient_id, self.psychologist_id)

    def to_json(self) -> dict[str, Any]:
        data = self.json_of(self.JSON_FIELDS)
        return {**data, **{k: v for k, v in self.extra.items() if k not in data}}


class VideoToken(NamedTuple):
    """A token reply: exactly the guide's eight fields.

    A NamedTuple, not a ``Record``: the engine makes one per minted token (``serve``'s
    hot path), and ``tuple.__new__`` is faster per object than ``Record``'s ``__init__``.
    A NamedTuple takes no mixin, so it carries ``json_fields`` and ``to_json`` itself."""

    access_token: str
    room_name: str
    user_identity: str
    expires_in: int
    expires_at: datetime
    appointment_id: int
    appointment_duration_minutes: int
    token_valid_until: str

    @classmethod
    def json_fields(cls) -> tuple[str, ...]:
        return TOKEN_FIELDS

    def to_json(self) -> dict[str, Any]:
        return {name: json_value(getattr(self, name)) for name in TOKEN_FIELDS}
