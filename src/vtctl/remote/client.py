"""``RestClient``: the telehealth video API over httpx (a library, no CLI code).

This module is the one place where httpx exceptions and HTTP statuses become
``vtctl.domain.errors`` classes:

==========================================  ==========================  ====
fault                                       error                       exit
==========================================  ==========================  ====
401, or a JWT whose ``exp`` is already past  AuthenticationError         3
403                                         PermissionDeniedError       4
404 (appointment / no video room / other)   NotFoundError subclasses    5
5xx, 429, non-JSON or malformed bodies      ServerError / Malformed...  6
refused, DNS, TLS, broken connection        NetworkError                7
no complete reply within ``timeout``        RequestTimeoutError         7
==========================================  ==========================  ====

Behaviour worth knowing:

* ``timeout`` bounds each try from connect to the last byte of the body.
* Idempotent GETs are retried on connect errors and on 429/502/503/504, with
  exponential backoff honouring ``Retry-After``, at most ``max_tries`` tries.
  A POST is only retried when the connection could not even be opened
  (nothing was sent); it is never replayed once sent.
* Redirects are followed only within the same origin (plus the http->https
  upgrade of the same host), so the Bearer JWT never goes to another host.
* Bodies larger than ``MAX_RESPONSE_BYTES`` are refused.
* TLS verification is always on; ``ca_bundle`` adds a private CA.
* The JWT is registered with ``vtctl.util.logsetup`` so ``--debug`` never shows it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from vtctl import __version__
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
from vtctl.domain.models import Appointment, RoomInfo, RoomStatus, VideoToken, format_utc
from vtctl.remote.parse import (
    error_message,
    jwt_expired_at,
    parse_appointment,
    parse_login,
    parse_room_info,
    parse_video_token,
)
from vtctl.util.logsetup import redact, register_secret

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("vtctl.remote.client")

USER_AGENT = f"vtctl/{__version__}"
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: first backoff delay in seconds, doubled on each retry, capped
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
#: a Retry-After longer than this is not waited for: the error is reported
MAX_RETRY_AFTER = 60.0

LOGIN_AGAIN = "log in again with `vtctl auth login`"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})



@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP reply, body already read (and capped)."""

    status: int
    reason: str
    url: str
    content_type: str
    content: bytes
    retry_after: float | None = None
    location: str | None = None

    def payload(self) -> Any:
        """The JSON body; raises ``_NotJsonError`` when the body is not JSON."""
        try:
            return json.loads(self.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # RecursionError: "[[[[..." nested deeper than the parser goes, well under the cap
            raise _NotJsonError from exc


class _NotJsonError(Exception):
    pass


class RestClient:
    """Synchronous client of the guide's endpoints; one instance per command."""

    def __init__(
        self,
        base_url: str,
        jwt: str | Callable[[], str | None] | None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        ca_bundle: str | None = None,
        max_tries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        renew_jwt: Callable[[], str | None] | None = None,
    ) -> None:
        """``renew_jwt``: after a 401, a fresh JWT to retry the request with once, or None."""
        import httpx

        if not 0 < timeout < float("inf"):  # also refuses nan
            raise UsageError("--timeout must be a positive number of seconds")
        self.base_url = base_url.rstrip("/")
        try:
            self._origin = _origin(httpx.URL(self.base_url))
        except httpx.InvalidURL as exc:
            raise UsageError(f"invalid base URL {base_url!r}: {exc}") from exc
        self._jwt = jwt
        self._renew_jwt = renew_jwt
        self.timeout = timeout
        self.max_tries = max(1, max_tries)
        self._sleep = sleep
        #: monotonic clock for the per-try deadline (replaceable in tests)
        self._clock: Callable[[], float] = time.monotonic
        mounts: dict[str, Any] = {}  # httpx only calls handle_request/close/__enter__/__exit__
        if transport is None and self._origin[0] == "https":
            transport = _deadline_transport(_tls_verify(ca_bundle))
        elif transport is None:
            # plain http: loading CA certificates (~20 ms) waits until a same-host
            # redirect upgrades to https, if one ever does
            transport = _deadline_transport(_never_tls())
            mounts["https://"] = _LazyTransport(
                lambda: _deadline_transport(_tls_verify(ca_bundle))
            )
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            mounts=mounts,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # -- the guide's endpoints ----------------------------------------------

    def video_token(self, appointment_id: int) -> VideoToken:
        reply = self._get(f"/api/appointments/video-token/{appointment_id}/", "video token")
        return parse_video_token(self._json(reply, "video token"), appointment_id)

    def refresh_token(self, appointment_id: int) -> VideoToken:
        reply = self._get(
            f"/api/appointments/video-token-refresh/{appointment_id}/", "video token"
        )
        return parse_video_token(self._json(reply, "video token"), appointment_id)

    def room_status(self, appointment_id: int) -> RoomStatus:
        from vtctl.remote.status_parse import parse_room_status

        reply = self._get(f"/api/appointments/video-status/{appointment_id}/", "room status")
        status: RoomStatus = parse_room_status(self._json(reply, "room status"), appointment_id)
        return status

    def create_room(self, appointment_id: int) -> RoomInfo:
        reply = self._call(
            "POST", f"/api/appointments/video-room/{appointment_id}/", "room creation", body={}
        )
        return parse_room_info(
            self._json(reply, "room creation"), appointment_id, status_code=reply.status
        )

    def appointment(self, appointment_id: int) -> Appointment:
        reply = self._get(f"/api/appointments/{appointment_id}/", "appointment")
        return parse_appointment(self._json(reply, "appointment"), appointment_id)

    # -- SimpleJWT login (no Bearer header) ----------------------------------

    def login(self, path: str, username: str, password: str) -> tuple[str, str | None]:
        """POST ``{"username", "password"}`` -> (access, refresh or None)."""
        register_secret(password)
        reply = self._call(
            "POST", path, "login", body={"username": username, "password": password},
            authenticate=False, on_401="login failed",
            hint_401="check the username and password (the password is read from the prompt)",
        )
        access, refresh = parse_login(self._json(reply, "login"))
        register_secret(access)
        register_secret(refresh)
        return access, refresh

    def refresh_access(self, path: str, refresh: str) -> tuple[str, str | None]:
        """POST ``{"refresh"}`` -> (new access, rotated refresh or None)."""
        register_secret(refresh)
        reply = self._call(
            "POST", path, "token refresh", body={"refresh": refresh}, authenticate=False,
            on_401=f"the saved refresh token was refused; {LOGIN_AGAIN}",
        )
        access, rotated = parse_login(self._json(reply, "token refresh"))
        register_secret(access)
        register_secret(rotated)
        return access, rotated

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RestClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------

    def _bearer(self) -> str | None:
        token = self._jwt() if callable(self._jwt) else self._jwt
        if not token:
            return None
        token = token.strip()
        register_secret(token)
        if any(c.isspace() for c in token) or not token.isascii():
            raise AuthenticationError(
                f"the JWT is malformed (it contains spaces or non-ASCII characters); {LOGIN_AGAIN}"
            )
        expired = jwt_expired_at(token)
        if expired is not None:
            raise AuthenticationError(
                f"your login expired at {format_utc(expired)}; {LOGIN_AGAIN}",
                hint="or set VTCTL_JWT to a fresh token",
            )
        return token

    def _get(self, path: str, what: str) -> Reply:
        return self._call("GET", path, what)

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: Any = None,
        authenticate: bool = True,
        on_401: str | None = None,
        hint_401: str | None = None,
    ) -> Reply:
        import httpx

        headers: dict[str, str] = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if authenticate and (token := self._bearer()):
            headers["Authorization"] = f"Bearer {token}"
        url = self.base_url + path
        idempotent = method in ("GET", "HEAD")
        tries = 0
        renewed = False
        while True:
            tries += 1
            log.debug("%s %s (try %d/%d)", method, url, tries, self.max_tries)
            try:
                reply = self._exchange(method, url, headers, body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # the connection was never opened: nothing was sent, even a POST may go again
                if tries < self.max_tries and not _is_tls_failure(exc):
                    delay = _backoff(tries)
                    log.debug("connect failed (%s); retrying in %.1f s", exc, delay)
                    self._sleep(delay)
                    continue
                raise _translate(exc, url, self.timeout) from exc
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                raise _translate(exc, url, self.timeout) from exc
            if idempotent and reply.status in RETRY_STATUSES and tries < self.max_tries:
                delay = reply.retry_after if reply.retry_after is not None else _backoff(tries)
                if delay <= MAX_RETRY_AFTER:
                    log.debug("HTTP %d; retrying in %.1f s", reply.status, delay)
                    self._sleep(delay)
                    continue
            if reply.status == 401 and "Authorization" in headers and not renewed:
                # refused before it was processed, so even a POST may go again
                renewed = True
                fresh = self._renew_jwt() if self._renew_jwt is not None else None
                if fresh:
                    log.debug("HTTP 401; retrying once with a refreshed access token")
                    headers["Authorization"] = f"Bearer {fresh}"
                    tries -= 1
                    continue
            self._raise_for_status(reply, what, on_401, hint_401)
            return reply

    def _exchange(
        self, method: str, url: str, headers: dict[str, str], body: Any
    ) -> Reply:
        """One try: send, follow same-origin redirects, read the capped body."""
        import httpx

        deadline = self._clock() + self.timeout
        for _hop in range(MAX_REDIRECTS + 1):
            # each phase (connect, write, each read) may wait at most what is left
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise _timed_out(url, self.timeout)
            request = self._http.build_request(
                method, url, headers=headers, json=body if body is not None else None,
                timeout=httpx.Timeout(remaining),
            )
            # the socket reads themselves wait only until the deadline, so a server
            # dripping its headers a byte at a time cannot hold the reply open
            armed = _DEADLINE.set((self._clock, deadline))
            try:
                reply = self._read(self._http.send(request, stream=True), url, deadline)
            finally:
                _DEADLINE.reset(armed)
            location = _location(reply, url)
            if reply.status not in _REDIRECTS or location is None:
                return reply
            try:
                target = httpx.URL(location)
            except httpx.InvalidURL:
                target = None
            if target is None or target.scheme not in ("http", "https"):
                raise MalformedResponseError(
                    f"{_host(url)} redirected to an invalid location "
                    f"({location[:80]!r}, HTTP {reply.status}); vtctl does not follow it",
                    hint="check --base-url: it should be the API's final address",
                )
            if not _same_site(httpx.URL(url), target):
                raise ServerError(
                    f"{_host(url)} redirected to another host ({_origin_text(target)}); "
                    "vtctl does not follow it, so your login token is not sent there",
                    hint=f"if that is the real API, use --base-url {_origin_text(target)}",
                )
            if method != "GET" and reply.status not in (307, 308):
                raise ServerError(
                    f"{_host(url)} answered the {method} with a redirect (HTTP {reply.status})",
                    hint="check --base-url: it should be the API's final address",
                )
            log.debug("HTTP %d: following redirect to %s", reply.status, location)
            url = location
        raise ServerError(f"too many redirects (more than {MAX_REDIRECTS}) from {_host(url)}")

    def _read(self, response: httpx.Response, url: str, deadline: float) -> Reply:
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
                raise _too_large(url)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise _too_large(url)
                if self._clock() > deadline:
                    raise _timed_out(url, self.timeout)
                chunks.append(chunk)
            if self._clock() > deadline:
                raise _timed_out(url, self.timeout)
        finally:
            response.close()
        log.debug("HTTP %d %s from %s (%d bytes)", response.status_code,
                  response.reason_phrase, url, size)
        return Reply(
            status=response.status_code,
            reason=response.reason_phrase,
            url=url,
            content_type=response.headers.get("content-type", ""),
            content=b"".join(chunks),
            retry_after=_retry_after(response.headers.get("retry-after")),
            location=response.headers.get("location"),
        )

    def _json(self, reply: Reply, what: str) -> Any:
        try:
            return reply.payload()
        except _NotJsonError:
            raise MalformedResponseError(
                f"the {what} reply from {_host(reply.url)} is not JSON "
                f"(HTTP {reply.status}, {_content_kind(reply)})",
                hint="is --base-url pointing at the telehealth API, not a proxy or web page?",
            ) from None

    def _raise_for_status(
        self, reply: Reply, what: str, on_401: str | None, hint_401: str | None
    ) -> None:
        status = reply.status
        if 200 <= status < 300:
            return
        try:
            payload = reply.payload()
            message = error_message(payload)
        except _NotJsonError:
            message = None
        message = redact(message) if message else None
        says = f": {message}" if message else ""
        if status == 401:
            if on_401:
                raise AuthenticationError(f"{on_401} (HTTP 401{says})", hint=hint_401)
            raise AuthenticationError(
                f"the server refused your login token (HTTP 401{says}); {LOGIN_AGAIN}",
                hint="or set VTCTL_JWT to a valid token",
            )
        if status == 403:
            raise PermissionDeniedError(
                message or "Permission denied",
                hint="only the appointment's patient or psychologist may do this",
            )
        if status == 404:
            lowered = (message or "").lower()
            if "no video room" in lowered:
                raise NoVideoRoomError(
                    message or "No video room found for this appointment",
                    hint="create one with `vtctl room create ID`",
                )
            if "appointment not found" in lowered:
                raise AppointmentNotFoundError(message or "Appointment not found")
            raise NotFoundError(
                f"not found (HTTP 404{says}) at {reply.url}",
                hint="check --base-url / VTCTL_BASE_URL: is it the telehealth API?",
            )
        if status == 429:
            raise ServerError(
                f"the server is rate limiting requests (HTTP 429{says})",
                hint="wait a moment and try again",
            )
        if status >= 500:
            if message and message.lower().startswith("failed to generate"):
                raise TokenGenerationError(f"{message} (HTTP {status})")
            detail = says or f" from {_host(reply.url)}, {_content_kind(reply)}"
            raise ServerError(f"server error (HTTP {status} {reply.reason}{detail})".strip())
        raise ServerError(
            f"unexpected HTTP {status} {reply.reason} for the {what} request{says}",
            hint="check --base-url / VTCTL_BASE_URL and the server version",
        )


# --- the whole-reply deadline at the socket --------------------------------

#: (clock, deadline) of the exchange running in this thread, read by the socket wrapper
_DEADLINE: ContextVar[tuple[Callable[[], float], float] | None] = ContextVar(
    "vtctl_reply_deadline", default=None
)


def _capped(timeout: float | None) -> float | None:
    """A socket operation's timeout, shortened to what is left of the exchange's."""
    armed = _DEADLINE.get()
    if armed is None:
        return timeout
    clock, deadline = armed
    left = deadline - clock()
    if left <= 0:
        import httpcore

        raise httpcore.ReadTimeout("the whole-reply timeout has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream:
    """An httpcore network stream whose every read and write obeys ``_DEADLINE``."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, _capped(timeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> _DeadlineStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _capped(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend:
    """httpcore's network backend, handing out ``_DeadlineStream`` connections."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None) -> Any:
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _capped(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> Any:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _capped(timeout),
                                                               socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _never_tls() -> Any:
    """For a transport that only ever speaks plain http: verifies against no CA at all."""
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # hostname + certificate checks stay on


class _LazyTransport:
    """A transport built on its first request (httpx.BaseTransport's interface)."""

    def __init__(self, build: Callable[[], httpx.BaseTransport]) -> None:
        self._build = build
        self._inner: httpx.BaseTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._inner = self._build()
        return self._inner.handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()

    def __enter__(self) -> _LazyTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _deadline_transport(verify: Any) -> httpx.HTTPTransport:
    """httpx's default transport with ``_DeadlineBackend`` under its connection pool.

    httpx has no option for a network backend, so it is set on the pool it made
    (tests/test_hardening_replies.py fails if a new httpx moves it).
    """
    import httpx

    transport = httpx.HTTPTransport(verify=verify)
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is not None:
        pool._network_backend = _DeadlineBackend(inner)  # type: ignore[union-attr]
    return transport


# --- helpers ---------------------------------------------------------------


def _tls_verify(ca_bundle: str | None) -> Any:
    """True (system/certifi CAs, SSL_CERT_FILE) or an SSLContext for ``ca_bundle``."""
    if not ca_bundle:
        return True
    import os
    import ssl

    path = os.path.expanduser(ca_bundle)
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        if not os.path.isfile(path):
            raise UsageError(f"CA bundle {ca_bundle!r} does not exist",
                             hint="--ca-bundle / SSL_CERT_FILE takes a PEM file")
        return ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise UsageError(f"cannot load CA bundle {ca_bundle!r}: {exc}",
                         hint="--ca-bundle / SSL_CERT_FILE takes a PEM file") from exc


def _backoff(tries: int) -> float:
    return float(min(BACKOFF_BASE * 2 ** (tries - 1), BACKOFF_MAX))


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds < 0:  # NaN or negative
        return 0.0
    return seconds


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def _same_site(source: httpx.URL, target: httpx.URL) -> bool:
    """Same origin, or the same host upgraded from http:80 to https:443."""
    a, b = _origin(source), _origin(target)
    if a == b:
        return True
    return a[1] == b[1] and a[0] == "http" and a[2] == 80 and b[0] == "https" and b[2] == 443


def _origin_text(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _location(reply: Reply, url: str) -> str | None:
    if reply.status not in _REDIRECTS or not reply.location:
        return None
    from urllib.parse import urljoin

    return urljoin(url, reply.location)


def _content_kind(reply: Reply) -> str:
    kind = reply.content_type.split(";")[0].strip()
    if kind:
        return kind
    return "empty body" if not reply.content else "no content type"


def _too_large(url: str) -> ServerError:
    return ServerError(
        f"the reply from {_host(url)} is larger than {MAX_RESPONSE_BYTES // 1024} KiB; "
        "refusing to read it",
        hint="is --base-url pointing at the telehealth API?",
    )


def _timed_out(url: str, timeout: float) -> RequestTimeoutError:
    return RequestTimeoutError(
        f"no complete reply from {_host(url)} within {timeout:g} s",
        hint="the server may be overloaded; try again or raise --timeout",
    )


def _is_tls_failure(exc: BaseException) -> bool:
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        current = current.__cause__ or current.__context__
    text = str(exc)
    return "SSL" in text or "CERTIFICATE" in text.upper()


def _translate(exc: Exception, url: str, timeout: float) -> VtctlError:
    """The one mapping of httpx exceptions to vtctl errors."""
    import httpx

    host = _host(url)
    text = redact(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return RequestTimeoutError(
                f"could not connect to {host} within {timeout:g} s",
                hint="check --base-url / VTCTL_BASE_URL and your network, or raise --timeout",
            )
        return _timed_out(url, timeout)
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if _is_tls_failure(exc):
            if "VERIFY_FAILED" in text.upper() or "CERTIFICATE" in text.upper():
                return NetworkError(
                    f"TLS verification failed for {host}: {text}",
                    hint="for a private CA pass --ca-bundle PEM (or set SSL_CERT_FILE); "
                    "verification cannot be turned off",
                )
            return NetworkError(
                f"TLS handshake with {host} failed: {text}",
                hint="does the server speak https on that port? (check --base-url)",
            )
        if any(s in lowered for s in ("name or service not known", "nodename nor servname",
                                      "getaddrinfo", "name resolution", "no address associated")):
            return NetworkError(
                f"cannot resolve host {host}: {text}",
                hint="check --base-url / VTCTL_BASE_URL",
            )
        if "refused" in lowered:
            return NetworkError(
                f"connection refused by {host}: is the server running?",
                hint="check --base-url / VTCTL_BASE_URL",
            )
        return NetworkError(f"cannot connect to {host}: {text}",
                            hint="check --base-url / VTCTL_BASE_URL and your network")
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in text.lower():
        # httpx reads Location itself: a broken one is a malformed reply, not the network
        return MalformedResponseError(f"{host} sent a redirect with an invalid location: {text}",
                                      hint="check --base-url: it should be the API's final address")
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponseError(f"the reply from {host} could not be decoded: {text}")
    if isinstance(exc, httpx.InvalidURL):
        # the base URL was checked when the client was made: this came from the
        # reply (httpx builds the redirect request from Location inside send)
        return MalformedResponseError(f"{host} sent a redirect with an invalid location: {text}",
                                      hint="check --base-url: it should be the API's final address")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return UsageError(f"invalid URL {url!r}: {text}",
                          hint="the base URL must start with http:// or https://")
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(f"proxy error reaching {host}: {text}",
                            hint="check HTTPS_PROXY / HTTP_PROXY / NO_PROXY")
    return NetworkError(f"the connection to {host} failed: {text}",
                        hint="try again; check your network")
