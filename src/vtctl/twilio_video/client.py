"""The twilio library's client for Video, over httpx: base URL, paging guard, retries, errors.

Every call into Twilio's Video REST API goes through :func:`twilio_session`, the
one boundary where httpx and twilio exceptions become ``vtctl.domain.errors``:

=====================================  ===========================  ====
Twilio answer                          error                        exit
=====================================  ===========================  ====
401/403, Twilio error 20003            AuthenticationError          3
Twilio error 20404 (or a 404)          NotFoundError                5
429                                    retried per ``Retry-After``
                                       within the timeout, then
                                       ServerError                  6
5xx, other statuses, odd replies       ServerError                  6
refused, DNS, TLS; no reply in time    NetworkError / Timeout       7
=====================================  ===========================  ====

``VTCTL_TWILIO_API_URL`` replaces ``https://video.twilio.com`` (a proxy or a mock
such as Prism); plain ``http://`` is accepted for loopback hosts only.  Requests
only ever go to that origin: a ``meta.next_page_url`` pointing elsewhere is refused.

``twilio`` and ``httpx`` are imported inside the functions that use them.
"""

from __future__ import annotations

import ipaddress
import logging
import os
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

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials

log = logging.getLogger("vtctl.twilio")

ENV_API_URL = "VTCTL_TWILIO_API_URL"
DEFAULT_API_URL = "https://video.twilio.com"
#: wait this long on a 429 without ``Retry-After``
DEFAULT_RETRY_AFTER = 1.0
#: Twilio's error codes with a contract exit code of their own
AUTH_ERROR_CODE = 20003
NOT_FOUND_CODE = 20404

CREDENTIALS_HINT = (
    "check TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET "
    "(or the credentials stored with `vtctl auth twilio`): the API key must belong "
    "to that account and not be revoked"
)


# -- VTCTL_TWILIO_API_URL ------------------------------------------------------------


def twilio_api_url(env: dict[str, str] | None = None) -> str:
    """The Video API's base URL: ``VTCTL_TWILIO_API_URL`` or Twilio's; a bad one is exit 2."""
    from urllib.parse import urlsplit

    env = dict(os.environ) if env is None else env
    text = env.get(ENV_API_URL, "").strip()
    if not text:
        return DEFAULT_API_URL
    shown = repr(text) if len(text) <= 80 else repr(text[:77] + "...")
    example = "e.g. VTCTL_TWILIO_API_URL=http://127.0.0.1:4010"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (ValueError when not a port number)
    except ValueError as exc:
        raise UsageError(f"invalid {ENV_API_URL} {shown}: {exc}", hint=example) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid {ENV_API_URL} {shown}: it must be http(s)://host[:port]",
                         hint=example)
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"invalid {ENV_API_URL} {shown}: give only scheme, host, port and path",
                         hint=example)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(
            f"{ENV_API_URL} uses plain http:// for {parts.hostname}, which is not a loopback "
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

    class HttpxHttpClient(HttpClient):  # type: ignore[misc]
        """``twilio.http.HttpClient`` over an ``httpx.Client``, with a timeout.

        Transport errors become ``NetworkError`` / ``RequestTimeoutError`` here;
        a 429 is retried per ``Retry-After`` while the timeout allows; a URL on
        another origin than ``base_url`` (a paging link) is refused; other HTTP
        statuses are returned, for the twilio library to raise on.
        """

        def __init__(
            self,
            timeout: float = DEFAULT_TIMEOUT,
            client: httpx.Client | None = None,
            base_url: str | None = None,
            sleep: Callable[[float], None] | None = None,
        ) -> None:
            super().__init__(log, False, timeout)
            self._owned = client is None
            self.client = client if client is not None else httpx.Client(timeout=timeout)
            self.base_url = base_url or twilio_api_url()
            self.sleep = sleep or time.sleep

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
            seconds = timeout if timeout is not None else self.timeout or DEFAULT_TIMEOUT
            if origin_of(url) != origin_of(self.base_url):
                raise ServerError(
                    f"Twilio's reply points at another host ({_origin_text(url)}); "
                    f"vtctl only talks to {self.base_url}, so it does not follow it",
                    hint=f"check {ENV_API_URL}: a proxy must rewrite Twilio's paging links",
                )
            content_type = (headers or {}).get("Content-Type", "")
            body: dict[str, Any] = {}
            if data:
                body = {"json": data} if content_type.endswith("json") else {"data": data}
            deadline = time.monotonic() + seconds
            while True:
                reply = self._send(method.upper(), url, params, headers, auth, seconds,
                                   allow_redirects, body)
                if reply.status_code != 429:
                    break
                wait = _retry_after(reply.headers.get("retry-after"))
                if time.monotonic() + wait > deadline:
                    log.debug("HTTP 429; Retry-After %.1f s is past the timeout", wait)
                    break
                log.debug("HTTP 429; retrying in %.1f s", wait)
                self.sleep(wait)
            response = Response(reply.status_code, reply.text, reply.headers)
            self._test_only_last_response = response
            return response

        def _send(self, method: str, url: str, params: dict[str, object] | None,
                  headers: dict[str, str] | None, auth: tuple[str, str] | None,
                  seconds: float, allow_redirects: bool, body: dict[str, Any]) -> httpx.Response:
            log.debug("%s %s params=%s", method, url, params or {})
            try:
                reply = self.client.request(
                    method, url, params=_query(params), headers=headers, auth=auth,
                    timeout=seconds, follow_redirects=allow_redirects, **body,
                )
            except httpx.TimeoutException as exc:
                raise RequestTimeoutError(
                    f"Twilio did not answer within {seconds:g} s ({method} {url})",
                    hint=_retry_hint(self.base_url),
                ) from exc
            except httpx.HTTPError as exc:
                raise NetworkError(
                    f"cannot reach Twilio ({method} {url}): {exc or type(exc).__name__}",
                    hint=_retry_hint(self.base_url),
                ) from exc
            log.debug("-> HTTP %s", reply.status_code)
            return reply

        def close(self) -> None:
            if self._owned:
                self.client.close()

    return HttpxHttpClient


def _retry_hint(base_url: str) -> str:
    return f"check your network connection and that {base_url} is reachable"


def _origin_text(url: str) -> str:
    scheme, host, port = origin_of(url)
    return f"{scheme}://{host}" + (f":{port}" if port else "") if host else repr(url[:80])


def _retry_after(value: str | None) -> float:
    try:
        seconds = float((value or "").strip())
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return seconds if seconds == seconds and seconds >= 0 else DEFAULT_RETRY_AFTER


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
) -> Any:
    """An httpx-based ``twilio.http.HttpClient`` (optionally over a given ``httpx.Client``)."""
    return _httpx_http_client_class()(timeout=timeout, client=client, base_url=base_url,
                                      sleep=sleep)


