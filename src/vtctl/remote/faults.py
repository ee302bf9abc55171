"""Where httpx exceptions and HTTP statuses become ``vtctl.domain.errors`` classes.

==========================================  ==========================  ====
fault                                       error                       exit
==========================================  ==========================  ====
401, or a JWT whose ``exp`` is already past  AuthenticationError         3
403                                         PermissionDeniedError       4
404 (appointment / no video room / other)   NotFoundError subclasses    5
5xx, 429, non-JSON or malformed bodies      ServerError / Malformed...  6
refused, DNS, unreachable, TLS, broken      NetworkError                7
no complete reply within ``--timeout``      RequestTimeoutError         7
==========================================  ==========================  ====

Exceptions are told apart by their type and by the ``OSError`` (its class and
errno) under them, never by their text, which changes with the OS and locale.
"""

from __future__ import annotations

import errno
import socket
import ssl
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from vtctl.domain.commands import Suggestion
from vtctl.domain.errors import (
    AppointmentNotFoundError,
    AuthenticationError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    NoVideoRoomError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    TokenGenerationError,
    UsageError,
    VtctlError,
)
from vtctl.net.transport import TLSHandshakeTimeout
from vtctl.remote.parse import error_message
from vtctl.remote.reply import Reply
from vtctl.util.logsetup import redact
from vtctl.util.text import reason_of

LOGIN_AGAIN = "log in again with `vtctl auth login`"
_CHECK_URL = "check --base-url / VTCTL_BASE_URL"
FINAL_ADDRESS = "check --base-url: it should be the API's final address"
_UNREACHABLE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN,
                          errno.EHOSTDOWN})

E = TypeVar("E", bound=BaseException)


