"""Pure-ASGI layers in front of the app: the request log and the token fast path.

Request log lines carry method, path (never the query string), status and
time: never a header, so never a token.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import IO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vtctl.server.limits import HEADERS_TOO_LARGE
from vtctl.server.paths import API
from vtctl.server.state import ServerState


class HeaderLimit:
    """431 for a request whose path, query and headers pass ``max_bytes``, measured exactly.

    (Headers still arriving are counted by ``protocol.LimitedHttpToolsProtocol``,
    which stops an unterminated one before it is buffered; this catches the
    complete ones, whatever the protocol, e.g. under the TestClient.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            len(scope.get("raw_path") or b"") + len(scope["query_string"])
            + sum(len(name) + len(value) + 4 for name, value in scope["headers"])
            > self.max_bytes
        ):
            await send({"type": "http.response.start", "status": 431, "headers": [
                (b"content-length", str(len(HEADERS_TOO_LARGE)).encode()),
                (b"content-type", b"application/json"),
            ]})
            await send({"type": "http.response.body", "body": HEADERS_TOO_LARGE})
            return
        await self.app(scope, receive, send)


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

    #: the two token routes of ``routes.routes`` (18 digits: always an int SQLite can hold)
    PATH = re.compile(re.escape(API) + r"/video-token(?:-refresh)?/([0-9]{1,18})/")

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
                            (b"cache-control", b"no-store"),  # routes.NO_STORE
                        ],
                    })
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _mint(self, scope: Scope, appointment_id: int) -> bytes | None:
        authorization = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is not None:
                    return None  # two of them: the app refuses it (401)
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