# -- one session with Twilio ----------------------------------------------------------


@contextmanager
def twilio_session(
    credentials: TwilioCredentials, http_client: Any | None = None,
    *, timeout: float = DEFAULT_TIMEOUT,
) -> Iterator[Any]:
    """A ``twilio.rest.Client`` aimed at the Video API's base URL; errors translated.

    ``http_client``: a ``twilio.http.HttpClient`` or an ``httpx.Client`` to use;
    by default a fresh httpx-based one with ``timeout`` (closed afterwards).
    """
    from twilio.http import HttpClient
    from twilio.rest import Client

    from vtctl.util.logsetup import register_secret

    register_secret(credentials.api_secret)
    base_url = http_client.base_url if isinstance(http_client, HttpClient) else twilio_api_url()
    owned = None
    if isinstance(http_client, HttpClient):
        transport = http_client
    else:
        transport = owned = make_http_client(timeout=timeout, client=http_client,
                                             base_url=base_url)
    client = Client(credentials.api_key, credentials.api_secret, credentials.account_sid,
                    http_client=transport)
    # TWILIO_EDGE / TWILIO_REGION would rewrite the host (127.0.0.1 -> 127.dublin.ie1.0.1)
    client.edge = None
    client.region = None
    client.video.base_url = base_url
    try:
        with translated():
            yield client
    finally:
        if owned is not None:
            owned.close()


@contextmanager
def translated() -> Iterator[None]:
    """twilio's exceptions (and its deserializers' on an odd reply) as vtctl errors.

    :func:`twilio_session` wraps its body in it; a worker thread asking within a
    session wraps its own requests, so each failure is that request's.
    """
    from twilio.base.exceptions import TwilioException

    try:
        yield
    except VtctlError:
        raise
    except TwilioException as exc:
        raise translate(exc) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # twilio's deserializers on a reply that is not the documented shape
        raise ServerError(f"unexpected reply from Twilio ({type(exc).__name__}: {exc})"[:300],
                          hint=f"check {ENV_API_URL} if it is set") from exc


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
    return ServerError(f"unexpected reply from Twilio: {_plain(exc)}")


def _facts(exc: BaseException) -> tuple[int | None, int | None, str]:
    """(HTTP status, Twilio error code, ", Twilio error N: message") of a twilio exception."""
    from twilio.base.exceptions import TwilioRestException, TwilioServiceException

    if isinstance(exc, TwilioRestException):
        code = exc.code if isinstance(exc.code, int) else None
        return int(exc.status), code, _detail(code, exc.msg, exc.status)
    if isinstance(exc, TwilioServiceException):
        code = exc.code if isinstance(exc.code, int) else None
        return int(exc.status), code, _detail(code, exc.detail or exc.title, exc.status)
    # Page.process_response raises TwilioException("Unable to fetch page", response)
    for arg in exc.args[1:]:
        status = getattr(arg, "status_code", None)
        if isinstance(status, int):
            code, message = _body_error(arg)
            return status, code, _detail(code, message or str(exc.args[0]), status)
    return None, None, ""


def _detail(code: int | None, message: object, status: object) -> str:
    text = f", Twilio error {code}" if code and code != status else ""
    return f"{text}: {message}" if message else text


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
    return str(exc.args[0]) if exc.args else type(exc).__name__
