"""``vtctl history ROOM`` end to end in-process: a real SQLite store with a real audit
trail (tokens minted by ``vtctl token --local``), pytest-httpx answering as Twilio's
Video and Insights APIs; the three outputs, the exit codes, the notes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import store_from_document
from tests.history_fakes import (
    ROOM_NAME,
    FakeTwilio,
    a_participant,
    a_room,
    a_room_summary,
    a_summary,
    room_sid,
)
from tests.twilio_fakes import IMPORT_FILE, JANE_ID, SARAH_ID, twilio_error
from vtctl.cli.framework.app import run
from vtctl.domain.history import EVENT_FIELDS
from vtctl.ui.iostreams import IOStreams


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(store_from_document(tmp_path / "store.sqlite3", IMPORT_FILE))


@pytest.fixture
def history_cli(cli: Any, twilio_env: dict[str, str], store: str) -> Any:
    def invoke(*args: str) -> Any:
        return cli("history", *args, "--local", "--store", store)

    return invoke


def session(**changes: Any) -> FakeTwilio:
    """Appointment 47's room: Jane drops with 53405 and rejoins; Sarah seven minutes late."""
    fake = FakeTwilio(
        rooms=[a_room(1, "2025-11-16T08:58:00Z", end="2025-11-16T09:52:00Z")],
        participants={room_sid(1): [
            a_participant(JANE_ID, 1, "2025-11-16T09:00:00Z", "2025-11-16T09:14:00Z"),
            a_participant(JANE_ID, 3, "2025-11-16T09:15:00Z", "2025-11-16T09:52:00Z"),
            a_participant(SARAH_ID, 2, "2025-11-16T09:07:00Z", "2025-11-16T09:52:00Z"),
        ]},
        insights={room_sid(1): a_room_summary(1)},
        summaries={room_sid(1): [a_summary(1, JANE_ID, error_code=53405,
                                           end_reason="signaling_connection_error")]},
    )
    for name, value in changes.items():
        setattr(fake, name, value)
    return fake


def serve(httpx_mock: HTTPXMock, fake: FakeTwilio) -> None:
    httpx_mock.add_callback(fake, is_reusable=True)


def test_json_tells_the_story_from_every_source(
        history_cli: Any, cli: Any, store: str, httpx_mock: HTTPXMock) -> None:
    minted = cli("token", "47", "--local", "--as", "2", "--store", store, "--raw")
    assert minted.exit_code == 0, minted.stderr
    access_token = minted.stdout.strip()
    serve(httpx_mock, session())
    result = history_cli("47", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["appointment", "rooms", "events", "findings"]
    assert document["appointment"]["id"] == 47
    events = document["events"]
    assert all(list(e) == list(EVENT_FIELDS) for e in events)
    kinds = [e["kind"] for e in events]
    assert kinds.count("joined") == 3 and kinds.count("left") == 3
    assert "room-created" in kinds and "room-ended" in kinds
    # the audit trail's record of that token: who, how, until when, its jti; never the token
    (token_event,) = [e for e in events if e["kind"] == "token-minted"]
    assert token_event["who"] == JANE_ID and token_event["role"] == "patient"
    assert "by `vtctl token`" in token_event["detail"] and "jti SK" in token_event["detail"]
    assert access_token not in result.stdout and access_token.split(".")[1] not in result.stdout
    jane = document["rooms"][0]["participants"][0]
    assert jane["error"] == "53405 Media connection failed or Media activity ceased"
    assert {f["check"] for f in document["findings"]} >= {"reconnects", "error", "alone"}
    assert result.stderr == ""


def test_json_fields_and_jq(history_cli: Any, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, session())
    result = history_cli("47", "--json", "findings")
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == ["findings"]
    checks = history_cli("47", "--jq", ".findings[].check")
    assert "reconnects" in checks.stdout.split()


def test_piped_one_line_per_event_and_findings_on_stderr(
        history_cli: Any, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, session())
    result = history_cli(ROOM_NAME)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.count("\t") == len(EVENT_FIELDS) - 1 for line in lines)
    assert lines[0].split("\t")[1] == "room-created"
    assert "stands out: error\tproblem\t" in result.stderr


