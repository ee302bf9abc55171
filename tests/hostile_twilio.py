"""A hostile Twilio: replies that try to flood, stall, escape the terminal or leak the secret.

* ``FakeVideoApi``: a pytest-httpx callback answering every Video API path with a
  resource of the documented shape, every string passed through ``spoil`` first
  (escape sequences, the API secret, lone surrogates...).
* ``HOSTILE_REPLIES``: one reply for every request, of each hostile kind.
* ``LoopbackTwilio``: a real HTTP server on 127.0.0.1 for what a mock cannot do
  (drip a body, stall between requests, inflate a gzip bomb through httpx's
  decoder); every behaviour ends by itself, so no test can hang on it.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from tests.conftest import TEST_API_KEY, TEST_API_SECRET
from tests.helpers import ROOM_47
from tests.twilio_fakes import participant_body, room_body, track_body
from vtctl.twilio_video.reply import MAX_REPLY_BYTES

#: what a terminal obeys: retitle, clear, colour, a CSI in C1, bidi override and isolate, CR/LF
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\u202egnp.exe\u2066\x9b1m\r\nerror: all fine"
#: the Basic credential the twilio library sends, as a proxy would echo it
BASIC = base64.b64encode(f"{TEST_API_KEY}:{TEST_API_SECRET}".encode()).decode()
ECHO = (f"upstream proxy error; request was: GET /v1/Rooms Authorization: Basic {BASIC} "
        f"(user {TEST_API_KEY}, password {TEST_API_SECRET})")
#: every form of the secret that must never be shown
SECRET_FORMS = (TEST_API_SECRET, BASIC)

ONE_MIB = 1024 * 1024
NESTED = b'{"sid": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"


def gzip_bomb(size: int = 50 * ONE_MIB) -> bytes:
    """``size`` bytes of JSON-looking spaces in ~1/1000 of that."""
    return gzip.compress(b" " * size, compresslevel=9)


# -- the Video API's resources, spoiled ----------------------------------------------------

ROOM_SID = "RM" + "a1" * 16
_PARTICIPANTS = re.compile(r"/Rooms/([^/]+)/Participants/?$")
_PARTICIPANT = re.compile(r"/Rooms/([^/]+)/Participants/([^/]+)$")
_TRACKS = re.compile(r"/Participants/([^/]+)/PublishedTracks/?$")


#: left as they are, so the commands get past them to print the rest (SIDs, states, links)
_KEPT = ("meta", "url", "links", "status", "kind")


def _spoil_all(value: Any, spoil: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return spoil(value)
    if isinstance(value, list):
        return [_spoil_all(v, spoil) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in _KEPT or k.endswith("sid") else _spoil_all(v, spoil))
                for k, v in value.items()}
    return value


class FakeVideoApi:
    """Answers any Video API request with a resource of the documented shape."""

    def __init__(self, spoil: Callable[[str], str] = lambda s: s, *,
                 connected: int = 2, page_cap: int | None = None) -> None:
        self.spoil = spoil
        self.connected = connected
        self.page_cap = page_cap
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if (match := _TRACKS.search(path)) is not None:
            sid = match.group(1)
            body = self._page("published_tracks", request,
                              [track_body(sid, "audio", 1), track_body(sid, "video", 2)])
        elif (match := _PARTICIPANT.search(path)) is not None:
            body = participant_body("2-jane.doe@example.com", 2, "disconnected")
        elif _PARTICIPANTS.search(path):
            status = request.url.params.get("Status", "connected")
            people = [participant_body(f"{2 + n}-p{n}@example.com", n + 1, status)
                      for n in range(self.connected)]
            body = self._page("participants", request, people)
        elif path.rstrip("/").endswith("/Rooms"):
            body = self._page("rooms", request, [room_body(unique_name=ROOM_47)])
        else:
            status = "completed" if request.method == "POST" else "in-progress"
            body = room_body(status, unique_name=ROOM_47)
        return httpx.Response(200, json=_spoil_all(body, self.spoil))

    @staticmethod
    def _page(key: str, request: httpx.Request, records: list[Any]) -> dict[str, Any]:
        url = str(request.url)
        return {key: records, "meta": {"page": 0, "page_size": 50, "first_page_url": url,
                                       "previous_page_url": None, "url": url,
                                       "next_page_url": None, "key": key}}


def _error(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "status": status,
                                        "more_info": f"https://www.twilio.com/docs/errors/{code}"})


def _surrogate_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, content=b'{"code": 20500, "message": "bad \\udfff half \\ud800"}',
                          headers={"Content-Type": "application/json"})


def _surrogate_data(request: httpx.Request) -> httpx.Response:
    clean = FakeVideoApi(lambda s: s.replace("apt-47", "apt-47-LONE").replace("@", "\udfff@"))
    body = json.dumps(json.loads(clean(request).content)).replace("-LONE", "\\ud800")
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "application/json"})


def _fixed(response: Callable[[], httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: response()


#: kind -> (callback for every request, whether the reply is an error vtctl must report)
HOSTILE_REPLIES: dict[str, tuple[Callable[[httpx.Request], httpx.Response], bool]] = {
    "escapes in an error": (_fixed(lambda: _error(400, 53000, ESCAPES)), True),
    "escapes in the data": (FakeVideoApi(lambda s: s + ESCAPES), False),
    "secret echoed in a 500": (_fixed(lambda: _error(500, 20500, ECHO)), True),
    "secret echoed in the data": (FakeVideoApi(lambda s: f"{s} {ECHO}"), False),
    "oversize body": (_fixed(lambda: httpx.Response(
        200, json={"sid": ROOM_SID, "padding": "x" * (MAX_REPLY_BYTES + ONE_MIB)})), True),
    "gzip bomb": (_fixed(lambda: httpx.Response(
        200, content=gzip_bomb(), headers={"Content-Encoding": "gzip",
                                           "Content-Type": "application/json"})), True),
    "nested JSON": (_fixed(lambda: httpx.Response(
        200, content=NESTED, headers={"Content-Type": "application/json"})), True),
    "lone surrogates in an error": (_surrogate_error, True),
    "lone surrogates in the data": (_surrogate_data, False),
}


# -- a real server on 127.0.0.1 ------------------------------------------------------------

Behaviour = Callable[["LoopbackTwilio", socket.socket, bytes], None]


class LoopbackTwilio:
    """An HTTP/1.1 server on 127.0.0.1 running ``behaviour`` for every request it reads."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        #: set when the client hung up on a reply that was still being sent
        self.hung_up = threading.Event()
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._workers: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            worker = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            worker.start()
            self._workers.append(worker)

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                while not self.stop.is_set() and (request := self._read_request(conn)):
                    with self._lock:
                        self.requests.append(request)
                    self.behaviour(self, conn, request)
            except OSError:  # the client gave up: what these faults are for
                self.hung_up.set()

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                return b""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        missing = int(length.group(1)) - len(rest) if length else 0
        while missing > 0 and (chunk := conn.recv(min(missing, 4096))):
            missing -= len(chunk)
        return head

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=10)
        for worker in self._workers:
            worker.join(timeout=10)
        self.sock.close()


