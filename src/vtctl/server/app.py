"""``vtctl serve``: the local engine served as the API guide's HTTP endpoints.

A Starlette app (real ASGI, run by uvicorn) with the guide's routes, bodies
and status codes.  Per-process work is done once in ``ServerState.open``:
the store connection, the engine, the Twilio credentials and the JWT
secret.  Endpoints are ``async`` and call the fast synchronous engine on the
event-loop thread (one SQLite connection, no thread hops); only the rare
slow calls (a store write, the Twilio Rooms API) go to a worker thread,
the write on its own connection, one at a time.  The read connection caches
rows until ``PRAGMA data_version`` says the database changed, and the hot
path (a successful token GET) skips the framework (``TokenFastPath``).

Request log lines carry method, path (never the query string), status and
time: never a header, so never a token.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import anyio
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import (
    NetworkError,
    NotFoundError,
    NoVideoRoomError,
    PermissionDeniedError,
    TokenGenerationError,
    VtctlError,
)
from vtctl.domain.models import Appointment, RoomStatus, User
from vtctl.local.engine import APPOINTMENT_NOT_FOUND, NO_VIDEO_ROOM, PERMISSION_DENIED, TokenEngine
from vtctl.local.store import AppointmentStore
from vtctl.server.auth import (
    REFRESH_LIFETIME_SECONDS,
    AuthFailed,
    JwtAuthority,
)

TOKEN_ERROR_PREFIX = "Failed to generate access token: "
#: Browser frontends on this machine (any port) may call the API.
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"

_MISSING = object()
#: cached rows (appointments + users, found or not) before the cache is emptied
CACHE_LIMIT = 50_000


class CachedStore(AppointmentStore):
    """The server's read connection, with rows cached until the database changes.

    ``PRAGMA data_version`` (one cheap statement) changes whenever another
    connection commits: the server's own writer, ``vtctl appointment import``
    in another process.  Until it does, appointments and users are served from
    memory, saving the engine two queries per token.  Never used to write.
    Open with ``CachedStore.open(path)``; one thread only (the event loop).
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        super().__init__(connection, path)
        self._version: int | None = None
        self._appointments: dict[int, Appointment | None] = {}
        self._users: dict[int, User | None] = {}

    def _check_version(self) -> None:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version or (
            len(self._appointments) + len(self._users) > CACHE_LIMIT
        ):
            self._version = version
            self._appointments.clear()
            self._users.clear()

    def get_appointment(self, appointment_id: int) -> Appointment | None:
        self._check_version()
        found = self._appointments.get(appointment_id, _MISSING)
        if found is _MISSING:
            found = self._appointments[appointment_id] = super().get_appointment(appointment_id)
        return found  # type: ignore[return-value]

    def get_user(self, user_id: int) -> User | None:
        self._check_version()
        found = self._users.get(user_id, _MISSING)
        if found is _MISSING:
            found = self._users[user_id] = super().get_user(user_id)
        return found  # type: ignore[return-value]


@dataclass
class ServerState:
    """Everything a request needs, built once per process."""

    store: AppointmentStore
    engine: TokenEngine
    writer: TokenEngine  # its own connection; used in a worker thread, one call at a time
    auth: JwtAuthority
    credentials: TwilioCredentials | None
    credentials_problem: str | None = None
    dev_login: bool = False
    _known_users: set[int] = field(default_factory=set, repr=False)
    _write_limiter: anyio.CapacityLimiter | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        store: AppointmentStore,
        writer_store: AppointmentStore,
        auth: JwtAuthority,
        credentials: TwilioCredentials | None,
        credentials_problem: str | None = None,
        dev_login: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> ServerState:
        def provide() -> TwilioCredentials:
            if credentials is None:
                raise TokenGenerationError(
                    TOKEN_ERROR_PREFIX + (credentials_problem or "no Twilio credentials")
                )
            return credentials

        return cls(
            store=store,
            engine=TokenEngine(store, provide, clock),
            writer=TokenEngine(writer_store, provide, clock),
            auth=auth,
            credentials=credentials,
            credentials_problem=credentials_problem,
            dev_login=dev_login,
        )

    def close(self) -> None:
        self.store.close()
        if self.writer.store is not self.store:
            self.writer.store.close()

    @property
    def write_limiter(self) -> anyio.CapacityLimiter:
        if self._write_limiter is None:  # created inside the event loop
            self._write_limiter = anyio.CapacityLimiter(1)
        return self._write_limiter

    # -- per request --------------------------------------------------------

    def user_of(self, request: Request) -> int:
        """The authenticated user id, or ``AuthFailed`` (401)."""
        return self.user_of_header(request.headers.get("authorization"))

    def user_of_header(self, authorization: str | None) -> int:
        user_id = self.auth.authenticate(authorization)
        if user_id not in self._known_users:
            if self.store.get_user(user_id) is None:
                raise AuthFailed("User not found", code="user_not_found")
            self._known_users.add(user_id)
        return user_id

    def participant_appointment(self, appointment_id: int, user_id: int) -> Appointment:
        """404 then 403, the guide's order, for endpoints that need no room."""
        appointment = self.store.get_appointment(appointment_id)
        if appointment is None:
            raise NotFoundError(APPOINTMENT_NOT_FOUND)
        if user_id not in appointment.participant_ids():
            raise PermissionDeniedError(PERMISSION_DENIED)
        return appointment


