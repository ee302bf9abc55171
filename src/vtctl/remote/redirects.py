"""Which redirects ``RestClient`` follows: same origin only, so the JWT stays home.

The one exception is the upgrade of the same host from http:80 to https:443.
"""

from __future__ import annotations

from urllib.parse import urljoin

import httpx

from vtctl.domain.errors import MalformedResponseError, ServerError
from vtctl.remote.faults import FINAL_ADDRESS, host_of
from vtctl.remote.reply import Reply

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


def redirect_target(reply: Reply, url: str, method: str) -> str | None:
    """The URL ``reply`` (to ``method url``) redirects to, None when it is no redirect.

    Raises when the redirect must not be followed.
    """
    if reply.status not in REDIRECTS or not reply.location:
        return None
    location = urljoin(url, reply.location)
    try:
        target: httpx.URL | None = httpx.URL(location)
    except httpx.InvalidURL:
        target = None
    if target is None or target.scheme not in ("http", "https"):
        raise MalformedResponseError(
            f"{host_of(url)} redirected to an invalid location "
            f"({location[:80]!r}, HTTP {reply.status}); vtctl does not follow it",
            hint=FINAL_ADDRESS,
        )
    if not same_site(httpx.URL(url), target):
        raise ServerError(
            f"{host_of(url)} redirected to another host ({origin_text(target)}); "
            "vtctl does not follow it, so your login token is not sent there",
            hint=f"if that is the real API, use --base-url {origin_text(target)}",
        )
    if method != "GET" and reply.status not in (307, 308):
        raise ServerError(
            f"{host_of(url)} answered the {method} with a redirect (HTTP {reply.status})",
            hint=FINAL_ADDRESS,
        )
    return location


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def same_site(source: httpx.URL, target: httpx.URL) -> bool:
    """Same origin, or the same host upgraded from http:80 to https:443."""
    a, b = origin(source), origin(target)
    if a == b:
        return True
    return a[1] == b[1] and a[0] == "http" and a[2] == 80 and b[0] == "https" and b[2] == 443


def origin_text(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"
