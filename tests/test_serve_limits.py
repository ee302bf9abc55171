"""``vtctl serve``'s limits against slow and oversized clients, on real sockets.

One real ``vtctl serve`` subprocess on 127.0.0.1 with short limits set by its
flags (1 s timeouts, 4 connections, 4 KiB of headers).  A test waits for the
server to close a connection with a socket timeout well above the limit:
it fails if the server never closes, and never sleeps.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_vtctl
from tests.helpers import ROOM_47
from tests.serve_fixtures import RunningServer, start_server

API = "/api/appointments"
JANE = 2
MAX_CONNECTIONS = 4
MAX_HEADER = 4096
#: how long a test waits for the server to close: 5x the 1 s limits
CLOSE_WITHIN = 5.0
REQUEST = b"GET /api/appointments/47/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("serve-limits"), args=(
        "--header-timeout", "1", "--keepalive-timeout", "1",
        "--max-connections", str(MAX_CONNECTIONS), "--max-header-size", str(MAX_HEADER),
        "--no-access-log"))
    yield running
    assert running.stop() == 0, running.stderr()
    assert "Traceback" not in running.stderr(), running.stderr()[-2000:]


def _connect(server: RunningServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=CLOSE_WITHIN)
    return sock


def _closed_by_server(sock: socket.socket) -> bytes:
    """Everything the server sent until it closed (socket.timeout if it never does)."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _healthy(server: RunningServer) -> None:
    response = httpx.get(server.url + f"{API}/47/", timeout=10,
                         headers={"Authorization": f"Bearer {server.jwt(JANE)}"})
    assert response.status_code == 200 and response.json()["video_room_id"] == ROOM_47


def test_a_connection_that_sends_nothing_is_closed(server: RunningServer) -> None:
    with _connect(server) as sock:
        assert _closed_by_server(sock) == b""
    _healthy(server)


def test_a_client_dripping_its_headers_is_closed(server: RunningServer) -> None:
    with _connect(server) as sock:
        sock.sendall(REQUEST)
        sock.settimeout(0.2)  # one header byte per 0.2 s: each byte would restart a naive timer
        sent = 0
        closed = False
        while not closed and sent < 5 * 25:  # 25 s of dripping at most
            try:
                sock.sendall(b"X")
                sent += 1
                closed = sock.recv(65536) == b""
            except TimeoutError:
                continue  # still open: drip on
            except (BrokenPipeError, ConnectionResetError):
                closed = True
        assert closed, f"still open after {sent} header bytes"
        assert sent < 5 * CLOSE_WITHIN  # closed about 1 s after the connection opened
    _healthy(server)


def test_an_idle_keep_alive_connection_is_closed(server: RunningServer) -> None:
    with _connect(server) as sock:
        sock.sendall(REQUEST + f"Authorization: Bearer {server.jwt(JANE)}\r\n\r\n".encode())
        reply = _closed_by_server(sock)
    assert reply.startswith(b"HTTP/1.1 200 ") and ROOM_47.encode() in reply
    _healthy(server)


def test_a_request_beyond_max_connections_is_a_503(server: RunningServer) -> None:
    with ExitStack() as stack:
        idle = [stack.enter_context(_connect(server)) for _ in range(MAX_CONNECTIONS)]
        with _connect(server) as extra:
            extra.sendall(REQUEST + b"\r\n")
            assert _closed_by_server(extra).startswith(b"HTTP/1.1 503 ")
        for sock in idle:  # the header timeout frees them
            assert _closed_by_server(sock) == b""
    _healthy(server)


def test_a_huge_complete_header_is_a_431(server: RunningServer) -> None:
    for size in (MAX_HEADER, 64 * 1024, 1024 * 1024):
        response = httpx.get(server.url + f"{API}/video-token/47/", timeout=10,
                             headers={"Authorization": "Bearer " + "A" * size})
        assert (response.status_code, response.json()) == (
            431, {"detail": "Request header fields too large."})
    _healthy(server)


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def test_an_unterminated_huge_header_is_cut_off(server: RunningServer) -> None:
    before = _rss_kib(server.process.pid)
    chunk = b"A" * 65536
    with _connect(server) as sock:
        sock.sendall(REQUEST + b"Authorization: Bearer ")
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            for _ in range(256):  # 16 MiB, never terminated: the server stops reading first
                sock.sendall(chunk)
    assert _rss_kib(server.process.pid) - before < 8 * 1024
    _healthy(server)


def test_serve_help_shows_every_limit_and_its_default() -> None:
    result = run_vtctl("serve", "--help", env={"COLUMNS": "200", "VTCTL_NO_HELP_CACHE": "1"})
    for flag, default in (("--header-timeout", "10.0"), ("--keepalive-timeout", "5.0"),
                          ("--max-connections", "2048"), ("--max-header-size", "16384"),
                          ("--max-body-size", "65536")):
        line = next(line for line in result.stdout.splitlines() if flag in line)
        assert f"[default: {default}]" in line, line


@pytest.mark.parametrize("flags", [
    ("--header-timeout", "0"), ("--keepalive-timeout", "-1"), ("--max-connections", "0"),
    ("--max-header-size", "10"), ("--max-body-size", "0"),
])
def test_a_limit_out_of_range_is_a_usage_error(flags: tuple[str, str], tmp_path: Path) -> None:
    result = run_vtctl("serve", "--port", "0", "--store", str(tmp_path / "s.sqlite3"), *flags,
                       timeout=30)
    assert result.returncode == 2, result.stderr
    assert flags[0] in result.stderr
