"""The one boundary every Twilio reply crosses: the twilio library's HTTP client over
httpx, and the session that turns what fails into ``vtctl.domain.errors``.

Every call into Twilio's Video REST API goes through :func:`twilio_session`.  On
the way in, each reply is

* **bounded in time**: one budget per command (``twilio_budget(--timeout)``,
  made once and handed to the session) covers every request, every body and
  every wait; each socket read is shortened to what is left of it
  (``net.transport``), so a reply that drips cannot stretch it;
* **bounded in size**: at most ``MAX_REPLY_BYTES`` decoded (a gzip bomb stops
  there), exit 6;
* **validated and made printable** (``reply.clean_body``): JSON at most
  ``MAX_JSON_DEPTH`` deep, every string with its escape sequences, C1 and bidi
  controls and lone surrogates made ``?`` and the API secret (raw, URL-encoded,
  or as the Basic credential) redacted, before the twilio library, a command, a
  log line or ``serve`` sees it;

and listings are read through ``paging.paged_records`` (bounded pages), fan-outs
through ``paging.fan_out`` (bounded concurrency).

=====================================  ===========================  ====
Twilio answer                          error                        exit
=====================================  ===========================  ====
401/403, Twilio error 20003            AuthenticationError          3
Twilio error 20404 (or a 404)          NotFoundError                5
429                                    retried (Retry-After, at
                                       least an exponential
                                       backoff) within the budget,
                                       at most 4 tries, then
                                       ServerError                  6
5xx, other statuses, odd replies,
a reply too large or too deep          ServerError                  6
refused, DNS, TLS; budget spent        NetworkError / Timeout       7
=====================================  ===========================  ====

``VTCTL_TWILIO_API_URL`` replaces ``https://video.twilio.com`` (a proxy or a mock
such as Prism) and ``VTCTL_TWILIO_INSIGHTS_URL`` replaces ``https://insights.twilio.com``
(Video Insights), both read by :func:`service_url`; the HttpClient routes what the twilio
library addresses to Twilio there.  Plain ``http://`` is accepted for loopback hosts
only.  Requests only ever go to those origins: a ``meta.next_page_url`` pointing
elsewhere is refused, and redirects are not followed.

``twilio`` and ``httpx`` are imported inside the functions that use them.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from vtctl.config.settings import DEFAULT_TIMEOUT
from vtctl.domain.errors import (
    AuthenticationError,
    NetworkError,
    NotFoundError,
    RequestTimeoutError,
    ServerError,
    UsageError,
    VtctlError,
)
from vtctl.net.deadline import Deadline
from vtctl.twilio_video.reply import (
    MAX_MESSAGE_CHARS,
    MAX_REPLY_BYTES,
    clean_body,
    clean_text,
    register_credentials,
)
from vtctl.util.text import reason_of

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials

log = logging.getLogger("vtctl.twilio")

ENV_API_URL = "VTCTL_TWILIO_API_URL"
DEFAULT_API_URL = "https://video.twilio.com"
ENV_INSIGHTS_URL = "VTCTL_TWILIO_INSIGHTS_URL"
DEFAULT_INSIGHTS_URL = "https://insights.twilio.com"
#: tries of one request answered 429, at most
MAX_TRIES_429 = 4
#: Twilio's error codes with a contract exit code of their own
AUTH_ERROR_CODE = 20003
NOT_FOUND_CODE = 20404

CREDENTIALS_HINT = (
    "check TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET "
    "(or the credentials stored with `vtctl auth twilio`): the API key must belong "
    "to that account and not be revoked"
)


def twilio_budget(seconds: float = DEFAULT_TIMEOUT,
                  clock: Callable[[], float] = time.monotonic) -> Deadline:
    """One command's time for Twilio (``--timeout``): every request, body and wait of it.
    Make it once per command (or per ``status --watch`` refresh) and hand it to the session."""
    return Deadline.after(seconds, clock)


# -- VTCTL_TWILIO_API_URL, VTCTL_TWILIO_INSIGHTS_URL ----------------------------------


def twilio_api_url(env: dict[str, str] | None = None) -> str:
    """The Video API's base URL: ``VTCTL_TWILIO_API_URL`` or Twilio's; a bad one is exit 2."""
    return service_url(ENV_API_URL, DEFAULT_API_URL, env)


def twilio_insights_url(env: dict[str, str] | None = None) -> str:
    """Video Insights' base URL: ``VTCTL_TWILIO_INSIGHTS_URL`` or Twilio's; a bad one is exit 2."""
    return service_url(ENV_INSIGHTS_URL, DEFAULT_INSIGHTS_URL, env)


def service_url(name: str, default: str, env: dict[str, str] | None = None) -> str:
    """The base URL the environment variable ``name`` gives a Twilio service, else ``default``.

    http(s)://host[:port][/path] only; plain ``http://`` only for a loopback host
    (the credentials travel with every request).
    """
    from urllib.parse import urlsplit

    env = dict(os.environ) if env is None else env
    text = env.get(name, "").strip()
    if not text:
        return default
    shown = repr(text) if len(text) <= 80 else repr(text[:77] + "...")
    example = f"e.g. {name}=http://127.0.0.1:4010"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (ValueError when not a port number)
    except ValueError as exc:
        raise UsageError(f"invalid {name} {shown}: {exc}", hint=example) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid {name} {shown}: it must be http(s)://host[:port]",
                         hint=example)
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"invalid {name} {shown}: give only scheme, host, port and path",
                         hint=example)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"{name} uses plain http:// for {parts.hostname}, which is not a loopback "
            "host: the Twilio credentials would travel unencrypted",
            hint="use https://, or http:// only for 127.0.0.1, ::1 or localhost",
        )
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> tuple[str, str, int | None]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return (parts.scheme, (parts.hostname or "").lower(), port)


# -- the httpx-based HttpClient for the twilio library --------------------------------


@cache
def _httpx_http_client_class() -> type[Any]:
    """Build the ``twilio.http.HttpClient`` subclass on first use (lazy imports)."""
    import httpx
    from twilio.http import HttpClient
    from twilio.http.response import Response

    from vtctl.net import retry
    from vtctl.net.body import BodyTooLargeError, DeadlinePassedError, read_body
    from vtctl.net.deadline import deadline_scope

    class HttpxHttpClient(HttpClient):  # type: ignore[misc]
        """``twilio.http.HttpClient`` over an ``httpx.Client``: the boundary itself.

        Each request runs under ``budget`` (set by ``twilio_session``; else one
        ``timeout`` per request), its body read whole up to ``MAX_REPLY_BYTES``
        and cleaned (``reply.clean_body``) before the twilio library parses it.
        Transport errors become ``NetworkError`` / ``RequestTimeoutError``; a 429
        is retried with backoff while the budget allows.  A URL under one of
        Twilio's base URLs in ``routes`` goes where it maps to (``VTCTL_TWILIO_API_URL``:
        twilio's documented extension point does it, not its client's attributes); a URL
        on another origin (a paging link) is refused; other HTTP statuses are returned,
        for the twilio library to raise on.
        """

        def __init__(
            self,
            timeout: float = DEFAULT_TIMEOUT,
            client: httpx.Client | None = None,
            base_url: str | None = None,
            sleep: Callable[[float], None] | None = None,
            clock: Callable[[], float] | None = None,
        ) -> None:
            super().__init__(log, False, timeout)
            self.base_url = base_url or twilio_api_url()
            #: Twilio's base URL -> where vtctl sends what the twilio library addresses
            #: to it (``VTCTL_TWILIO_API_URL``); the only origins requests go to
            self.routes = {DEFAULT_API_URL: self.base_url}
            self._owned = client is None
            self.client = client if client is not None else _new_httpx_client(
                self.base_url, timeout)
            self.sleep = sleep or time.sleep
            self.clock = clock or time.monotonic
            #: the command's budget, set by ``twilio_session``
            self.budget: Deadline | None = None
            #: requests sent so far (``vtctl sessions`` reports its count)
            self.requests_sent = 0
            self._count_lock = threading.Lock()

        def request(
            self,
            method: str,
            url: str,
            params: dict[str, object] | None = None,
            data: dict[str, object] | None = None,
            headers: dict[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            timeout: float | None = None,
            allow_redirects: bool = False,
        ) -> Response:
            if timeout is not None and timeout <= 0:
                raise ValueError(timeout)
            url = self.routed(url)
            if origin_of(url) not in {origin_of(to) for to in self.routes.values()}:
                raise ServerError(
                    f"Twilio's reply points at another host ({_origin_text(url)}); "
                    f"vtctl only talks to {self.base_url}, so it does not follow it",
                    hint=f"check {ENV_API_URL} and {ENV_INSIGHTS_URL}: a proxy must rewrite "
                    "Twilio's paging links",
                )
            budget = self.budget or Deadline.after(self.timeout or DEFAULT_TIMEOUT, self.clock)
            content_type = (headers or {}).get("Content-Type", "")
            body: dict[str, Any] = {}
            if data:
                body = {"json": data} if content_type.endswith("json") else {"data": data}
            method = method.upper()
            tries = 0
            while True:
                tries += 1
                status, reply_headers, raw = self._exchange(
                    method, url, params, headers, auth, body, budget)
                if status != 429:
                    break
                self._wait_after_429(reply_headers, tries, budget)
            response = Response(status, clean_body(status, reply_headers.get("content-type", ""),
                                                   raw), reply_headers)
            return response

        def route(self, twilio_url: str, to: str) -> None:
            """Send the requests the twilio library makes to ``twilio_url`` (one of
            Twilio's base URLs) to ``to`` instead (a proxy or a mock)."""
            self.routes[twilio_url] = to

        def routed(self, url: str) -> str:
            for twilio_url, to in self.routes.items():
                if url == twilio_url or url.startswith((twilio_url + "/", twilio_url + "?")):
                    return to + url[len(twilio_url):]
            return url

        def _wait_after_429(self, headers: httpx.Headers, tries: int, budget: Deadline) -> None:
            """Sleep before the next try: ``Retry-After``, but never less than the backoff
            (0.5 s, doubling); else raise why not."""
            asked = retry.retry_after(headers.get("retry-after"))
            delay = max(asked or 0.0, retry.backoff(tries))
            if tries >= MAX_TRIES_429:
                why = f"after {tries} tries"
            elif delay > retry.MAX_RETRY_AFTER:
                why = f"Twilio asked to wait {delay:g} s, longer than vtctl waits"
            elif delay >= budget.left():
                why = f"the next try would be in {delay:g} s, past the {budget.seconds:g} s " \
                      "--timeout"
            else:
                log.debug("HTTP 429; retrying in %.1f s", delay)
                self.sleep(delay)
                return
            raise ServerError(f"Twilio is rate limiting requests (HTTP 429); not retried: {why}",
                              hint="wait a moment and try again, or raise --timeout")

        def _exchange(self, method: str, url: str, params: dict[str, object] | None,
                      headers: dict[str, str] | None, auth: tuple[str, str] | None,
                      body: dict[str, Any], budget: Deadline,
                      ) -> tuple[int, httpx.Headers, bytes]:
            """One request and its whole body, within what is left of ``budget``."""
            shown = _shown_url(url)
            log.debug("%s %s params=%s", method, shown, params or {})
            with self._count_lock:
                self.requests_sent += 1
            late = RequestTimeoutError(
                f"Twilio did not answer within {budget.seconds:g} s ({method} {shown})",
                hint=_retry_hint(self.base_url),
            )
            try:
                with deadline_scope(budget):
                    left = budget.left()
                    if left <= 0:
                        raise late
                    request = self.client.build_request(
                        method, url, params=_query(params), headers=headers,
                        timeout=httpx.Timeout(left), **body)
                    reply = self.client.send(request, auth=auth, stream=True,
                                             follow_redirects=False)
                    raw = read_body(reply, MAX_REPLY_BYTES, budget)
            except (httpx.TimeoutException, DeadlinePassedError) as exc:
                raise late from exc
            except BodyTooLargeError:
                raise ServerError(
                    f"Twilio's reply is larger than {MAX_REPLY_BYTES // 2**20} MiB "
                    f"({method} {shown}); refusing to read it",
                    hint=f"check {ENV_API_URL} if it is set",
                ) from None
            except httpx.DecodingError as exc:
                raise ServerError(f"Twilio's reply cannot be decoded ({method} {shown}): "
                                  f"{clean_text(str(exc), MAX_MESSAGE_CHARS)}") from exc
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                why = clean_text(reason_of(exc), MAX_MESSAGE_CHARS)
                raise NetworkError(f"cannot reach Twilio ({method} {shown}): {why}",
                                   hint=_retry_hint(self.base_url)) from exc
            log.debug("-> HTTP %s (%d bytes)", reply.status_code, len(raw))
            return reply.status_code, reply.headers, raw

        def close(self) -> None:
            if self._owned:
                self.client.close()

    return HttpxHttpClient


def _new_httpx_client(base_url: str, timeout: float) -> Any:
    """An ``httpx.Client`` on the deadline transport, asking for no encoding but gzip
    (whose decoded size ``read_body`` caps as it streams)."""
    from urllib.parse import urlsplit

    import httpx

    from vtctl.net.transport import transports

    transport, mounts = transports(urlsplit(base_url).scheme, None)
    return httpx.Client(timeout=httpx.Timeout(timeout), transport=transport, mounts=mounts,
                        follow_redirects=False, headers={"Accept-Encoding": "gzip"})


def _retry_hint(base_url: str) -> str:
    return f"check your network connection and that {base_url} is reachable"


def _origin_text(url: str) -> str:
    scheme, host, port = origin_of(url)
    if not host:
        return repr(clean_text(url, 80))
    return clean_text(f"{scheme}://{host}" + (f":{port}" if port else ""), 120)


def _shown_url(url: str) -> str:
    """A request's URL for a message: without its query, printable, not too long."""
    return clean_text(url.split("?", 1)[0], 160)


def _query(params: dict[str, object] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {k: v for k, v in params.items() if v is not None}


def make_http_client(
    timeout: float = DEFAULT_TIMEOUT,
    client: Any | None = None,
    *,
    base_url: str | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> Any:
    """The boundary's ``twilio.http.HttpClient`` (optionally over a given ``httpx.Client``)."""
    return _httpx_http_client_class()(timeout=timeout, client=client, base_url=base_url,
                                      sleep=sleep, clock=clock)


# -- one session with Twilio ----------------------------------------------------------


@contextmanager
def twilio_session(
    credentials: TwilioCredentials, http_client: Any | None = None,
    *, timeout: float = DEFAULT_TIMEOUT, budget: Deadline | None = None,
    insights: bool = False,
) -> Iterator[Any]:
    """A ``twilio.rest.Client`` aimed at the Video API's base URL, behind the boundary.

    ``budget``: the command's (``twilio_budget``); by default one of ``timeout``
    seconds (or the given HttpClient's) starting now.  ``http_client``: a
    ``twilio.http.HttpClient`` from ``make_http_client`` or an ``httpx.Client``
    to send through; by default a fresh one (closed afterwards).  Every error
    leaving the block is a ``VtctlError`` whose words are printable and hold no
    secret.  ``insights``: also aim ``client.insights`` at Video Insights' base URL
    (read only then, so a bad ``VTCTL_TWILIO_INSIGHTS_URL`` fails only the commands
    using it).
    """
    from twilio.http import HttpClient
    from twilio.rest import Client

    register_credentials(credentials.api_key, credentials.api_secret)
    base_url = http_client.base_url if isinstance(http_client, HttpClient) else twilio_api_url()
    insights_url = twilio_insights_url() if insights else None
    owned = None
    if isinstance(http_client, HttpClient):
        transport = http_client
    else:
        transport = owned = make_http_client(timeout=timeout, client=http_client,
                                             base_url=base_url)
    transport.budget = budget or Deadline.after(transport.timeout or timeout, transport.clock)
    client = Client(credentials.api_key, credentials.api_secret, credentials.account_sid,
                    http_client=transport)
    # TWILIO_EDGE / TWILIO_REGION would rewrite the host (127.0.0.1 -> 127.dublin.ie1.0.1)
    client.edge = None
    client.region = None
    if insights_url is not None:
        transport.route(DEFAULT_INSIGHTS_URL, insights_url)
    try:
        with translated():
            yield client
    finally:
        transport.budget = None
        if owned is not None:
            owned.close()


@contextmanager
def translated() -> Iterator[None]:
    """twilio's exceptions (and its deserializers' on an odd reply) as vtctl errors,
    printable and free of the secret.

    :func:`twilio_session` wraps its body in it; a worker thread asking within a
    session wraps its own requests, so each failure is that request's.
    """
    from twilio.base.exceptions import TwilioException

    try:
        yield
    except VtctlError as exc:
        _scrub(exc)
        raise
    except TwilioException as exc:
        raise translate(exc) from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # twilio's deserializers on a reply that is not the documented shape
        log.debug("Twilio's reply is not the documented shape: %s",
                  clean_text(f"{type(exc).__name__}: {exc}", MAX_MESSAGE_CHARS))
        raise ServerError(_shape_problem(exc), hint=f"check {ENV_API_URL} if it is set") from exc


def _shape_problem(exc: Exception) -> str:
    """What was missing or malformed in a reply the twilio library could not read, in words
    (its exception's class and text go to the --debug log only)."""
    if isinstance(exc, KeyError) and exc.args:
        field = clean_text(str(exc.args[0]), 60)
        return f"Twilio's reply lacks the field {field!r} (it is not the documented shape)"
    return "Twilio's reply has a field of the wrong type or format (not the documented shape)"


def _scrub(error: VtctlError) -> None:
    """Make the error's message and hint printable and free of the secret (in place)."""
    error.message = clean_text(error.message)
    error.args = (error.message,)
    if error.hint:
        error.hint = clean_text(error.hint)


def twilio_status(exc: BaseException) -> tuple[int | None, int | None]:
    """(HTTP status, Twilio error code) of a twilio exception, where known."""
    status, code, _ = _facts(exc)
    return status, code


def translate(exc: Exception) -> VtctlError:
    """A twilio exception as the vtctl error of its Twilio code / HTTP status."""
    status, code, detail = _facts(exc)
    if code == AUTH_ERROR_CODE or status in (401, 403):
        what = "refused access to Video rooms" if status == 403 else "rejected the credentials"
        return AuthenticationError(f"Twilio {what} (HTTP {status}{detail})",
                                   hint=CREDENTIALS_HINT)
    if code == NOT_FOUND_CODE or status == 404:
        return NotFoundError(f"Twilio has no such resource (HTTP {status}{detail})")
    if status == 429:
        return ServerError(f"Twilio is rate limiting requests (HTTP 429{detail})",
                           hint="wait a moment and try again, or raise --timeout")
    if status is not None and status >= 500:
        return ServerError(f"Twilio failed (HTTP {status}{detail})", hint="try again later")
    if status is not None:
        return ServerError(f"Twilio refused the request (HTTP {status}{detail})")
    log.debug("the twilio library could not read Twilio's reply: %s", _plain(exc))
    return ServerError("Twilio's reply could not be read as the documented resource",
                       hint=f"check {ENV_API_URL} if it is set")


def _facts(exc: BaseException) -> tuple[int | None, int | None, str]:
    """(HTTP status, Twilio error code, ", Twilio error N: message") of a twilio exception."""
    from twilio.base.exceptions import TwilioRestException, TwilioServiceException

    if isinstance(exc, TwilioRestException):
        status, code = _status_of(exc.status), _code_of(exc.code)
        return status, code, _detail(code, _twilios_words(exc.msg), status)
    if isinstance(exc, TwilioServiceException):
        status, code = _status_of(exc.status), _code_of(exc.code)
        return status, code, _detail(code, exc.detail or exc.title, status)
    # Page.process_response raises TwilioException("Unable to fetch page", response)
    for arg in exc.args[1:]:
        status = getattr(arg, "status_code", None)
        if isinstance(status, int):
            code, message = _body_error(arg)  # not the library's "Unable to fetch page"
            return status, code, _detail(code, message, status)
    return None, None, ""


#: what the twilio library puts before the message of Twilio's error body, if any
_LIBRARY_WORDS = tuple(f"Unable to {verb} record" for verb in ("fetch", "update", "delete",
                                                                "create"))


def _twilios_words(message: object) -> str | None:
    """Twilio's own error message, without the library's ``Unable to fetch record: ``."""
    text = str(message or "")
    for words in _LIBRARY_WORDS:
        if text.startswith(words):
            return text[len(words):].lstrip(": ") or None
    return text or None


def _status_of(value: object) -> int | None:
    """An HTTP status from an error body (TwilioServiceException takes it from the JSON)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) == 3 else None


def _code_of(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**6:
        return None
    return value


def _detail(code: int | None, message: object, status: object) -> str:
    """", Twilio error N: message", the message printable, without the secret, cut short."""
    text = f", Twilio error {code}" if code and code != status else ""
    shown = clean_text(" ".join(str(message).split()), MAX_MESSAGE_CHARS) if message else ""
    return f"{text}: {shown}" if shown else text


def _body_error(response: Any) -> tuple[int | None, str | None]:
    """Twilio's error code and message from a failed page's JSON body."""
    import json

    try:
        body = json.loads(getattr(response, "text", "") or "")
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    code, message = body.get("code"), body.get("message")
    return (code if isinstance(code, int) else None,
            message if isinstance(message, str) else None)


def _plain(exc: BaseException) -> str:
    return clean_text(str(exc.args[0]), MAX_MESSAGE_CHARS) if exc.args else "no details"
