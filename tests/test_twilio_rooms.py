"""Room status from Twilio's Rooms/Participants API, with pytest-httpx standing in
for https://video.twilio.com (bodies shaped like Twilio's documented resources)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import store_from_document
from tests.twilio_fakes import (
    COMPLETED_LOOKUP_URL,
    CONNECTED_URL,
    IMPORT_FILE,
    JANE,
    PARTICIPANTS_URL,
    ROOM_NAME,
    ROOM_SID,
    ROOM_URL,
    SARAH,
    TEST_ACCOUNT_SID,
    TEST_API_KEY,
    TEST_API_SECRET,
    mock_in_progress,
    mock_not_created,
    page,
    participant_body,
    room_body,
    twilio_error,
)
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import (
    AuthenticationError,
    NetworkError,
    NoVideoRoomError,
    RequestTimeoutError,
    ServerError,
)
from vtctl.domain.models import Appointment
from vtctl.twilio_video.rooms import fetch_room_status, make_http_client, role_of


@pytest.fixture
def credentials() -> TwilioCredentials:
    return TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)


@pytest.fixture
def appointment() -> Appointment:
    return Appointment(
        id=47, patient_id=2, psychologist_id=5, duration_minutes=60,
        video_room_id=ROOM_NAME, patient=JANE, psychologist=SARAH,
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return store_from_document(tmp_path / "store.sqlite3", IMPORT_FILE)


# -- the library function -------------------------------------------------------------


def test_in_progress_room_with_both_participants(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    mock_in_progress(
        httpx_mock,
        [participant_body("2-jane.doe@example.com", 2), participant_body("5-sarah@example.com", 3)],
    )
    status = fetch_room_status(credentials, appointment)

    assert status.appointment_id == 47
    assert status.room_name == ROOM_NAME
    assert status.status == "in-progress"
    assert status.sid == ROOM_SID
    assert status.room_type == "group"
    assert status.max_participants == 50
    assert status.created_at == datetime(2025, 11, 16, 9, 1, 5, tzinfo=UTC)
    assert status.active_participant_count == 2
    jane, sarah = status.participants
    assert (jane.identity, jane.role, jane.status) == ("2-jane.doe@example.com", "patient",
                                                        "connected")
    assert jane.connected_at == datetime(2025, 11, 16, 9, 2, 10, tzinfo=UTC)
    assert jane.sid == f"PA{2:032x}"
    assert (sarah.identity, sarah.role) == ("5-sarah@example.com", "psychologist")

    # the API key authenticates (HTTP basic), the account is in the client
    request = httpx_mock.get_requests()[0]
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.method == "GET"


def test_recently_disconnected_participants_are_listed_once(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    left = participant_body(
        "5-sarah@example.com", 1, status="disconnected",
        end_time="2025-11-16T09:05:00Z", duration=230,
    )
    # Jane left once and came back: she shows as connected only
    jane_before = participant_body("2-jane.doe@example.com", 4, status="disconnected")
    mock_in_progress(
        httpx_mock, [participant_body("2-jane.doe@example.com", 6)], [left, jane_before]
    )
    status = fetch_room_status(credentials, appointment)

    assert status.active_participant_count == 1
    assert [(p.identity, p.status) for p in status.participants] == [
        ("2-jane.doe@example.com", "connected"),
        ("5-sarah@example.com", "disconnected"),
    ]
    sarah = status.participants[1]
    assert sarah.duration_seconds == 230
    assert sarah.disconnected_at == datetime(2025, 11, 16, 9, 5, tzinfo=UTC)
    assert status.to_json()["participant_count"] == 1


def test_room_not_created_yet_is_a_status_not_an_error(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    mock_not_created(httpx_mock)
    status = fetch_room_status(credentials, appointment)
    assert status.status == "not-created"
    assert status.room_name == ROOM_NAME
    assert status.participants == ()
    assert status.active_participant_count == 0
    assert status.message and "first participant connects" in status.message


def test_completed_room_is_found_by_unique_name(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    httpx_mock.add_response(
        url=ROOM_URL, status_code=404, json=twilio_error(404, 20404, "not found")
    )
    done = room_body("completed", end_time="2025-11-16T10:00:00Z", duration=3535)
    httpx_mock.add_response(
        url=COMPLETED_LOOKUP_URL, json=page("rooms", COMPLETED_LOOKUP_URL, [done], 1)
    )
    url = f"{PARTICIPANTS_URL}?PageSize=20"
    gone = participant_body("2-jane.doe@example.com", 2, status="disconnected", duration=3400)
    httpx_mock.add_response(url=url, json=page("participants", url, [gone], 20))

    status = fetch_room_status(credentials, appointment)
    assert status.status == "completed"
    assert status.duration_seconds == 3535
    assert status.active_participant_count == 0
    assert [(p.identity, p.role, p.status) for p in status.participants] == [
        ("2-jane.doe@example.com", "patient", "disconnected")
    ]


@pytest.mark.parametrize("code", [401, 403])
def test_rejected_credentials_are_an_authentication_error(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment, code: int
) -> None:
    httpx_mock.add_response(
        url=ROOM_URL, status_code=code, json=twilio_error(code, 20003, "Authenticate")
    )
    with pytest.raises(AuthenticationError) as caught:
        fetch_room_status(credentials, appointment)
    assert f"HTTP {code}" in caught.value.message
    assert caught.value.hint and "TWILIO_API_KEY" in caught.value.hint
    assert TEST_API_SECRET not in caught.value.message + caught.value.hint


def test_auth_failure_on_the_participants_page(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    # list pages fail through twilio's Page (a plain TwilioException), not a RestException
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(
        url=CONNECTED_URL, status_code=401, json=twilio_error(401, 20003, "Authenticate")
    )
    with pytest.raises(AuthenticationError):
        fetch_room_status(credentials, appointment)


def test_twilio_server_error(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    httpx_mock.add_response(
        url=ROOM_URL, status_code=503, json=twilio_error(503, 20503, "Service unavailable")
    )
    with pytest.raises(ServerError) as caught:
        fetch_room_status(credentials, appointment)
    assert "HTTP 503" in caught.value.message


def test_network_errors(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=ROOM_URL)
    with pytest.raises(NetworkError) as caught:
        fetch_room_status(credentials, appointment)
    assert not isinstance(caught.value, RequestTimeoutError)

    httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=ROOM_URL)
    with pytest.raises(RequestTimeoutError) as timed_out:
        fetch_room_status(credentials, appointment, timeout=2.5)
    assert "2.5 s" in timed_out.value.message


def test_no_room_set_is_no_video_room_error(credentials: TwilioCredentials) -> None:
    appointment = Appointment(id=48, patient_id=3, psychologist_id=5, duration_minutes=45)
    with pytest.raises(NoVideoRoomError):
        fetch_room_status(credentials, appointment)


def test_demo_credentials_are_not_sent_to_twilio(appointment: Appointment) -> None:
    from vtctl.local.demo import DEMO_CREDENTIALS

    status = fetch_room_status(DEMO_CREDENTIALS, appointment)  # httpx_mock not used: no request
    assert status.status == "unknown"
    assert status.unknown_reason == "demo"
    assert status.active_participant_count is None
    assert status.to_json()["participant_count"] is None
    assert status.message and status.message.startswith("room state unknown: ")
    assert "demo" in status.message


def test_given_http_client_is_used(
    httpx_mock: HTTPXMock, credentials: TwilioCredentials, appointment: Appointment
) -> None:
    mock_not_created(httpx_mock)
    with httpx.Client(headers={"X-Test": "yes"}) as client:
        status = fetch_room_status(credentials, appointment, http_client=client)
        assert not client.is_closed  # not ours to close
    assert status.status == "not-created"
    assert all(r.headers["X-Test"] == "yes" for r in httpx_mock.get_requests())

    twilio_client = make_http_client(timeout=3)
    mock_not_created(httpx_mock)
    assert fetch_room_status(credentials, appointment, http_client=twilio_client).status == (
        "not-created"
    )
    assert twilio_client.timeout == 3
    # each request may wait what is left of the 3 s budget, never more
    assert 0 < httpx_mock.get_requests()[-1].extensions["timeout"]["read"] <= 3


def test_role_of_identity() -> None:
    appointment = Appointment(
        id=47, patient_id=2, psychologist_id=5, duration_minutes=60,
        patient=JANE, psychologist=SARAH,
    )
    assert role_of("2-jane.doe@example.com", appointment) == "patient"
    assert role_of("2-Jane.Doe@Example.com", appointment) == "patient"
    assert role_of("5-sarah@example.com", appointment) == "psychologist"
    assert role_of("9-outsider@example.com", appointment) is None
    assert role_of("browser-tab", appointment) is None
    bare = Appointment(id=47, patient_id=2, psychologist_id=5, duration_minutes=60)
    assert role_of("5-whoever@example.com", bare) == "psychologist"


# -- the CLI over the local backend ---------------------------------------------------


def test_cli_status_local_table(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    mock_in_progress(
        httpx_mock,
        [participant_body("2-jane.doe@example.com", 2), participant_body("5-sarah@example.com", 3)],
    )
    result = cli("status", "47", "--local", "--store", str(store_path))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert ROOM_NAME in out and ROOM_SID in out
    assert "in-progress" in out and "group" in out
    assert "2 / 50" in out
    assert "2-jane.doe@example.com" in out and "patient" in out
    assert "5-sarah@example.com" in out and "psychologist" in out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert TEST_API_SECRET not in out + result.stderr


def test_cli_status_local_json(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body("2-jane.doe@example.com", 2)])
    result = cli("status", "47", "--local", "--store", str(store_path), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["appointment_id"] == 47
    assert data["room_name"] == ROOM_NAME
    assert data["status"] == "in-progress"
    assert data["sid"] == ROOM_SID
    assert data["type"] == "group"
    assert data["created_at"] == "2025-11-16T09:01:05Z"
    assert data["participant_count"] == 1
    assert data["max_participants"] == 50
    assert data["participants"][0]["identity"] == "2-jane.doe@example.com"
    assert data["participants"][0]["role"] == "patient"
    assert data["participants"][0]["connected_at"] == "2025-11-16T09:02:10Z"


def test_cli_status_local_json_fields(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    mock_in_progress(httpx_mock, [participant_body("2-jane.doe@example.com", 2)])
    result = cli(
        "status", "47", "--local", "--store", str(store_path), "--json", "status,participant_count"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "in-progress", "participant_count": 1}


def test_cli_status_room_not_created(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    mock_not_created(httpx_mock)
    result = cli("status", "47", "--local", "--store", str(store_path))
    assert result.exit_code == 0, result.stderr
    assert "status\tnot-created" in result.stdout.splitlines()
    assert "first participant connects" in result.stderr  # a note: stderr in a pipe


def test_cli_status_auth_failure_exits_3(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    httpx_mock.add_response(
        url=ROOM_URL, status_code=401, json=twilio_error(401, 20003, "Authenticate")
    )
    result = cli("status", "47", "--local", "--store", str(store_path))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "HTTP 401" in result.stderr and "TWILIO_" in result.stderr
    assert "Traceback" not in result.stderr
    assert TEST_API_SECRET not in result.stderr


def test_cli_status_network_error_exits_7(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("no route to host"), url=ROOM_URL)
    result = cli("status", "47", "--local", "--store", str(store_path))
    assert result.exit_code == 7
    assert "room state unknown: cannot reach Twilio" in result.stderr


def test_cli_status_without_room_exits_5(
    cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    result = cli("status", "48", "--local", "--store", str(store_path))
    assert result.exit_code == 5
    assert "No video room found for this appointment" in result.stderr


def test_cli_status_unknown_appointment_exits_5(
    cli: Any, twilio_env: dict[str, str], store_path: Path
) -> None:
    result = cli("status", "999", "--local", "--store", str(store_path))
    assert result.exit_code == 5
    assert "Appointment not found" in result.stderr


def test_cli_status_without_twilio_credentials_exits_3(cli: Any, store_path: Path) -> None:
    result = cli("status", "47", "--local", "--store", str(store_path))
    assert result.exit_code == 3
    assert "room state unknown: no Twilio credentials" in result.stderr
    assert "TWILIO_ACCOUNT_SID" in result.stderr
