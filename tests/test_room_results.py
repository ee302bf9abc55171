"""The result of a change is what Twilio says (issue 19, rule 8).

``room end`` and ``room kick`` print and exit by the state in Twilio's reply;
a ``failed`` room is not "already completed"; a live room's duration counts
from its creation (Twilio reports 0 until the room ends); ``status`` shows the
tracks it fetched.  pytest-httpx stands in for Twilio (Prism's random replies
cannot be made to say ``in-progress`` after an end).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import store_from_document
from tests.twilio_fakes import (
    BASE,
    IMPORT_FILE,
    JANE_ID,
    JANE_PA,
    PARTICIPANTS_URL,
    ROOM_NAME,
    ROOM_SID,
    ROOM_URL,
    SARAH_ID,
    SARAH_PA,
    mock_in_progress,
    page,
    participant_body,
    room_body,
    track_body,
)


@pytest.fixture
def room_cli(twilio_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Any:
    """The command as on a terminal (where the result is told in a sentence; a pipe gets
    its fields: ``test_room_commands``), without colour; ``terminal=False``: piped."""
    import io

    from tests.conftest import Result
    from vtctl.cli.framework.app import run as run_vtctl
    from vtctl.ui.iostreams import IOStreams

    monkeypatch.setenv("NO_COLOR", "1")
    store = str(store_from_document(tmp_path / "store.sqlite3", IMPORT_FILE))

    def run(*args: str, terminal: bool = True) -> Any:
        out, err = io.StringIO(), io.StringIO()
        streams = IOStreams(out=out, err=err, stdin=io.StringIO(), force_terminal=terminal,
                            width=200)
        code = run_vtctl([*args, "--local", "--store", store], io=streams)
        return Result(code, out.getvalue(), err.getvalue())

    return run


def words(text: str) -> str:
    return " ".join(text.split())


# -- room end ---------------------------------------------------------------------------


def test_an_end_whose_reply_is_still_in_progress_is_not_ended(
    room_cli: Any, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method="POST",
                            json=room_body("in-progress"))
    result = room_cli("room", "end", "47", "--yes")
    assert result.exit_code == 6, result.stderr
    assert "ended room" not in words(result.stdout)
    assert f"room {ROOM_NAME} ({ROOM_SID}) is still in-progress" in words(result.stdout)
    assert result.stderr.startswith(f"error: Twilio's reply to the end request says room "
                                    f"{ROOM_NAME} is still in-progress")
    as_json = room_cli_json(room_cli, httpx_mock, "POST", room_body("in-progress"))
    assert (as_json["status"], as_json["changed"]) == ("in-progress", False)


def room_cli_json(room_cli: Any, httpx_mock: HTTPXMock, method: str, reply: dict[str, Any]
                  ) -> dict[str, Any]:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method=method, json=reply)
    result = room_cli("room", "end", "47", "--yes", "--json")
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_an_end_whose_reply_is_completed_is_ended(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method="POST",
                            json=room_body("completed", duration=600))
    result = room_cli("room", "end", "47", "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"ended room {ROOM_NAME}" in words(result.stdout)


def test_an_end_answered_failed_is_not_completed(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method="POST",
                            json=room_body("failed"))
    result = room_cli("room", "end", "47", "--yes")
    assert result.exit_code == 6
    assert result.stderr.startswith("error: Twilio's reply to the end request says room "
                                    f"{ROOM_NAME} is failed, not completed")


def test_a_failed_room_is_not_already_completed(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body("failed"))
    result = room_cli("room", "end", "47", "--yes")
    assert result.exit_code == 0, result.stderr
    out = words(result.stdout)
    assert "completed" not in out
    assert f"room {ROOM_NAME} ({ROOM_SID}) is failed; nothing to end" in out
    assert not [r for r in httpx_mock.get_requests() if r.method == "POST"]


# -- room kick --------------------------------------------------------------------------


def test_a_kick_whose_reply_is_still_connected_is_not_a_disconnect(
    room_cli: Any, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{PARTICIPANTS_URL}/2-jane.doe%40example.com", method="POST",
                            json=participant_body(JANE_ID, 2, status="connected"))
    result = room_cli("room", "kick", "47", "2", "--yes")
    assert result.exit_code == 6, result.stderr
    out = words(result.stdout)
    assert not out.startswith("disconnected")
    assert f"{JANE_ID} ({JANE_PA}) is still connected in room {ROOM_NAME}" in out
    assert result.stderr.startswith("error: Twilio's reply to the kick request says "
                                    f"{JANE_ID} is still connected")


def test_a_kick_whose_reply_is_disconnected_is_one(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{PARTICIPANTS_URL}/2-jane.doe%40example.com", method="POST",
                            json=participant_body(JANE_ID, 2, status="disconnected"))
    result = room_cli("room", "kick", "47", "2", "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"disconnected {JANE_ID} ({JANE_PA}) from room {ROOM_NAME}" in words(result.stdout)


# -- durations --------------------------------------------------------------------------


def test_a_live_rooms_duration_counts_from_its_creation(room_cli: Any, httpx_mock: HTTPXMock
                                                        ) -> None:
    """Twilio says duration 0 for an in-progress room: it is not 0 s old."""
    stamp = _two_hours_ago()
    _mock_live_room(httpx_mock, stamp)
    data = json.loads(room_cli("status", "47", "--json").stdout)
    assert 7200 <= data["duration_seconds"] < 7200 + 600
    _mock_live_room(httpx_mock, stamp)
    shown = room_cli("status", "47").stdout
    duration = next(line for line in shown.splitlines() if line.startswith("duration"))
    assert "2 h" in duration and "0 s" not in duration


def _two_hours_ago() -> str:
    moment = datetime.fromtimestamp(datetime.now(UTC).timestamp() - 7200, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _mock_live_room(httpx_mock: HTTPXMock, stamp: str) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body(date_created=stamp, duration=0))
    _mock_people(httpx_mock)


def _mock_people(httpx_mock: HTTPXMock) -> None:
    from tests.twilio_fakes import CONNECTED_URL, DISCONNECTED_URL, mock_tracks

    httpx_mock.add_response(url=CONNECTED_URL, json=page(
        "participants", CONNECTED_URL, [participant_body(JANE_ID, 2)], 50))
    httpx_mock.add_response(url=DISCONNECTED_URL,
                            json=page("participants", DISCONNECTED_URL, [], 20))
    mock_tracks(httpx_mock, JANE_PA, [track_body(JANE_PA, "audio", 1)])


def test_room_list_counts_a_live_rooms_duration_from_its_creation(
    room_cli: Any, httpx_mock: HTTPXMock
) -> None:
    stamp = _two_hours_ago()
    url = f"{BASE}/Rooms?Status=in-progress&PageSize=20"
    httpx_mock.add_response(url=url, json=page("rooms", url, [
        room_body("in-progress", date_created=stamp, duration=0)], 20))
    connected = f"{PARTICIPANTS_URL}?Status=connected&PageSize=50"
    httpx_mock.add_response(url=connected, json=page("participants", connected, [], 50))
    data = json.loads(room_cli("room", "list", "--status", "in-progress", "--json").stdout)
    assert 7200 <= data[0]["duration_seconds"] < 7200 + 600


# -- status shows the tracks it fetched ------------------------------------------------


def test_status_shows_the_tracks_it_fetched(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    tracks = {JANE_PA: [track_body(JANE_PA, "audio", 1),
                        track_body(JANE_PA, "video", 2, enabled=False)],
              SARAH_PA: []}
    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2), participant_body(SARAH_ID, 3)],
                     tracks=tracks)
    result = room_cli("status", "47", terminal=False)
    assert result.exit_code == 0, result.stderr
    lines = {line.split("\t")[1]: line for line in result.stdout.splitlines()
             if line.startswith("participant\t")}
    assert "audio on" in lines[JANE_ID] and "video muted" in lines[JANE_ID]
    assert "none" in lines[SARAH_ID].split("\t")


# -- one word for a participant's role -----------------------------------------------------


def test_status_and_room_participants_show_a_missing_role_alike() -> None:
    """A participant without a role (a remote backend need not say; locally, someone who
    is neither the patient nor the psychologist) is ``-`` in both listings of
    participants: ``room participants`` once printed ``other``, which claimed a stranger
    where the backend had only said nothing."""
    import io as text_io

    from vtctl.domain.room_state import Participant, RoomStatus
    from vtctl.ui.iostreams import IOStreams
    from vtctl.ui.render.rooms import participants_sheet
    from vtctl.ui.render.status import participants_rows
    from vtctl.ui.sheet import Sheet, sheet, show

    room = RoomStatus(appointment_id=47, room_name=ROOM_NAME, status="in-progress",
                      sid="RM" + "0" * 32, participants=(
                          Participant(identity=JANE_ID, status="connected", role="patient"),
                          Participant(identity="9-outsider@example.com", status="connected")))

    def roles(printed: Sheet) -> dict[str, str]:
        out = text_io.StringIO()
        show(IOStreams(out=out, err=text_io.StringIO(), force_terminal=False), printed)
        return {line.split("\t")[1]: line.split("\t")[2] for line in out.getvalue().splitlines()
                if line.startswith("participant\t")}

    expected = {JANE_ID: "patient", "9-outsider@example.com": "-"}
    assert roles(sheet(participants_rows(room))) == expected
    assert roles(participants_sheet(room)) == expected
