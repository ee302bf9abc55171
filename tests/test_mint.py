"""``vtctl mint --identity ID --room NAME [--ttl SECONDS]``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import TokenGenerationError
from vtctl.domain.rules import MAX_IDENTITY_LENGTH
from vtctl.local.demo import DEMO_API_SECRET
from vtctl.local.engine import mint_access_token

Cli = Any
ROOM = "apt-47-1763138954-46eb915c"
JSON_KEYS = ["access_token", "identity", "room_name", "ttl", "expires_at"]


def decode(token: str, secret: str = TEST_API_SECRET) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        token, secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    return claims


def mint_json(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("mint", *args, "--json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_json_document_and_the_token_inside(cli: Cli, twilio_env: dict[str, str]) -> None:
    before = int(time.time())
    document = mint_json(cli, "--identity", "alice", "--room", ROOM, "--ttl", "900")
    assert list(document) == JSON_KEYS
    assert document["identity"] == "alice"
    assert document["room_name"] == ROOM
    assert document["ttl"] == 900
    claims = decode(document["access_token"])
    header = jwt.get_unverified_header(document["access_token"])
    assert header["cty"] == "twilio-fpa;v=1" and header["alg"] == "HS256"
    assert claims["grants"] == {"identity": "alice", "video": {"room": ROOM}}
    assert claims["iss"] == TEST_API_KEY
    assert claims["sub"] == TEST_ACCOUNT_SID
    assert claims["exp"] - claims["nbf"] == 900
    assert before <= claims["nbf"] <= int(time.time())
    expires = datetime.fromtimestamp(claims["exp"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert document["expires_at"] == expires


def test_default_ttl_is_one_hour(cli: Cli, twilio_env: dict[str, str]) -> None:
    document = mint_json(cli, "-i", "alice", "-r", ROOM)
    assert document["ttl"] == 3600
    claims = decode(document["access_token"])
    assert claims["exp"] - claims["nbf"] == 3600


@pytest.mark.parametrize("ttl", [1, 86400])
def test_ttl_bounds_accepted(cli: Cli, twilio_env: dict[str, str], ttl: int) -> None:
    document = mint_json(cli, "-i", "alice", "-r", ROOM, "--ttl", str(ttl))
    claims = decode(document["access_token"])
    assert claims["exp"] - claims["nbf"] == ttl == document["ttl"]


@pytest.mark.parametrize("ttl", ["0", "86401", "-5", "1000000"])
def test_ttl_out_of_range_is_a_usage_error(cli: Cli, twilio_env: dict[str, str], ttl: str) -> None:
    result = cli("mint", "-i", "alice", "-r", ROOM, f"--ttl={ttl}", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--ttl must be between 1 and 86400 seconds" in result.stderr


def test_ttl_not_a_number(cli: Cli, twilio_env: dict[str, str]) -> None:
    assert cli("mint", "-i", "alice", "-r", ROOM, "--ttl", "1h").exit_code == 2


def test_identity_of_128_characters_is_accepted(cli: Cli, twilio_env: dict[str, str]) -> None:
    identity = "x" * MAX_IDENTITY_LENGTH
    document = mint_json(cli, "--identity", identity, "--room", ROOM)
    assert decode(document["access_token"])["grants"]["identity"] == identity


def test_identity_of_129_characters_is_refused(cli: Cli, twilio_env: dict[str, str]) -> None:
    result = cli("mint", "--identity", "x" * 129, "--room", ROOM)
    assert result.exit_code == 2
    assert "--identity is 129 characters; Twilio accepts at most 128" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("flag", "value"), [("--identity", ""), ("--identity", "  "), ("--room", "")]
)
def test_empty_identity_or_room_is_refused(
    cli: Cli, twilio_env: dict[str, str], flag: str, value: str
) -> None:
    args = {"--identity": "alice", "--room": ROOM, flag: value}
    result = cli("mint", *[x for kv in args.items() for x in kv])
    assert result.exit_code == 2
    assert f"{flag} must not be empty" in result.stderr


def test_missing_room_or_identity_flag(cli: Cli, twilio_env: dict[str, str]) -> None:
    assert cli("mint", "--identity", "alice").exit_code == 2
    assert cli("mint", "--room", ROOM).exit_code == 2


def test_usage_errors_come_before_missing_credentials(cli: Cli) -> None:
    assert cli("mint", "-i", "x" * 129, "-r", ROOM).exit_code == 2


def test_missing_credentials_exit_3(cli: Cli) -> None:
    result = cli("mint", "-i", "alice", "-r", ROOM)
    assert result.exit_code == 3
    assert "TWILIO_API_SECRET" in result.stderr


def test_engine_still_refuses_long_identities_itself() -> None:
    credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
    with pytest.raises(TokenGenerationError):
        mint_access_token(credentials, "x" * 129, ROOM, int(time.time()), 60)


def test_raw_output(cli: Cli, twilio_env: dict[str, str]) -> None:
    result = cli("mint", "-i", "alice", "-r", ROOM, "--raw")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    assert decode(result.stdout.strip())["grants"]["identity"] == "alice"


def test_table_output(cli: Cli, twilio_env: dict[str, str]) -> None:
    result = cli("mint", "-i", "alice", "-r", ROOM, "--ttl", "7200")
    assert result.exit_code == 0, result.stderr
    for expected in ("alice", ROOM, "7200 s (2 h 00 min)", TEST_API_KEY, "environment", "eyJ"):
        assert expected in result.stdout, expected
    assert TEST_API_SECRET not in result.stdout + result.stderr


def test_json_and_raw_are_exclusive(cli: Cli, twilio_env: dict[str, str]) -> None:
    assert cli("mint", "-i", "a", "-r", ROOM, "--json", "--raw").exit_code == 2


def test_json_field_selection(cli: Cli, twilio_env: dict[str, str]) -> None:
    result = cli("mint", "-i", "alice", "-r", ROOM, "--json", "ttl,identity")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"ttl": 3600, "identity": "alice"}


def test_demo_profile_uses_demo_credentials(cli: Cli) -> None:
    document = mint_json(cli, "-i", "alice", "-r", ROOM, "--profile", "demo")
    assert decode(document["access_token"], DEMO_API_SECRET)["grants"]["identity"] == "alice"


def test_minted_token_inspects_as_valid(cli: Cli, twilio_env: dict[str, str]) -> None:
    token = cli("mint", "-i", "alice", "-r", ROOM, "--raw").stdout.strip()
    document = json.loads(cli("inspect", token, "--json").stdout)
    assert document["signature"] == "valid"
    assert (document["identity"], document["room_name"], document["ttl"]) == ("alice", ROOM, 3600)


def test_subprocess_mint_with_a_short_test_secret_keeps_stderr_clean(
    vtctl: Any, twilio_env: dict[str, str]
) -> None:
    proc = vtctl("mint", "--identity", "alice", "--room", ROOM, "--ttl", "60", "--raw")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no PyJWT key-length warning
    claims = decode(proc.stdout.strip())
    assert claims["exp"] - claims["nbf"] == 60


def test_subprocess_bad_ttl(vtctl: Any, twilio_env: dict[str, str]) -> None:
    proc = vtctl("mint", "--identity", "alice", "--room", ROOM, "--ttl", "86401")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "86400" in proc.stderr
