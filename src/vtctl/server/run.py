"""Running ``vtctl serve``: the listening socket, logging, uvicorn and a clean stop."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from vtctl.server.limits import ServeLimits


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


def raise_open_files_limit(connections: int) -> None:
    """Let the process hold ``connections`` sockets (and its own files) when the hard limit
    allows: a soft limit of 1024 would otherwise refuse connections long before the cap."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 64
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if target > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class _Stopped(Exception):
    """SIGINT or SIGTERM reached vtctl's own handler: serving is over."""


@contextmanager
def _signals_stop_normally() -> Iterator[None]:
    """SIGINT and SIGTERM end ``vtctl serve`` with exit 0, not a traceback or 143.

    Public behaviour only: while it serves, uvicorn (0.29+, "cooperative signal
    handling") takes the two signals, shuts down gracefully, puts back the handlers
    it found (these) and raises the signal again, so it reaches this handler after
    the graceful stop; a signal before uvicorn serves or after it stops reaches it too.
    """
    import signal

    def stop(signum: int, frame: object) -> None:
        raise _Stopped(signum)

    handled = (signal.SIGINT, signal.SIGTERM)
    original = {sig: signal.signal(sig, stop) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in original.items():
            signal.signal(sig, handler)


def run_server(
    app: ASGIApp,
    sock: socket.socket,
    *,
    limits: ServeLimits | None = None,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, then shut down gracefully and return (exit 0)."""
    import uvicorn

    from vtctl.server.protocol import protocol_class

    limits = limits or ServeLimits()
    raise_open_files_limit(limits.max_connections)

    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,  # nothing sits in front of a dev server; saves a layer per request
        timeout_graceful_shutdown=5,
        http=protocol_class(limits),  # httptools plus a header timeout and size cap
        # typed int, used as loop.call_later's delay: a float works
        timeout_keep_alive=limits.keepalive_timeout,  # type: ignore[arg-type]
        # uvicorn answers 503 once the open connections (this one included) reach it
        limit_concurrency=limits.max_connections + 1,
    )
    server = uvicorn.Server(config)
    try:
        with _signals_stop_normally():
            server.run(sockets=[sock])
    except _Stopped:
        pass  # Ctrl-C / SIGTERM: how this command ends normally (exit 0)
    finally:
        sock.close()
        if on_stop is not None:
            on_stop()
