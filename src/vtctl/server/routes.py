"""The endpoints of ``vtctl serve``: the API guide's routes, bodies and status codes.

Endpoints are ``async`` and call the fast synchronous engine on the
event-loop thread (one SQLite connection, no thread hops); only the rare
slow calls (a store write, the Twilio Rooms API) go to a worker thread,
the write on its own connection, one at a time.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vtctl.domain.errors import MissingCredentialsError, NoVideoRoomError, VtctlError
from vtctl.domain.rooms import unknown_message, unknown_reason
from vtctl.server.auth import REFRESH_LIFETIME_SECONDS
from vtctl.server.paths import API, SCHEMA_PATH
from vtctl.server.state import state_of

#: on every reply that carries a token: no browser, proxy or disk cache keeps it
NO_STORE = {"Cache-Control": "no-store"}


class AppointmentIdConvertor(Convertor[int]):
    """``{appointment_id:id}``: digits, at most as many as ``int()`` converts, so a
    5000-digit id is a 404 instead of ``int()`` refusing it inside the router (a 500).
    Ids beyond SQLite's INTEGER still reach the endpoint: "Appointment not found"."""

    regex = "[0-9]{1,4300}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", AppointmentIdConvertor())


async def video_token(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    token = state.engine.issue(request.path_params["appointment_id"], user_id)
    return JSONResponse(token.to_json(), headers=NO_STORE)


async def video_status(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    appointment = state.participant_appointment(request.path_params["appointment_id"], user_id)
    if not appointment.video_room_id:
        raise NoVideoRoomError()
    from vtctl.twilio_video.rooms import fetch_room_status, unknown_status

    credentials = state.credentials
    if credentials is None:
        problem = state.credentials_problem or "none are set"
        missing = MissingCredentialsError(f"vtctl serve has no Twilio credentials ({problem})")
        status = unknown_status(appointment, "no-credentials", unknown_message(missing))
        return JSONResponse(status.to_json())
    try:  # the demo profile's credentials: status unknown, Twilio not asked
        found = await anyio.to_thread.run_sync(fetch_room_status, credentials, appointment)
    except VtctlError as exc:  # Twilio unreachable or failing: say so, as the local backend does
        reason = unknown_reason(exc) or "twilio-error"
        found = unknown_status(appointment, reason, _unrelayed(appointment.id, reason, exc))
    return JSONResponse(found.to_json())


#: what ``video-status`` says for each reason instead of Twilio's own words
_TWILIO_FAILURES = {
    "twilio-unreachable": "vtctl serve could not reach Twilio",
    "twilio-rejected-credentials": "Twilio refused vtctl serve's credentials",
}


def _unrelayed(appointment_id: int, reason: str, error: VtctlError) -> str:
    """A fixed message and a reference for an API client; Twilio's words (already printable
    and without the secret) only in the server log, under the same reference: upstream text
    never reaches a participant."""
    import logging
    import secrets

    reference = secrets.token_hex(6)
    logging.getLogger("vtctl.serve").warning(
        "video-status %d: %s (reference %s)", appointment_id, error.message, reference)
    what = _TWILIO_FAILURES.get(reason, "Twilio answered vtctl serve with an error")
    return f"{what} (reference {reference}; the server log has the details)"


async def video_room(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    appointment_id = request.path_params["appointment_id"]
    state.participant_appointment(appointment_id, user_id)
    info = await anyio.to_thread.run_sync(
        state.writer.create_room, appointment_id, limiter=state.write_limiter
    )
    state.store.expire()  # the next token request sees the room
    return JSONResponse(info.to_json(), status_code=201 if info.created else 200)


async def appointment_detail(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    appointment = state.participant_appointment(request.path_params["appointment_id"], user_id)
    return JSONResponse(appointment.to_json())


#: the names a browser uses for this machine: ``--dev-login`` answers no other ``Host``
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _require_loopback_host(request: Request) -> None:
    """DNS rebinding defence: a page on ``evil.example`` whose name now resolves to
    127.0.0.1 reaches the server with ``Host: evil.example``; dev login refuses it."""
    hosts = request.headers.getlist("host")
    if len(hosts) != 1 or _host_name(hosts[0].lower()) not in LOOPBACK_HOSTS:
        raise HTTPException(
            400, "Dev login answers only requests for localhost, 127.0.0.1 or [::1]"
        )


def _host_name(host: str) -> str | None:
    """The name in a ``Host`` value (``[::1]:8000`` -> ``[::1]``); None when the port is not
    a number."""
    name, colon, port = host.rpartition(":")
    if not colon or "]" in port:  # no port, or the colon was inside "[::1]"
        return host
    return name if port.isdigit() else None


async def token_obtain(request: Request) -> Response:
    """Dev login (``--dev-login``): SimpleJWT's ``POST /api/token/`` for a stored user.

    Any password is accepted: this stands in for a real login on a developer's
    machine and is only offered on loopback addresses.
    """
    _require_loopback_host(request)
    state = state_of(request)
    data = await _json_body(request, state.limits.max_body_bytes)
    username = data.get("username") or data.get("email")
    missing = {
        name: ["This field is required."]
        for name, value in (("username", username), ("password", data.get("password")))
        if not isinstance(value, str) or not value
    }
    if missing:
        return JSONResponse(missing, status_code=400)
    user = state.store.find_user(str(username))
    if user is None:
        return JSONResponse(
            {"detail": "No active account found with the given credentials"}, status_code=401
        )
    return JSONResponse(
        {
            "refresh": state.auth.issue(user.id, "refresh", REFRESH_LIFETIME_SECONDS),
            "access": state.auth.issue(user.id),
        },
        headers=NO_STORE,
    )


async def token_refresh(request: Request) -> Response:
    _require_loopback_host(request)
    state = state_of(request)
    data = await _json_body(request, state.limits.max_body_bytes)
    refresh = data.get("refresh")
    if not isinstance(refresh, str) or not refresh:
        return JSONResponse({"refresh": ["This field is required."]}, status_code=400)
    user_id = state.auth.verify(refresh, token_type="refresh")
    if state.store.get_user(user_id) is None:  # deleted since the login: SimpleJWT's answer
        return JSONResponse({"detail": "No active account found for the given token.",
                             "code": "no_active_account"}, status_code=401)
    return JSONResponse({"access": state.auth.issue(user_id)}, headers=NO_STORE)


async def _json_body(request: Request, max_bytes: int) -> dict[str, Any]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise HTTPException(413, "Request body too large")
    try:
        data = json.loads(body or b"{}")
        # "\ud800" parses into a str that is not Unicode text (SQLite cannot encode it)
        json.dumps(data, ensure_ascii=False).encode()
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." in 64 KiB
        raise HTTPException(400, "JSON parse error") from exc
    if not isinstance(data, dict):
        raise HTTPException(400, "Expected a JSON object")
    return data


async def schema(request: Request) -> Response:
    from vtctl.server.openapi import openapi_document

    return JSONResponse(openapi_document(state_of(request).dev_login))


def routes(dev_login: bool) -> list[Route]:
    """The guide's endpoints (and SimpleJWT's two login endpoints with ``--dev-login``)."""
    table = [
        Route(API + "/video-token/{appointment_id:id}/", video_token, methods=["GET"]),
        Route(API + "/video-token-refresh/{appointment_id:id}/", video_token, methods=["GET"]),
        Route(API + "/video-status/{appointment_id:id}/", video_status, methods=["GET"]),
        Route(API + "/video-room/{appointment_id:id}/", video_room, methods=["POST"]),
        Route(API + "/{appointment_id:id}/", appointment_detail, methods=["GET"]),
        Route(SCHEMA_PATH, schema, methods=["GET"]),
    ]
    if dev_login:
        table += [
            Route("/api/token/", token_obtain, methods=["POST"]),
            Route("/api/token/refresh/", token_refresh, methods=["POST"]),
        ]
    return table
