"""The real ``vtctl`` executable on the local backend: outputs and exit codes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import ROOM_47, appointment, decode, make_store
from vtctl.domain.models import TOKEN_FIELDS

from .conftest import TEST_API_SECRET


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store.sqlite3", appointment(47), appointment(50, room=None))


def test_token_json_has_exactly_the_guides_fields(vtctl, store: Path, twilio_env) -> None:
    result = vtctl("token", "47", "--local", "--store", str(store), "--as", "2", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert tuple(data) == TOKEN_FIELDS
    assert data["room_name"] == ROOM_47
    assert data["user_identity"] == "2-jane.doe@example.com"
    assert (data["expires_in"], data["token_valid_until"]) == (5400, "90 minutes (1 hours)")
    assert data["expires_at"].endswith("Z")
    _, claims = decode(data["access_token"], TEST_API_SECRET, check_time=True)
    assert claims["exp"] - claims["nbf"] == data["expires_in"]
    assert result.stderr == ""


def test_raw_prints_only_the_jwt(vtctl, store: Path, twilio_env) -> None:
    result = vtctl("refresh", "47", "--local", "--store", str(store), "--as", "5", "--raw")
    assert result.returncode == 0, result.stderr
    token = result.stdout.removesuffix("\n")
    assert "\n" not in token and result.stdout.endswith("\n")
    _, claims = decode(token)
    assert claims["grants"]["identity"] == "5-sarah@example.com"


def test_table_for_people(vtctl, store: Path, twilio_env) -> None:
    result = vtctl("token", "47", "--local", "--store", str(store), "--as", "jane.doe@example.com")
    assert result.returncode == 0
    assert ROOM_47 in result.stdout and "1 h 30 min (5400 s)" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


def test_backend_from_environment(vtctl, store: Path, twilio_env) -> None:
    result = vtctl("token", "47", "--as", "2", "--json",
                   env={"VTCTL_BACKEND": "local", "VTCTL_STORE": str(store)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["room_name"] == ROOM_47


def test_demo_profile_works_out_of_the_box(vtctl) -> None:
    result = vtctl("token", "47", "--profile", "demo", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["user_identity"] == "2-jane.doe@example.com"
    from vtctl.local.demo import DEMO_API_SECRET

    decode(data["access_token"], DEMO_API_SECRET, check_time=True)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["token", "47", "--as", "2"], 0, ""),
        (["token", "999", "--as", "2"], 5, "error: Appointment not found"),
        (["token", "47", "--as", "9"], 4, "error: Permission denied"),
        (["token", "47", "--as", "nobody@example.com"], 5,
         "error: no user 'nobody@example.com' in the store"),
        (["token", "50", "--as", "2"], 5, "No video room found for this appointment"),
        (["token", "47"], 2, "pass --as USER: the patient (2 jane.doe"),
        (["refresh", "47", "--as", "x@example.com"], 5, "hint: --as takes a user id or email"),
        (["token", "0", "--as", "2"], 2, "appointment id must be"),
        (["token", "-1", "--as", "2"], 2, ""),
        (["token", "47abc", "--as", "2"], 2, "positive integer"),
        (["token", "99999999999999999999999", "--as", "2"], 2, "appointment id must be"),
        (["token", "47", "--as", "2", "--json", "--raw"], 2, "cannot be used together"),
        (["token", "47", "--bogus"], 2, "No such option"),
        (["frobnicate"], 2, "No such command"),
        (["appointment", "show", "999"], 5, "Appointment not found"),
        (["room", "create", "999"], 5, "Appointment not found"),
    ],
)
def test_exit_codes(vtctl, store: Path, twilio_env, args: list[str], code: int,
                    message: str) -> None:
    result = vtctl(*args, "--local", "--store", str(store))
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_twilio_credentials_exit_3_with_the_fix(vtctl, store: Path) -> None:
    result = vtctl("token", "47", "--local", "--store", str(store), "--as", "2")
    assert result.returncode == 3
    assert "TWILIO_API_SECRET" in result.stderr and "vtctl auth twilio" in result.stderr


def test_incomplete_twilio_environment_exit_3(vtctl, store: Path, twilio_env) -> None:
    result = vtctl("token", "47", "--local", "--store", str(store), "--as", "2",
                   env={"TWILIO_API_SECRET": ""})
    assert result.returncode == 3
    assert "TWILIO_API_SECRET not set" in result.stderr


def test_newer_store_schema_exit_6_untouched(vtctl, store: Path, twilio_env) -> None:
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA user_version = 99")
    result = vtctl("token", "47", "--local", "--store", str(store), "--as", "2")
    assert result.returncode == 6
    assert "newer vtctl" in result.stderr


def test_debug_shows_traceback_but_no_secret(vtctl, store: Path, twilio_env) -> None:
    result = vtctl("--debug", "token", "999", "--local", "--store", str(store), "--as", "2")
    assert result.returncode == 5
    assert "Traceback" in result.stderr
    assert TEST_API_SECRET not in result.stderr + result.stdout


def test_room_create_then_token(vtctl, store: Path, twilio_env) -> None:
    created = vtctl("room", "create", "50", "--local", "--store", str(store), "--json")
    assert created.returncode == 0, created.stderr
    room = json.loads(created.stdout)
    assert room["created"] is True and room["room_name"].startswith("apt-50-")
    again = vtctl("room", "create", "50", "--local", "--store", str(store), "--json")
    assert json.loads(again.stdout) == {**room, "created": False}
    token = vtctl("token", "50", "--local", "--store", str(store), "--as", "5", "--json")
    assert json.loads(token.stdout)["room_name"] == room["room_name"]


def test_appointment_show_and_list(vtctl, store: Path) -> None:
    shown = vtctl("appointment", "show", "47", "--local", "--store", str(store), "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["video_room_id"] == ROOM_47 and data["patient"]["email"] == "jane.doe@example.com"
    listed = vtctl("appointment", "list", "--store", str(store), "--json")
    assert [a["id"] for a in json.loads(listed.stdout)] == [47, 50]


def test_appointment_add(vtctl, store: Path) -> None:
    added = vtctl("appointment", "add", "--patient", "jane.doe@example.com",
                  "--psychologist", "5", "--duration", "45", "--store", str(store), "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["id"] == 51
    unknown = vtctl("appointment", "add", "--patient", "ghost@example.com",
                    "--psychologist", "5", "--store", str(store))
    assert unknown.returncode == 2 and "no stored user" in unknown.stderr


def test_version_and_help(vtctl) -> None:
    from vtctl import __version__

    assert vtctl("--version").stdout == f"vtctl {__version__}\n"
    helped = vtctl("--help")
    assert helped.returncode == 0
    for command in ("token", "refresh", "room", "appointment"):
        assert command in helped.stdout
