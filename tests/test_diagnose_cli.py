"""``vtctl diagnose`` through the CLI on the local backend, pytest-httpx standing
in for Twilio's Rooms/Participants API (as in test_twilio_rooms)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.helpers import ROOM_47, appointment, make_store
from tests.test_twilio_rooms import (
    ROOM_URL,
    mock_in_progress,
    mock_not_created,
    participant_body,
)
from tests.twilio_fakes import JANE_ID, SARAH_ID
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.models import format_utc
from vtctl.local.engine import mint_access_token

STRANGER = "9-outsider@example.com"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Appointments 47 (with a room) and 48 (none), both under way right now."""
    start = format_utc(datetime.now(UTC) - timedelta(minutes=10))
    return make_store(tmp_path / "store.sqlite3", appointment(47, starts_at=start),
                      appointment(48, room=None, starts_at=start))


def diagnose(cli: Any, store: Path, *args: str, stdin: str = "") -> Any:
    return cli("diagnose", *args, "--local", "--store", str(store), stdin=stdin)


def findings(result: Any) -> dict[str, list[dict[str, Any]]]:
    by_check: dict[str, list[dict[str, Any]]] = {}
    for item in json.loads(result.stdout):
        by_check.setdefault(item["check"], []).append(item)
    return by_check


def test_both_connected_exits_0_with_the_exact_json_shape(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2), participant_body(SARAH_ID, 3)])
    result = diagnose(cli, store, "47", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert isinstance(document, list)
    assert all(list(item) == ["check", "status", "detail", "action"] for item in document)
    assert all(item["status"] in ("ok", "warning") for item in document)
    by_check = findings(result)
    assert by_check["patient"][0]["status"] == "ok"
    assert by_check["psychologist"][0]["status"] == "ok"
    assert by_check["twilio"][0]["detail"].startswith("room in progress")
    # the local backend now asks Twilio for published tracks: both publish microphone and camera
    assert [f["status"] for f in by_check["media"]] == ["ok"] * len(by_check["media"])
    assert result.stderr == ""


def test_stranger_exits_8_with_the_kick_command(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body(SARAH_ID, 2), participant_body(STRANGER, 3)])
    result = diagnose(cli, store, "47", "--json")
    assert result.exit_code == 8
    stranger = findings(result)["stranger"][0]
    assert stranger["status"] == "problem"
    assert stranger["action"] == f"vtctl room kick 47 {STRANGER} --local --store {store}"
    assert "error: 1 problem found: stranger" in result.stderr


def test_ghost_through_twilio(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body(JANE_ID, 2), participant_body(JANE_ID, 4),
                                  participant_body(SARAH_ID, 3)])
    result = diagnose(cli, store, ROOM_47, "--json")  # ROOM given as the room name
    assert result.exit_code == 8
    ghost = findings(result)["ghost"][0]
    assert ghost["detail"].startswith(f"{JANE_ID} is connected 2 times")


def test_missing_patient_is_a_warning_and_exit_0(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    left = participant_body(JANE_ID, 1, status="disconnected", end_time="2025-11-16T09:05:00Z")
    mock_in_progress(httpx_mock, [participant_body(SARAH_ID, 2)], [left])
    result = diagnose(cli, store, "47")
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("patient\t"))
    assert line == (f"patient\twarning\tpatient Jane Doe ({JANE_ID}) is not connected "
                    "(left at 09:05 UTC)\t-")


def test_room_not_created_yet(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    mock_not_created(httpx_mock)
    result = diagnose(cli, store, "47", "--json")
    assert result.exit_code == 0
    assert "not created yet" in findings(result)["twilio"][0]["detail"]


def test_no_room_exits_8_with_room_create_and_asks_twilio_nothing(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    result = diagnose(cli, store, "48", "--json")
    assert result.exit_code == 8
    room = findings(result)["room"][0]
    assert room["action"] == f"vtctl room create 48 --local --store {store}"
    assert httpx_mock.get_requests() == []


def test_without_twilio_credentials_the_rest_still_runs(cli: Any, store: Path) -> None:
    """... and the verdict is exit 3, not 0: the room was not checked (test_diagnose_verdict)."""
    result = diagnose(cli, store, "47", "--json")
    assert result.exit_code == 3, result.stderr
    by_check = findings(result)
    assert by_check["twilio"][0]["status"] == "warning"
    assert "no Twilio credentials" in by_check["twilio"][0]["detail"]
    assert by_check["people"][0]["detail"].startswith("could not run:")
    assert by_check["room"][0]["status"] == "ok"


def test_twilio_unreachable_is_not_fatal_to_the_other_checks(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=ROOM_URL)
    result = diagnose(cli, store, "47", "--json")
    assert result.exit_code == 7
    assert "cannot reach Twilio" in findings(result)["twilio"][0]["detail"]
    assert findings(result)["room"][0]["status"] == "ok"


def test_unknown_appointment_is_exit_5(cli: Any, store: Path) -> None:
    result = diagnose(cli, store, "999")
    assert result.exit_code == 5
    assert result.stdout == ""


def test_bad_room_is_a_usage_error(cli: Any, store: Path) -> None:
    result = diagnose(cli, store, "room-47")
    assert result.exit_code == 2
    assert "ROOM must be an appointment id" in result.stderr


def token(**changes: Any) -> str:
    values: dict[str, Any] = {"identity": JANE_ID, "room": ROOM_47,
                              "issued": int(datetime.now(UTC).timestamp()), "ttl": 5400}
    values.update(changes)
    credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
    return mint_access_token(credentials, values["identity"], values["room"], values["issued"],
                             values["ttl"])


def test_token_from_stdin_expired(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body(SARAH_ID, 2)])
    stale = token(issued=int(datetime.now(UTC).timestamp()) - 3 * 3600)
    result = diagnose(cli, store, "47", "--token", "-", "--json", stdin=stale + "\n")
    assert result.exit_code == 8
    by_check = findings(result)
    assert by_check["token_signature"][0]["status"] == "ok"
    validity = by_check["token_validity"][0]
    assert validity["status"] == "problem" and validity["detail"].startswith("expired 1 h 30 min")
    assert validity["action"] == (
        "tell Jane Doe (patient): reload the session page; it fetches a new token"
    )
    assert stale not in result.stdout + result.stderr


def test_a_good_token_passes(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body(SARAH_ID, 2), participant_body(JANE_ID, 3)])
    result = diagnose(cli, store, "47", "--token", "-", "--json", stdin=f"Bearer {token()}")
    assert result.exit_code == 0, result.stderr
    assert {f["check"] for f in json.loads(result.stdout)} >= {
        "token", "token_signature", "token_identity", "token_room", "token_validity",
        "token_lifetime",
    }


def test_a_token_is_never_taken_from_argv(cli: Any, store: Path) -> None:
    secret_token = token()
    result = diagnose(cli, store, "47", "--token", secret_token)
    assert result.exit_code == 2
    assert "--token takes only -" in result.stderr
    assert secret_token not in result.stdout + result.stderr


def test_empty_stdin_is_a_usage_error(cli: Any, store: Path) -> None:
    result = diagnose(cli, store, "47", "--token", "-", stdin="")
    assert result.exit_code == 2
    assert "no token on stdin" in result.stderr
