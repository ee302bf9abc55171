"""End to end over loopback: the real ``vtctl`` executable (remote backend)
against a real ``vtctl serve`` subprocess, for every command and every status
code of the guide, then SIGTERM / SIGINT and a clean exit."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import ROOM_47, decode
from tests.serve_fixtures import (
    SERVE_SECRET,
    RunningServer,
    start_server,
)
from vtctl.domain.models import TOKEN_FIELDS

pytestmark = pytest.mark.e2e

JANE, SARAH, OUTSIDER = 2, 5, 9


def remote(vtctl, server: RunningServer, *args: str, jwt: str | None):
    env = {"VTCTL_JWT": jwt} if jwt is not None else {}
    return vtctl(*args, "--base-url", server.url, env=env)


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A second server without any Twilio credentials."""
    server = start_server(tmp_path_factory.mktemp("offline"), twilio=False)
    yield server
    assert server.stop() == 0, server.stderr()


# -- 200 ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["token", "refresh"])
def test_token_and_refresh(vtctl, serve_server: RunningServer, command: str) -> None:
    result = remote(vtctl, serve_server, command, "47", "--json", jwt=serve_server.jwt(JANE))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert tuple(data) == TOKEN_FIELDS
    assert data["room_name"] == ROOM_47
    assert data["user_identity"] == "2-jane.doe@example.com"
    assert (data["expires_in"], data["token_valid_until"]) == (5400, "90 minutes (1 hours)")
    header, claims = decode(data["access_token"], check_time=True)
    assert header["cty"] == "twilio-fpa;v=1"
    assert claims["grants"]["video"] == {"room": ROOM_47}


def test_both_users_same_room_different_tokens(vtctl, serve_server: RunningServer) -> None:
    jane = remote(vtctl, serve_server, "token", "47", "--json", jwt=serve_server.jwt(JANE))
    sarah = remote(vtctl, serve_server, "token", "47", "--json", jwt=serve_server.jwt(SARAH))
    a, b = json.loads(jane.stdout), json.loads(sarah.stdout)
    assert a["room_name"] == b["room_name"] and a["access_token"] != b["access_token"]


def test_raw_and_table(vtctl, serve_server: RunningServer) -> None:
    raw = remote(vtctl, serve_server, "token", "49", "--raw", jwt=serve_server.jwt(SARAH))
    assert raw.returncode == 0 and raw.stdout.count(".") == 2 and raw.stdout.endswith("\n")
    table = remote(vtctl, serve_server, "token", "49", jwt=serve_server.jwt(SARAH))
    assert table.returncode == 0 and "4 h 00 min (14400 s)" in table.stdout


def test_appointment_show(vtctl, serve_server: RunningServer) -> None:
    result = remote(vtctl, serve_server, "appointment", "show", "47", "--json",
                    jwt=serve_server.jwt(JANE))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == 47 and data["video_room_id"] == ROOM_47
    assert data["duration_minutes"] == 60


def test_room_create_then_token(vtctl, serve_server: RunningServer) -> None:
    jwt = serve_server.jwt(SARAH)
    first = remote(vtctl, serve_server, "room", "create", "51", "--json", jwt=jwt)
    assert first.returncode == 0, first.stderr
    created = json.loads(first.stdout)
    assert created["created"] is True and created["room_name"].startswith("apt-51-")
    again = remote(vtctl, serve_server, "room", "create", "51", "--json", jwt=jwt)
    assert json.loads(again.stdout) == {**created, "created": False}
    token = remote(vtctl, serve_server, "token", "51", "--json", jwt=jwt)
    assert json.loads(token.stdout)["room_name"] == created["room_name"]


def test_status_without_twilio_credentials_is_exit_3(vtctl, offline_server: RunningServer
                                                     ) -> None:
    # the same code as `status 47 --local` without credentials (tests/test_room_state_unknown.py)
    result = remote(vtctl, offline_server, "status", "47", "--json",
                    jwt=offline_server.jwt(JANE))
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: room state unknown: vtctl serve has no Twilio credentials")


