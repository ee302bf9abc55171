"""A verdict is only as good as what was checked (issue 19, rule 6).

``vtctl diagnose`` exits 0 only when every check ran and none found a problem.
A check that could not run because of a fault (Twilio unreachable, a rejected
key, no credentials, a reply that is not Twilio's) makes the command exit with
that fault's code (7, 3, 3, 6) after printing every finding, unless a problem
was found (8); the headline says how many checks could not run.  Local backend
through the CLI, pytest-httpx standing in for Twilio.
"""

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
from tests.twilio_fakes import ROOM_URL, twilio_error
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.models import format_utc
from vtctl.local.engine import mint_access_token

#: the checks that need Twilio's view of the room
TWILIO_CHECKS = ["twilio", "people", "media"]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    start = format_utc(datetime.now(UTC) - timedelta(minutes=10))
    return make_store(tmp_path / "store.sqlite3", appointment(47, starts_at=start))


def diagnose(cli: Any, store: Path, *args: str, stdin: str = "") -> Any:
    return cli("diagnose", "47", *args, "--local", "--store", str(store), stdin=stdin)


def not_run(result: Any) -> list[str]:
    return [f["check"] for f in json.loads(result.stdout)
            if f["detail"].startswith("could not run:")]


def assert_fault(result: Any, code: int, why: str) -> None:
    """Exit ``code``, every finding printed, the headline counting what did not run."""
    assert result.exit_code == code, result.stderr
    assert not_run(result) == TWILIO_CHECKS
    checks = [f["check"] for f in json.loads(result.stdout)]
    assert checks[:4] == ["appointment", "users", "schedule", "room"]
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: 3 checks could not run (twilio, people, media): "), first
    assert why in first
    assert "0 problems" not in result.stdout + result.stderr


def test_twilio_unreachable_is_exit_7(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=ROOM_URL)
    assert_fault(diagnose(cli, store, "--json"), 7, "cannot reach Twilio")


def test_rejected_key_is_exit_3(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    httpx_mock.add_response(url=ROOM_URL, status_code=401,
                            json=twilio_error(401, 20003, "Authenticate"))
    result = diagnose(cli, store, "--json")
    assert_fault(result, 3, "Twilio rejected the credentials")
    assert "hint: check TWILIO_ACCOUNT_SID" in result.stderr


def test_no_credentials_is_exit_3_and_twilio_is_not_asked(
    httpx_mock: HTTPXMock, cli: Any, store: Path
) -> None:
    result = diagnose(cli, store, "--json")
    assert_fault(result, 3, "no Twilio credentials")
    assert httpx_mock.get_requests() == []


def test_a_reply_that_is_not_twilios_is_exit_6(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    httpx_mock.add_response(url=ROOM_URL, text="<html>502 proxy says hello</html>",
                            headers={"content-type": "text/html"})
    assert_fault(diagnose(cli, store, "--json"), 6, "Twilio")


def test_the_demo_profile_cannot_vouch_for_the_room(cli: Any) -> None:
    """Its credentials are fake: Twilio is never asked, so nothing about the room is known
    (a fault of code 3; the demo's sessions are long over, a problem, so the exit is 8)."""
    from vtctl.checks.diagnose import Unknown, known_room
    from vtctl.domain.room_state import RoomStatus

    view = known_room(RoomStatus(47, ROOM_47, status="unknown", unknown_reason="demo",
                                 message="room state unknown: the demo profile's ..."))
    assert isinstance(view, Unknown) and view.fault is not None
    assert int(view.fault.exit_code) == 3
    result = cli("diagnose", "47", "--profile", "demo", "--json")
    assert result.exit_code == 8, result.stderr
    assert not_run(result) == TWILIO_CHECKS
    assert "3 checks could not run" in result.stderr.splitlines()[0]
    twilio = next(f for f in json.loads(result.stdout) if f["check"] == "twilio")
    assert "demo profile" in twilio["detail"]


def test_a_problem_wins_over_a_fault(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=ROOM_URL)
    credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
    stale = mint_access_token(credentials, "2-jane.doe@example.com", ROOM_47,
                              int(datetime.now(UTC).timestamp()) - 3 * 3600, 5400)
    result = diagnose(cli, store, "--token", "-", "--json", stdin=stale)
    assert result.exit_code == 8, result.stderr
    assert not_run(result) == TWILIO_CHECKS
    first = result.stderr.splitlines()[0]
    assert first == ("error: 1 problem found: token_validity; "
                     "3 checks could not run (twilio, people, media)")


def test_the_terminal_headline_counts_what_did_not_run(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    from vtctl.checks.diagnose import Evidence, Fixes, Unknown
    from vtctl.checks.diagnose import diagnose as checklist
    from vtctl.domain.errors import NetworkError
    from vtctl.domain.models import Appointment
    from vtctl.ui.render.diagnose import summary

    fault = NetworkError("cannot reach Twilio")
    findings = checklist(Evidence(Appointment(47, 2, 5, 60, video_room_id=ROOM_47),
                                  Unknown("cannot reach Twilio", fault),
                                  datetime.now(UTC), Fixes(47)))
    assert summary(findings).endswith("; 3 checks could not run")
    assert summary(findings).startswith("0 problems, ")


def test_a_signature_that_cannot_be_checked_is_not_a_pass(
    httpx_mock: HTTPXMock, cli: Any, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No API secret here: the signature check could not run (exit 3), even if all else is fine."""
    from tests.twilio_fakes import mock_not_created

    for name, value in (("TWILIO_ACCOUNT_SID", TEST_ACCOUNT_SID), ("TWILIO_API_KEY", TEST_API_KEY),
                        ("TWILIO_API_SECRET", TEST_API_SECRET)):
        monkeypatch.setenv(name, value)
    mock_not_created(httpx_mock)
    credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY,
                                    "another-secret-entirely-0123456789abcdef")
    other = mint_access_token(credentials, "2-jane.doe@example.com", ROOM_47,
                              int(datetime.now(UTC).timestamp()), 5400)
    # signed with a secret this machine does not hold: invalid, a problem
    assert diagnose(cli, store, "--token", "-", "--json", stdin=other).exit_code == 8
    monkeypatch.delenv("TWILIO_API_SECRET")
    monkeypatch.delenv("TWILIO_API_KEY")
    monkeypatch.delenv("TWILIO_ACCOUNT_SID")
    result = diagnose(cli, store, "--token", "-", "--json", stdin=other)
    assert result.exit_code == 3, result.stderr
    assert "token_signature" in not_run(result)


def test_everything_checked_and_fine_is_still_exit_0(
    httpx_mock: HTTPXMock, cli: Any, twilio_env: dict[str, str], store: Path
) -> None:
    from tests.test_twilio_rooms import mock_in_progress, participant_body

    mock_in_progress(httpx_mock, [participant_body("2-jane.doe@example.com", 2),
                                  participant_body("5-sarah@example.com", 3)])
    result = diagnose(cli, store, "--json")
    assert result.exit_code == 0, result.stderr
    assert not_run(result) == []
    assert result.stderr == ""
