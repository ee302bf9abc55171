"""``vtctl room participants|list|end|kick`` over the local backend, with pytest-httpx
standing in for Twilio where Prism cannot: paging across pages, 429 with
Retry-After, Twilio's 20003/20404 errors, a room that completed between two calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import store_from_document
from tests.twilio_fakes import (
    BASE,
    CONNECTED_URL,
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
    twilio_error,
)


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(store_from_document(tmp_path / "store.sqlite3", IMPORT_FILE))


@pytest.fixture
def room_cli(cli: Any, twilio_env: dict[str, str], store: str) -> Any:
    def run(*args: str, stdin: str = "") -> Any:
        return cli(*args, "--local", "--store", store, stdin=stdin)

    return run


def words(text: str) -> str:
    """The text with line breaks and runs of spaces as one space."""
    return " ".join(text.split())


def rooms_url(query: str) -> str:
    return f"{BASE}/Rooms?{query}"


def rooms_page(url: str, rooms: list[dict[str, Any]], next_url: str | None) -> dict[str, Any]:
    body = page("rooms", url, rooms, 2)
    body["meta"]["next_page_url"] = next_url
    return body


def a_room(n: int, appointment_id: int = 47, status: str = "completed") -> dict[str, Any]:
    name = f"apt-{appointment_id}-17631{n:05d}-0a1b2c3d"
    return room_body(status, sid=f"RM{n:032x}", unique_name=name, duration=600 + n)


def mock_counts(httpx_mock: HTTPXMock, n: int, status: str = "completed") -> None:
    query = "Status=connected&PageSize=50" if status == "in-progress" else "PageSize=50"
    url = f"{BASE}/Rooms/RM{n:032x}/Participants?{query}"
    records = [participant_body(JANE_ID, 2, "disconnected"), participant_body(SARAH_ID, 3)]
    httpx_mock.add_response(url=url, json=page("participants", url, records, 50))


# -- room participants ----------------------------------------------------------------


def test_participants_show_role_and_track_state(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    mock_in_progress(
        httpx_mock, [participant_body(JANE_ID, 2), participant_body(SARAH_ID, 3)],
        tracks={JANE_PA: [track_body(JANE_PA, "audio", 1), track_body(JANE_PA, "video", 2,
                                                                          enabled=False)],
                SARAH_PA: []},
    )
    result = room_cli("room", "participants", "47")
    assert result.exit_code == 0, result.stderr
    rows = {fields[1]: fields for line in result.stdout.splitlines()
            if (fields := line.split("\t"))[0] == "participant"}
    assert rows[JANE_ID][2:4] == ["patient", "connected"]
    assert rows[JANE_ID][4] == "audio on audio-track-1, video muted video-track-2"
    assert rows[SARAH_ID][2:5] == ["psychologist", "connected", "none"]  # publishes nothing

    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2)],
                     tracks={JANE_PA: [track_body(JANE_PA, "video", 2, enabled=False)]})
    data = json.loads(room_cli("room", "participants", ROOM_NAME, "--json").stdout)
    assert data["participants"][0]["tracks"] == [
        {"kind": "video", "name": "video-track-2", "sid": f"MT{2:032x}", "enabled": False}
    ]


def test_participants_hides_disconnected_unless_all(room_cli: Any, httpx_mock: HTTPXMock
                                                    ) -> None:
    gone = participant_body(SARAH_ID, 1, status="disconnected", duration=230)
    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2)], [gone])
    assert SARAH_ID not in room_cli("room", "participants", "47").stdout
    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2)], [gone])
    shown = room_cli("room", "participants", "47", "--all").stdout
    assert SARAH_ID in shown and "disconnected" in shown and "not asked" in shown


def test_participants_by_sid(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", json=room_body())
    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2)])
    result = room_cli("room", "participants", ROOM_SID.upper().replace("RM", "RM", 1))
    assert result.exit_code == 0, result.stderr
    assert JANE_ID in result.stdout


def test_unknown_sid_is_20404_exit_5(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    sid = "RM" + "9" * 32
    httpx_mock.add_response(url=f"{BASE}/Rooms/{sid}", status_code=404,
                            json=twilio_error(404, 20404, f"The requested resource /Rooms/{sid}"
                                              " was not found"))
    result = room_cli("room", "participants", sid)
    assert result.exit_code == 5
    assert f"Twilio has no room {sid}" in result.stderr
    assert "Traceback" not in result.stderr


def test_20003_is_exit_3(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=rooms_url("PageSize=20"), status_code=401,
                            json=twilio_error(401, 20003, "Authenticate"))
    result = room_cli("room", "list")
    assert result.exit_code == 3
    assert "Twilio error 20003" in result.stderr and "TWILIO_API_KEY" in result.stderr


# -- room list: paging ------------------------------------------------------------------


def test_list_follows_next_page_up_to_the_limit(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    first = rooms_url("PageSize=3")
    second = rooms_url("PageSize=3&Page=1&PageToken=PA1")
    httpx_mock.add_response(url=first, json=rooms_page(first, [a_room(1), a_room(2)], second))
    third = rooms_url("PageSize=3&Page=2&PageToken=PA2")
    httpx_mock.add_response(url=second, json=rooms_page(second, [a_room(3, 48), a_room(4)],
                                                        third))
    for n in (1, 2, 3):
        mock_counts(httpx_mock, n)
    result = room_cli("room", "list", "--limit", "3", "--json")
    assert result.exit_code == 0, result.stderr
    rooms = json.loads(result.stdout)
    assert [r["sid"] for r in rooms] == [f"RM{n:032x}" for n in (1, 2, 3)]
    assert rooms[0]["appointment_id"] == 47
    assert rooms[0]["patient"]["name"] == "Jane Doe"
    assert rooms[0]["psychologist"]["name"] == "Dr. Sarah"
    assert rooms[2]["appointment_id"] == 48 and rooms[2]["participant_count"] == 2
    # the third page was never asked for: the limit was reached
    assert all(str(r.url) != third for r in httpx_mock.get_requests())


def test_list_refuses_a_next_page_on_another_host(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    first = rooms_url("PageSize=20")
    httpx_mock.add_response(url=first, json=rooms_page(
        first, [a_room(1)], "https://evil.example.com/v1/Rooms?Page=1"))
    result = room_cli("room", "list")
    assert result.exit_code == 6
    assert "another host (https://evil.example.com" in result.stderr
    assert all(r.url.host == "video.twilio.com" for r in httpx_mock.get_requests())


def test_list_maps_rooms_to_appointments_in_a_table(room_cli: Any, httpx_mock: HTTPXMock
                                                     ) -> None:
    url = rooms_url("Status=in-progress&PageSize=20")
    foreign = room_body("in-progress", sid=f"RM{7:032x}", unique_name="someone-elses-room")
    httpx_mock.add_response(url=url, json=rooms_page(url, [a_room(1, status="in-progress"),
                                                           foreign], None))
    mock_counts(httpx_mock, 1, "in-progress")
    mock_counts(httpx_mock, 7, "in-progress")
    result = room_cli("room", "list", "--status", "in-progress")
    assert result.exit_code == 0, result.stderr
    ours, foreign_line = (line.split("\t") for line in result.stdout.splitlines())
    assert ours[0].startswith("apt-47-") and ours[3] == "47"
    # a missing value is "-", as in every command's piped lines (ui.cells.MISSING)
    assert foreign_line[0] == "someone-elses-room" and foreign_line[3] == "-"
    # README: "recent rooms -> appointment, patient, psychologist", in a pipe too
    assert ours[6] == f"RM{1:032x}" and ours[7:] == ["Jane Doe", "Dr. Sarah"]
    assert foreign_line[7:] == ["-", "-"]


@pytest.mark.parametrize(("status", "limit", "message"), [
    ("failed", "5", "--status must be in-progress or completed"),
    (None, "0", "--limit must be between 1 and 1000"),
])
def test_list_usage_errors(room_cli: Any, status: str | None, limit: str, message: str) -> None:
    args = ["room", "list", "--limit", limit] + (["--status", status] if status else [])
    result = room_cli(*args)
    assert result.exit_code == 2 and message in result.stderr


# -- 429 ------------------------------------------------------------------------------


def test_429_is_retried_per_retry_after(room_cli: Any, httpx_mock: HTTPXMock,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    url = rooms_url("PageSize=20")
    httpx_mock.add_response(url=url, status_code=429, headers={"Retry-After": "2"},
                            json=twilio_error(429, 20429, "Too Many Requests"))
    httpx_mock.add_response(url=url, json=rooms_page(url, [], None))
    result = room_cli("room", "list")
    assert result.exit_code == 0, result.stderr
    assert waits == [2.0]


def test_429_beyond_the_timeout_is_exit_6(room_cli: Any, httpx_mock: HTTPXMock,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("time.sleep", waits.append)
    url = rooms_url("PageSize=20")
    httpx_mock.add_response(url=url, status_code=429, headers={"Retry-After": "30"},
                            json=twilio_error(429, 20429, "Too Many Requests"))
    result = room_cli("room", "list", "--timeout", "5")
    assert result.exit_code == 6
    assert "rate limiting" in result.stderr and "HTTP 429" in result.stderr
    assert waits == []


# -- room end -------------------------------------------------------------------------


def test_end_sets_completed(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method="POST",
                            json=room_body("completed", duration=600))
    result = room_cli("room", "end", "47", "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"room name\t{ROOM_NAME}" in result.stdout and "changed\ttrue" in result.stdout
    post = next(r for r in httpx_mock.get_requests() if r.method == "POST")
    assert post.content == b"Status=completed"


def test_end_of_a_completed_room_is_exit_0_saying_so(room_cli: Any, httpx_mock: HTTPXMock
                                                     ) -> None:
    httpx_mock.add_response(url=ROOM_URL, status_code=404, json=twilio_error(404, 20404, "nf"))
    done = rooms_url(f"UniqueName={ROOM_NAME}&Status=completed&PageSize=1")
    httpx_mock.add_response(url=done, json=page("rooms", done, [room_body("completed")], 1))
    result = room_cli("room", "end", "47", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["changed"] is False
    assert not [r for r in httpx_mock.get_requests() if r.method == "POST"]


def test_room_that_completed_between_two_calls(room_cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    # Twilio refuses to complete a room that is no longer in progress
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method="POST", status_code=400,
                            json=twilio_error(400, 53112, "Room is not in-progress"))
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}", method="GET",
                            json=room_body("completed"))
    result = room_cli("room", "end", "47", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "status\tcompleted" in result.stdout and "changed\tfalse" in result.stdout


def test_end_without_yes_off_a_terminal_sends_nothing(room_cli: Any, httpx_mock: HTTPXMock
                                                      ) -> None:
    result = room_cli("room", "end", "47")
    assert result.exit_code == 2
    assert "--yes" in result.stderr and "nothing was sent" in result.stderr
    assert httpx_mock.get_requests() == []


# -- room kick ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["2", "JANE.DOE@example.com", JANE_ID])
def test_kick_by_user_id_email_or_identity(room_cli: Any, httpx_mock: HTTPXMock, who: str
                                           ) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(
        url=f"{PARTICIPANTS_URL}/2-jane.doe%40example.com", method="POST",
        json=participant_body(JANE_ID, 2, status="disconnected"),
    )
    result = room_cli("room", "kick", "47", who, "--yes")
    assert result.exit_code == 0, result.stderr
    assert f"participant sid\t{JANE_PA}" in result.stdout and "changed\ttrue" in result.stdout


def test_kick_someone_not_connected_is_exit_5_listing_who_is(
    room_cli: Any, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(url=f"{PARTICIPANTS_URL}/ghost", method="POST", status_code=404,
                            json=twilio_error(404, 20404, "not found"))
    httpx_mock.add_response(url=CONNECTED_URL, json=page(
        "participants", CONNECTED_URL, [participant_body(SARAH_ID, 3)], 50))
    result = room_cli("room", "kick", "47", "ghost", "--yes")
    assert result.exit_code == 5
    assert f"ghost is not connected to room {ROOM_NAME}" in result.stderr
    assert f"connected: {SARAH_ID} (psychologist)" in result.stderr


def test_kick_asks_on_a_terminal(room_cli: Any, httpx_mock: HTTPXMock,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vtctl.ui.iostreams.IOStreams.is_stdin_tty", property(lambda s: True))
    result = room_cli("room", "kick", "47", "2", stdin="n\n")
    assert result.exit_code == 2  # declined: nothing sent, like gh's cancel
    assert "Disconnect 2 from the video room of appointment 47? [y/N]" in result.stderr
    assert "nothing was changed" in result.stderr
    assert httpx_mock.get_requests() == []


# -- remote backend, URL setting ------------------------------------------------------


@pytest.mark.parametrize("args", [("room", "list"), ("room", "end", "47", "--yes"),
                                  ("room", "kick", "47", "2", "--yes")])
def test_list_end_kick_need_the_local_backend(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args, "--base-url", "http://127.0.0.1:9", stdin="")
    assert result.exit_code == 2
    assert "--local" in result.stderr


@pytest.mark.parametrize(("url", "code"), [
    ("http://video.example.com", 2),
    ("ftp://127.0.0.1:4010", 2),
    ("http://127.0.0.1:9", 7),
    ("http://[::1]:9", 7),
    ("http://localhost:9", 7),
])
def test_twilio_api_url_plain_http_only_for_loopback(
    room_cli: Any, monkeypatch: pytest.MonkeyPatch, url: str, code: int,
    httpx_mock: HTTPXMock,
) -> None:
    monkeypatch.setenv("VTCTL_TWILIO_API_URL", url)
    if code == 7:
        httpx_mock.add_exception(httpx.ConnectError("refused"))
    result = room_cli("room", "list")
    assert result.exit_code == code, result.stderr
    if code == 2:
        assert "VTCTL_TWILIO_API_URL" in result.stderr
