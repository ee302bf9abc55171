"""Every server reply survived: whatever the backend sends, vtctl ends with a model
or a ``VtctlError`` with the contract's exit code, never another exception.

* property-based (hypothesis): any JSON value through ``remote_parse`` and
  ``status_parse``, any bytes through ``Reply.payload``, any text as a JWT;
* pytest-httpx replies through ``RestClient`` for every endpoint: wrong JSON
  types, hostile nesting, 5000-digit numbers, compression bombs, broken
  redirects (the faults ``test_client.py`` does not already cover);
* real loopback servers in threads (bounded): bodies that drip, replies
  that never come, truncated and garbage replies, TLS to a plain port, and
  redirects to another real host that must never be contacted.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpx import HTTPXMock

from tests.remote_helpers import APPOINTMENT_BODY, BASE, TOKEN_BODY, make_jwt, url
from vtctl.domain.errors import (
    ExitCode,
    MalformedResponseError,
    NetworkError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    VtctlError,
)
from vtctl.domain.models import Appointment, VideoToken
from vtctl.domain.room_info import RoomInfo
from vtctl.domain.room_state import RoomStatus
from vtctl.remote.client import MAX_RESPONSE_BYTES, RestClient
from vtctl.remote.parse import (
    error_message,
    has_control,
    jwt_claims,
    jwt_expiry,
    jwt_is_expired,
    jwt_user_id,
    parse_appointment,
    parse_login,
    parse_room_info,
    parse_video_token,
)
from vtctl.remote.reply import NotJsonError, Reply
from vtctl.remote.status_parse import parse_room_status

JWT = make_jwt()

# -- property-based: any JSON value ---------------------------------------------------

scalars = (
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**30)
    | st.floats() | st.text(max_size=30)
    | st.sampled_from(["", " ", "2025-11-16T10:30:00Z", "0001-01-01T00:00:00+05:00",
                       "9999-12-31T23:59:59-05:00", "9" * 5000, "apt-47-1-00000000"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)
GUIDE_KEYS = [
    "access_token", "room_name", "user_identity", "expires_in", "expires_at", "appointment_id",
    "appointment_duration_minutes", "token_valid_until", "id", "patient", "patient_id",
    "psychologist", "psychologist_id", "duration_minutes", "duration", "starts_at",
    "video_room_id", "room", "name", "created", "error", "detail", "message", "access",
    "refresh", "status", "sid", "participants", "participant_count", "created_at",
    "duration_seconds", "max_participants", "identity", "non_field_errors",
]
#: objects built from the names the parsers look for, with any values
guide_objects = st.dictionaries(st.sampled_from(GUIDE_KEYS), json_values, max_size=12)
#: the guide's token body with some fields replaced by anything
mutated_tokens = st.dictionaries(st.sampled_from(list(TOKEN_BODY)), json_values, max_size=4).map(
    lambda change: {**TOKEN_BODY, **change}
)
payloads = json_values | guide_objects | mutated_tokens
HYPOTHESIS = settings(max_examples=400, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])

PARSERS: dict[str, Callable[[Any], object]] = {
    "video token": lambda p: parse_video_token(p, 47),
    "video token, any id": lambda p: parse_video_token(p),
    "room info": lambda p: parse_room_info(p, 47),
    "room info 201": lambda p: parse_room_info(p, 47, status_code=201),
    "appointment": lambda p: parse_appointment(p, 47),
    "appointment, any id": lambda p: parse_appointment(p),
    "login": parse_login,
    "room status": lambda p: parse_room_status(p, 47),
}
RESULT_TYPES = (VideoToken, RoomInfo, Appointment, RoomStatus, tuple)


@pytest.mark.parametrize("name", list(PARSERS))
@HYPOTHESIS
@given(payload=payloads)
def test_any_json_value_is_a_model_or_malformed(name: str, payload: Any) -> None:
    try:
        result = PARSERS[name](payload)
    except MalformedResponseError as exc:
        assert exc.exit_code == ExitCode.SERVER_ERROR
        assert exc.message and "\n" not in exc.message and len(exc.message) < 600
    else:
        assert isinstance(result, RESULT_TYPES)
        json.dumps(getattr(result, "to_json", lambda: None)(), default=str)  # renderable


@HYPOTHESIS
@given(payload=payloads)
def test_error_message_is_none_or_one_short_line(payload: Any) -> None:
    message = error_message(payload)
    assert message is None or (isinstance(message, str) and "\n" not in message
                                and len(message) <= 300 and not has_control(message))


@HYPOTHESIS
@given(raw=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_body_is_json_or_not_json(raw: bytes) -> None:
    reply = Reply(status=200, reason="OK", url=BASE, content_type="application/json", content=raw)
    with contextlib.suppress(NotJsonError):
        reply.payload()


_segments = st.text(alphabet="ABCDEFabcdef0123456789-_=.eyJ", max_size=40)


@HYPOTHESIS
@given(token=st.text(max_size=80) | st.builds(lambda a, b, c: f"{a}.{b}.{c}", _segments,
                                              _segments, _segments)
       | json_values.map(lambda v: "eyJhbGciOiJIUzI1NiJ9." + __import__("base64")
                         .urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=")
                         + ".c2ln"))
def test_any_text_as_a_jwt_is_read_or_ignored(token: str) -> None:
    claims = jwt_claims(token)
    assert claims is None or isinstance(claims, dict)
    expiry = jwt_expiry(token)
    assert expiry is None or expiry.tzinfo is not None
    assert jwt_user_id(token) is None or isinstance(jwt_user_id(token), str)
    assert isinstance(jwt_is_expired(token), bool)


@pytest.mark.parametrize("payload", [
    json.loads("[" * 900 + "]" * 900),
    {"error": json.loads("[" * 900 + '"deep"' + "]" * 900)},
    {"detail": [["x"] * 5000]},
    {f"field{i}": ["bad"] for i in range(5000)},
], ids=["nested list", "nested error", "wide list", "many fields"])
def test_hostile_error_bodies(payload: Any) -> None:
    message = error_message(payload)
    assert message is None or len(message) <= 300
    for parse in PARSERS.values():
        with contextlib.suppress(MalformedResponseError):
            parse(payload)


# -- pytest-httpx: every endpoint, every unusable body ------------------------------------

ENDPOINTS: dict[str, tuple[str, str, Callable[[RestClient], object]]] = {
    "token": ("GET", "/api/appointments/video-token/47/", lambda c: c.video_token(47)),
    "refresh": ("GET", "/api/appointments/video-token-refresh/47/",
                lambda c: c.refresh_token(47)),
    "status": ("GET", "/api/appointments/video-status/47/", lambda c: c.room_status(47)),
    "room create": ("POST", "/api/appointments/video-room/47/", lambda c: c.create_room(47)),
    "appointment": ("GET", "/api/appointments/47/", lambda c: c.appointment(47)),
}
UNUSABLE_BODIES: dict[str, dict[str, Any]] = {
    "html": {"content": b"<html><body>Welcome to nginx!</body></html>",
             "headers": {"Content-Type": "text/html"}},
    "empty 200": {"content": b""},
    "204": {"status_code": 204},
    "JSON list": {"json": [TOKEN_BODY]},
    "JSON string": {"json": "ok"},
    "JSON null": {"json": None},
    "JSON number": {"json": 47},
    "deeply nested": {"content": b"[" * 100_000 + b"]" * 100_000},
    "5000-digit number": {"content": b'{"id": ' + b"9" * 5000 + b"}"},
    "not UTF-8": {"content": b'{"room_name": "\xff\xfe"}'},
    "UTF-8 BOM": {"content": b"\xef\xbb\xbf" + json.dumps(TOKEN_BODY).encode()},
    "truncated JSON": {"content": json.dumps(TOKEN_BODY).encode()[:-5]},
    "gzip garbage": {"content": b"not gzip at all", "headers": {"Content-Encoding": "gzip"}},
}
#: bodies the tolerant status parser accepts as "nothing known" would be malformed elsewhere
STATUS_TOLERATES: set[str] = set()


@pytest.mark.parametrize("body", list(UNUSABLE_BODIES))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_unusable_bodies_for_every_endpoint(httpx_mock: HTTPXMock, endpoint: str,
                                            body: str) -> None:
    method, path, call = ENDPOINTS[endpoint]
    httpx_mock.add_response(method=method, url=url(path), **UNUSABLE_BODIES[body])
    with RestClient(BASE, JWT, max_tries=1) as client, pytest.raises(ServerError) as info:
        call(client)
    assert info.value.exit_code == ExitCode.SERVER_ERROR
    assert "\n" not in info.value.message and len(info.value.message) < 400


WRONG_FIELDS: dict[str, dict[str, Any]] = {
    "expires_in a string": {"expires_in": "5400"},
    "expires_in a float": {"expires_in": 5400.0},
    "expires_in NaN": {"expires_in": float("nan")},
    "expires_in true": {"expires_in": True},
    "access_token null": {"access_token": None},
    "access_token empty": {"access_token": " "},
    "room_name a list": {"room_name": ["apt"]},
    "expires_at garbage": {"expires_at": "tomorrow"},
    "expires_at before year 1": {"expires_at": "0001-01-01T00:00:00+05:00"},
    "appointment_id of another": {"appointment_id": 48},
    "appointment_id huge": {"appointment_id": 10**40},
}


@pytest.mark.parametrize("change", WRONG_FIELDS.values(), ids=list(WRONG_FIELDS))
def test_token_fields_of_the_wrong_type(httpx_mock: HTTPXMock, change: dict[str, Any]) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-token/47/"),
                            content=json.dumps({**TOKEN_BODY, **change}).encode())
    with RestClient(BASE, JWT) as client, pytest.raises(MalformedResponseError):
        client.video_token(47)


def test_extra_fields_and_missing_optional_ones_are_fine(httpx_mock: HTTPXMock) -> None:
    body = {**APPOINTMENT_BODY, "notes": {"x": [1, 2]}, "patient": {"id": 2, "email": 7}}
    del body["starts_at"]
    httpx_mock.add_response(url=url("/api/appointments/47/"), json=body)
    with RestClient(BASE, JWT) as client:
        found = client.appointment(47)
    assert (found.id, found.starts_at, found.extra["notes"]) == (47, None, {"x": [1, 2]})


def test_a_deeply_nested_403_is_still_permission_denied(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-token/47/"), status_code=403,
                            content=b'{"error": ' + b"[" * 900 + b'"x"' + b"]" * 900 + b"}")
    with RestClient(BASE, JWT) as client, pytest.raises(PermissionDeniedError):
        client.video_token(47)


@pytest.mark.parametrize("location", [
    "javascript:alert(1)", "mailto:ops@example.com", "ftp://127.0.0.1/x", "http://[::1",
    "\r\nSet-Cookie: x=y", "data:text/html,hi",
])
def test_redirects_to_unusable_locations(httpx_mock: HTTPXMock, location: str) -> None:
    httpx_mock.add_response(url=url("/api/appointments/47/"), status_code=302,
                            headers={"Location": location})
    with RestClient(BASE, JWT) as client, pytest.raises(MalformedResponseError) as info:
        client.appointment(47)
    assert info.value.exit_code == ExitCode.SERVER_ERROR  # the server's fault, not usage
    assert "location" in info.value.message
    assert len(httpx_mock.get_requests()) == 1


def test_a_redirect_loop_ends(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=url("/api/appointments/47/"), status_code=307,
                            headers={"Location": "/api/appointments/47/"}, is_reusable=True)
    with RestClient(BASE, JWT) as client, pytest.raises(ServerError, match="too many redirects"):
        client.appointment(47)
    assert len(httpx_mock.get_requests()) == 6


# -- real loopback servers in threads --------------------------------------------------

Behaviour = Callable[[socket.socket, threading.Event], None]


class LoopbackServer:
    """A TCP server on 127.0.0.1 running ``behaviour`` per connection (threads, bounded)."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.connections = 0
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        workers = []
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)
        for worker in workers:
            worker.join(timeout=5)

    def _handle(self, conn: socket.socket) -> None:
        # OSError: the client gave up, which is what these faults are for
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            self.behaviour(conn, self.stop)

    def read_request(self, conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        self.requests.append(data)
        return data

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture
def loopback() -> Iterator[Callable[[Behaviour], LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(behaviour: Behaviour) -> LoopbackServer:
        server = LoopbackServer(behaviour)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"


def _drip_body(server: list[LoopbackServer]) -> Behaviour:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        server[0].read_request(conn)
        conn.sendall(HEAD + b"{")
        for _ in range(400):  # one byte every 50 ms: each read is quick, the reply never ends
            if stop.wait(0.05):
                return
            conn.sendall(b" ")
    return behaviour


def _drip_headers(server: list[LoopbackServer]) -> Behaviour:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        server[0].read_request(conn)
        for byte in HEAD[:-4] * 10:
            if stop.wait(0.05):
                return
            conn.sendall(bytes([byte]))
    return behaviour


def _silent(server: list[LoopbackServer]) -> Behaviour:
    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        server[0].read_request(conn)
        stop.wait(20)
    return behaviour


SLOW = {"dripping body": _drip_body, "dripping headers": _drip_headers,
        "never answers": _silent}


def _start(loopback: Callable[[Behaviour], LoopbackServer],
           make: Callable[[list[LoopbackServer]], Behaviour]) -> LoopbackServer:
    holder: list[LoopbackServer] = []
    server = loopback(make(holder))
    holder.append(server)
    return server


@pytest.mark.parametrize("kind", list(SLOW))
def test_the_timeout_covers_the_whole_reply(loopback: Any, kind: str) -> None:
    server = _start(loopback, SLOW[kind])
    # No stopwatch: the error is the proof.  A per-read timeout would never fire on a drip
    # (a byte every 50 ms); the server would send all of it and hang up, and the client
    # would fail on the cut-off reply (a network error), not with this timeout.
    with RestClient(server.url, JWT, timeout=0.6) as client, \
            pytest.raises(RequestTimeoutError, match=r"within 0\.6 s"):
        client.video_token(47)
    assert len(server.requests) == 1  # a timed-out GET whose reply began is not retried


def test_the_cli_reports_a_dripping_server_as_exit_7(cli: Any, loopback: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    server = _start(loopback, _drip_body)
    monkeypatch.setenv("VTCTL_JWT", JWT)
    result = cli("token", "47", "--base-url", server.url, "--timeout", "0.5")
    assert result.exit_code == 7
    assert result.stderr.startswith("error: no complete reply") and "Traceback" not in result.stderr


def _reply_then_close(raw: bytes) -> Callable[[list[LoopbackServer]], Behaviour]:
    def make(server: list[LoopbackServer]) -> Behaviour:
        def behaviour(conn: socket.socket, stop: threading.Event) -> None:
            server[0].read_request(conn)
            conn.sendall(raw)
        return behaviour
    return make


BROKEN = {
    "closes without a reply": b"",
    "truncated body": HEAD + b'{"access_token": "x',
    "garbage status line": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "binary noise": bytes(range(256)) * 4,
    "huge header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n{}",
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_replies_from_a_real_socket(loopback: Any, kind: str) -> None:
    server = _start(loopback, _reply_then_close(BROKEN[kind]))
    with RestClient(server.url, JWT, timeout=5, max_tries=1) as client, \
            pytest.raises(VtctlError) as info:
        client.video_token(47)
    assert info.value.exit_code in (ExitCode.NETWORK_ERROR, ExitCode.SERVER_ERROR)
    assert "\n" not in info.value.message and JWT not in info.value.message


def _blurt(raw: bytes) -> Callable[[list[LoopbackServer]], Behaviour]:
    def make(server: list[LoopbackServer]) -> Behaviour:
        def behaviour(conn: socket.socket, stop: threading.Event) -> None:
            conn.sendall(raw)  # before reading anything: a plain-HTTP server to a TLS hello
        return behaviour
    return make


def test_a_compression_bomb_is_capped_after_decoding(loopback: Any) -> None:
    bomb = gzip.compress(b" " * (MAX_RESPONSE_BYTES * 50))  # 50 MiB of spaces in ~50 KiB
    server = _start(loopback, _answer("200 OK", {"Content-Type": "application/json",
                                                 "Content-Encoding": "gzip"}, bomb))
    with RestClient(server.url, JWT) as client, pytest.raises(ServerError, match="larger than"):
        client.video_token(47)


def test_tls_to_a_plain_port_is_a_tls_error(loopback: Any) -> None:
    server = _start(loopback, _blurt(b"HTTP/1.1 400 Bad Request\r\n\r\n"))
    with RestClient(f"https://127.0.0.1:{server.port}", JWT, timeout=5) as client, \
            pytest.raises(NetworkError, match="TLS") as info:
        client.video_token(47)
    assert info.value.exit_code == ExitCode.NETWORK_ERROR
    assert server.connections == 1  # a TLS failure is not retried


def _answer(status: str, headers: dict[str, str], body: bytes = b"") -> Callable[
        [list[LoopbackServer]], Behaviour]:
    def make(server: list[LoopbackServer]) -> Behaviour:
        def behaviour(conn: socket.socket, stop: threading.Event) -> None:
            while server[0].read_request(conn):
                head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                conn.sendall(f"HTTP/1.1 {status}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
                             .encode() + body)
        return behaviour
    return make


def test_a_retry_after_past_the_timeout_is_not_waited(cli: Any, loopback: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """503 + Retry-After: 9 with --timeout 1: one request, exit 6, and the error says why."""
    server = _start(loopback, _answer("503 Service Unavailable", {"Retry-After": "9"}))
    monkeypatch.setenv("VTCTL_JWT", JWT)
    result = cli("token", "47", "--base-url", server.url, "--timeout", "1")
    assert result.exit_code == 6, result.stderr
    assert "HTTP 503" in result.stderr
    assert "not retried: the server asked to wait 9 s (Retry-After), past the 1 s --timeout" \
        in result.stderr
    assert len([request for request in server.requests if request]) == 1


def test_a_silent_tls_handshake_is_a_timeout_and_not_retried(
        cli: Any, loopback: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _start(loopback, _silent)  # accepts the connection, never answers the hello
    monkeypatch.setenv("VTCTL_JWT", JWT)
    result = cli("token", "47", "--base-url", f"https://127.0.0.1:{server.port}",
                 "--timeout", "0.5")
    assert result.exit_code == 7, result.stderr
    assert "the TLS handshake with 127.0.0.1" in result.stderr
    assert "did not finish within 0.5 s" in result.stderr
    assert server.connections == 1


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2"])
def test_a_redirect_to_another_real_host_is_never_contacted(loopback: Any, host: str) -> None:
    other = _start(loopback, _answer("200 OK", {"Content-Type": "application/json"},
                                     json.dumps(APPOINTMENT_BODY).encode()))
    target = f"http://{host}:{other.port}/api/appointments/47/"
    first = _start(loopback, _answer("302 Found", {"Location": target}))
    with RestClient(first.url, JWT) as client, \
            pytest.raises(ServerError, match="redirected to another host"):
        client.appointment(47)
    assert b"Authorization: Bearer" in first.requests[0]
    assert other.connections == 0 and other.requests == []


def test_a_real_same_origin_redirect_is_followed_with_the_jwt(loopback: Any) -> None:
    body = json.dumps(APPOINTMENT_BODY).encode()
    hits: list[bytes] = []

    def make(server: list[LoopbackServer]) -> Behaviour:
        def behaviour(conn: socket.socket, stop: threading.Event) -> None:
            while request := server[0].read_request(conn):
                hits.append(request)
                if request.startswith(b"GET /api/appointments/47/ "):
                    conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /api/v2/47/\r\n"
                                 b"Content-Length: 0\r\n\r\n")
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        return behaviour

    server = _start(loopback, make)
    with RestClient(server.url, JWT) as client:
        assert client.appointment(47).id == 47
    assert len(hits) == 2
    assert hits[1].startswith(b"GET /api/v2/47/ ")
    assert f"Authorization: Bearer {JWT}".encode() in hits[1]


# -- a hostile server cannot write to the terminal --------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\u202egnp.exe\x9b1m"


@pytest.mark.parametrize(("status", "body", "code"), [
    (403, {"error": ESCAPES}, 4),
    (404, {"detail": ESCAPES}, 5),
    (500, {"error": "Failed to generate access token: " + ESCAPES}, 6),
    (401, {"detail": ESCAPES}, 3),
    (200, {**TOKEN_BODY, "access_token": ESCAPES + TOKEN_BODY["access_token"]}, 6),
    (200, {**TOKEN_BODY, "room_name": "apt-47" + ESCAPES}, 6),
    (200, {"error": ESCAPES}, 6),
], ids=["403", "404", "500", "401", "token", "room name", "200 error body"])
def test_terminal_escapes_from_the_server_never_reach_the_terminal(
    cli: Any, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch,
    status: int, body: dict[str, Any], code: int,
) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-token/47/"), status_code=status,
                            json=body, is_reusable=True)
    monkeypatch.setenv("VTCTL_JWT", JWT)
    for fmt in ([], ["--raw"], ["--json"]):
        result = cli("token", "47", "--base-url", BASE, *fmt)
        assert result.exit_code == code, result.stderr
        for text in (result.stdout, result.stderr):
            assert not has_control(text.replace("\n", "")), repr(text)


def test_status_strings_with_escapes_are_shown_defanged(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-status/47/"),
                            json={"room_name": "r", "status": "in-" + ESCAPES,
                                  "participants": [{"identity": ESCAPES}]})
    with RestClient(BASE, JWT) as client:
        status = client.room_status(47)
    assert status.status is not None and not has_control(status.status)
    assert not has_control(status.participants[0].identity)
