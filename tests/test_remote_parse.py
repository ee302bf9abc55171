"""Pure parsing of the REST API's bodies (vtctl.remote.parse)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.remote_helpers import APPOINTMENT_BODY, ROOM, TOKEN_BODY, make_jwt
from vtctl.domain.errors import ExitCode, MalformedResponseError
from vtctl.domain.models import TOKEN_FIELDS
from vtctl.remote.parse import (
    error_message,
    jwt_claims,
    jwt_expiry,
    jwt_is_expired,
    jwt_user_id,
    parse_appointment,
    parse_login,
    parse_room_info,
    parse_video_token,
)

# --- token -------------------------------------------------------------------


def test_token_guide_body_round_trips_to_the_same_eight_fields() -> None:
    token = parse_video_token(TOKEN_BODY, 47)
    assert token.room_name == ROOM
    assert token.expires_at == datetime(2025, 11, 16, 10, 30, tzinfo=UTC)
    assert token.to_json() == TOKEN_BODY
    assert list(token.to_json()) == list(TOKEN_FIELDS)


def test_token_extra_fields_are_ignored() -> None:
    token = parse_video_token({**TOKEN_BODY, "twilio_region": "us1", "debug": {"a": 1}})
    assert token.to_json() == TOKEN_BODY


@pytest.mark.parametrize("field", TOKEN_FIELDS)
def test_token_missing_field_is_malformed_and_named(field: str) -> None:
    body = {k: v for k, v in TOKEN_BODY.items() if k != field}
    with pytest.raises(MalformedResponseError) as info:
        parse_video_token(body)
    assert field in info.value.message
    assert info.value.exit_code == ExitCode.SERVER_ERROR


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("access_token", 12),
        ("access_token", ""),
        ("room_name", None),
        ("expires_in", "5400"),
        ("expires_in", True),
        ("expires_in", 5400.5),
        ("appointment_id", "47"),
        ("appointment_duration_minutes", None),
        ("expires_at", "tomorrow"),
        ("expires_at", 1763288400),
        ("token_valid_until", 90),
    ],
)
def test_token_wrong_types_are_malformed(field: str, value: Any) -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_video_token({**TOKEN_BODY, field: value})
    assert field in info.value.message


@pytest.mark.parametrize("payload", [[TOKEN_BODY], "token", None, 3])
def test_token_not_an_object(payload: Any) -> None:
    with pytest.raises(MalformedResponseError, match="JSON object"):
        parse_video_token(payload)


def test_token_200_with_an_error_body_reports_the_servers_message() -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_video_token({"error": "Twilio is down"})
    assert "Twilio is down" in info.value.message


def test_token_for_another_appointment_is_refused() -> None:
    with pytest.raises(MalformedResponseError, match="appointment 47, not 48"):
        parse_video_token(TOKEN_BODY, 48)


# --- error bodies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"error": "Permission denied"}, "Permission denied"),
        ({"detail": "Authentication credentials were not provided."},
         "Authentication credentials were not provided."),
        ({"detail": "Given token not valid", "code": "token_not_valid", "messages": []},
         "Given token not valid"),
        ({"non_field_errors": ["Bad pair"]}, "Bad pair"),
        ({"password": ["This field is required."]}, "password: This field is required."),
        ({"message": "busy"}, "busy"),
        ({"access_token": "x"}, None),
        ([], None),
        (None, None),
        ({"error": ""}, None),
    ],
)
def test_error_message_reads_both_shapes(payload: Any, expected: str | None) -> None:
    assert error_message(payload) == expected


def test_error_message_is_one_clipped_line() -> None:
    text = error_message({"error": "line one\nline two " + "x" * 1000})
    assert text is not None and "\n" not in text and len(text) <= 300


# --- room creation ---------------------------------------------------------------


def test_room_info_from_room_info_shape() -> None:
    info = parse_room_info({"appointment_id": 47, "room_name": ROOM, "created": True}, 47)
    assert info.to_json() == {"appointment_id": 47, "room_name": ROOM, "created": True}


@pytest.mark.parametrize(
    "payload",
    [{"video_room_id": ROOM}, {"room": {"name": ROOM}}, {"name": ROOM, "extra": 1}],
)
def test_room_info_tolerates_other_shapes_created_from_status(payload: dict[str, Any]) -> None:
    assert parse_room_info(payload, 47, status_code=201).created is True
    info = parse_room_info(payload, 47, status_code=200)
    assert info.room_name == ROOM and info.created is False


@pytest.mark.parametrize(
    "payload",
    [{}, {"room_name": 5}, {"room_name": ROOM, "created": "yes"},
     {"room_name": ROOM, "appointment_id": 48}, {"error": "boom"}],
)
def test_room_info_malformed(payload: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError):
        parse_room_info(payload, 47)


# --- appointment -------------------------------------------------------------------


def test_appointment_guide_fields_and_extras_kept() -> None:
    found = parse_appointment({**APPOINTMENT_BODY, "status": "scheduled"}, 47)
    assert found.participant_ids() == (2, 5)
    assert found.video_room_id == ROOM
    assert found.starts_at == datetime(2025, 11, 16, 9, tzinfo=UTC)
    assert found.to_json()["status"] == "scheduled"


def test_appointment_nested_users_and_null_room() -> None:
    found = parse_appointment(
        {"id": 47, "duration": 45, "video_room_id": None,
         "patient": {"id": 2, "email": "jane.doe@example.com", "name": "Jane Doe"},
         "psychologist": 5}
    )
    assert found.patient is not None and found.patient.email == "jane.doe@example.com"
    assert found.patient.role == "patient"
    assert (found.psychologist_id, found.duration_minutes, found.video_room_id) == (5, 45, None)


@pytest.mark.parametrize(
    "change",
    [{"id": "47"}, {"patient_id": None}, {"duration_minutes": "60"}, {"video_room_id": 7},
     {"starts_at": "soon"}, {"id": 48}],
)
def test_appointment_malformed(change: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError):
        parse_appointment({**APPOINTMENT_BODY, **change}, 47)


def test_appointment_missing_parties() -> None:
    body = {k: v for k, v in APPOINTMENT_BODY.items() if k != "psychologist_id"}
    with pytest.raises(MalformedResponseError, match="psychologist_id"):
        parse_appointment(body)


def test_appointment_error_body_with_200() -> None:
    with pytest.raises(MalformedResponseError, match="Appointment not found"):
        parse_appointment({"error": "Appointment not found"})


# --- login and JWT claims -------------------------------------------------------------


def test_login_reply() -> None:
    assert parse_login({"access": "a.b.c", "refresh": "r.s.t"}) == ("a.b.c", "r.s.t")
    assert parse_login({"access": "a.b.c"}) == ("a.b.c", None)
    with pytest.raises(MalformedResponseError):
        parse_login({"token": "x"})


def test_jwt_claims_unverified() -> None:
    exp = int(time.time()) + 600
    token = make_jwt(user_id=7, exp=exp)
    assert jwt_claims(token) is not None
    assert jwt_user_id(token) == "7"
    assert jwt_expiry(token) == datetime.fromtimestamp(exp, UTC)
    assert not jwt_is_expired(token)
    assert jwt_is_expired(make_jwt(lifetime=-5))


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "eyJ.eyJ.x", "one.two.three.four"])
def test_not_a_jwt(text: str) -> None:
    assert jwt_claims(text) is None
    assert jwt_expiry(text) is None
    assert not jwt_is_expired(text)
