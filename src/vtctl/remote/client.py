"""``RestClient``: the telehealth video API over httpx (a library, no CLI code).

Behaviour worth knowing:

* ``timeout`` is one deadline for each operation (one endpoint call: every try,
  the waits between them, redirects and a JWT refresh), enforced at the socket
  (``net.transport``): a server dripping its reply cannot stretch it, and a
  wait that would pass it is not taken (the error says so).  Most commands make
  one call, so it is the whole command's budget; ``status --watch`` gives it to
  each refresh.
* Idempotent GETs are retried on connect errors and on 429/502/503/504, with
  exponential backoff honouring ``Retry-After`` (``net.retry``), at most
  ``max_tries`` tries.  A timeout is never retried: the deadline has passed.
  A POST is only retried when the connection could not even be opened
  (nothing was sent); it is never replayed once sent.
* Redirects are followed only within the same origin (``remote.redirects``),
  so the Bearer JWT never goes to another host.
* Bodies larger than ``MAX_RESPONSE_BYTES`` are refused.
* TLS verification is always on; ``ca_bundle`` adds a private CA.
* httpx exceptions and HTTP statuses become vtctl errors in ``remote.faults``.
* The JWT is registered with ``vtctl.util.logsetup`` so ``--debug`` never shows it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from vtctl import __version__
from vtctl.config.settings import DEFAULT_TIMEOUT, checked_timeout
from vtctl.domain.errors import (
    AuthenticationError,
    MalformedResponseError,
    ServerError,
    UsageError,
)
from vtctl.domain.models import Appointment, VideoToken, format_utc
from vtctl.domain.room_info import RoomInfo
from vtctl.domain.room_state import RoomStatus
from vtctl.net import retry
from vtctl.net.body import BodyTooLargeError, DeadlinePassedError, read_body
from vtctl.net.deadline import Deadline, current_deadline, deadline_scope
from vtctl.net.transport import transports
from vtctl.remote.faults import (
    LOGIN_AGAIN,
    content_kind,
    error_for_status,
    host_of,
    is_tls_failure,
    not_retried,
    timed_out,
    translate,
)
from vtctl.remote.parse import (
    jwt_expired_at,
    parse_appointment,
    parse_login,
    parse_room_info,
    parse_video_token,
)
from vtctl.remote.redirects import MAX_REDIRECTS, redirect_target
from vtctl.remote.reply import NotJsonError, Reply
from vtctl.util.logsetup import register_secret

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("vtctl.remote.client")

USER_AGENT = f"vtctl/{__version__}"
MAX_RESPONSE_BYTES = 1024 * 1024


class RestClient:
    """Synchronous client of the guide's endpoints; one instance per command."""

    def __init__(
        self,
        base_url: str,
        jwt: str | Callable[[], str | None] | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        ca_bundle: str | None = None,
        max_tries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        renew_jwt: Callable[[], str | None] | None = None,
    ) -> None:
        """``renew_jwt``: after a 401, a fresh JWT to retry the request with once, or None.

        ``sleep`` and ``clock`` (monotonic) are replaceable in tests.
        """
        import httpx

        self.base_url = base_url.rstrip("/")
        try:
            scheme = httpx.URL(self.base_url).scheme
        except httpx.InvalidURL as exc:
            raise UsageError(f"invalid base URL {base_url!r}: {exc}") from exc
        self._jwt = jwt
        self._renew_jwt = renew_jwt
        self.timeout = checked_timeout(timeout)
        self.max_tries = max(1, max_tries)
        self._sleep = sleep
        self._clock = clock
        mounts: dict[str, Any] = {}
        if transport is None:
            transport, mounts = transports(scheme, ca_bundle)
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
        with self._operation() as deadline:
            headers: dict[str, str] = {}
            if body is not None:
                headers["Content-Type"] = "application/json"
            if authenticate and (token := self._bearer()):
                headers["Authorization"] = f"Bearer {token}"
            reply, why = self._send(method, self.base_url + path, headers, body, deadline)
            error = error_for_status(reply, what, on_401=on_401, hint_401=hint_401)
            if error is not None:
                raise error if why is None else not_retried(error, why)
            return reply

    def _send(self, method: str, url: str, headers: dict[str, str], body: Any,
              deadline: Deadline) -> tuple[Reply, str | None]:
        """Try until a reply to keep: (the reply, why its retryable status was not retried)."""
        import httpx

        tries = 0
        renewed = False
        while True:
            tries += 1
            log.debug("%s %s (try %d/%d)", method, url, tries, self.max_tries)
            try:
                reply = self._exchange(method, url, headers, body, deadline)
            except httpx.ConnectError as exc:
                # the connection was never opened: nothing was sent, even a POST may go again
                self._wait_to_reconnect(exc, url, tries, deadline)
                continue
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                # a timeout is never retried: it means the whole deadline has passed
                raise translate(exc, url, self.timeout) from exc
            why = None
            if method in ("GET", "HEAD") and reply.status in retry.RETRY_STATUSES \
                    and tries < self.max_tries:
                asked = reply.retry_after
                delay = asked if asked is not None else retry.backoff(tries)
                why = self._why_not_wait(delay, deadline, asked=asked is not None)
                if why is None:
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
            return reply, why

    def _wait_to_reconnect(self, exc: Exception, url: str, tries: int,
                           deadline: Deadline) -> None:
        """Sleep before opening the connection again, or raise ``exc`` translated."""
        error = translate(exc, url, self.timeout)
        if tries >= self.max_tries or is_tls_failure(exc):
            raise error from exc
        delay = retry.backoff(tries)
        if (why := self._why_not_wait(delay, deadline, asked=False)) is not None:
            raise not_retried(error, why) from exc
        log.debug("connect failed (%s); retrying in %.1f s", exc, delay)
        self._sleep(delay)

    def _why_not_wait(self, delay: float, deadline: Deadline, *, asked: bool) -> str | None:
        """None when waiting ``delay`` s before the next try fits, else why not."""
        wait = f"the server asked to wait {delay:g} s (Retry-After)" if asked \
            else f"the next try would be in {delay:g} s"
        if delay > retry.MAX_RETRY_AFTER:
            return f"not retried: {wait}, longer than vtctl waits"
        if delay >= deadline.left():
            return f"not retried: {wait}, past the {self.timeout:g} s --timeout"
        return None

    @contextmanager
    def _operation(self) -> Iterator[Deadline]:
        """One deadline for the whole operation: tries, waits, redirects, token refresh.

        A call made inside another (refreshing the JWT before or after a 401)
        shares the outer one.
        """
        outer = current_deadline()
        if outer is not None:
            yield outer
            return
        with deadline_scope(Deadline.after(self.timeout, self._clock)) as deadline:
            yield deadline

    def _exchange(
        self, method: str, url: str, headers: dict[str, str], body: Any, deadline: Deadline
    ) -> Reply:
        """One try: send, follow same-origin redirects, read the capped body."""
        import httpx

        for _hop in range(MAX_REDIRECTS + 1):
            # each phase (connect, write, each read) may wait at most what is left,
            # and the socket operations themselves stop at the deadline
            remaining = deadline.left()
            if remaining <= 0:
                raise timed_out(url, self.timeout)
            request = self._http.build_request(
                method, url, headers=headers, json=body if body is not None else None,
                timeout=httpx.Timeout(remaining),
            )
            reply = self._read(self._http.send(request, stream=True), url, deadline)
            location = redirect_target(reply, url, method)
            if location is None:
                return reply
            log.debug("HTTP %d: following redirect to %s", reply.status, location)
            url = location
        raise ServerError(f"too many redirects (more than {MAX_REDIRECTS}) from {host_of(url)}")

    def _read(self, response: httpx.Response, url: str, deadline: Deadline) -> Reply:
        try:
            content = read_body(response, MAX_RESPONSE_BYTES, deadline)
        except BodyTooLargeError:
            raise _too_large(url) from None
        except DeadlinePassedError:
            raise timed_out(url, self.timeout) from None
        size = len(content)
        log.debug("HTTP %d %s from %s (%d bytes)", response.status_code,
                  response.reason_phrase, url, size)
        return Reply(
            status=response.status_code,
            reason=response.reason_phrase,
            url=url,
            content_type=response.headers.get("content-type", ""),
            content=content,
            retry_after=retry.retry_after(response.headers.get("retry-after")),
            location=response.headers.get("location"),
        )

    def _json(self, reply: Reply, what: str) -> Any:
        try:
            return reply.payload()
        except NotJsonError:
            raise MalformedResponseError(
                f"the {what} reply from {host_of(reply.url)} is not JSON "
                f"(HTTP {reply.status}, {content_kind(reply)})",
                hint="is --base-url pointing at the telehealth API, not a proxy or web page?",
            ) from None


def _too_large(url: str) -> ServerError:
    return ServerError(
        f"the reply from {host_of(url)} is larger than {MAX_RESPONSE_BYTES // 1024} KiB; "
        "refusing to read it",
        hint="is --base-url pointing at the telehealth API?",
    )