# -- endpoints ----------------------------------------------------------------


def _state(request: Request) -> ServerState:
    state: ServerState = request.app.state.vtctl
    return state


async def video_token(request: Request) -> Response:
    state = _state(request)
    user_id = state.user_of(request)
    token = state.engine.issue(request.path_params["appointment_id"], user_id)
    return JSONResponse(token.to_json())


async def video_status(request: Request) -> Response:
    state = _state(request)
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
    state = _state(request)
    user_id = state.user_of(request)
    appointment_id = request.path_params["appointment_id"]
    state.participant_appointment(appointment_id, user_id)
    info = await anyio.to_thread.run_sync(
        state.writer.create_room, appointment_id, limiter=state.write_limiter
    )
    return JSONResponse(info.to_json(), status_code=201 if info.created else 200)


async def appointment_detail(request: Request) -> Response:
    state = _state(request)
    user_id = state.user_of(request)
    appointment = state.participant_appointment(request.path_params["appointment_id"], user_id)
    return JSONResponse(appointment.to_json())


async def token_obtain(request: Request) -> Response:
    """Dev login (``--dev-login``): SimpleJWT's ``POST /api/token/`` for a stored user.

    Any password is accepted: this stands in for a real login on a developer's
    machine and is only offered on loopback addresses.
    """
    state = _state(request)
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
    state = _state(request)
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


# -- errors -------------------------------------------------------------------


async def _auth_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthFailed)
    return JSONResponse(
        exc.body, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="api"'}
    )


async def _vtctl_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VtctlError)
    message = exc.message
    if isinstance(exc, NotFoundError):
        code = 404
    elif isinstance(exc, PermissionDeniedError):
        code = 403
    elif isinstance(exc, NetworkError):
        code = 502
    else:
        code = 500
        if isinstance(exc, TokenGenerationError) and not message.startswith(TOKEN_ERROR_PREFIX):
            message = TOKEN_ERROR_PREFIX + message
    return JSONResponse({"error": message}, status_code=code)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        detail = "Not found."
    elif exc.status_code == 405:
        detail = f'Method "{request.method}" not allowed.'
    else:
        detail = str(exc.detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "Internal server error"}, status_code=500)


# -- access log -----------------------------------------------------------------


class AccessLog:
    """Pure-ASGI request log: time, client, method, path, status, milliseconds.

    The query string and the headers are never logged (tokens live there).
    Lines go straight to ``stream`` (stderr): the logging module and its
    redaction regexes would cost a fifth of the server's throughput, and
    there is nothing in these lines to redact.
    """

    def __init__(self, app: ASGIApp, stream: IO[str] | None = None) -> None:
        self.app = app
        self.stream = stream
        self._second = -1
        self._stamp = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.write(scope, status, time.perf_counter() - started)

    def write(self, scope: Scope, status: int, seconds: float) -> None:
        now = int(time.time())
        if now != self._second:
            self._second, self._stamp = now, time.strftime("%H:%M:%S", time.localtime(now))
        client = scope.get("client")
        path: str = scope.get("path", "")
        if "eyJ" in path:  # someone put a JWT in the path itself
            from vtctl.util.logsetup import redact

            path = redact(path)
        if not path.isprintable():  # %1b / %0a in the path: no escapes, no forged lines
            from vtctl.util.text import printable

            path = printable(path)
        stream = self.stream or sys.stderr
        stream.write(
            f'{self._stamp} {client[0] if client else "-"}:{client[1] if client else "-"} '
            f'"{scope.get("method", "-")} {path}" {status} {seconds * 1000:.1f}ms\n'
        )


