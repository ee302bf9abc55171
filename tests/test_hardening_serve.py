"""``vtctl serve`` under load and under attack, as a real subprocess on 127.0.0.1.

* load: 32 concurrent clients, each going round a mix of the guide's answers
  (200, 201/200, 403, 404, 401) a fixed number of times: zero 5xx, zero lost
  responses, every answer the right one.  Correctness only: how fast is the
  benchmarks' business (``benchmarks/run``), never a test's;
* malformed requests: bad paths and ids, huge and many headers, wrong and
  unknown methods, and raw garbage on the socket are answered with 4xx (or a
  clean close for what is not HTTP), never a crash: the server answers
  correctly after each one, and its log holds no traceback.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ROOM_47
from tests.serve_fixtures import RunningServer, start_server

API = "/api/appointments"
CLIENTS = 32
ROUNDS = 3  # times each client goes round the mix
JANE, SARAH, OUTSIDER = 2, 5, 9


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # a header timeout no test run outlives: a slow client is closed by the test, not by
    # the clock (test_a_slow_client_does_not_block_the_others)
    running = start_server(tmp_path_factory.mktemp("serve-load"),
                           args=("--header-timeout", "3600"))
    yield running
    assert running.stop() == 0, running.stderr()
    log = running.stderr()
    assert "Traceback" not in log and "Exception in ASGI" not in log, log[-2000:]


def _healthy(server: RunningServer) -> None:
    response = httpx.get(server.url + f"{API}/47/", timeout=10,
                         headers={"Authorization": f"Bearer {server.jwt(JANE)}"})
    assert response.status_code == 200 and response.json()["video_room_id"] == ROOM_47
    assert server.process.poll() is None


# -- load ---------------------------------------------------------------------------


def test_32_concurrent_clients_get_every_answer_right(server: RunningServer) -> None:
    jwts = {user: server.jwt(user) for user in (JANE, SARAH, OUTSIDER)}
    #: (method, path, user or None, the status the guide promises)
    mix = [
        ("GET", f"{API}/video-token/47/", JANE, {200}),
        ("GET", f"{API}/video-token-refresh/49/", SARAH, {200}),
        ("GET", f"{API}/47/", SARAH, {200}),
        ("GET", f"{API}/video-token/47/", OUTSIDER, {403}),
        ("GET", f"{API}/video-token/999/", JANE, {404}),
        ("GET", f"{API}/video-token/48/", JANE, {404}),  # no room yet (never created here)
        ("POST", f"{API}/video-room/51/", SARAH, {200, 201}),
        ("GET", f"{API}/video-token/47/", None, {401}),
    ]
    statuses: Counter[int] = Counter()
    wrong: list[str] = []
    lost: list[str] = []
    created: list[str] = []

    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            for i in range(ROUNDS * len(mix)):
                method, path, user, expected = mix[(n + i) % len(mix)]
                headers = {"Authorization": f"Bearer {jwts[user]}"} if user else {}
                try:
                    response = await http.request(method, path, headers=headers)
                except httpx.HTTPError as exc:
                    lost.append(f"{method} {path}: {exc!r}")
                    continue
                statuses[response.status_code] += 1
                if response.status_code not in expected:
                    wrong.append(f"{method} {path} as {user}: {response.status_code}")
                if response.status_code == 201:
                    created.append(response.json()["room_name"])

    async def load() -> None:
        await asyncio.gather(*(client(n) for n in range(CLIENTS)))

    asyncio.run(load())
    total = sum(statuses.values())
    assert not lost, lost[:5]
    assert not wrong, wrong[:5]
    assert not [s for s in statuses if s >= 500]
    assert total == CLIENTS * ROUNDS * len(mix), statuses  # every request was answered
    assert len(created) <= 1  # the room of 51 was created once, whoever asked first
    _healthy(server)


# -- malformed requests over HTTP -----------------------------------------------------

BAD_PATHS = [
    f"{API}/video-token/abc/", f"{API}/video-token/-1/", f"{API}/video-token/{2**80}/",
    f"{API}/video-token/0/", f"{API}/video-token/{'9' * 5000}/", f"{API}/video-token/%D9%A4%D9%A7/",
    f"{API}/video-token/47%00/", f"{API}/video-token/../../etc/passwd", f"{API}/video-token//",
    f"{API}/video-token/47/extra/", f"{API}/{2**63}/", f"{API}/video-status/{2**70}/",
    "/", "/admin/", "/api/", "/api/token/", "/" + "a" * 8000, "/%ff%fe/",
    "/api/appointments/%2e%2e/",
]


@pytest.mark.parametrize("path", BAD_PATHS, ids=lambda p: p[:40])
@pytest.mark.parametrize("authenticated", [True, False], ids=["jwt", "anonymous"])
def test_bad_paths_and_ids_are_4xx(server: RunningServer, path: str, authenticated: bool) -> None:
    headers = {"Authorization": f"Bearer {server.jwt(JANE)}"} if authenticated else {}
    response = httpx.get(server.url + path, headers=headers, timeout=10)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
    _healthy(server)


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", f"{API}/video-token/47/"), ("PUT", f"{API}/47/"), ("PATCH", f"{API}/47/"),
    ("POST", f"{API}/video-token/47/"), ("GET", f"{API}/video-room/47/"),
    ("TRACE", f"{API}/47/"), ("OPTIONS", f"{API}/47/"), ("FOO", f"{API}/47/"),
    ("POST", "/api/token/"), ("POST", "/api/token/refresh/"),
])
def test_wrong_and_unknown_methods_are_4xx(server: RunningServer, method: str, path: str) -> None:
    response = httpx.request(method, server.url + path, timeout=10, content=b'{"x": 1}',
                             headers={"Authorization": f"Bearer {server.jwt(JANE)}"})
    assert 400 <= response.status_code < 500, (method, path, response.status_code)
    _healthy(server)


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer " + "A" * 200_000},
    {"X-Huge": "x" * 1_000_000},
    {f"X-Many-{i}": "v" for i in range(2000)},
    {"Authorization": b"Bearer \xe9\xe9.\xe9.\xe9"},
    {"Authorization": "Basic " + "QQ==" * 10},
], ids=["200 KB bearer", "1 MB header", "2000 headers", "latin-1 bearer", "basic auth"])
def test_huge_and_odd_headers_are_4xx_or_a_clean_close(server: RunningServer,
                                                       headers: dict[str, Any]) -> None:
    try:
        response = httpx.get(server.url + f"{API}/video-token/47/", headers=headers, timeout=10)
    except httpx.RemoteProtocolError:
        pass  # the server closed the connection: a clean refusal
    else:
        assert 400 <= response.status_code < 500, response.status_code
    _healthy(server)


# -- garbage on the socket -----------------------------------------------------------------

GARBAGE = {
    "random bytes": bytes(range(256)) * 8,
    "tls hello": bytes.fromhex("160301012c010001280303") + b"\x00" * 300,
    "http/9.9": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    "no version": b"GET /api/appointments/47/\r\n\r\n",
    "header without colon": b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
    "bare newlines": b"GET / HTTP/1.1\nHost: x\n\n",
    "nul in path": b"GET /api/\x00/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "negative length": b"POST /api/token/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "two lengths": b"POST /api/token/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                   b"Content-Length: 2\r\n\r\nab",
    "bad chunking": b"POST /api/token/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"zz\r\nhello\r\n0\r\n\r\n",
    "half a request": b"GET /api/appointments/47/ HTTP/1.1\r\nHost: x\r\nAuthor",
    "body shorter than length": b"POST /api/token/ HTTP/1.1\r\nHost: x\r\n"
                                b"Content-Length: 1000000\r\n\r\n{}",
    "absurd length": b"POST /api/token/ HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 99999999999999999999999\r\n\r\n{}",
}


@pytest.mark.parametrize("raw", GARBAGE.values(), ids=list(GARBAGE))
def test_garbage_on_the_socket_is_4xx_or_a_clean_close(server: RunningServer, raw: bytes) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)  # all we will send: the server must answer or close
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    if answer:
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line.startswith(b"HTTP/1.1 4"), status_line
    _healthy(server)


def test_a_slow_client_does_not_block_the_others(server: RunningServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    slow = [socket.create_connection((host, int(port)), timeout=10) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(b"GET /api/appointments/47/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        _healthy(server)
        # answered while every slow client still waits for the server to read the rest of
        # its headers (nothing sent back, nothing closed): it did not wait for them
        for sock in slow:
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
    finally:
        for sock in slow:
            sock.close()


def test_the_access_log_has_a_line_per_request_and_no_tokens(server: RunningServer,
                                                            tmp_path: Path) -> None:
    token = server.jwt(JANE)
    before = server.stderr().count("\n")
    for _ in range(5):
        httpx.get(server.url + f"{API}/47/?token={token}",
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    deadline = time.monotonic() + 10
    while server.stderr().count("\n") < before + 5 and time.monotonic() < deadline:
        time.sleep(0.01)  # the log is written after the reply: poll, bounded
    log = server.stderr()
    assert log.count("\n") >= before + 5
    assert token not in log and "?token" not in log


def test_the_access_log_cannot_be_forged_or_escaped(server: RunningServer) -> None:
    forged = '12:00:00 10.0.0.1:1 "GET /api/appointments/47/" 200 0.1ms'
    httpx.get(server.url + "/api/%0a" + forged.replace(" ", "%20") + "%1b[2J/", timeout=10)
    deadline = time.monotonic() + 10
    while "%1b" not in server.stderr() and "?[2J" not in server.stderr() \
            and time.monotonic() < deadline:
        time.sleep(0.01)  # the log is written after the reply: poll, bounded
    log = server.stderr()
    assert "\x1b" not in log
    assert not any(line.startswith(forged[:8]) for line in log.splitlines())
    assert "?[2J" in log  # the line is there, defanged
    _healthy(server)


@pytest.fixture(scope="module")
def dev_login(tmp_path_factory: pytest.TempPathFactory,
              server: RunningServer) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("serve-dev-login"), store=server.store,
                           args=("--dev-login",))
    yield running
    assert running.stop() == 0, running.stderr()
    assert "Traceback" not in running.stderr(), running.stderr()[-2000:]


@pytest.mark.parametrize("body", [
    b"[" * 60_000, b'{"username": ' + b"[" * 30_000 + b"}", b'{"username": "' + b"9" * 5000
    + b'", "password": "x"}', b'{"username": 2, "password": ["x"]}', b"\xff\xfe", b"null",
    b'{"refresh": "' + b"A" * 60_000 + b'"}', b"x" * 70_000,
], ids=["nested list", "nested value", "5000-digit user", "wrong types", "not UTF-8", "null",
        "60 KiB refresh", "70 KiB"])
@pytest.mark.parametrize("path", ["/api/token/", "/api/token/refresh/"])
def test_dev_login_bodies_are_4xx(dev_login: RunningServer, path: str, body: bytes) -> None:
    response = httpx.post(dev_login.url + path, content=body, timeout=10,
                          headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    ok = httpx.post(dev_login.url + "/api/token/", json={"username": "2", "password": "x"},
                    timeout=10)
    assert ok.status_code == 200 and "access" in ok.json()