def found_under(exc: BaseException, kind: type[E]) -> E | None:
    """The first exception of ``kind`` in ``exc``'s chain of causes, or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def is_tls_failure(exc: BaseException) -> bool:
    return found_under(exc, ssl.SSLError) is not None


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def timed_out(url: str, timeout: float) -> RequestTimeoutError:
    return RequestTimeoutError(
        f"no complete reply from {host_of(url)} within {timeout:g} s",
        hint="the server may be overloaded; try again or raise --timeout",
    )


def translate(exc: Exception, url: str, timeout: float) -> VtctlError:
    """The one mapping of httpx exceptions to vtctl errors."""
    host = host_of(url)
    text = redact(reason_of(exc))
    if isinstance(exc, httpx.TimeoutException):
        if found_under(exc, TLSHandshakeTimeout):
            return RequestTimeoutError(
                f"the TLS handshake with {host} did not finish within {timeout:g} s",
                hint="does the server speak https on that port? (check --base-url), "
                "or raise --timeout",
            )
        if isinstance(exc, httpx.ConnectTimeout):
            return RequestTimeoutError(
                f"could not connect to {host} within {timeout:g} s",
                hint=f"{_CHECK_URL} and your network, or raise --timeout",
            )
        return timed_out(url, timeout)
    if isinstance(exc, httpx.ConnectError):
        return _connect_failure(exc, host, text)
    if isinstance(exc, httpx.InvalidURL) or (
        isinstance(exc, httpx.RemoteProtocolError) and found_under(exc, httpx.InvalidURL)
    ):
        # httpx reads Location itself (it builds the next request inside send):
        # a broken one is a malformed reply, not the network
        return MalformedResponseError(f"{host} sent a redirect with an invalid location: {text}",
                                      hint=FINAL_ADDRESS)
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponseError(f"the reply from {host} could not be decoded: {text}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return UsageError(f"invalid URL {url!r}: {text}",
                          hint="the base URL must start with http:// or https://")
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(f"proxy error reaching {host}: {text}",
                            hint="check HTTPS_PROXY / HTTP_PROXY / NO_PROXY")
    return NetworkError(f"the connection to {host} failed: {text}",
                        hint="try again; check your network")


def _connect_failure(exc: httpx.ConnectError, host: str, text: str) -> NetworkError:
    if found_under(exc, ssl.SSLCertVerificationError):
        return NetworkError(
            f"TLS verification failed for {host}: {text}",
            hint="for a private CA pass --ca-bundle PEM (or set SSL_CERT_FILE); "
            "verification cannot be turned off",
        )
    if is_tls_failure(exc):
        return NetworkError(f"TLS handshake with {host} failed: {text}",
                            hint="does the server speak https on that port? (check --base-url)")
    if found_under(exc, socket.gaierror):
        return NetworkError(f"cannot resolve host {host}: {text}", hint=_CHECK_URL)
    cause = found_under(exc, OSError)
    code = cause.errno if cause is not None else None
    if code == errno.ECONNREFUSED:
        return NetworkError(f"connection refused by {host}: is the server running?",
                            hint=_CHECK_URL)
    if code in _UNREACHABLE:
        return NetworkError(f"no route to {host} (network or host unreachable)",
                            hint=f"{_CHECK_URL} and your network connection")
    return NetworkError(f"cannot connect to {host}: {text}",
                        hint=f"{_CHECK_URL} and your network")


def _says(lowered: str, error: type[VtctlError]) -> bool:
    return error.guide_text is not None and error.guide_text.lower() in lowered


def content_kind(reply: Reply) -> str:
    kind = reply.content_type.split(";")[0].strip()
    if kind:
        return kind
    return "empty body" if not reply.content else "no content type"


def not_retried(error: VtctlError, why: str) -> VtctlError:
    """``error`` (of the same class, so the same exit code) saying why it was not retried."""
    return type(error)(f"{error.message}; {why}",
                       hint=error.hint or "try again later, or raise --timeout")


def error_for_status(reply: Reply, what: str, *, on_401: str | None = None,
                     hint_401: str | None = None) -> VtctlError | None:
    """The error an HTTP status stands for, or None for a 2xx."""
    status = reply.status
    if 200 <= status < 300:
        return None
    message = error_message(reply.payload_or_none())
    message = redact(message) if message else None
    says = f": {message}" if message else ""
    if status == 401:
        if on_401:
            return AuthenticationError(f"{on_401} (HTTP 401{says})", hint=hint_401)
        return AuthenticationError(
            f"the server refused your login token (HTTP 401{says}); {LOGIN_AGAIN}",
            hint="or set VTCTL_JWT to a valid token",
        )
    if status == 403:
        return PermissionDeniedError(
            message, hint="only the appointment's patient or psychologist may do this"
        )
    if status == 404:
        return _not_found(reply, message, says)
    if status == 429:
        return ServerError(f"the server is rate limiting requests (HTTP 429{says})",
                           hint="wait a moment and try again")
    if status >= 500:
        if message and message.startswith(TokenGenerationError.guide_text):
            return TokenGenerationError(f"{message} (HTTP {status})")
        detail = says or f" from {host_of(reply.url)}, {content_kind(reply)}"
        return ServerError(f"server error (HTTP {status} {reply.reason}{detail})")
    return ServerError(
        f"unexpected HTTP {status} {reply.reason} for the {what} request{says}",
        hint=f"{_CHECK_URL} and the server version",
    )


def _appointment_in(url: str) -> str:
    """The appointment id a request's path ends with (``.../video-token/47/``), else ``ID``."""
    parts = urlsplit(url).path.strip("/").split("/")
    return parts[-1] if parts[-1].isdigit() else "ID"


def _not_found(reply: Reply, message: str | None, says: str) -> NotFoundError:
    """The guide's two 404 bodies, told apart by their text (a protocol fact, not prose)."""
    lowered = (message or "").lower()
    if _says(lowered, NoVideoRoomError):
        return NoVideoRoomError(message, suggests=Suggestion(
            ("room", "create", _appointment_in(reply.url)), "create one with `{command}`"))
    if _says(lowered, AppointmentNotFoundError):
        return AppointmentNotFoundError(
            message, hint=f"the server at {host_of(reply.url)} has no appointment with that "
            "id: check the id (it is the number in the session link)")
    return NotFoundError(f"not found (HTTP 404{says}) at {reply.url}",
                         hint=f"{_CHECK_URL}: is it the telehealth API?")
