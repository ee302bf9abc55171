"""Turn the JSON bodies of the REST API into ``vtctl.domain.models`` dataclasses.

Pure functions, no I/O: tolerant of fields the guide does not name (they are
ignored or kept in ``extra``), strict on the guide's required fields and their
types.  Anything unusable becomes ``MalformedResponseError`` (exit 6) naming
the field at fault, never a ``KeyError`` traceback.

Also here: reading the error message out of an error body (``{"error": ...}``
as in the guide, or DRF's ``{"detail": ...}``) and reading the claims of a
JWT *without* verifying it (for expiry checks and ``auth status``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vtctl.domain.errors import MalformedResponseError, TokenFormatError
from vtctl.domain.jwt_inspect import split_token
from vtctl.domain.models import TOKEN_FIELDS, Appointment, User, VideoToken, parse_utc
from vtctl.domain.room_info import RoomInfo
from vtctl.util.jsonkind import json_kind
from vtctl.util.text import has_control, printable

#: longest server message quoted in an error line
MAX_MESSAGE = 300
#: how deep and how wide an error body is searched for its message
MAX_ERROR_DEPTH = 8
MAX_ERROR_ITEMS = 20


# --- error bodies ----------------------------------------------------------


def error_message(payload: Any, _depth: int = 0) -> str | None:
    """The human message of an error body, or None when there is none.

    Reads the guide's ``{"error": "..."}``, DRF's ``{"detail": "..."}``,
    ``{"message": "..."}`` and DRF validation bodies
    (``{"non_field_errors": [...]}``, ``{"password": ["This field is required."]}``).
    """
    if isinstance(payload, str):
        return _clip(payload) if payload.strip() else None
    if _depth >= MAX_ERROR_DEPTH:  # a hostile body nested a thousand lists deep
        return None
    if isinstance(payload, list):
        texts = [t for item in payload[:MAX_ERROR_ITEMS] if (t := error_message(item, _depth + 1))]
        return _clip("; ".join(texts)) if texts else None
    if not isinstance(payload, dict):
        return None
    for key in ("error", "detail", "message", "non_field_errors"):
        if key in payload and (text := error_message(payload[key], _depth + 1)):
            return text
    # DRF field validation: {"field": ["msg", ...], ...}
    parts = []
    for key, value in payload.items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            parts.append(f"{key}: {' '.join(value)}")
    return _clip("; ".join(parts)) if parts else None


def _clip(text: str) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


# --- field helpers ---------------------------------------------------------


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise MalformedResponseError(
            f"malformed {what} reply: expected a JSON object, got {json_kind(payload)}"
        )
    return payload


def _missing(data: dict[str, Any], required: tuple[str, ...], what: str) -> None:
    missing = [name for name in required if name not in data]
    if not missing:
        return
    message = error_message(data)
    if message and len(missing) == len(required):
        # a 200 carrying an error body instead of the data
        raise MalformedResponseError(f"the server answered with an error instead of the {what}: "
                                     f"{message}")
    raise MalformedResponseError(
        f"malformed {what} reply: missing field(s) {', '.join(missing)}",
        hint="is --base-url pointing at the telehealth API?",
    )


def _str(data: dict[str, Any], key: str, what: str, *, empty_ok: bool = False) -> str:
    value = data.get(key)
    if not isinstance(value, str) or (not empty_ok and not value.strip()):
        raise MalformedResponseError(
            f"malformed {what} reply: {key} must be a non-empty string, got {json_kind(value)}"
        )
    if has_control(value):  # would reach the terminal: --raw prints the token as it is
        raise MalformedResponseError(
            f"malformed {what} reply: {key} contains control characters"
        )
    return value


def _int(data: dict[str, Any], key: str, what: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedResponseError(
            f"malformed {what} reply: {key} must be an integer, got {json_kind(value)}"
        )
    return value


def _time(data: dict[str, Any], key: str, what: str) -> datetime:
    text = _str(data, key, what)
    try:
        return parse_utc(text)
    except ValueError as exc:
        raise MalformedResponseError(
            f"malformed {what} reply: {key} is not an ISO 8601 timestamp: {text[:40]!r}"
        ) from exc


def _check_id(found: int, expected: int | None, what: str) -> None:
    if expected is not None and found != expected:
        raise MalformedResponseError(
            f"malformed {what} reply: it is for appointment {found}, not {expected}"
        )


# --- token -----------------------------------------------------------------


def parse_video_token(payload: Any, appointment_id: int | None = None) -> VideoToken:
    """The guide's eight-field token reply; extra fields are ignored."""
    what = "video token"
    data = _object(payload, what)
    _missing(data, TOKEN_FIELDS, what)
    token = VideoToken(
        access_token=_str(data, "access_token", what),
        room_name=_str(data, "room_name", what),
        user_identity=_str(data, "user_identity", what),
        expires_in=_int(data, "expires_in", what),
        expires_at=_time(data, "expires_at", what),
        appointment_id=_int(data, "appointment_id", what),
        appointment_duration_minutes=_int(data, "appointment_duration_minutes", what),
        token_valid_until=_str(data, "token_valid_until", what, empty_ok=True),
    )
    _check_id(token.appointment_id, appointment_id, what)
    return token


# --- room creation ---------------------------------------------------------

_ROOM_NAME_KEYS = ("room_name", "video_room_id", "name")


