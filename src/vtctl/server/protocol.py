"""uvicorn's httptools protocol with the two limits uvicorn lacks: a header read timeout
and a cap on the bytes of headers not yet complete.

uvicorn 0.55 closes a keep-alive connection that stays idle after a reply
(``timeout_keep_alive``) and answers 503 beyond ``limit_concurrency``, but a
connection that sends nothing, or drips its headers a byte at a time, stays
open forever, and httptools buffers an unterminated header value without
bound.  This subclass (handed to uvicorn through its public ``Config(http=...)``,
which takes a protocol class) keeps uvicorn's parsing and adds:

* a timer from the connection's start, and again from each reply, until the
  next request's headers are complete, then one more (as long) until its body is
  complete, also when the client waits for ``100 Continue`` first: when one fires,
  the connection is closed (and the app sees the client gone);
* a count of the bytes received while a request's headers are incomplete: past
  ``max_header_bytes`` the answer is 431 and nothing more is parsed or kept.
  The connection lingers (reading and dropping, at most ``LINGER_BYTES`` or
  ``LINGER_SECONDS``) so that a client still sending its huge header reads the
  431 instead of a reset.  (Complete headers are measured exactly by
  ``middleware.HeaderLimit``.)
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from vtctl.server.limits import HEADERS_TOO_LARGE, ServeLimits

LINGER_BYTES = 4 * 1024 * 1024
LINGER_SECONDS = 2.0
TOO_LARGE_REPLY = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(HEADERS_TOO_LARGE)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + HEADERS_TOO_LARGE
)


class LimitedHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc]
    limits = ServeLimits()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._reading_headers = False
        self._header_bytes = 0
        self._dropped: int | None = None  # bytes read and dropped after a 431
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._dropped is not None:
            self._dropped += len(data)
            if self._dropped > LINGER_BYTES:
                self.transport.close()
            return
        super().data_received(data)
        if self._reading_headers and not self.transport.is_closing():
            # the whole chunk counts: it began (or continues) the headers
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._refuse_headers()

    # httptools parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_headers, self._header_bytes = True, 0

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._arm_header_timer()  # the body's own deadline (cancelled when it is complete)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_header_timer()
        super().on_message_complete()

    # the response cycle's callback

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # idle until the next request
            self._arm_header_timer()

    # -- helpers --------------------------------------------------------------------

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.limits.header_timeout, self._timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _timed_out(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _refuse_headers(self) -> None:
        self._cancel_header_timer()
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a reply is being written: no room for ours
            return
        self.transport.write(TOO_LARGE_REPLY)
        self._dropped = 0
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def protocol_class(limits: ServeLimits) -> type[Any]:
    """The protocol uvicorn builds for each connection, with these limits."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"limits": limits})
