"""A small real HTTP server on 127.0.0.1 answering ``GET /api/appointments/ID/`` with
whatever JSON text a test gives it: the hostile API ``appointment pull`` and remote
``appointment show`` are tested against (raw text, so a body can hold ``"\\ud800"``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.remote_helpers import make_jwt

_DETAIL = re.compile(r"/api/appointments/([0-9]+)/")


@contextmanager
def hostile_api(bodies: dict[int, str]) -> Iterator[dict[str, str]]:
    """Serve ``bodies`` (appointment id -> JSON text; others 404) and yield the
    environment that points the remote backend at it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = _DETAIL.fullmatch(self.path)
            body = bodies.get(int(match.group(1))) if match else None
            status = 200 if body is not None else 404
            raw = (body if body is not None else '{"error": "Appointment not found"}').encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"VTCTL_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}",
               "VTCTL_JWT": make_jwt(2)}
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