class TokenFastPath:
    """The hot path, ``GET .../video-token[-refresh]/ID/``, answered without the framework.

    Only a plain success is answered here (a valid Bearer JWT, no CORS
    ``Origin``, the engine mints): the same status, headers and body bytes as
    the Starlette route.  Anything else, and every error, goes to the full
    app, which computes the answer again and renders it the guide's way.
    """

    PATH = re.compile(r"/api/appointments/video-token(?:-refresh)?/([0-9]{1,18})/")

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = self.PATH.fullmatch(scope["path"])
            if match is not None:
                body = self._mint(scope, int(match[1]))
                if body is not None:
                    await send({
                        "type": "http.response.start", "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode()),
                            (b"content-type", b"application/json"),
                            (b"vary", b"Origin"),  # as CORSMiddleware marks every reply
                        ],
                    })
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _mint(self, scope: Scope, appointment_id: int) -> bytes | None:
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"origin":
                return None  # CORS: the middleware adds its headers
        if authorization is None:
            return None
        try:
            user_id = self.state.user_of_header(authorization.decode("latin-1"))
            token = self.state.engine.issue(appointment_id, user_id)
        except Exception:  # every failure is rendered by the full app
            return None
        return json.dumps(
            token.to_json(), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode()


# -- the app ------------------------------------------------------------------

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


def create_app(
    state: ServerState, *, access_log: bool = True, log_stream: IO[str] | None = None
) -> Starlette:
    routes = [
        Route(API + "/video-token/{appointment_id:id}/", video_token, methods=["GET"]),
        Route(API + "/video-token-refresh/{appointment_id:id}/", video_token, methods=["GET"]),
        Route(API + "/video-status/{appointment_id:id}/", video_status, methods=["GET"]),
        Route(API + "/video-room/{appointment_id:id}/", video_room, methods=["POST"]),
        Route(API + "/{appointment_id:id}/", appointment_detail, methods=["GET"]),
    ]
    if state.dev_login:
        routes += [
            Route("/api/token/", token_obtain, methods=["POST"]),
            Route("/api/token/refresh/", token_refresh, methods=["POST"]),
        ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origin_regex=LOCAL_ORIGINS,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    ]
    if access_log:
        middleware.insert(0, Middleware(AccessLog, stream=log_stream))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            AuthFailed: _auth_failed,
            VtctlError: _vtctl_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.vtctl = state
    return app


def create_asgi(
    state: ServerState, *, access_log: bool = True, log_stream: IO[str] | None = None
) -> ASGIApp:
    """What uvicorn serves: the request log, then the token fast path, then the app."""
    asgi: ASGIApp = TokenFastPath(create_app(state, access_log=False), state)
    return AccessLog(asgi, stream=log_stream) if access_log else asgi


# -- running it -----------------------------------------------------------------


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves: a busy port is a clear error, port 0 works."""
    from vtctl.domain.errors import UsageError

    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve --host {host!r}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)  # connections made while uvicorn starts wait instead of failing
    except OSError as exc:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="pick another port with --port (or stop what is using it)",
        ) from exc
    sock.set_inheritable(True)
    return sock


def configure_logging() -> None:
    """uvicorn's own lines (warnings and errors) and ours on stderr, redacted."""
    from vtctl.util.logsetup import RedactingFilter

    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for name, level in (("uvicorn", logging.WARNING), ("vtctl.serve", logging.INFO)):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


def run_server(
    app: ASGIApp,
    sock: socket.socket,
    *,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, then shut down gracefully and return (exit 0)."""
    import uvicorn

    class _Server(uvicorn.Server):  # type: ignore[misc]
        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            # like uvicorn's, but the signal is not re-raised after the graceful
            # shutdown: Ctrl-C / SIGTERM is how this command ends normally.
            import signal

            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,  # nothing sits in front of a dev server; saves a layer per request
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        if on_stop is not None:
            on_stop()
