"""Parse and validate an import file (docs/api.md's import format) before any write;
``ImportCounts``: what the store's import did with it.

Every JSON object remembers the line it starts on, so a bad record is
reported as ``line 7: appointments[0].duration_minutes: ...``.  The whole
file is validated first; the store is only written when all of it is good.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, TypeVar, cast

from vtctl.domain.errors import ImportFileError
from vtctl.domain.models import ROLES, Appointment, Role, User, format_utc, parse_utc
from vtctl.domain.rooms import room_name_problem
from vtctl.domain.rules import MAX_ID
from vtctl.util.jsonkind import json_kind
from vtctl.util.text import text_problem

#: Larger files are refused before parsing (a store is thousands of rows, not GBs).
MAX_IMPORT_BYTES = 32 * 1024 * 1024
#: where a reader finds the format (`appointment import --help` and errors say it)
IMPORT_FORMAT_DOC = 'docs/api.md ("The import format") in vtctl\'s repository'
IMPORT_FORMAT_HINT = (f"the format is in {IMPORT_FORMAT_DOC}; "
                      "`vtctl appointment export --profile demo` prints an example")
MAX_TEXT = 320  # emails are at most 254; names are short


class _Located(dict[str, Any]):
    """A JSON object that knows where it stands in the source text."""

    source: str = ""
    start: int = 0
    end: int = 0

    @property
    def line(self) -> int:
        return self.source.count("\n", 0, self.start) + 1

    def key_line(self, key: str) -> int:
        """The line of ``"key":`` inside this object (the object's line if not found)."""
        at = self.source.find(json.dumps(key), self.start, self.end)
        return self.source.count("\n", 0, at) + 1 if at >= 0 else self.line


class _LocatingDecoder(json.JSONDecoder):
    def __init__(self, text: str) -> None:
        super().__init__()
        original = json.decoder.JSONObject  # type: ignore[attr-defined]

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[dict[str, Any], int]:
            source, start = s_and_end
            pairs, end = original(s_and_end, *args)
            located = _Located(pairs)
            located.source, located.start, located.end = source, start, end
            return located, end

        self.parse_object = parse_object
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ImportData:
    users: tuple[User, ...]
    appointments: tuple[Appointment, ...]
    source: str = "import file"
    #: the appointments' JSON objects, to name a line only when one is at fault
    records: tuple[Any, ...] = ()

    def users_from_elsewhere(self) -> set[int]:
        """Ids the appointments name that the file does not define (the store must)."""
        defined = {user.id for user in self.users}
        named = {i for a in self.appointments for i in (a.patient_id, a.psychologist_id)}
        return named - defined

    def unknown_user(self, user_id: int) -> ImportFileError:
        """The error for an appointment naming a user neither the file nor the store has."""
        for index, appointment in enumerate(self.appointments):
            for role in ("patient", "psychologist"):
                if getattr(appointment, f"{role}_id") == user_id:
                    record = self.records[index] if index < len(self.records) else None
                    field = f"{role}_id"
                    line = record.key_line(field) if isinstance(record, _Located) else None
                    at = f"line {line}: " if line is not None else ""
                    return ImportFileError(
                        f"{self.source}: {at}appointments[{index}].{field}: no user {user_id} "
                        "in the file or the store",
                        hint="add the user to the file's \"users\"",
                    )
        return ImportFileError(f"{self.source}: no user {user_id} in the file or the store")


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What ``AppointmentStore.import_records`` did with the records it was given."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


def parse_import(raw: bytes, source: str = "import file") -> ImportData:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"{source} is {len(raw)} bytes; the limit is {MAX_IMPORT_BYTES} bytes"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(f"{source}: line {line}: not valid UTF-8") from exc
    if not text.strip():
        raise ImportFileError(f"{source} is empty", hint=IMPORT_FORMAT_HINT)
    try:
        document = _LocatingDecoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{source}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(f"{source}: JSON nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ImportFileError(f"{source}: invalid JSON: {str(exc)[:120]}") from exc
    return _validate(document, source)


class _Fields:
    """Typed access to one record with errors naming line and field."""

    def __init__(self, record: Any, where: str, source: str, line: int | _Located) -> None:
        # the line is counted only when a record fails: counting it for every
        # record of a large file is quadratic
        self.where, self.source, self._line = where, source, line
        self.record: dict[str, Any] = record
        if not isinstance(record, dict):
            self.fail(where, f"expected an object, got {json_kind(record)}")

    @property
    def line(self) -> int:
        if isinstance(self.record, _Located):
            return self.record.line
        if isinstance(self._line, _Located):
            return self._line.line
        return self._line if isinstance(self._line, int) else 0

    def fail(self, field: str, problem: str) -> NoReturn:
        line = self.line
        if isinstance(self.record, _Located) and field.startswith(f"{self.where}."):
            line = self.record.key_line(field.removeprefix(f"{self.where}."))
        at = f"line {line}: " if line else ""  # 0: a document that is no file (a reply)
        raise ImportFileError(f"{self.source}: {at}{field}: {problem}")

    def integer(self, name: str, minimum: int = 1) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{self.where}.{name}", f"expected an integer, got {json_kind(value)}")
        if not minimum <= value <= MAX_ID:
            self.fail(f"{self.where}.{name}", f"must be between {minimum} and 2^63-1, got {value}")
        return int(value)

    def text(self, name: str, optional: bool = False) -> str | None:
        value = self.record.get(name) if optional else self._get(name)
        if value is None and optional:
            return None
        return self._text(name, value)

    def required_text(self, name: str) -> str:
        return self._text(name, self._get(name))

    def _text(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            self.fail(f"{self.where}.{name}", f"expected a string, got {json_kind(value)}")
        stripped = value.strip()
        if not stripped or len(stripped) > MAX_TEXT or "\n" in stripped or "\r" in stripped:
            self.fail(f"{self.where}.{name}", "must be a non-empty single-line string")
        if (problem := text_problem(stripped)) is not None:
            self.fail(f"{self.where}.{name}", problem)
        return stripped

    def _get(self, name: str) -> Any:
        if name not in self.record:
            self.fail(f"{self.where}.{name}", "missing")
        return self.record[name]


def validate_document(document: Any, source: str) -> ImportData:
    """A decoded document (not a file: errors name no line) validated exactly as an
    import file is: how ``appointment pull`` checks the API's replies."""
    return _validate(document, source, line=0)


def _validate(document: Any, source: str, line: int = 1) -> ImportData:
    if isinstance(document, dict) and "id" in document and not (
        {"users", "appointments"} & document.keys()
    ):
        return _single_appointment(document, source, line)
    top = _Fields(document, "file", source, line)
    unknown = set(top.record) - {"users", "appointments"}
    if unknown:
        top.fail("file", f"unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("users", "appointments"):
        if not isinstance(value := top.record.get(key, []), list):
            top.fail(key, f"expected an array, got {json_kind(value)}")

    users: dict[int, User] = {}
    emails: dict[str, int] = {}
    for f, user in _each(top, "users", "user", _user):
        if (other := emails.get(user.email.lower())) is not None:
            f.fail(f"{f.where}.email", f"{user.email!r} is also the email of user {other}")
        users[user.id] = user
        emails[user.email.lower()] = user.id

    appointments: dict[int, Appointment] = {}
    for f, appointment in _each(top, "appointments", "appointment", _appointment):
        for role in ("patient", "psychologist"):
            user_id = getattr(appointment, f"{role}_id")
            known = users.get(user_id)
            if known is not None and known.role != role:
                f.fail(f"{f.where}.{role}_id", f"user {user_id} is a {known.role}")
        appointments[appointment.id] = appointment
    return ImportData(tuple(users.values()), tuple(appointments.values()), source,
                      tuple(top.record.get("appointments", [])))


_Record = TypeVar("_Record", User, Appointment)


def _each(top: _Fields, key: str, kind: str, build: Callable[[_Fields], _Record]
          ) -> Iterator[tuple[_Fields, _Record]]:
    """Every record of the file's ``key`` array built, a repeated id refused."""
    seen: set[int] = set()
    for index, record in enumerate(top.record.get(key, [])):
        f = _Fields(record, f"{key}[{index}]", top.source, cast(_Located, top.record))
        item = build(f)
        if item.id in seen:
            f.fail(f"{f.where}.id", f"duplicate {kind} id {item.id}")
        seen.add(item.id)
        yield f, item


def _single_appointment(document: dict[str, Any], source: str, line: int) -> ImportData:
    """`vtctl appointment show ID --json`: one appointment, its users embedded (their
    role is where they stand)."""
    f = _Fields(document, "appointment", source, line)
    appointment = _appointment(f)
    users: list[User] = []
    for role in ("patient", "psychologist"):
        embedded = f.record.get(role)
        if embedded is None:
            continue
        u = _Fields(embedded, f"appointment.{role}", source, f.line)
        user = _user(u, implied_role=role)
        if user.id != getattr(appointment, f"{role}_id"):
            u.fail(f"appointment.{role}.id", f"{user.id} is not the {role}_id")
        users.append(user)
    return ImportData(tuple(users), (appointment,), source, (document,))


def _user(f: _Fields, implied_role: Role | None = None) -> User:
    user_id = f.integer("id")
    email = f.required_text("email")
    if "@" not in email or " " in email:
        f.fail(f"{f.where}.email", f"{email!r} is not an email address")
    name = f.required_text("name")
    role = f.record.get("role", implied_role)
    if implied_role is not None and role != implied_role:
        f.fail(f"{f.where}.role", f"must be {implied_role!r} here, got {role!r}")
    if role not in ROLES:
        f.fail(f"{f.where}.role", f"must be 'patient' or 'psychologist', got {role!r}")
    return User(id=user_id, email=email, name=name, role=cast(Role, role))


def _appointment(f: _Fields) -> Appointment:
    starts_text = f.text("starts_at", optional=True)
    starts_at: datetime | None = None
    if starts_text is not None:
        try:
            starts_at = parse_utc(starts_text)
        except ValueError:
            f.fail(f"{f.where}.starts_at", f"{starts_text!r} is not an ISO 8601 timestamp")
    appointment_id = f.integer("id")
    room = f.text("video_room_id", optional=True)
    if room is not None and (problem := room_name_problem(room, appointment_id)) is not None:
        f.fail(f"{f.where}.video_room_id", problem)
    patient_id = f.integer("patient_id")
    psychologist_id = f.integer("psychologist_id")
    if patient_id == psychologist_id:
        f.fail(f"{f.where}.psychologist_id", "must differ from patient_id")
    return Appointment(
        id=appointment_id,
        patient_id=patient_id,
        psychologist_id=psychologist_id,
        duration_minutes=_duration(f),
        starts_at=starts_at,
        video_room_id=room,
    )


def _duration(f: _Fields) -> int:
    minutes = f.integer("duration_minutes", minimum=0)
    if minutes > 24 * 60:
        f.fail(f"{f.where}.duration_minutes", f"{minutes} is longer than a day")
    return minutes



def export_lines(users: Iterable[User], appointments: Iterable[Appointment]) -> Iterator[str]:
    """The import document for these records, one record a line (streamed: a large
    store is never one string in memory). ``parse_import`` reads it back unchanged."""
    yield '{"users": ['
    yield from _joined(json.dumps({"id": u.id, "email": u.email, "name": u.name,
                                   "role": u.role}, ensure_ascii=False) for u in users)
    yield '], "appointments": ['
    yield from _joined(json.dumps({
        "id": a.id, "patient_id": a.patient_id, "psychologist_id": a.psychologist_id,
        "duration_minutes": a.duration_minutes,
        "starts_at": format_utc(a.starts_at) if a.starts_at else None,
        "video_room_id": a.video_room_id,
    }, ensure_ascii=False) for a in appointments)
    yield "]}"


def _joined(items: Iterator[str]) -> Iterator[str]:
    """``items`` indented, with the commas a JSON array needs between them."""
    previous: str | None = None
    for item in items:
        if previous is not None:
            yield f"  {previous},"
        previous = item
    if previous is not None:
        yield f"  {previous}"
