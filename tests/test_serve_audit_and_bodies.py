"""Issue 23, items 12, 13 and 26, against a real ``vtctl serve`` on 127.0.0.1.

* 12: while the audit trail cannot be written (a forged record at the largest seq,
  the table dropped, a damaged trail at start), the token endpoints answer 503 and
  say why; no traceback; records that could not be written are reported at the stop.
* 13: a request body dripped a byte at a time (also after ``Expect: 100-continue``)
  is cut off like dripped headers are.
* 26: a client hanging up in the middle of its body leaves no traceback and no 500.

Waiting is bounded polling or a socket timeout well above the limit, never a sleep
for its own sake.
"""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import tamper
from tests.serve_fixtures import RunningServer, start_server

API = "/api/appointments"
JANE = 2
#: seconds a test waits for the server: 5x its 1 s limits
WITHIN = 5.0
COLUMNS = ("seq, at, os_user, host, profile, command, appointment_id, identity, room_name, "
           "ttl_seconds, jti, prev_hash, hash")


def _until(condition: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)  # poll interval, bounded by the deadline


def _records(store: Path) -> int:
    db = sqlite3.connect(store)
    try:
        return int(db.execute("SELECT COUNT(*) FROM audit").fetchone()[0])
    finally:
        db.close()


FORGE_LARGEST_SEQ = (
    f"INSERT INTO audit ({COLUMNS}) SELECT {2**63 - 1}, at, 'mallory', host, profile, command, "
    "appointment_id, identity, room_name, ttl_seconds, jti, hash, hash FROM audit "
    "ORDER BY seq DESC LIMIT 1"
)


def _token(server: RunningServer) -> httpx.Response:
    return httpx.get(server.url + f"{API}/video-token/47/", timeout=10,
                     headers={"Authorization": f"Bearer {server.jwt(JANE)}"})


# -- item 12: no token that cannot be recorded ------------------------------------------


@pytest.mark.parametrize("attack", [FORGE_LARGEST_SEQ, "DROP TABLE audit"],
                         ids=["largest seq", "table dropped"])
def test_tokens_stop_while_records_cannot_be_written(tmp_path: Path, attack: str) -> None:
    server = start_server(tmp_path)
    try:
        assert _token(server).status_code == 200
        _until(lambda: _records(server.store) == 1, "the first record")
        tamper(server.store, attack)
        assert _token(server).status_code == 200  # queued: the writer finds out on its flush
        _until(lambda: _token(server).status_code == 503, "a 503")
        refused = _token(server)
        assert refused.status_code == 503
        assert "audit trail" in refused.json()["error"]
        assert "damaged" in refused.json()["error"]
        assert str(server.store) not in refused.text  # no path to API clients
    finally:
        code = server.stop()
    log = server.stderr()
    assert "Traceback" not in log and "OverflowError" not in log, log[-3000:]
    assert code == 6  # the records of tokens handed out that could not be written
    assert "NOT written" in log and "were not recorded" in log


def test_a_damaged_trail_at_start_hands_out_no_token(tmp_path: Path) -> None:
    first = start_server(tmp_path / "a")
    assert _token(first).status_code == 200
    assert first.stop() == 0, first.stderr()
    tamper(first.store, FORGE_LARGEST_SEQ)
    (tmp_path / "b").mkdir()
    server = start_server(tmp_path / "b", store=first.store,
                          extra_env={"XDG_DATA_HOME": str(tmp_path / "a" / "data")})
    try:
        refused = _token(server)
        assert refused.status_code == 503, refused.text
        assert "damaged" in refused.json()["error"]
        detail = httpx.get(server.url + f"{API}/47/", timeout=10,
                           headers={"Authorization": f"Bearer {server.jwt(JANE)}"})
        assert detail.status_code == 200  # only what would mint a token is refused
    finally:
        assert server.stop() == 0, server.stderr()  # nothing was handed out, nothing lost
    assert "Traceback" not in server.stderr()
    assert "records cannot be written" in server.stderr()


# -- item 13 and 26: request bodies -------------------------------------------------------


@pytest.fixture(scope="module")
def dev_login(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("serve-bodies"),
                           args=("--dev-login", "--header-timeout", "1"))
    yield running
    assert running.stop() == 0, running.stderr()


def _connect(server: RunningServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=WITHIN)


def _head(length: int, *extra: str) -> bytes:
    lines = ["POST /api/token/ HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {length}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _drip_until_closed(sock: socket.socket) -> int:
    """Send one body byte every 0.2 s until the server closes; the bytes sent."""
    sock.settimeout(0.2)
    sent = 0
    while sent < 5 * 25:  # 25 s of dripping at most
        try:
            sock.sendall(b" ")
            sent += 1
            if sock.recv(65536) == b"":
                return sent
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return sent
    raise AssertionError(f"still open after {sent} body bytes")


@pytest.mark.parametrize("expect_continue", [False, True], ids=["plain", "100-continue"])
def test_a_dripped_body_is_cut_off(dev_login: RunningServer, expect_continue: bool) -> None:
    with _connect(dev_login) as sock:
        if expect_continue:
            sock.sendall(_head(1000, "Expect: 100-continue"))
            assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        else:
            sock.sendall(_head(1000))
        sent = _drip_until_closed(sock)
    assert sent < 5 * WITHIN  # closed about 1 s after the headers
    ok = httpx.post(dev_login.url + "/api/token/", json={"username": "2", "password": "x"},
                    timeout=10)
    assert ok.status_code == 200


def test_a_client_hanging_up_mid_body_is_no_500(dev_login: RunningServer) -> None:
    before = dev_login.stderr()
    for _ in range(3):
        with _connect(dev_login) as sock:
            sock.sendall(_head(1000) + b'{"username": "2", ')
    ok = httpx.post(dev_login.url + "/api/token/", json={"username": "2", "password": "x"},
                    timeout=10)
    assert ok.status_code == 200
    _until(lambda: dev_login.stderr().count("POST /api/token/") >= before.count(
        "POST /api/token/") + 4, "the log lines")
    log = dev_login.stderr()[len(before):]
    assert "Traceback" not in log and "Exception in ASGI" not in log, log
    assert '"POST /api/token/" 500' not in log, log


def test_the_writer_recovers_once_records_can_be_written_again(tmp_path: Path) -> None:
    """In process: serve's writer refuses tokens while the trail is gone, and takes them
    again (and writes them) once it is back, without a restart."""
    from tests.helpers import make_store
    from vtctl.domain.errors import AuditWriteError
    from vtctl.local.audit import AuditContext, Minted
    from vtctl.local.trail_key import TrailKeys
    from vtctl.server.audit_sink import BatchingAuditWriter

    path = make_store(tmp_path / "s.sqlite3")
    minted = Minted("serve", 47, "2-jane.doe@example.com", "room", 60, 1_763_300_000, "x.e30.y")
    tamper(path, "ALTER TABLE audit RENAME TO audit_away")
    writer = BatchingAuditWriter(path, AuditContext("u", "h", "default"), TrailKeys(),
                                 flush_seconds=0.01)
    try:
        assert writer.problem is not None and "damaged" in writer.problem
        with pytest.raises(AuditWriteError, match="no token is handed out until it can"):
            writer.minted(minted)
        tamper(path, "ALTER TABLE audit_away RENAME TO audit")
        _until(lambda: writer.problem is None, "the writer to recover")
        writer.minted(minted)
    finally:
        assert writer.close() == 0
    assert _records(path) == 1
