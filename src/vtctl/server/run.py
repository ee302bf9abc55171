"""Running ``vtctl serve``: the listening socket, logging, uvicorn and a clean stop."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp


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