def test_on_a_terminal_the_picture_rows_and_findings(
        twilio_env: dict[str, str], store: str, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, session())
    out, err = io.StringIO(), io.StringIO()
    streams = IOStreams(out=out, err=err, stdin=io.StringIO(), force_terminal=True, width=100)
    assert run(["history", "47", "--local", "--store", store], io=streams) == 0, err.getvalue()
    text = out.getvalue()
    assert "Appointment 47: Jane Doe and Dr. Sarah" in text
    assert "scheduled 2025-11-16 09:00-10:00 UTC, room apt-47-1763138954-46eb915c" in text
    assert "█" in text and "✕" in text and "Timeline" in text and "What stands out" in text
    assert "\t" not in text


@pytest.mark.parametrize(("answer", "says"), [
    (404, "has no summary of it (HTTP 404)"),
    (403, "Twilio refused Video Insights (HTTP 403)"),
])
def test_insights_missing_is_one_note_and_exit_0(
        history_cli: Any, httpx_mock: HTTPXMock, answer: int, says: str) -> None:
    serve(httpx_mock, session(insights={room_sid(1): answer}))
    result = history_cli("47", "--json")
    assert result.exit_code == 0, result.stderr
    notes = result.stderr.splitlines()
    assert len(notes) == 1
    assert notes[0].startswith(f"note: no Video Insights for room {room_sid(1)}")
    assert says in notes[0]
    assert len(json.loads(result.stdout)["events"]) > 3


def test_nobody_joined_is_told_not_failed(history_cli: Any, httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, FakeTwilio())
    result = history_cli("47", "--json")
    assert result.exit_code == 0, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["check"] == "nobody"


def test_unknown_appointment_is_5(history_cli: Any, httpx_mock: HTTPXMock) -> None:
    result = history_cli("999")
    assert result.exit_code == 5
    assert result.stderr.startswith("error: Appointment not found")
    assert httpx_mock.get_requests() == []


def test_an_appointment_without_a_room_is_5(history_cli: Any) -> None:
    result = history_cli("48")
    assert result.exit_code == 5
    assert "No video room found for this appointment" in result.stderr


def test_an_unknown_room_sid_is_5(history_cli: Any, httpx_mock: HTTPXMock) -> None:
    sid = "RM" + "f" * 32
    httpx_mock.add_response(url=f"https://video.twilio.com/v1/Rooms/{sid}", status_code=404,
                            json=twilio_error(404, 20404, "not found"))
    result = history_cli(sid)
    assert result.exit_code == 5
    assert f"Twilio has no room {sid}" in result.stderr


@pytest.mark.parametrize(("failure", "code"), [
    (httpx.ConnectError("refused"), 7),
    (httpx.Response(500, json=twilio_error(500, 20500, "boom")), 6),
    (httpx.Response(401, json=twilio_error(401, 20003, "no")), 3),
])
def test_when_twilio_cannot_be_asked(history_cli: Any, httpx_mock: HTTPXMock,
                                     failure: Any, code: int) -> None:
    if isinstance(failure, Exception):
        httpx_mock.add_exception(failure, is_reusable=True)
    else:
        httpx_mock.add_response(status_code=failure.status_code, json=failure.json(),
                                is_reusable=True)
    result = history_cli("47")
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) <= 2 and "Traceback" not in result.stderr


def test_without_twilio_credentials_is_3(cli: Any, store: str) -> None:
    result = cli("history", "47", "--local", "--store", store)
    assert result.exit_code == 3
    assert "TWILIO" in result.stderr


def test_the_remote_backend_says_it_needs_local(cli: Any) -> None:
    result = cli("history", "47", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.stderr == ("error: `vtctl history` runs on the local backend only, not the "
                             "remote one (the default); add --local\n")


def test_a_bad_insights_url_is_exit_2(history_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_TWILIO_INSIGHTS_URL", "http://insights.example.com")
    result = history_cli("47")
    assert result.exit_code == 2
    assert "VTCTL_TWILIO_INSIGHTS_URL uses plain http://" in result.stderr


def test_all_follows_every_page_of_rooms(history_cli: Any, httpx_mock: HTTPXMock) -> None:
    rooms = [a_room(n, f"2025-11-{n:02d}T09:00:00Z") for n in range(1, 26)]
    serve(httpx_mock, FakeTwilio(rooms=rooms, insights={}))
    first = history_cli("47", "--json", "rooms")
    assert len(json.loads(first.stdout)["rooms"]) == 20
    assert "older rooms named apt-47-1763138954-46eb915c were not read: run with --all" in (
        first.stderr)
    every = history_cli("47", "--all", "--json", "rooms")
    assert len(json.loads(every.stdout)["rooms"]) == 25
    assert "--all" not in every.stderr