def test_the_guides_fetch_example_unchanged(serve_server: RunningServer) -> None:
    response = httpx.get(
        f"{serve_server.url}/api/appointments/video-token/47/",
        headers={"Authorization": f"Bearer {serve_server.jwt(JANE)}",
                 "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert tuple(response.json()) == TOKEN_FIELDS


# -- the guide's errors as exit codes ---------------------------------------------------


@pytest.mark.parametrize(("args", "user", "code", "message"), [
    (("token", "47"), OUTSIDER, 4, "Permission denied"),
    (("refresh", "47"), OUTSIDER, 4, "Permission denied"),
    (("room", "create", "47"), OUTSIDER, 4, "Permission denied"),
    (("appointment", "show", "47"), OUTSIDER, 4, "Permission denied"),
    (("token", "999"), JANE, 5, "Appointment not found"),
    (("refresh", "999"), JANE, 5, "Appointment not found"),
    (("appointment", "show", "999"), JANE, 5, "Appointment not found"),
    (("room", "create", "999"), JANE, 5, "Appointment not found"),
    (("status", "999"), JANE, 5, "Appointment not found"),
    (("token", "48"), JANE, 5, "No video room found for this appointment"),
    (("refresh", "48"), JANE, 5, "No video room found for this appointment"),
])
def test_error_exit_codes(vtctl, serve_server: RunningServer, args: tuple[str, ...], user: int,
                          code: int, message: str) -> None:
    result = remote(vtctl, serve_server, *args, "--json", jwt=serve_server.jwt(user))
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


@pytest.mark.parametrize("jwt_kind", ["wrong-secret", "expired", "garbage", "refresh-type"])
def test_401_is_exit_3(vtctl, serve_server: RunningServer, jwt_kind: str) -> None:
    import jwt as pyjwt

    good = serve_server.jwt(JANE)
    claims = pyjwt.decode(good, SERVE_SECRET, algorithms=["HS256"])
    token = {
        "wrong-secret": pyjwt.encode(claims, "another-secret-" + "x" * 32, algorithm="HS256"),
        "expired": serve_server.jwt(JANE, exp=claims["iat"] - 10, iat=claims["iat"] - 100),
        "garbage": "not.a.jwt",
        "refresh-type": serve_server.jwt(JANE, token_type="refresh"),
    }[jwt_kind]
    result = remote(vtctl, serve_server, "token", "47", jwt=token)
    assert result.returncode == 3, result.stderr
    assert ("401" if jwt_kind != "expired" else "expired") in result.stderr
    assert token not in result.stderr


def test_no_jwt_is_exit_3(vtctl, serve_server: RunningServer) -> None:
    result = remote(vtctl, serve_server, "token", "47", jwt=None)
    assert result.returncode == 3


def test_missing_twilio_credentials_are_the_guides_500(
    vtctl, offline_server: RunningServer
) -> None:
    result = remote(vtctl, offline_server, "token", "47", "--json", jwt=offline_server.jwt(JANE))
    assert result.returncode == 6, result.stderr
    assert "Failed to generate access token" in result.stderr
    response = httpx.get(f"{offline_server.url}/api/appointments/video-token/47/",
                         headers={"Authorization": f"Bearer {offline_server.jwt(JANE)}"})
    assert response.status_code == 500
    assert set(response.json()) == {"error"}
    assert response.json()["error"].startswith("Failed to generate access token: ")
    # the guide's checks still come first
    denied = remote(vtctl, offline_server, "token", "47", jwt=offline_server.jwt(OUTSIDER))
    assert denied.returncode == 4


def test_malformed_twilio_key_is_a_500(vtctl, tmp_path: Path, serve_server: RunningServer
                                       ) -> None:
    server = start_server(tmp_path, store=serve_server.store,
                          extra_env={"TWILIO_API_KEY": "SK-not-a-key"})
    try:
        result = remote(vtctl, server, "token", "47", jwt=server.jwt(JANE))
        assert result.returncode == 6, result.stderr
        assert "Failed to generate access token" in result.stderr
        assert "API key SID" in result.stderr
    finally:
        assert server.stop() == 0


# -- dev JWTs ---------------------------------------------------------------------------


def test_issue_jwt_works_against_the_server(vtctl, serve_server: RunningServer,
                                            tmp_path: Path) -> None:
    env = {"VTCTL_SERVE_SECRET": SERVE_SECRET}
    issued = vtctl("serve", "--issue-jwt", "sarah@example.com", "--store",
                   str(serve_server.store), env=env)
    assert issued.returncode == 0, issued.stderr
    jwt = issued.stdout.strip()
    result = remote(vtctl, serve_server, "token", "47", "--json", jwt=jwt)
    assert json.loads(result.stdout)["user_identity"] == "5-sarah@example.com"
    missing = vtctl("serve", "--issue-jwt", "nobody@example.com", "--store",
                    str(serve_server.store), env=env)
    assert missing.returncode == 5
    no_secret = vtctl("serve", "--issue-jwt", "2", "--store", str(serve_server.store))
    assert no_secret.returncode == 2 and "VTCTL_SERVE_SECRET" in no_secret.stderr


def test_busy_port_is_a_usage_error(vtctl, serve_server: RunningServer) -> None:
    port = serve_server.url.rsplit(":", 1)[1]
    result = vtctl("serve", "--store", str(serve_server.store), "--port", port)
    assert result.returncode == 2
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr


# -- logs and shutdown -------------------------------------------------------------------


def test_request_log_never_holds_a_token(serve_server: RunningServer) -> None:
    jwt = serve_server.jwt(JANE)
    httpx.get(f"{serve_server.url}/api/appointments/video-token/47/?token={jwt}&jwt=secret1",
              headers={"Authorization": f"Bearer {jwt}"})
    log = serve_server.stderr()
    assert '"GET /api/appointments/video-token/47/" 200' in log
    assert jwt not in log and "eyJ" not in log and "secret1" not in log
    assert "Bearer" not in log.replace("Authorization: Bearer <JWT>", "").replace(
        'Bearer $JWT', "")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_demo_profile_and_clean_shutdown(vtctl, tmp_path: Path, sig: int) -> None:
    # the demo profile serves its own store (--store with it is refused: test_flags_apply)
    server = start_server(tmp_path, twilio=False, use_store=False, args=("--profile", "demo"))
    try:
        result = remote(vtctl, server, "token", "47", "--json", jwt=server.jwt(JANE))
        assert result.returncode == 0, result.stderr
    finally:
        code = server.stop(sig)
    assert code == 0, server.stderr()
    log = server.stderr()
    assert "listening on http://127.0.0.1:" in log and "vtctl serve: stopped" in log
    assert "Traceback" not in log


def test_demo_profile_serves_the_demo_data(vtctl, tmp_path: Path) -> None:
    server = start_server(tmp_path, twilio=False, use_store=False, args=("--profile", "demo"))
    try:
        result = remote(vtctl, server, "token", "47", "--json", jwt=server.jwt(JANE))
        assert result.returncode == 0, result.stderr + server.stderr()
        assert json.loads(result.stdout)["room_name"] == ROOM_47
        status = remote(vtctl, server, "status", "47", "--json", jwt=server.jwt(JANE))
        assert status.returncode == 0, status.stderr
        data = json.loads(status.stdout)
        assert (data["status"], data["participant_count"]) == ("unknown", None)
    finally:
        assert server.stop() == 0, server.stderr()
    assert "profile demo" in server.stderr()


def test_dev_jwts_through_auth_login_drive_smoke(vtctl, tmp_path: Path,
                                                 serve_server: RunningServer) -> None:
    """`serve --issue-jwt | auth login --with-token`, and `auth login --username`
    against `serve --dev-login`: keyring profiles then drive token and smoke."""
    server = start_server(tmp_path, store=serve_server.store, args=("--dev-login",),
                          # the keyring that holds the shared store's audit trail key
                          extra_env={"XDG_DATA_HOME": str(serve_server.store.parent / "data")})
    try:
        issued = vtctl("serve", "--issue-jwt", "2", "--store", str(server.store),
                       env={"VTCTL_SERVE_SECRET": SERVE_SECRET})
        assert issued.returncode == 0, issued.stderr
        login = vtctl("auth", "login", "--with-token", "--profile", "jane",
                      "--base-url", server.url, stdin=issued.stdout)
        assert login.returncode == 0, login.stderr
        login = vtctl("auth", "login", "--username", "sarah@example.com", "--profile", "sarah",
                      "--base-url", server.url, stdin="any-password\n")
        assert login.returncode == 0, login.stderr
        token = vtctl("token", "47", "--json", "--profile", "sarah", "--base-url", server.url)
        assert token.returncode == 0, token.stderr
        assert json.loads(token.stdout)["user_identity"] == "5-sarah@example.com"
        smoke = vtctl("smoke", "47", "49", "--patient", "jane", "--psychologist", "sarah",
                      "--base-url", server.url)
        assert smoke.returncode == 0, smoke.stderr
        assert "all 20 checks passed" in smoke.stderr
    finally:
        assert server.stop() == 0, server.stderr()
