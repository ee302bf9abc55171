"""The limits of ``vtctl serve``: what a production ASGI deployment sets, with our defaults.

Plain data (no uvicorn, no Starlette): ``cli/serve.py`` shows these defaults in
``--help`` and fills one ``ServeLimits`` from its flags.
"""

from __future__ import annotations

from dataclasses import dataclass

#: seconds from a connection's start (or its last reply) until the request's headers are in,
#: and again from then until its body is in
HEADER_TIMEOUT = 10.0
#: seconds an idle keep-alive connection stays open after a reply
KEEPALIVE_TIMEOUT = 5.0
#: open connections; a request on one more is answered 503 and its connection closed
MAX_CONNECTIONS = 2048
#: request line plus headers, in bytes; more is answered 431
MAX_HEADER_BYTES = 16 * 1024
#: a request body (the dev-login JSON), in bytes; more is answered 413
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class ServeLimits:
    header_timeout: float = HEADER_TIMEOUT
    keepalive_timeout: float = KEEPALIVE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    max_header_bytes: int = MAX_HEADER_BYTES
    max_body_bytes: int = MAX_BODY_BYTES

    def problem(self) -> str | None:
        """Why these limits cannot be served (a flag's value out of range), or None."""
        if not 0 < self.header_timeout <= 3600 or not 0 < self.keepalive_timeout <= 3600:
            return "--header-timeout and --keepalive-timeout must be 0 < SECONDS <= 3600"
        if self.max_connections < 1:
            return "--max-connections must be at least 1"
        if self.max_header_bytes < 1024:
            return "--max-header-size must be at least 1024 bytes"
        if self.max_body_bytes < 1024:
            return "--max-body-size must be at least 1024 bytes"
        return None


HEADERS_TOO_LARGE = b'{"detail":"Request header fields too large."}'