@contextlib.contextmanager
def loopback_twilio(behaviour: Behaviour) -> Iterator[LoopbackTwilio]:
    server = LoopbackTwilio(behaviour)
    try:
        yield server
    finally:
        server.close()


def send(conn: socket.socket, body: bytes, status: str = "200 OK",
         headers: dict[str, str] | None = None) -> None:
    head = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{head}"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def drip(server: LoopbackTwilio, conn: socket.socket, request: bytes) -> None:
    """A reply that starts at once and then sends one byte every 50 ms, for 20 s."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n{")
    for _ in range(400):
        if server.stop.wait(0.05):
            return
        conn.sendall(b" ")


def endless(server: LoopbackTwilio, conn: socket.socket, request: bytes) -> None:
    """A chunked body that never ends (stops after 64 MiB or when the test ends)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    for _ in range(1024):
        if server.stop.is_set():
            return
        conn.sendall(b"10000\r\n" + chunk + b"\r\n")


def bomb(server: LoopbackTwilio, conn: socket.socket, request: bytes) -> None:
    send(conn, gzip_bomb(), headers={"Content-Encoding": "gzip"})


def slow_but_well_formed(seconds: float) -> Behaviour:
    """Every request answered correctly, each after ``seconds``: only the total is too long."""
    api = FakeVideoApi()

    def behaviour(server: LoopbackTwilio, conn: socket.socket, request: bytes) -> None:
        method, target = request.split(b" ")[:2]
        if server.stop.wait(seconds):
            return
        reply = api(httpx.Request(method.decode(), server.url + target.decode()))
        send(conn, reply.content)
    return behaviour
