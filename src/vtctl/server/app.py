"""``vtctl serve``: the local engine served as the API guide's HTTP endpoints.

A Starlette app (real ASGI, run by uvicorn).  The pieces, one module each:
``state`` (built once per process), ``routes`` (the endpoints), ``handlers``
(errors as the guide's bodies), ``middleware`` (request log, token fast path),
``auth`` (SimpleJWT-style Bearer JWTs) and ``run`` (socket, uvicorn, signals).
"""

from __future__ import annotations

from typing import IO

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from vtctl.server.handlers import exception_handlers
from vtctl.server.middleware import AccessLog, TokenFastPath
from vtctl.server.routes import routes
from vtctl.server.state import ServerState

#: Browser frontends on this machine (any port) may call the API.
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?"


def create_app(
    state: ServerState, *, access_log: bool = True, log_stream: IO[str] | None = None
) -> Starlette:
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
        routes=routes(state.dev_login),
        middleware=middleware,
        exception_handlers=exception_handlers(),
    )
    app.state.vtctl = state
    return app


def create_asgi(
    state: ServerState, *, access_log: bool = True, log_stream: IO[str] | None = None
) -> ASGIApp:
    """What uvicorn serves: the request log, then the token fast path, then the app."""
    asgi: ASGIApp = TokenFastPath(create_app(state, access_log=False), state)
    return AccessLog(asgi, stream=log_stream) if access_log else asgi
