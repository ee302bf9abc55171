"""``vtctl appointment list --user ID|EMAIL --from TIME --to TIME`` over a real store,
and ``vtctl sessions``'s command line: usage errors and the remote backend's refusal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import JANE, OUTSIDER, SARAH, appointment, room_of, store_from_document

Cli = Callable[..., Any]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    document = {
        "users": [JANE, SARAH, OUTSIDER],
        "appointments": [
            appointment(1, duration=60, starts_at="2025-11-16T23:30:00Z"),  # across midnight
            appointment(2, duration=60, starts_at="2025-11-16T09:00:00Z"),
            appointment(3, duration=30, starts_at="2025-11-17T10:00:00Z", patient_id=9),
            appointment(4, duration=30, starts_at=None),
            appointment(5, duration=50, starts_at="2025-11-17T08:00:00Z"),
        ],
    }
    return store_from_document(tmp_path / "store.sqlite3", document)


def ids(cli: Cli, store: Path, *args: str) -> list[int]:
    result = cli("appointment", "list", "--store", str(store), "--json", "id", *args)
    assert result.exit_code == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


def test_a_users_appointments_by_id_or_email(cli: Cli, store: Path) -> None:
    assert ids(cli, store, "--user", "9") == [3]
    assert ids(cli, store, "--user", "OUTSIDER@example.com") == [3]
    assert ids(cli, store, "--user", "sarah@example.com") == [1, 2, 3, 4, 5]  # by id
    assert ids(cli, store, "--user", "2") == [1, 2, 4, 5]


def test_a_utc_day_holds_what_overlaps_it_by_start_time(cli: Cli, store: Path) -> None:
    day = ("--from", "2025-11-17", "--to", "2025-11-17")
    assert ids(cli, store, *day) == [1, 5, 3]  # 1 runs 23:30-00:30
    assert ids(cli, store, *day, "--user", "2") == [1, 5]
    assert ids(cli, store, "--from", "2025-11-17T09:00:00Z") == [3]
    assert ids(cli, store, "--to", "2025-11-16T12:00:00Z") == [2]


def test_her_next_appointment(cli: Cli, store: Path) -> None:
    """Issue 19 rule 7: the next appointment of the patient who cannot get in."""
    result = cli("appointment", "list", "--store", str(store), "--user", JANE["email"],
                 "--from", "2025-11-17T00:45:00Z", "--limit", "1", "--json", "id,starts_at")
    assert json.loads(result.stdout) == [{"id": 5, "starts_at": "2025-11-17T08:00:00Z"}]


def test_piped_lines_and_the_count_of_the_filter(cli: Cli, store: Path) -> None:
    result = cli("appointment", "list", "--store", str(store), "--user", "2", "--limit", "1",
                 "--from", "2025-11-16")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"2\t2\t5\t60\t2025-11-16T09:00:00Z\t{room_of(2)}"]
    assert "showing 1 of 3 appointments" in result.stderr


def test_nothing_matches_is_a_note_not_an_error(cli: Cli, store: Path) -> None:
    result = cli("appointment", "list", "--store", str(store), "--user", "9", "--to",
                 "2025-11-16")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "no appointments match --user 9 --to 2025-11-16" in result.stderr
    assert ids(cli, store, "--user", "9", "--to", "2025-11-16") == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [(("--user", "nobody@example.com"), 5, "no stored user 'nobody@example.com'"),
     (("--from", "soon"), 2, "--from 'soon' is not a time"),
     (("--to", "2025-13-01"), 2, "--to '2025-13-01' is not a time"),
     (("--from", "+1h", "--to", "-1h"), 2, "--to -1h is not after --from +1h")],
)
def test_bad_filters(cli: Cli, store: Path, args: tuple[str, ...], code: int,
                     message: str) -> None:
    result = cli("appointment", "list", "--store", str(store), *args)
    assert result.exit_code == code
    assert result.stderr.splitlines()[0] == f"error: {message}"
    assert "Traceback" not in result.stderr and result.stdout == ""


# -- vtctl sessions's command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--alert", "late"), "--alert rule 'late': unknown state 'late'"),
     (("--alert", "waiting>5"), "--alert rule 'waiting>5': '5' is not a duration"),
     (("--from", "yesterdayish"), "--from 'yesterdayish' is not a time"),
     (("--interval", "2"), "--interval only applies to --watch"),
     (("--watch", "--json"), "--json and --watch cannot be used together"),
     (("--from", "+2h", "--to", "-2h"), "--to -2h is not after --from +2h")],
)
def test_sessions_usage_errors_are_one_line_exit_2(cli: Cli, store: Path,
                                                   args: tuple[str, ...], message: str) -> None:
    result = cli("sessions", "--local", "--store", str(store), *args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines()[0] == f"error: {message}"
    assert result.stdout == ""


def test_sessions_needs_the_local_backend(cli: Cli) -> None:
    result = cli("sessions", "--base-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.stderr == ("error: `vtctl sessions` runs on the local backend only, not the "
                             "remote one (the default); add --local\n")


def test_sessions_without_twilio_credentials_shows_the_schedule_then_exit_3(
    cli: Cli, store: Path
) -> None:
    result = cli("sessions", "--local", "--store", str(store), "--from", "2025-11-16",
                 "--to", "2025-11-17", "--json", "appointment_id,state")
    assert result.exit_code == 3, result.stderr
    rows = json.loads(result.stdout)
    assert {row["state"] for row in rows} == {"unknown"}
    assert len(rows) == 4  # 4 has no start time: not in any window
    assert result.stderr.startswith("error: 4 of 4 sessions are unknown: ")
