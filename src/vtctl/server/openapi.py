"""The OpenAPI 3.1 document of ``vtctl serve``'s API, served at ``/api/schema/``.

The one description of the routes, their bodies, every error body and the
Bearer-JWT scheme.  ``tests/test_openapi.py`` checks it against the routes
table (no drift), with ``openapi-spec-validator``, and with schemathesis
against a real server.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from vtctl.domain.models import TOKEN_FIELDS
from vtctl.server.paths import API, SCHEMA_PATH


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
NULLABLE_INTEGER: dict[str, Any] = {"type": ["integer", "null"]}

_TOKEN_TYPES = {
    "access_token": STRING, "room_name": STRING, "user_identity": STRING,
    "expires_in": INTEGER, "expires_at": {"type": "string", "format": "date-time"},
    "appointment_id": INTEGER, "appointment_duration_minutes": INTEGER,
    "token_valid_until": STRING,
}
assert tuple(_TOKEN_TYPES) == TOKEN_FIELDS  # the guide's eight fields, in its order

_USER = _obj(["id", "email", "name"], id=INTEGER, email=STRING, name=STRING)

SCHEMAS: dict[str, Any] = {
    "VideoToken": {**_obj(list(TOKEN_FIELDS), **_TOKEN_TYPES), "additionalProperties": False},
    "Appointment": _obj(
        ["id", "patient_id", "psychologist_id", "duration_minutes", "starts_at",
         "video_room_id"],
        id=INTEGER, patient_id=INTEGER, psychologist_id=INTEGER, duration_minutes=INTEGER,
        starts_at=NULLABLE_STRING, video_room_id=NULLABLE_STRING, patient=_USER,
        psychologist=_USER,
    ),
    "RoomInfo": _obj(["appointment_id", "room_name", "created"], appointment_id=INTEGER,
                     room_name=STRING, created={"type": "boolean"}),
    "RoomStatus": _obj(["appointment_id", "room_name", "status"], appointment_id=INTEGER,
                       room_name=STRING, status=STRING, message=NULLABLE_STRING,
                       participant_count=NULLABLE_INTEGER,
                       participants={"type": "array", "items": {"type": "object"}}),
    "TokenPair": _obj(["refresh", "access"], refresh=STRING, access=STRING),
    "AccessToken": _obj(["access"], access=STRING),
    # SimpleJWT's fields: the user's id or email as username (or email), any password
    "Login": {**_obj(["password"], username=TEXT, email=TEXT, password=TEXT),
              "anyOf": [{"required": ["username"]}, {"required": ["email"]}]},
    "Refresh": _obj(["refresh"], refresh=TEXT),
    # errors: the guide's {"error"} and DRF's / SimpleJWT's {"detail"}
    "Error": _obj(["error"], error=STRING),
    "Detail": _obj(["detail"], detail=STRING, code=STRING),
    "AuthFailed": _obj(
        ["detail"], detail=STRING, code=STRING,
        messages={"type": "array", "items": _obj(
            ["token_class", "token_type", "message"], token_class=STRING, token_type=STRING,
            message=STRING)},
    ),
    "FieldErrors": {"type": "object", "minProperties": 1,
                    "additionalProperties": {"type": "array", "items": STRING}},
}

#: every route's own error replies (the guide's), beyond the ones all routes share
_NOT_AUTHENTICATED = _json(_ref("AuthFailed"), "No, or an invalid, Bearer JWT")
_FORBIDDEN = _json(_ref("Error"), "The user is not a participant of the appointment")
_NOT_FOUND = _json({"anyOf": [_ref("Error"), _ref("Detail")]},
                   "No such appointment (or no room yet, for tokens)")
_COMMON = {
    "431": _json(_ref("Detail"), "Request line and headers over --max-header-size"),
    "503": {"description": "More open connections than --max-connections",
            "content": {"text/plain": {"schema": STRING}}},
}
_ID = [{"name": "appointment_id", "in": "path", "required": True,
        "schema": {"type": "integer", "minimum": 0}}]


def _operation(summary: str, responses: dict[str, Any], *, secured: bool = True,
               body: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**responses, **_COMMON}}
    if secured:
        operation["parameters"] = _ID
        operation["responses"]["401"] = _NOT_AUTHENTICATED
    else:
        operation["security"] = []
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(body)}}}
    return operation


def _token_operation(summary: str) -> dict[str, Any]:
    return _operation(summary, {
        "200": _json(_ref("VideoToken"), "A Twilio Video access token (Cache-Control: no-store)"),
        "403": _FORBIDDEN, "404": _NOT_FOUND,
        "500": _json(_ref("Error"), "Failed to generate access token: ..."),
    })


def _paths(dev_login: bool) -> dict[str, Any]:
    paths: dict[str, Any] = {
        f"{API}/video-token/{{appointment_id}}/": {"get": _token_operation(
            "A video token for the appointment's room")},
        f"{API}/video-token-refresh/{{appointment_id}}/": {"get": _token_operation(
            "A fresh video token (same reply)")},
        f"{API}/video-status/{{appointment_id}}/": {"get": _operation(
            "The room's status on Twilio", {
                "200": _json(_ref("RoomStatus"), "The room and its participants"),
                "403": _FORBIDDEN, "404": _NOT_FOUND,
                "502": _json(_ref("Error"), "Twilio could not be reached"),
            })},
        f"{API}/video-room/{{appointment_id}}/": {"post": _operation(
            "Create the appointment's room (idempotent)", {
                "200": _json(_ref("RoomInfo"), "The room already existed"),
                "201": _json(_ref("RoomInfo"), "The room was created"),
                "403": _FORBIDDEN, "404": _NOT_FOUND,
            })},
        f"{API}/{{appointment_id}}/": {"get": _operation(
            "The appointment", {"200": _json(_ref("Appointment"), "The appointment"),
                                "403": _FORBIDDEN, "404": _NOT_FOUND})},
        SCHEMA_PATH: {"get": _operation(
            "This document", {"200": _json({"type": "object"}, "OpenAPI 3.1")}, secured=False)},
    }
    if dev_login:
        refused = {
            "400": _json({"anyOf": [_ref("FieldErrors"), _ref("Detail")]},
                         "A missing field, a body that is not a JSON object, or a Host that "
                         "is not localhost, 127.0.0.1 or [::1]"),
            "413": _json(_ref("Detail"), "A body over --max-body-size"),
        }
        paths["/api/token/"] = {"post": _operation(
            "Dev login (--dev-login): any password for a stored user", {
                "200": _json(_ref("TokenPair"), "JWTs (Cache-Control: no-store)"),
                "401": _json(_ref("Detail"), "No such user"), **refused,
            }, secured=False, body="Login")}
        paths["/api/token/refresh/"] = {"post": _operation(
            "A new access JWT for a refresh JWT (--dev-login)", {
                "200": _json(_ref("AccessToken"), "An access JWT (Cache-Control: no-store)"),
                "401": _json({"anyOf": [_ref("AuthFailed"), _ref("Detail")]},
                             "An invalid refresh JWT, or its user is gone"), **refused,
            }, secured=False, body="Refresh")}
    return paths


@cache
def openapi_document(dev_login: bool) -> dict[str, Any]:
    """The document for a server with (or without) ``--dev-login``."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "vtctl serve", "version": "1",
                 "description": "The video-token API guide's endpoints, served by vtctl "
                 "over its local store."},
        "paths": _paths(dev_login),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"}},
        },
        "security": [{"bearerAuth": []}],
    }
