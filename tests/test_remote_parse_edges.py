"""vtctl.remote.parse at its edges: which key wins when a reply has several,
the fallbacks for shapes the guide leaves open, the limits on error bodies,
and JWT expiry at exactly ``exp``. Messages are matched on the field they name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.remote_helpers import APPOINTMENT_BODY, ROOM, TOKEN_BODY, b64, make_jwt
from vtctl.domain.errors import MalformedResponseError
from vtctl.remote.parse import (
    error_message,
    jwt_claims,
    jwt_expired_at,
    jwt_expiry,
    jwt_is_expired,
    jwt_user_id,
    looks_like_jwt,
    parse_appointment,
    parse_login,
    parse_room_info,
    parse_video_token,
)


def claims_jwt(**claims: Any) -> str:
    """A JWT-shaped string carrying exactly these claims (signature not checked here)."""
    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims)}.c2ln"


def malformed(parse: Any, *args: Any, **kwargs: Any) -> MalformedResponseError:
    with pytest.raises(MalformedResponseError) as failed:
        parse(*args, **kwargs)
    return failed.value


# --- error bodies ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"detail": "D", "error": "E"}, "E"),
        ({"message": "M", "detail": "D"}, "D"),
        ({"non_field_errors": ["N"], "message": "M"}, "M"),
        ({"error": "", "detail": "D"}, "D"),
        ({"error": None, "message": "M"}, "M"),
        ({"detail": {"error": "nested"}}, "nested"),
        ({"non_field_errors": ["a", "b"]}, "a; b"),
        ({"a": ["x", "y"], "b": ["z"]}, "a: x y; b: z"),
        ({"a": []}, None),
        ({"a": ["x", 1]}, None),
        ({"a": "x"}, None),
        ("   ", None),
        ("  two\n words ", "two words"),
        (["", None, "kept"], "kept"),
        (42, None),
    ],
)
def test_error_message_priorities_and_shapes(payload: Any, expected: str | None) -> None:
    assert error_message(payload) == expected


def nested_lists(depth: int) -> Any:
    payload: Any = "deep"
    for _ in range(depth):
        payload = [payload]
    return payload


def test_error_message_depth_limit() -> None:
    assert error_message(nested_lists(8)) == "deep"
    assert error_message(nested_lists(9)) is None
    assert error_message({"error": nested_lists(7)}) == "deep"
    assert error_message({"error": nested_lists(8)}) is None


def test_error_message_depth_limit_through_objects() -> None:
    payload: Any = "deep"
    for depth in range(9):
        payload = {"detail": payload}
        assert error_message(payload) == ("deep" if depth < 8 else None)


def test_error_message_reads_the_first_twenty_items() -> None:
    assert error_message([None] * 19 + ["twentieth"]) == "twentieth"
    assert error_message([None] * 20 + ["twenty-first"]) is None


def test_error_message_clipped_to_300_characters() -> None:
    assert error_message("x" * 300) == "x" * 300
    assert error_message("x" * 301) == "x" * 297 + "..."
    assert error_message("a\x1bb") == "a?b"


# --- token -------------------------------------------------------------------------


def test_token_for_any_appointment_when_none_is_expected() -> None:
    assert parse_video_token(TOKEN_BODY).appointment_id == 47
    assert "48" in str(malformed(parse_video_token, TOKEN_BODY, 48))


def test_token_error_body_only_when_every_field_is_missing() -> None:
    assert "boom" in str(malformed(parse_video_token, {"error": "boom"}))
    partial = malformed(parse_video_token, {"error": "boom", "access_token": "x"})
    assert "boom" not in str(partial) and "room_name" in str(partial)
    assert "expires_in" in str(partial) and partial.hint


@pytest.mark.parametrize(
    ("field", "value"),
    [("access_token", " "), ("access_token", "a\x1bb"), ("room_name", ""),
     ("expires_in", True), ("expires_in", 5400.0), ("appointment_id", False),
     ("expires_at", "not a time"), ("token_valid_until", None)],
)
def test_token_field_rules(field: str, value: Any) -> None:
    assert field in str(malformed(parse_video_token, {**TOKEN_BODY, field: value}))


def test_token_valid_until_may_be_empty() -> None:
    assert parse_video_token({**TOKEN_BODY, "token_valid_until": ""}).token_valid_until == ""


def test_bad_timestamp_is_quoted_at_most_40_characters() -> None:
    text = str(malformed(parse_video_token, {**TOKEN_BODY, "expires_at": "y" * 100}))
    assert "y" * 40 in text and "y" * 41 not in text


# --- room creation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        ({"room_name": "A", "video_room_id": "B", "name": "C"}, "A"),
        ({"video_room_id": "B", "name": "C"}, "B"),
        ({"name": "C", "room": {"room_name": "R"}}, "C"),
        ({"room": {"video_room_id": "B", "name": "C"}}, "B"),
        ({"room": "not an object", "name": "C"}, "C"),
    ],
)
def test_room_name_priority(payload: dict[str, Any], name: str) -> None:
    info = parse_room_info(payload, 47)
    assert (info.room_name, info.created) == (name, False)  # status 200 unless told


@pytest.mark.parametrize(
    ("created", "status", "expected"),
    [(True, 200, True), (False, 201, False), (None, 201, True), (None, 200, False),
     (None, 202, False)],
)
def test_room_created_from_body_else_from_status(
    created: bool | None, status: int, expected: bool
) -> None:
    body = {"room_name": ROOM, "created": created}
    assert parse_room_info(body, 47, status_code=status).created is expected
    if created is None:
        assert parse_room_info({"room_name": ROOM}, 47, status_code=status).created is expected


@pytest.mark.parametrize("created", [1, 0, "true"])
def test_room_created_must_be_a_boolean(created: Any) -> None:
    assert "created" in str(malformed(parse_room_info, {"room_name": ROOM, "created": created}, 47))


def test_room_appointment_id_checked_when_present() -> None:
    assert parse_room_info({"room_name": ROOM, "appointment_id": 47}, 47).appointment_id == 47
    assert "appointment_id" in str(
        malformed(parse_room_info, {"room_name": ROOM, "appointment_id": "47"}, 47))


def test_room_without_a_name() -> None:
    assert "boom" in str(malformed(parse_room_info, {"error": "boom"}, 47))
    assert "room_name" in str(malformed(parse_room_info, {"other": 1}, 47))


# --- appointment ----------------------------------------------------------------------


def test_appointment_extras_are_the_unknown_keys_only() -> None:
    body = {**APPOINTMENT_BODY, "duration": 45, "patient": 2, "psychologist": 5, "status": "x"}
    found = parse_appointment(body, 47)
    assert found.extra == {"status": "x"}
    assert found.duration_minutes == 60  # duration_minutes wins over duration
    assert (found.patient_id, found.patient) == (2, None)


@pytest.mark.parametrize(
    ("party", "expected_id"),
    [({"patient_id": 2, "patient": 3}, 2), ({"patient": 3}, 3)],
)
def test_appointment_party_id_keys(party: dict[str, Any], expected_id: int) -> None:
    body = {k: v for k, v in APPOINTMENT_BODY.items() if k != "patient_id"}
    assert parse_appointment({**body, **party}).patient_id == expected_id


@pytest.mark.parametrize(
    ("nested", "name"),
    [({"name": "N", "full_name": "F"}, "N"), ({"full_name": "F"}, "F"),
     ({"name": "", "full_name": "F"}, "F"), ({"name": 5}, ""), ({}, "")],
)
def test_appointment_nested_party_name(nested: dict[str, Any], name: str) -> None:
    body = {**APPOINTMENT_BODY, "psychologist": {"id": 5, "email": "d@x.org", **nested}}
    found = parse_appointment(body)
    assert found.psychologist is not None
    assert (found.psychologist.id, found.psychologist.name) == (5, name)
    assert (found.psychologist.role, found.psychologist.email) == ("psychologist", "d@x.org")


def test_appointment_nested_party_without_email_has_no_user() -> None:
    body = {**APPOINTMENT_BODY, "patient": {"id": 2, "email": None}}
    assert (parse_appointment(body).patient_id, parse_appointment(body).patient) == (2, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"patient": {"id": "2"}}, "id"), ({"patient": {"id": 2}, "patient_id": "2"}, "patient_id"),
     ({"patient": "2", "patient_id": ...}, "patient")],
)
def test_appointment_party_types(change: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in {**APPOINTMENT_BODY, **change}.items() if v is not ...}
    assert field in str(malformed(parse_appointment, body))


def test_appointment_needs_a_duration() -> None:
    body = {k: v for k, v in APPOINTMENT_BODY.items() if k != "duration_minutes"}
    assert "duration_minutes" in str(malformed(parse_appointment, body))
    assert parse_appointment({**body, "duration": 45}).duration_minutes == 45


def test_appointment_optional_start_and_room() -> None:
    body = {**APPOINTMENT_BODY, "starts_at": None, "video_room_id": ""}
    found = parse_appointment(body)
    assert (found.starts_at, found.video_room_id) == (None, None)
    bare = {k: v for k, v in APPOINTMENT_BODY.items() if k not in ("starts_at", "video_room_id")}
    found = parse_appointment(bare)
    assert (found.starts_at, found.video_room_id) == (None, None)


def test_appointment_without_id() -> None:
    assert "Appointment not found" in str(
        malformed(parse_appointment, {"error": "Appointment not found"}))
    missing = str(malformed(parse_appointment, {"patient_id": 2}))
    assert "id" in missing and "duration_minutes" in missing and "patient_id," not in missing
    assert "id" in str(malformed(parse_appointment, {k: v for k, v in APPOINTMENT_BODY.items()
                                                     if k != "id"}))


# --- login ---------------------------------------------------------------------------


def test_login_refresh_rules() -> None:
    assert parse_login({"access": "a.b.c", "refresh": ""}) == ("a.b.c", None)
    assert parse_login({"access": "a.b.c", "refresh": None}) == ("a.b.c", None)
    assert "refresh" in str(malformed(parse_login, {"access": "a.b.c", "refresh": 5}))
    assert "access" in str(malformed(parse_login, {"access": ""}))


# --- JWT claims ----------------------------------------------------------------------


def test_jwt_whitespace_around_is_ignored() -> None:
    token = make_jwt(user_id=7)
    assert jwt_claims(f"  {token}\n") == jwt_claims(token) is not None
    assert looks_like_jwt(f" {token} ") and not looks_like_jwt("a.b.c")


@pytest.mark.parametrize(
    ("exp", "expected"),
    [(1_700_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
     (1_700_000_000.5, datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
     (True, None), (False, None), ("1700000000", None), (None, None), (10**20, None),
     (float("inf"), None), (float("nan"), None)],
)
def test_jwt_expiry_claim_types(exp: Any, expected: datetime | None) -> None:
    assert jwt_expiry(claims_jwt(exp=exp)) == expected
    assert jwt_expiry(claims_jwt(user_id=1)) is None


def test_jwt_expired_at_exactly_exp() -> None:
    exp = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    token = claims_jwt(exp=1_700_000_000)
    assert jwt_expired_at(token, exp) == exp and jwt_is_expired(token, exp)
    before = exp - timedelta(microseconds=1)
    assert jwt_expired_at(token, before) is None and not jwt_is_expired(token, before)
    assert jwt_expired_at(token) == exp  # now is long after 2023
    assert jwt_expired_at(claims_jwt(exp=10**10)) is None  # year 2286
    assert jwt_expired_at(claims_jwt(sub="x"), exp) is None


@pytest.mark.parametrize(
    ("claims", "expected"),
    [({"user_id": 1, "sub": "s"}, "1"), ({"user_id": 9_223_372_036_854_775_807},
                                         "9223372036854775807"),
     ({"user_id": "u-1"}, "u-1"), ({"user_id": True, "sub": "s"}, "s"),
     ({"user_id": 1.5, "sub": "s"}, "s"), ({"user_id": None, "sub": 3}, "3"),
     ({"sub": False}, None), ({}, None), ({"user_id": "x" * 100}, "x" * 64),
     ({"user_id": "a\x1bb"}, "a?b")],
)
def test_jwt_user_id_claim(claims: dict[str, Any], expected: str | None) -> None:
    assert jwt_user_id(claims_jwt(**claims)) == expected


def test_jwt_user_id_of_a_non_jwt() -> None:
    assert jwt_user_id("not a token") is None


def test_room_status_code_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        parse_room_info({"room_name": ROOM}, 47, 201)  # type: ignore[misc]


def test_large_appointment_ids_are_compared_by_value() -> None:
    big = 2**63 - 1
    body = {**TOKEN_BODY, "appointment_id": int(str(big))}  # a distinct int object, as JSON gives
    assert parse_video_token(body, big).appointment_id == big
    room = {"room_name": ROOM, "appointment_id": int(str(big))}
    assert parse_room_info(room, big).appointment_id == big


# --- the exact words -------------------------------------------------------------------

_NO_ID = {k: v for k, v in APPOINTMENT_BODY.items() if k != "id"}
_BASE_URL_HINT = "is --base-url pointing at the telehealth API?"
_ALL_TOKEN_FIELDS = ("room_name, user_identity, expires_in, expires_at, appointment_id, "
                     "appointment_duration_minutes, token_valid_until")


@pytest.mark.parametrize(
    ("parse", "args", "message", "hint"),
    [
        (parse_video_token, ([],),
         "malformed video token reply: expected a JSON object, got an array", None),
        (parse_video_token, ({"error": "boom"},),
         "the server answered with an error instead of the video token: boom", None),
        (parse_video_token, ({"error": "boom", "access_token": "x"},),
         f"malformed video token reply: missing field(s) {_ALL_TOKEN_FIELDS}", _BASE_URL_HINT),
        (parse_video_token, ({**TOKEN_BODY, "access_token": " "},),
         "malformed video token reply: access_token must be a non-empty string, got a string",
         None),
        (parse_video_token, ({**TOKEN_BODY, "room_name": "a\x1bb"},),
         "malformed video token reply: room_name contains control characters", None),
        (parse_video_token, ({**TOKEN_BODY, "expires_in": True},),
         "malformed video token reply: expires_in must be an integer, got a boolean", None),
        (parse_video_token, ({**TOKEN_BODY, "expires_at": "soon"},),
         "malformed video token reply: expires_at is not an ISO 8601 timestamp: 'soon'", None),
        (parse_video_token, (TOKEN_BODY, 48),
         "malformed video token reply: it is for appointment 47, not 48", None),
        (parse_room_info, ("x", 47),
         "malformed room creation reply: expected a JSON object, got a string", None),
        (parse_room_info, ({"error": "boom"}, 47),
         "the server answered with an error instead of a room: boom", None),
        (parse_room_info, ({"other": 1}, 47),
         "malformed room creation reply: missing field room_name (or video_room_id)", None),
        (parse_room_info, ({"room_name": ROOM, "created": 1}, 47),
         "malformed room creation reply: created must be a boolean, got an integer", None),
        (parse_room_info, ({"room_name": ROOM, "appointment_id": 48}, 47),
         "malformed room creation reply: it is for appointment 48, not 47", None),
        (parse_appointment, ({},),
         "malformed appointment reply: missing field(s) id, patient_id, psychologist_id, "
         "duration_minutes", _BASE_URL_HINT),
        (parse_appointment, ({"error": "Appointment not found"},),
         "the server answered with an error instead of the appointment: Appointment not found",
         None),
        (parse_appointment, ({**APPOINTMENT_BODY, "patient": {"id": "2"}},),
         "malformed appointment patient reply: id must be an integer, got a string", None),
        (parse_appointment, ({k: v for k, v in APPOINTMENT_BODY.items() if k != "patient_id"},),
         "malformed appointment reply: missing field patient_id", None),
        (parse_appointment, ({k: v for k, v in APPOINTMENT_BODY.items()
                              if k != "duration_minutes"},),
         "malformed appointment reply: missing field duration_minutes", None),
        (parse_appointment, ({**APPOINTMENT_BODY, "video_room_id": 5},),
         "malformed appointment reply: video_room_id must be a string or null, got an integer",
         None),
        (parse_appointment, (_NO_ID,), "malformed appointment reply: missing field(s) id",
         _BASE_URL_HINT),
        (parse_login, ({"detail": "No active account"},),
         "the server answered with an error instead of the login: No active account", None),
        (parse_login, ({"access": "a.b.c", "refresh": 5},),
         "malformed login reply: refresh must be a string", None),
        (parse_login, ({},), "malformed login reply: missing field(s) access", _BASE_URL_HINT),
    ],
)
def test_each_refusal_says_exactly_what_is_wrong(
    parse: Any, args: tuple[Any, ...], message: str, hint: str | None
) -> None:
    """The one line a user reads (exit 6): which reply, which field, what was found."""
    failed = malformed(parse, *args)
    assert (str(failed), failed.hint) == (message, hint)
