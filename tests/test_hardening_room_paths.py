"""A stored room name is one Twilio URL path segment (issue 23, item 8).

Import and pull refuse room names that are not the appointment's own
(test_hardening_pull.py); a store edited by hand can still hold one.  Every value
vtctl puts into a Twilio URL path goes through ``twilio_video.paths``: percent-encoded,
so ``../../v1/Rooms/RM<sid>#`` cannot address another room and ``?Status=completed``
cannot add a query.  pytest-httpx plays a Twilio that would obey such a path (as
httpx resolves ``..`` before sending).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import appointment, make_store
from tests.twilio_fakes import page, participant_body, room_body, twilio_error

VICTIM_SID = "RM" + "e" * 32
VICTIM = f"/v1/Rooms/{VICTIM_SID}"
HOSTILE_NAMES = {
    "traversal": f"../../v1/Rooms/{VICTIM_SID}#",
    "traversal without the fragment": f"../{VICTIM_SID}",
    "a query": "apt-3500-1763138954-0a1b2c3d?Status=completed",
    "dots": "..",
    "a control character": "apt-3500\x1b[2J",
}
COMMANDS = {
    "room end": ["room", "end", "3500", "--yes"],
    "room kick": ["room", "kick", "3500", "2", "--yes"],
    "status": ["status", "3500"],
    "room participants": ["room", "participants", "3500"],
    "diagnose": ["diagnose", "3500"],
}


def fake_twilio(request: httpx.Request) -> httpx.Response:
    """The victim room in progress at its own path; the Rooms list empty; else 404.
    Routed on the raw path, as a server does: ``%2F`` is no separator."""
    path = request.url.raw_path.decode().partition("?")[0]
    if path == VICTIM or path.startswith(VICTIM + "/"):
        if path.endswith("/Participants") or "/Participants/" in path:
            return httpx.Response(200, json=page("participants", str(request.url),
                                                 [participant_body("2-x@example.com", 2)], 50))
        if request.method == "POST":
            return httpx.Response(200, json=room_body("completed", sid=VICTIM_SID))
        return httpx.Response(200, json=room_body("in-progress", sid=VICTIM_SID,
                                                  unique_name="apt-1-1-00000000"))
    if path == "/v1/Rooms":
        return httpx.Response(200, json=page("rooms", str(request.url), [], 1))
    return httpx.Response(404, json=twilio_error(404, 20404, "not found"))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_store(tmp_path / "store.sqlite3", appointment(3500))
    monkeypatch.setenv("VTCTL_STORE", str(path))
    return path


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=list(HOSTILE_NAMES))
@pytest.mark.parametrize("args", COMMANDS.values(), ids=list(COMMANDS))
def test_a_stored_room_name_cannot_address_another_room(
    cli: Any, store: Path, httpx_mock: HTTPXMock, twilio_env: dict[str, str],
    name: str, args: list[str],
) -> None:
    with sqlite3.connect(store) as db:
        db.execute("UPDATE appointments SET video_room_id = ? WHERE id = 3500", (name,))
    httpx_mock.add_callback(fake_twilio, is_reusable=True)
    result = cli(*args, "--local")
    requests = httpx_mock.get_requests()
    assert requests, result.stderr
    for request in requests:
        assert not request.url.raw_path.startswith(VICTIM.encode()), request.url
        assert request.method == "GET", request.url  # nothing was ended or kicked
    first = requests[0]
    assert first.url.raw_path.count(b"/") == 3  # /v1/Rooms/<one segment>
    assert first.url.query == b""
    assert result.exit_code in (0, 5, 8), result.stderr  # 8: diagnose's findings
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "\x1b" not in result.stdout + result.stderr


def test_path_segment_encodes_every_reserved_character() -> None:
    from vtctl.twilio_video.paths import path_segment

    assert path_segment("apt-47-1763138954-46eb915c") == "apt-47-1763138954-46eb915c"
    assert path_segment("2-jane.doe@example.com") == "2-jane.doe%40example.com"
    assert path_segment("../a/b?c#d") == "..%2Fa%2Fb%3Fc%23d"
    assert path_segment("..") == "%2E%2E" and path_segment(".") == "%2E"
    assert path_segment("a\x1b b") == "a%1B%20b"


def test_every_twilio_resource_context_is_built_through_paths() -> None:
    """twilio-python's ``rooms(x)`` / ``participants(x)`` put ``x`` into the URL path
    unescaped: outside ``twilio_video/paths.py`` they take only ``path_segment(...)``."""
    import re

    import vtctl

    context = re.compile(r"(\.rooms|\.participants|\brooms_api)\((?!path_segment\(|\))")
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in Path(vtctl.__file__).parent.rglob("*.py") if path.name != "paths.py"
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if context.search(line)]
    assert found == []
