"""A stand-in for Twilio's Video REST API on 127.0.0.1, for commands run as subprocesses
(``VTCTL_TWILIO_API_URL``), where pytest-httpx cannot reach.

Prism (``tests/prism_fixtures.py``) answers with the spec's examples, which have no
participants; this one answers with a live appointment-47 room (two people connected,
each publishing audio and video, one who left) and a finished appointment-49 room, in
the bodies ``tests/twilio_fakes.py`` builds from Twilio's documented resources.  It
keeps no state: ending a room or removing a participant answers as Twilio would, and
the next request sees the room as before, so every run of a command prints the same.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.twilio_fakes import (
    ROOM_NAME,
    ROOM_SID,
    page,
    participant_body,
    room_body,
    track_body,
    twilio_error,
)

ROOM_49 = "apt-49-1763300000-0a1b2c3d"
ROOM_49_SID = "RM" + "b2" * 16
JANE = "2-jane.doe@example.com"
SARAH = "5-sarah@example.com"
JOHN = "3-john.roe@example.com"


def _finished_49(**overrides: Any) -> dict[str, Any]:
    return room_body("completed", sid=ROOM_49_SID, unique_name=ROOM_49,
                     date_created="2025-11-17T09:00:05Z", end_time="2025-11-17T10:01:05Z",
                     duration=3660, **overrides)


def _room(ref: str) -> dict[str, Any] | None:
    if ref in (ROOM_NAME, ROOM_SID):
        return room_body()
    if ref in (ROOM_49, ROOM_49_SID):
        return _finished_49()
    return None


def _participants(room_sid: str, status: str | None) -> list[dict[str, Any]]:
    if room_sid == ROOM_SID:
        people = [participant_body(JANE, 1), participant_body(SARAH, 2),
                  participant_body(JOHN, 3, status="disconnected",
                                   end_time="2025-11-16T09:05:10Z", duration=120)]
    else:
        people = [participant_body(JANE, 4, status="disconnected", room_sid=room_sid,
                                   end_time="2025-11-17T10:00:00Z", duration=3500),
                  participant_body(SARAH, 5, status="disconnected", room_sid=room_sid,
                                   end_time="2025-11-17T10:01:00Z", duration=3550)]
    return [p for p in people if status is None or p["status"] == status]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self) -> None:
        self._send(404, twilio_error(404, 20404,
                                     f"The requested resource {self.path} was not found"))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        link = f"https://video.twilio.com{url.path}?{url.query}"
        size = int(query.get("PageSize", "50"))
        if parts == ["v1", "Rooms"]:
            rooms = [room_body(), _finished_49()]
            if "UniqueName" in query:
                rooms = [r for r in rooms if r["unique_name"] == query["UniqueName"]]
            if "Status" in query:
                rooms = [r for r in rooms if r["status"] == query["Status"]]
            self._send(200, page("rooms", link, rooms[:size], size))
        elif len(parts) == 3 and parts[:2] == ["v1", "Rooms"]:
            room = _room(parts[2])
            self._send(200, room) if room else self._not_found()
        elif len(parts) == 4 and parts[3] == "Participants":
            found = _participants(parts[2], query.get("Status"))
            self._send(200, page("participants", link, found[:size], size))
        elif len(parts) == 6 and parts[5] == "PublishedTracks":
            tracks = [track_body(parts[4], "audio", 1), track_body(parts[4], "video", 2)]
            self._send(200, page("published_tracks", link, tracks, size))
        else:
            self._not_found()

    def do_POST(self) -> None:
        parts = [unquote(p) for p in urlsplit(self.path).path.strip("/").split("/")]
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if len(parts) == 3 and parts[2] == ROOM_SID:
            self._send(200, room_body("completed", end_time="2025-11-16T09:40:00Z",
                                      duration=2335))
        elif len(parts) == 5 and parts[3] == "Participants":
            found = [p for p in _participants(parts[2], None)
                     if parts[4] in (p["identity"], p["sid"])]
            if not found:
                self._not_found()
                return
            self._send(200, {**found[0], "status": "disconnected",
                             "end_time": "2025-11-16T09:40:00Z", "duration": 1800})
        else:
            self._not_found()


@contextmanager
def fake_twilio() -> Iterator[str]:
    """A running stand-in; yields its base URL (for ``VTCTL_TWILIO_API_URL``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
