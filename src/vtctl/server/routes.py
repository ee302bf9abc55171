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

from vtctl.domain.errors import NoVideoRoomError
from vtctl.domain.models import RoomStatus
from vtctl.local.engine import NO_VIDEO_ROOM
from vtctl.server.auth import REFRESH_LIFETIME_SECONDS
from vtctl.server.state import state_of

API = "/api/appointments"


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
    return JSONResponse(token.to_json())


async def video_status(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    appointment = state.participant_appointment(request.path_params["appointment_id"], user_id)
    if not appointment.video_room_id:
        raise NoVideoRoomError(NO_VIDEO_ROOM)
    credentials = state.credentials
    if credentials is None or credentials.source == "demo":
        why = (
            "the demo profile's Twilio credentials are not real"
            if credentials is not None
            else state.credentials_problem or "no Twilio credentials"
        )
        status = RoomStatus(
            appointment_id=appointment.id,
            room_name=appointment.video_room_id,
            status="offline",
            message=f"offline: room status needs the Twilio API and {why}",
        )
        return JSONResponse(status.to_json())
    from vtctl.twilio_video.rooms import fetch_room_status

    found = await anyio.to_thread.run_sync(fetch_room_status, credentials, appointment)
    return JSONResponse(found.to_json())


async def video_room(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    appointment_id = request.path_params["appointment_id"]
    state.participant_appointment(appointment_id, user_id)
    info = await anyio.to_thread.run_sync(
        state.writer.create_room, appointment_id, limiter=state.write_limiter
    )
    return JSONResponse(info.to_json(), status_code=201 if info.created else 200)


async def appointment_detail(request: Request) -> Response:
    state = state_of(request)
    user_id = state.user_of(request)
    appointment = state.participant_appointment(request.path_params["appointment_id"], user_id)
    return JSONResponse(appointment.to_json())


async def token_obtain(request: Request) -> Response:
    """Dev login (``--dev-login``): SimpleJWT's ``POST /api/token/`` for a stored user.

    Any password is accepted: this stands in for a real login on a developer's
    machine and is only offered on loopback addresses.
    """
    state = state_of(request)
    data = await _json_body(request)
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
        }
    )


async def token_refresh(request: Request) -> Response:
    state = state_of(request)
    data = await _json_body(request)
    refresh = data.get("refresh")
    if not isinstance(refresh, str) or not refresh:
        return JSONResponse({"refresh": ["This field is required."]}, status_code=400)
    user_id = state.auth.verify(refresh, token_type="refresh")
    return JSONResponse({"access": state.auth.issue(user_id)})


MAX_BODY_BYTES = 64 * 1024


async def _json_body(request: Request) -> dict[str, Any]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, "Request body too large")
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." in 64 KiB
        raise HTTPException(400, "JSON parse error") from exc
    if not isinstance(data, dict):
        raise HTTPException(400, "Expected a JSON object")
    return data


def routes(dev_login: bool) -> list[Route]:
    """The guide's endpoints (and SimpleJWT's two login endpoints with ``--dev-login``)."""
    table = [
        Route(API + "/video-token/{appointment_id:id}/", video_token, methods=["GET"]),
        Route(API + "/video-token-refresh/{appointment_id:id}/", video_token, methods=["GET"]),
        Route(API + "/video-status/{appointment_id:id}/", video_status, methods=["GET"]),
        Route(API + "/video-room/{appointment_id:id}/", video_room, methods=["POST"]),
        Route(API + "/{appointment_id:id}/", appointment_detail, methods=["GET"]),
    ]
    if dev_login:
        table += [
            Route("/api/token/", token_obtain, methods=["POST"]),
            Route("/api/token/refresh/", token_refresh, methods=["POST"]),
        ]
    return table
