"""``vtctl diagnose`` on the remote backend: the real executable against a real
``vtctl serve`` on loopback.  The server has no Twilio credentials (tests never
reach Twilio), so the room's Twilio state is skipped and the rest still runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.helpers import ROOM_47, appointment, import_document
from tests.serve_fixtures import RunningServer, free_port, make_store, start_server
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.models import format_utc
from vtctl.local.engine import mint_access_token

pytestmark = pytest.mark.e2e

JANE, OUTSIDER = 2, 9


@pytest.fixture(scope="module")
def started() -> datetime:
    """When appointments 47 and 48 started: 10 minutes before the server's store is made
    (taken then, not at import: a slow suite would age a time taken at collection)."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, started: datetime
           ) -> Iterator[RunningServer]:
    start = format_utc(started)
    directory = tmp_path_factory.mktemp("diagnose")
    store = make_store(directory / "store", import_document(
        appointment(47, starts_at=start), appointment(48, room=None, starts_at=start),
        appointment(46, starts_at=format_utc(started - timedelta(days=3))),
    ))
    running = start_server(directory, store=store, twilio=False)
    yield running
    assert running.stop() == 0, running.stderr()


def diagnose(vtctl: Any, server: RunningServer, *args: str, jwt: str | None = None,
             stdin: str | None = None, env: dict[str, str] | None = None) -> Any:
    extra = {"VTCTL_JWT": jwt or server.jwt(JANE), **(env or {})}
    return vtctl("diagnose", *args, "--base-url", server.url, stdin=stdin, env=extra)


def by_check(result: Any) -> dict[str, dict[str, Any]]:
    return {item["check"]: item for item in json.loads(result.stdout)}


def test_offline_twilio_could_not_run_and_the_rest_runs(vtctl: Any, server: RunningServer,
                                                        started: datetime) -> None:
    """The server has no Twilio credentials: its checks could not run, exit 3 (not 0)."""
    before = datetime.now(UTC)
    result = diagnose(vtctl, server, "47", "--json")
    after = datetime.now(UTC)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("error: 3 checks could not run (twilio, people, media): ")
    found = by_check(result)
    assert found["appointment"]["status"] == "ok"
    assert found["users"]["detail"] == (
        "patient Jane Doe (2-jane.doe@example.com), psychologist Dr. Sarah (5-sarah@example.com)"
    )
    # the minutes since the start, as they were while diagnose ran (10 unless the run is slow)
    minutes = {int((moment - started).total_seconds()) // 60 for moment in (before, after)}
    assert any(found["schedule"]["detail"].startswith(f"under way: started {m} min ago")
               for m in range(min(minutes), max(minutes) + 1)), found["schedule"]["detail"]
    assert found["twilio"]["status"] == "warning"
    assert found["twilio"]["detail"].startswith(
        "could not run: Twilio's view of the room is unknown: room state unknown: vtctl serve "
        "has no Twilio credentials")
    assert found["people"]["detail"].startswith("could not run:")


def test_no_room_exits_8_with_the_remote_room_create(vtctl: Any, server: RunningServer) -> None:
    result = diagnose(vtctl, server, "48", "--json")
    assert result.returncode == 8, result.stderr
    assert by_check(result)["room"]["action"] == f"vtctl room create 48 --base-url {server.url}"
    assert "1 problem found: room" in result.stderr


def test_a_session_long_over_tells_the_patient_rather_than_a_command_that_cannot_run(
        vtctl: Any, server: RunningServer) -> None:
    """It suggested ``vtctl appointment list --user ... --from now``: exit 2 on a machine
    that only uses the API (no store).  Every command suggested remotely runs remotely."""
    result = diagnose(vtctl, server, "46", "--json")
    found = by_check(result)
    assert found["schedule"]["status"] == "problem"
    assert found["schedule"]["action"].startswith(
        "tell Jane Doe (patient): this link's session ended 2 d 23 h ago")
    assert found["schedule"]["action"].endswith("join your next session from its own link "
                                                "(or book one)")
    for finding in found.values():
        for text in (finding["detail"], finding["action"] or ""):
            assert "--local" not in text and "appointment list" not in text, finding


def test_a_pasted_token_for_another_identity(vtctl: Any, server: RunningServer) -> None:
    credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
    other = mint_access_token(credentials, "9-outsider@example.com", ROOM_47,
                              int(datetime.now(UTC).timestamp()), 5400)
    result = diagnose(vtctl, server, ROOM_47, "--token", "-", "--json", stdin=other)
    assert result.returncode == 8
    found = by_check(result)
    assert found["token_identity"]["status"] == "problem"
    # no API secret on this side: a warning, never a pass
    assert found["token_signature"]["status"] == "warning"
    verified = diagnose(vtctl, server, ROOM_47, "--token", "-", "--json", stdin=other,
                        env={"TWILIO_API_SECRET": TEST_API_SECRET})
    assert by_check(verified)["token_signature"]["status"] == "ok"
    assert other not in result.stdout + result.stderr


@pytest.mark.parametrize(("args", "jwt_user", "code"), [
    (("999",), JANE, 5),  # no such appointment
    (("47",), OUTSIDER, 4),  # not one of its users
    (("RM" + "ab" * 16,), JANE, 2),  # a SID needs Twilio: the local backend
])
def test_when_the_appointment_cannot_be_read_the_code_is_the_usual_one(
    vtctl: Any, server: RunningServer, args: tuple[str, ...], jwt_user: int, code: int
) -> None:
    result = diagnose(vtctl, server, *args, jwt=server.jwt(jwt_user))
    assert result.returncode == code, result.stderr
    assert result.stdout == ""


def test_unreachable_server_is_exit_7(vtctl: Any) -> None:
    result = vtctl("diagnose", "47", "--base-url", f"http://127.0.0.1:{free_port()}",
                   env={"VTCTL_JWT": "x.y.z"})
    assert result.returncode == 7, result.stderr


def test_not_logged_in_is_exit_3(vtctl: Any, server: RunningServer) -> None:
    result = vtctl("diagnose", "47", "--base-url", server.url)
    assert result.returncode == 3
