# ruff: noqa: F811  (the fixtures imported from tests.test_server are parameters here)
"""``vtctl serve`` in-process: the second hardening round (issue 14, items 3-9).

Each test fails without its fix; the fixtures are ``tests/test_server.py``'s.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pytest

from tests.test_server import (  # noqa: F401  (fixtures)
    API,
    JANE,
    OUTSIDER,
    SARAH,
    MakeClient,
    _jwt,
    bearer,
    client,
    make_client,
    store_path,
)
from vtctl.server.limits import ServeLimits
from vtctl.server.state import FRESH_SECONDS

with warnings.catch_warnings():  # "install httpx2": the installed httpx works fine
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


# -- item 8: absurd time claims --------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", [10**400, -(10**400), 2**63])
def test_a_huge_time_claim_is_a_401_not_a_500(client: TestClient, claim: str,
                                              value: int) -> None:
    response = client.get(f"{API}/video-token/47/", headers=bearer(_jwt(**{claim: value})))
    assert response.status_code == 401, response.text
    assert response.json()["messages"][0]["message"] == "Token is invalid"


# -- item 7: two Authorization headers --------------------------------------------------


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "starlette"])
@pytest.mark.parametrize("endpoint", ["video-token", "video-token-refresh", ""])
def test_two_authorization_headers_are_refused_on_every_path(make_client: MakeClient,
                                                             fast: bool, endpoint: str) -> None:
    client = make_client(fast=fast)
    path = f"{API}/{endpoint}/47/" if endpoint else f"{API}/47/"
    for first, second in ((JANE, SARAH), (SARAH, JANE), (JANE, JANE)):
        response = client.get(path, headers=[("Authorization", f"Bearer {_jwt(first)}"),
                                              ("Authorization", f"Bearer {_jwt(second)}")])
        assert response.status_code == 401, response.text
        assert response.json() == {"detail": "Authorization header must be sent only once",
                                   "code": "bad_authorization_header"}


# -- item 6: a deleted user ----------------------------------------------------------------


def _delete_user(store_path: Path, user_id: int) -> None:
    """What another process (an import, a sqlite3 shell) may do while the server runs."""
    with sqlite3.connect(store_path) as other:
        other.execute("DELETE FROM users WHERE id = ?", (user_id,))
    other.close()


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "starlette"])
def test_a_deleted_user_stops_authenticating(make_client: MakeClient, store_path: Path,
                                             fast: bool) -> None:
    """Within the read cache's window (``FRESH_SECONDS``), by the server's clock."""
    now = [100.0]
    client = make_client(fast=fast, reader_clock=lambda: now[0])
    as_outsider = bearer(_jwt(OUTSIDER))
    assert client.get(f"{API}/video-token/47/", headers=as_outsider).status_code == 403
    assert client.get(f"{API}/47/", headers=as_outsider).status_code == 403
    _delete_user(store_path, OUTSIDER)
    now[0] += FRESH_SECONDS * 1.01
    for path in (f"{API}/video-token/47/", f"{API}/47/"):
        response = client.get(path, headers=as_outsider)
        assert (response.status_code, response.json()) == (
            401, {"detail": "User not found", "code": "user_not_found"})


def test_refresh_issues_nothing_for_a_deleted_user(make_client: MakeClient,
                                                  store_path: Path) -> None:
    now = [100.0]
    client = make_client(dev_login=True, reader_clock=lambda: now[0])
    pair = client.post("/api/token/", json={"username": "9", "password": "x"}).json()
    assert client.post("/api/token/refresh/", json={"refresh": pair["refresh"]}).status_code == 200
    _delete_user(store_path, OUTSIDER)
    now[0] += FRESH_SECONDS * 1.01
    response = client.post("/api/token/refresh/", json={"refresh": pair["refresh"]})
    assert (response.status_code, response.json()) == (401, {
        "detail": "No active account found for the given token.", "code": "no_active_account"})


# -- item 4: token replies are never cached ------------------------------------------------


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "starlette"])
@pytest.mark.parametrize("endpoint", ["video-token", "video-token-refresh"])
def test_video_tokens_are_no_store(make_client: MakeClient, fast: bool, endpoint: str) -> None:
    response = make_client(fast=fast).get(f"{API}/{endpoint}/47/", headers=bearer(_jwt(JANE)))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


def test_dev_login_tokens_are_no_store(make_client: MakeClient) -> None:
    client = make_client(dev_login=True)
    login = client.post("/api/token/", json={"username": "2", "password": "x"})
    refreshed = client.post("/api/token/refresh/", json={"refresh": login.json()["refresh"]})
    for response in (login, refreshed):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"


# -- item 5: lone surrogates in dev-login bodies -------------------------------------------


@pytest.mark.parametrize("body", [
    b'{"username": "\\ud800", "password": "x"}',
    b'{"username": "2", "password": "\\udcff"}',
    b'{"email": "a\\udfffb@example.com", "password": "x"}',
    b'{"refresh": "\\ud800"}',
    b'{"username": "2", "password": "x", "extra": ["\\ud83d"]}',
])
@pytest.mark.parametrize("path", ["/api/token/", "/api/token/refresh/"])
def test_lone_surrogates_are_a_400(make_client: MakeClient, path: str, body: bytes) -> None:
    response = make_client(dev_login=True).post(path, content=body,
                                            headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"detail": "JSON parse error"})


# -- item 9: no redirect built from the Host header ----------------------------------------


@pytest.mark.parametrize("path", [f"{API}/47", f"{API}/video-token/47", "/api/token"])
def test_a_missing_trailing_slash_is_a_404_without_location(make_client: MakeClient,
                                                           path: str) -> None:
    client = make_client(dev_login=True)
    response = client.get(path, headers={"Host": "evil.example", **bearer(_jwt(JANE))},
                          follow_redirects=False)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert "location" not in response.headers


# -- item 3: dev login answers only requests for a loopback name ---------------------------

LOOPBACK = ["localhost", "localhost:8000", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:8000",
            "[::1]", "[::1]:8000"]
FOREIGN = ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example",
           "localhost:8000x", "localhost:", "::1", "[::1]x", "", "127.0.0.2:8000"]


@pytest.mark.parametrize("host", LOOPBACK)
def test_dev_login_answers_loopback_hosts(make_client: MakeClient, host: str) -> None:
    client = make_client(dev_login=True)
    login = client.post("/api/token/", json={"username": "2", "password": "x"},
                        headers={"Host": host})
    assert login.status_code == 200, login.text
    refreshed = client.post("/api/token/refresh/", json={"refresh": login.json()["refresh"]},
                            headers={"Host": host})
    assert refreshed.status_code == 200, refreshed.text


@pytest.mark.parametrize("host", FOREIGN)
@pytest.mark.parametrize("path", ["/api/token/", "/api/token/refresh/"])
def test_dev_login_refuses_other_hosts(make_client: MakeClient, host: str, path: str) -> None:
    client = make_client(dev_login=True)
    refresh = client.post("/api/token/", json={"username": "2", "password": "x"}).json()["refresh"]
    response = client.post(path, json={"username": "2", "password": "x", "refresh": refresh},
                           headers={"Host": host})
    assert (response.status_code, response.json()) == (400, {
        "detail": "Dev login answers only requests for localhost, 127.0.0.1 or [::1]"})
    assert "access" not in response.text


def test_dev_login_refuses_two_host_headers(make_client: MakeClient) -> None:
    response = make_client(dev_login=True).post(
        "/api/token/", json={"username": "2", "password": "x"},
        headers=[("Host", "localhost"), ("Host", "evil.example")])
    assert response.status_code == 400


# -- items 2 and limits: complete headers and bodies over the caps ---------------------------


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer " + "A" * 1024 * 1024},
    {f"X-Many-{i}": "v" * 64 for i in range(300)},
], ids=["1 MiB bearer", "300 headers"])
def test_headers_over_the_cap_are_a_431_not_a_401(make_client: MakeClient,
                                                  headers: dict[str, str]) -> None:
    response = make_client().get(f"{API}/video-token/47/", headers=headers)
    assert (response.status_code, response.json()) == (
        431, {"detail": "Request header fields too large."})


def test_the_header_cap_is_a_flag(make_client: MakeClient) -> None:
    client = make_client(limits=ServeLimits(max_header_bytes=64 * 1024))
    response = client.get(f"{API}/video-token/47/",
                          headers={"Authorization": "Bearer " + "A" * 32 * 1024})
    assert response.status_code == 401  # under this cap: an ordinary bad token


def test_the_body_cap_is_a_flag(make_client: MakeClient) -> None:
    client = make_client(dev_login=True, limits=ServeLimits(max_body_bytes=2048))
    body = b'{"username": "2", "password": "' + b"x" * 2048 + b'"}'
    response = client.post("/api/token/", content=body)
    assert (response.status_code, response.json()) == (413, {"detail": "Request body too large"})