def parse_room_info(payload: Any, appointment_id: int, *, status_code: int = 200) -> RoomInfo:
    """The reply of ``POST /api/appointments/video-room/ID/``.

    The guide gives no shape, so the room name is read from ``room_name``,
    ``video_room_id`` or ``name`` (also inside a ``room`` object); ``created``
    from the body when present, else from the status (201 = created).
    """
    what = "room creation"
    data = _object(payload, what)
    room = data.get("room")
    sources = [data, room] if isinstance(room, dict) else [data]
    name: str | None = None
    for source in sources:
        for key in _ROOM_NAME_KEYS:
            if key in source:
                name = _str(source, key, what)
                break
        if name is not None:
            break
    if name is None:
        message = error_message(data)
        if message:
            raise MalformedResponseError(
                f"the server answered with an error instead of a room: {message}"
            )
        raise MalformedResponseError(
            f"malformed {what} reply: missing field room_name (or video_room_id)"
        )
    if "appointment_id" in data:
        _check_id(_int(data, "appointment_id", what), appointment_id, what)
    created_value = data.get("created")
    if isinstance(created_value, bool):
        created = created_value
    elif created_value is None:
        created = status_code == 201
    else:
        raise MalformedResponseError(
            f"malformed {what} reply: created must be a boolean, got {json_kind(created_value)}"
        )
    return RoomInfo(appointment_id=appointment_id, room_name=name, created=created)


# --- appointment -----------------------------------------------------------

_KNOWN_APPOINTMENT_KEYS = {
    "id", "patient", "patient_id", "psychologist", "psychologist_id",
    "duration_minutes", "duration", "starts_at", "video_room_id",
}


def _party(data: dict[str, Any], role: str, what: str) -> tuple[int, User | None]:
    """``patient_id: 2`` or ``patient: 2`` or ``patient: {"id": 2, "email": ...}``."""
    key_id = f"{role}_id"
    nested = data.get(role)
    user: User | None = None
    if isinstance(nested, dict):
        user_id = _int(nested, "id", f"{what} {role}")
        email, name = nested.get("email"), nested.get("name") or nested.get("full_name")
        if isinstance(email, str):
            user = User(id=user_id, email=email, name=name if isinstance(name, str) else "",
                        role=role)  # type: ignore[arg-type]
        if key_id in data:
            _int(data, key_id, what)
        return user_id, user
    if key_id in data:
        return _int(data, key_id, what), None
    if role in data:
        return _int(data, role, what), None
    raise MalformedResponseError(f"malformed {what} reply: missing field {key_id}")


def parse_appointment(payload: Any, appointment_id: int | None = None) -> Appointment:
    """``GET /api/appointments/ID/``: id, both parties, duration, room (may be null)."""
    what = "appointment"
    data = _object(payload, what)
    if "id" not in data:
        _missing(data, ("id", "patient_id", "psychologist_id", "duration_minutes"), what)
    found_id = _int(data, "id", what)
    _check_id(found_id, appointment_id, what)
    patient_id, patient = _party(data, "patient", what)
    psychologist_id, psychologist = _party(data, "psychologist", what)
    duration_key = "duration_minutes" if "duration_minutes" in data else "duration"
    if duration_key not in data:
        raise MalformedResponseError(f"malformed {what} reply: missing field duration_minutes")
    duration = _int(data, duration_key, what)
    starts_at = _time(data, "starts_at", what) if data.get("starts_at") is not None else None
    room = data.get("video_room_id")
    if room is not None and not isinstance(room, str):
        raise MalformedResponseError(
            f"malformed {what} reply: video_room_id must be a string or null, "
            f"got {json_kind(room)}"
        )
    return Appointment(
        id=found_id,
        patient_id=patient_id,
        psychologist_id=psychologist_id,
        duration_minutes=duration,
        starts_at=starts_at,
        video_room_id=room or None,
        patient=patient,
        psychologist=psychologist,
        extra={k: v for k, v in data.items() if k not in _KNOWN_APPOINTMENT_KEYS},
    )


# --- login -----------------------------------------------------------------


def parse_login(payload: Any) -> tuple[str, str | None]:
    """A SimpleJWT ``{"access": ..., "refresh": ...}`` reply (refresh optional)."""
    what = "login"
    data = _object(payload, what)
    _missing(data, ("access",), what)
    access = _str(data, "access", what)
    refresh = data.get("refresh")
    if refresh is not None and not isinstance(refresh, str):
        raise MalformedResponseError(f"malformed {what} reply: refresh must be a string")
    return access, refresh or None


# --- JWT claims (unverified) -----------------------------------------------


def looks_like_jwt(token: str) -> bool:
    """Three base64url segments whose first two decode to JSON objects."""
    return jwt_claims(token) is not None


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, NOT verified (only for display and expiry checks)."""
    try:
        return split_token(token.strip())[1]
    except TokenFormatError:
        return None


def jwt_expiry(token: str) -> datetime | None:
    """``exp`` of a JWT as an aware UTC datetime, None when absent/unreadable."""
    claims = jwt_claims(token)
    exp = claims.get("exp") if claims else None
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    try:
        return datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def jwt_user_id(token: str) -> str | None:
    """SimpleJWT's ``user_id`` claim, else ``sub``."""
    claims = jwt_claims(token) or {}
    for key in ("user_id", "sub"):
        value = claims.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return printable(str(value))[:64]  # shown in `auth login`'s message line
    return None


def jwt_expired_at(token: str, now: datetime | None = None) -> datetime | None:
    """The JWT's ``exp`` if that time has come (for messages that name it), else None."""
    expiry = jwt_expiry(token)
    return expiry if expiry is not None and expiry <= (now or datetime.now(UTC)) else None


def jwt_is_expired(token: str, now: datetime | None = None) -> bool:
    return jwt_expired_at(token, now) is not None
