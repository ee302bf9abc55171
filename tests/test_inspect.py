"""``vtctl inspect JWT|-`` and the ``vtctl.domain.jwt_inspect`` library."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from vtctl.domain import jwt_inspect
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import TokenFormatError
from vtctl.local.demo import DEMO_API_SECRET
from vtctl.local.engine import mint_access_token
from vtctl.ui.render.inspect import format_moment, validity_text

Cli = Any
CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
IDENTITY = "2-jane.doe@example.com"
ROOM = "apt-47-1763138954-46eb915c"
OTHER_KEY = "SK" + "ab" * 16


def mint(issued_at: int | None = None, ttl: int = 3600, identity: str = IDENTITY) -> str:
    issued = int(time.time()) if issued_at is None else issued_at
    return mint_access_token(CREDENTIALS, identity, ROOM, issued, ttl)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: Any, payload: Any, signature: str = "c2ln") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{signature}"


# -- library: decode ------------------------------------------------------------


def test_decode_reads_every_field_of_an_engine_token() -> None:
    issued = int(time.time()) - 5
    token = jwt_inspect.decode(mint(issued, ttl=5400))
    assert token.header == {"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"}
    assert (token.algorithm, token.type, token.content_type) == ("HS256", "JWT", "twilio-fpa;v=1")
    assert token.api_key_sid == TEST_API_KEY
    assert token.account_sid == TEST_ACCOUNT_SID
    assert token.jti == f"{TEST_API_KEY}-{token.jti.rsplit('-', 1)[1]}"
    assert token.identity == IDENTITY
    assert token.has_video_grant and token.room_name == ROOM
    assert token.grants == {"video": {"room": ROOM}}
    assert token.not_before == datetime.fromtimestamp(issued, UTC)
    assert token.expires_at == datetime.fromtimestamp(issued + 5400, UTC)
    assert token.issued_at is not None  # from Twilio's jti (SK...-unix)
    assert token.ttl == 5400


def test_other_grants_and_iat_are_kept() -> None:
    now = int(time.time())
    text = forge(
        {"alg": "HS256", "typ": "JWT"},
        {"iss": OTHER_KEY, "sub": TEST_ACCOUNT_SID, "iat": now, "exp": now + 60,
         "grants": {"identity": "bob", "chat": {"service_sid": "IS1"}, "video": {}}},
    )
    token = jwt_inspect.decode(text)
    assert token.issued_at == datetime.fromtimestamp(now, UTC)
    assert token.grants == {"chat": {"service_sid": "IS1"}, "video": {}}
    assert token.has_video_grant and token.room_name is None
    assert token.content_type is None


def test_to_json_document() -> None:
    token = jwt_inspect.decode(mint(ttl=600))
    document = token.to_json("unverified")
    assert document["signature"] == "unverified"
    assert document["identity"] == IDENTITY
    assert document["room_name"] == ROOM
    assert document["api_key_sid"] == TEST_API_KEY
    assert document["account_sid"] == TEST_ACCOUNT_SID
    assert document["ttl"] == 600
    assert document["expired"] is False
    assert document["expires_at"].endswith("Z")
    assert "access_token" not in document


# -- library: verify ------------------------------------------------------------


def test_verify_with_the_right_and_a_wrong_secret() -> None:
    text = mint()
    assert jwt_inspect.verify(text, TEST_API_SECRET) is True
    assert jwt_inspect.verify(text, TEST_API_SECRET + "x") is False
    assert jwt_inspect.verify(text, DEMO_API_SECRET) is False


def test_verify_ignores_expiry() -> None:
    assert jwt_inspect.verify(mint(int(time.time()) - 10_000, ttl=60), TEST_API_SECRET) is True


def test_tampered_payload_fails_verification() -> None:
    header, _payload, signature = mint().split(".")
    decoded = jwt_inspect.decode(mint())
    claims = {**decoded.claims, "grants": {"identity": "mallory", "video": {"room": ROOM}}}
    tampered = f"{header}.{b64(json.dumps(claims).encode())}.{signature}"
    assert jwt_inspect.decode(tampered).identity == "mallory"
    assert jwt_inspect.verify(tampered, TEST_API_SECRET) is False


# -- library: malformed input ---------------------------------------------------

GOOD = {"iss": TEST_API_KEY, "sub": TEST_ACCOUNT_SID, "exp": 2_000_000_000, "grants": {}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("garbage", "1 dot-separated part"),
        ("aaa.bbb", "2 dot-separated parts"),
        ("a.b.c.d", "4 dot-separated parts"),
        ("@@@.e30.c2ln", "header is not base64url"),
        (f"{b64(b'{not json')}.e30.c2ln", "header is not JSON"),
        (forge({"alg": "HS256"}, [1, 2, 3]), "payload is JSON an array, not an object"),
        (forge([], GOOD), "header is JSON an array"),
        (forge({"alg": "HS256"}, GOOD, signature=""), "unsigned"),
        (forge({"typ": "JWT"}, GOOD), "no 'alg'"),
        (forge({"alg": "HS256"}, {**GOOD, "iss": None}), "'iss'"),
        (forge({"alg": "HS256"}, {k: v for k, v in GOOD.items() if k != "sub"}), "'sub'"),
        (forge({"alg": "HS256"}, {k: v for k, v in GOOD.items() if k != "exp"}), "'exp'"),
        (forge({"alg": "HS256"}, {**GOOD, "exp": "soon"}), "'exp' claim is not a number"),
        (forge({"alg": "HS256"}, {k: v for k, v in GOOD.items() if k != "grants"}), "grants"),
        (forge({"alg": "HS256"}, {**GOOD, "grants": {"video": "r"}}), "video grant"),
    ],
)
def test_malformed_tokens_raise_token_format_error(text: str, message: str) -> None:
    with pytest.raises(TokenFormatError, match=message.replace("(", r"\(")) as info:
        jwt_inspect.decode(text)
    assert info.value.exit_code == 2


def test_bearer_prefix_and_whitespace_are_stripped() -> None:
    text = mint()
    assert jwt_inspect.decode(f"  Bearer {text}\n").identity == IDENTITY
    assert jwt_inspect.verify(f"{text}\n", TEST_API_SECRET)


# -- rendering --------------------------------------------------------------------


def test_validity_text() -> None:
    token = jwt_inspect.decode(mint(1_700_000_000, ttl=3600))
    start = datetime.fromtimestamp(1_700_000_000, UTC)
    assert validity_text(token, start + timedelta(minutes=30)) == "valid, 30 min left"
    assert validity_text(token, start + timedelta(minutes=72)) == "expired 12 min ago"
    assert validity_text(token, start + timedelta(hours=3)) == "expired 2 h 00 min ago"
    assert validity_text(token, start - timedelta(minutes=5)) == "not valid yet: starts in 5 min"


def test_times_are_shown_in_local_time_and_utc() -> None:
    import os

    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    try:
        winter = datetime(2025, 11, 16, 9, 30, tzinfo=UTC)
        assert format_moment(winter) == "2025-11-16 10:30:00 CET (2025-11-16 09:30:00 UTC)"
        os.environ["TZ"] = "UTC"
        time.tzset()
        assert format_moment(winter) == "2025-11-16 09:30:00 UTC"
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


# -- the command -------------------------------------------------------------------


def test_inspect_verifies_with_the_env_secret(cli: Cli, twilio_env: dict[str, str]) -> None:
    result = cli("inspect", mint(ttl=5400))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for expected in (
        "HS256", "twilio-fpa;v=1", TEST_ACCOUNT_SID, TEST_API_KEY, IDENTITY, ROOM,
        "verified with the API secret", "left", "UTC", "5400 s",
    ):
        assert expected in out, expected
    assert TEST_API_SECRET not in out + result.stderr


def test_inspect_json_with_a_wrong_secret(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_API_SECRET", "not-the-secret")
    result = cli("inspect", mint(), "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["signature"] == "invalid"
    assert document["identity"] == IDENTITY
    assert "not-the-secret" not in result.stdout + result.stderr


def test_inspect_table_says_invalid(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_API_SECRET", "not-the-secret")
    monkeypatch.setenv("TWILIO_API_KEY", OTHER_KEY)
    result = cli("inspect", mint())
    assert result.exit_code == 0
    assert "INVALID signature" in result.stdout
    assert OTHER_KEY in result.stdout  # explains the key mismatch


def test_inspect_without_any_secret_is_unverified(cli: Cli) -> None:
    result = cli("inspect", mint(), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["signature"] == "unverified"
    table = cli("inspect", mint())
    assert "NOT verified: no API secret available" in table.stdout


def test_verify_flag_exit_codes(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    text = mint()
    unverified = cli("inspect", text, "--verify")
    assert unverified.exit_code == 3
    assert "no Twilio API secret" in unverified.stderr
    monkeypatch.setenv("TWILIO_API_SECRET", "not-the-secret")
    invalid = cli("inspect", text, "--verify", "--json")
    assert invalid.exit_code == 3
    assert json.loads(invalid.stdout)["signature"] == "invalid"
    assert "signature is invalid" in invalid.stderr
    monkeypatch.setenv("TWILIO_API_SECRET", TEST_API_SECRET)
    assert cli("inspect", text, "--verify").exit_code == 0


def test_secret_from_the_keyring(cli: Cli) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("default", "twilio", CREDENTIALS.to_json())
    result = cli("inspect", mint(), "--json", "signature")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"signature": "valid"}


def test_demo_profile_verifies_demo_tokens(cli: Cli) -> None:
    token = json.loads(cli("token", "47", "--profile", "demo", "--json").stdout)["access_token"]
    result = cli("inspect", token, "--profile", "demo", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["signature"] == "valid"
    assert document["identity"] == IDENTITY
    assert DEMO_API_SECRET not in result.stdout


def test_expired_token(cli: Cli, twilio_env: dict[str, str]) -> None:
    text = mint(int(time.time()) - 3600 - 12 * 60 - 20, ttl=3600)
    result = cli("inspect", text)
    assert result.exit_code == 0
    assert "expired 12 min ago" in result.stdout
    assert "verified with the API secret" in result.stdout
    document = json.loads(cli("inspect", text, "--json").stdout)
    assert document["expired"] is True
    assert document["seconds_left"] < -12 * 60


def test_stdin(cli: Cli, twilio_env: dict[str, str]) -> None:
    result = cli("inspect", "-", "--json", stdin=f"\n  {mint()}  \n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["signature"] == "valid"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("garbage",), "", "not a JWT: it has 1 dot-separated part"),
        (("abc.def",), "", "not a JWT: it has 2 dot-separated parts"),
        (("!!!.e30.c2ln",), "", "header is not base64url"),
        ((forge({"alg": "HS256"}, [1]),), "", "payload is JSON an array"),
        (("-",), "", "no token on stdin"),
        (("-",), "  \n", "no token on stdin"),
    ],
)
def test_malformed_input_exits_2_with_one_line(
    cli: Cli, twilio_env: dict[str, str], args: tuple[str, ...], stdin: str, message: str
) -> None:
    result = cli("inspect", *args, stdin=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_subprocess_stdin_and_no_secret_leak(vtctl: Any, twilio_env: dict[str, str]) -> None:
    proc = vtctl("inspect", "-", stdin=mint() + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "verified with the API secret" in proc.stdout
    assert TEST_API_SECRET not in proc.stdout + proc.stderr
    assert proc.stderr == ""


def test_subprocess_malformed(vtctl: Any) -> None:
    proc = vtctl("inspect", "a.b")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # error (+ hint)


# -- a live token on argv ---------------------------------------------------------------


def test_a_live_token_on_argv_still_works_but_warns(cli: Cli, twilio_env: dict[str, str]
                                                    ) -> None:
    result = cli("inspect", mint(ttl=600), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["signature"] == "valid"
    assert result.stderr.count("\n") == 1  # one line
    assert result.stderr.startswith("warning: this token is still valid")
    assert "`ps`" in result.stderr and "vtctl inspect -" in result.stderr


def test_no_warning_for_stdin_or_an_expired_token(cli: Cli, twilio_env: dict[str, str]
                                                  ) -> None:
    piped = cli("inspect", "-", "--json", stdin=mint(ttl=600))
    expired = cli("inspect", mint(int(time.time()) - 10_000, ttl=60), "--json")
    assert (piped.exit_code, expired.exit_code) == (0, 0)
    assert piped.stderr == "" and expired.stderr == ""


def test_a_token_reply_on_stdin_is_inspected_by_its_access_token() -> None:
    """`vtctl token 47 --json | vtctl inspect -`: the guide's reply, not only a bare JWT."""
    import json as json_module

    from vtctl.domain.jwt_inspect import clean_token

    assert clean_token(json_module.dumps({"access_token": " a.b.c ", "room_name": "r"})) == "a.b.c"
    assert clean_token('{"not": "a reply"}') == '{"not": "a reply"}'
    assert clean_token("{broken") == "{broken"
