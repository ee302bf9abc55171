"""``vtctl auth ...`` and the remote backend driven through the CLI (pytest-httpx)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET, Result, choose_keyring
from tests.remote_helpers import (
    APPOINTMENT_BODY,
    APPOINTMENT_NOT_FOUND,
    BASE,
    HTML_PAGE,
    NO_SUCH_HOST,
    NO_VIDEO_ROOM,
    PERMISSION_DENIED,
    REFUSED,
    ROOM,
    TOKEN_BODY,
    TOKEN_FAILED,
    UNTRUSTED,
    connect_error,
    make_jwt,
    url,
)

Cli = Callable[..., Result]
TOKEN_URL = url("/api/appointments/video-token/47/")


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries through the CLI use the real sleep: make its delays zero."""
    monkeypatch.setattr("vtctl.net.retry.BACKOFF_BASE", 0.0)


def stored(kind: str, profile: str = "default") -> str | None:
    from vtctl.config.secrets_store import get_secret

    return get_secret(profile, kind)  # type: ignore[arg-type]


def assert_clean(result: Result, *secrets: str) -> None:
    """No traceback, and no secret on either stream."""
    assert "Traceback" not in result.stderr
    for secret in secrets:
        assert secret not in result.stdout
        assert secret not in result.stderr


# --- login / status / token / logout round trip -----------------------------------------


def test_keyring_round_trip(cli: Cli) -> None:
    jwt = make_jwt(user_id=2)
    login = cli("auth", "login", "--with-token", stdin=jwt + "\n")
    assert login.exit_code == 0, login.stderr
    assert "as user 2" in login.stderr
    assert_clean(login, jwt)
    assert stored("jwt") == jwt

    status = cli("auth", "status", "--json")
    assert status.exit_code == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["logged_in"] is True and data["source"] == "keyring"
    assert data["user_id"] == "2" and data["profile"] == "default"
    assert data["backend"] == "remote" and data["base_url"] == "http://localhost:8000"
    assert 3500 < data["expires_in"] <= 3600 and data["expired"] is False
    assert_clean(status, jwt)

    table = cli("auth", "status")
    assert table.exit_code == 0 and "user id" in table.stdout
    assert_clean(table, jwt)

    token = cli("auth", "token")
    assert (token.exit_code, token.stdout) == (0, jwt + "\n")
    assert cli("auth", "token", "--raw").stdout == jwt + "\n"

    logout = cli("auth", "logout")
    assert logout.exit_code == 0 and "Logged out" in logout.stderr
    assert stored("jwt") is None
    after = cli("auth", "status")
    assert after.exit_code == 3
    assert "not logged in" in after.stderr and "vtctl auth login" in after.stderr
    assert cli("auth", "token").exit_code == 3
    again = cli("auth", "logout")  # a second logout: not logged in (exit 3, as gh says so)
    assert again.exit_code == 3
    assert again.stderr.startswith("error: not logged in to profile 'default'")


def test_login_per_profile(cli: Cli) -> None:
    jwt = make_jwt(user_id=5)
    assert cli("auth", "login", "--with-token", "--profile", "staging", stdin=jwt).exit_code == 0
    assert stored("jwt", "staging") == jwt and stored("jwt") is None
    assert cli("auth", "status").exit_code == 3
    assert cli("auth", "token", "-p", "staging").stdout == jwt + "\n"


def test_status_lists_every_profile_with_user_expiry_and_storage(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like gh auth status: every profile, not only the active one, and where each token is."""
    staging, prod = make_jwt(user_id=5), make_jwt(user_id=7, lifetime=-60)
    assert cli("auth", "login", "--with-token", "-p", "staging", stdin=staging).exit_code == 0
    from vtctl.config.secrets_store import set_secret

    set_secret("prod", "jwt", prod, insecure=True)  # expired, in the plain file only
    assert cli("config", "set", "base_url", "http://example.test", "-p", "spare").exit_code == 0

    result = cli("auth", "status", "--json", "-p", "staging")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["profile"], data["user_id"], data["source"]) == ("staging", "5", "keyring")
    assert data["storage"] == "keyrings.alt.file.PlaintextKeyring" and data["insecure"] is True
    rows = {row["profile"]: row for row in data["profiles"]}
    assert set(rows) >= {"staging", "prod", "spare"}
    assert rows["staging"]["active"] is True and rows["staging"]["user_id"] == "5"
    assert rows["prod"]["user_id"] == "7" and rows["prod"]["expired"] is True
    assert rows["prod"]["storage"] == "plain file" and rows["prod"]["insecure"] is True
    assert rows["spare"]["logged_in"] is False and rows["spare"]["storage"] is None
    assert_clean(result, staging, prod)

    piped = cli("auth", "status", "-p", "staging")
    assert piped.exit_code == 0, piped.stderr
    lines = {fields[1]: fields for line in piped.stdout.splitlines()
             if (fields := line.split("\t"))[0] == "profile"}
    assert lines["staging"][2:4] == ["active", "5"]
    assert lines["prod"][4:] == ["expired", "plain file (insecure)"]
    assert lines["spare"][4] == "not logged in"
    assert "user id\t5" in piped.stdout.splitlines()
    assert lines["staging"][5] == "keyring file.PlaintextKeyring (insecure)"
    assert_clean(piped, staging, prod)


def test_logout_profile_removes_its_login_and_config_section(cli: Cli) -> None:
    """Like gh auth logout: the profile is gone, and the message says what went."""
    import tomllib

    from vtctl.config.paths import config_path

    jwt = make_jwt(user_id=5)
    assert cli("auth", "login", "--with-token", "-p", "staging", "--base-url",
               "http://staging.test", stdin=jwt).exit_code == 0
    assert cli("auth", "login", "--with-token", "-p", "prod", stdin=make_jwt()).exit_code == 0
    assert "staging" in tomllib.loads(config_path().read_text())["profiles"]

    result = cli("auth", "logout", "--profile", "staging")
    assert result.exit_code == 0, result.stderr
    assert "removed the stored token" in result.stderr
    assert "[profiles.staging]" in result.stderr and str(config_path()) in result.stderr
    assert_clean(result, jwt)
    assert stored("jwt", "staging") is None and stored("jwt", "prod") is not None
    assert set(tomllib.loads(config_path().read_text())["profiles"]) == {"prod"}
    listed = json.loads(cli("auth", "status", "--json", "-p", "prod").stdout)["profiles"]
    assert [row["profile"] for row in listed] == ["prod"]


def test_login_prompt_reads_a_line_when_not_a_terminal(cli: Cli) -> None:
    jwt = make_jwt()
    result = cli("auth", "login", stdin=jwt + "\nignored\n")
    assert result.exit_code == 0, result.stderr
    assert stored("jwt") == jwt


def test_status_json_when_not_logged_in(cli: Cli) -> None:
    result = cli("auth", "status", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["logged_in"] is False


def test_status_expired_token_exits_3(cli: Cli) -> None:
    from vtctl.config.secrets_store import set_secret

    old = make_jwt(lifetime=-120)
    set_secret("default", "jwt", old)
    result = cli("auth", "status", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["expired"] is True
    assert "log in again" in result.stderr
    assert_clean(result, old)


@pytest.mark.parametrize(
    ("stdin", "code", "message"),
    [
        ("", 2, "no token given"),
        ("not-a-jwt", 2, "not a JWT"),
        ("a.b.c", 2, "not a JWT"),
    ],
)
def test_login_rejects_bad_input(cli: Cli, stdin: str, code: int, message: str) -> None:
    result = cli("auth", "login", "--with-token", stdin=stdin)
    assert result.exit_code == code
    assert message in result.stderr
    assert stored("jwt") is None


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer  "])
def test_login_accepts_a_pasted_authorization_header_value(cli: Cli, prefix: str) -> None:
    token = make_jwt()
    result = cli("auth", "login", "--with-token", stdin=f"{prefix}{token}\n")
    assert result.exit_code == 0, result.stderr
    assert stored("jwt") == token


def test_login_rejects_an_expired_token(cli: Cli) -> None:
    old = make_jwt(lifetime=-10)
    result = cli("auth", "login", "--with-token", stdin=old)
    assert result.exit_code == 3 and "expired" in result.stderr
    assert_clean(result, old)


def test_token_on_argv_is_refused_without_echoing_it(cli: Cli) -> None:
    jwt = make_jwt()
    result = cli("auth", "login", jwt)
    assert result.exit_code == 2
    assert "never taken from the command line" in result.stderr
    assert_clean(result, jwt)
    assert stored("jwt") is None


def test_login_with_username_and_password(cli: Cli, httpx_mock: HTTPXMock) -> None:
    access, refresh = make_jwt(user_id=5), make_jwt(user_id=5, token_type="refresh")
    httpx_mock.add_response(
        url=url("/api/token/"), method="POST",
        match_json={"username": "sarah@example.com", "password": "hunter2-pw"},
        json={"access": access, "refresh": refresh},
    )
    result = cli("auth", "login", "--username", "sarah@example.com", "--base-url", BASE,
                 stdin="hunter2-pw\n")
    assert result.exit_code == 0, result.stderr
    assert_clean(result, access, refresh, "hunter2-pw")
    assert stored("jwt") == access and stored("refresh") == refresh
    assert f"saved base_url = {BASE} in profile 'default'" in result.stderr


def test_login_with_custom_token_path(cli: Cli, httpx_mock: HTTPXMock) -> None:
    assert cli("config", "set", "token_path", "/auth/jwt/create/").exit_code == 0
    httpx_mock.add_response(url=url("/auth/jwt/create/"), method="POST",
                            json={"access": make_jwt()})
    result = cli("auth", "login", "-u", "jane", "--base-url", BASE, stdin="pw-123456\n")
    assert result.exit_code == 0, result.stderr


def test_login_with_wrong_password(cli: Cli, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=url("/api/token/"), method="POST", status_code=401,
        json={"detail": "No active account found with the given credentials"},
    )
    result = cli("auth", "login", "-u", "jane", "--base-url", BASE, stdin="wrong-pass\n")
    assert result.exit_code == 3
    assert "login failed" in result.stderr and "No active account" in result.stderr
    assert_clean(result, "wrong-pass")
    assert stored("jwt") is None


def test_relogin_with_token_drops_an_old_refresh_token(cli: Cli) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("default", "refresh", make_jwt(user_id=9, token_type="refresh"))
    assert cli("auth", "login", "--with-token", stdin=make_jwt()).exit_code == 0
    assert stored("refresh") is None


# --- VTCTL_JWT precedence ---------------------------------------------------------------


def test_env_jwt_wins_over_keyring(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                   httpx_mock: HTTPXMock) -> None:
    keyring_jwt, env_jwt = make_jwt(user_id=2), make_jwt(user_id=5)
    assert cli("auth", "login", "--with-token", stdin=keyring_jwt).exit_code == 0
    monkeypatch.setenv("VTCTL_JWT", env_jwt)

    assert cli("auth", "token").stdout == env_jwt + "\n"
    status = json.loads(cli("auth", "status", "--json").stdout)
    assert (status["source"], status["user_id"]) == ("environment", "5")

    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    result = cli("token", "47", "--json", "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    assert httpx_mock.get_requests()[0].headers["Authorization"] == f"Bearer {env_jwt}"
    assert_clean(result, env_jwt, keyring_jwt)


def test_login_warns_when_env_jwt_is_set(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_JWT", make_jwt())
    result = cli("auth", "login", "--with-token", stdin=make_jwt(user_id=7))
    assert result.exit_code == 0 and "VTCTL_JWT" in result.stderr


# --- missing keyring backend -----------------------------------------------------------


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    choose_keyring(monkeypatch, "keyring.backends.fail.Keyring")


@pytest.mark.usefixtures("no_keyring")
@pytest.mark.parametrize(
    ("args", "stdin"),
    [(("auth", "login", "--with-token"), make_jwt()), (("auth", "status"), ""),
     (("auth", "token"), ""), (("token", "47", "--base-url", BASE), "")],
)
def test_no_keyring_names_the_fix(cli: Cli, args: tuple[str, ...], stdin: str) -> None:
    result = cli(*args, stdin=stdin)
    assert result.exit_code == 3, result.stderr
    assert "VTCTL_JWT" in result.stderr
    assert "`vtctl auth login --insecure-storage`" in result.stderr
    assert_clean(result, stdin.strip() or "-none-")


@pytest.mark.usefixtures("no_keyring")
def test_insecure_storage_login_without_keyring(cli: Cli, httpx_mock: HTTPXMock) -> None:
    """gh's --insecure-storage: a 0600 file, said on stderr, found by later commands."""
    import stat

    from vtctl.config.secrets_store import plain_file_path

    jwt = make_jwt(user_id=9)
    login = cli("auth", "login", "--with-token", "--insecure-storage", stdin=jwt)
    assert login.exit_code == 0, login.stderr
    path = plain_file_path()
    assert str(path) in login.stderr and "plain file" in login.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert_clean(login, jwt)
    status = cli("auth", "status", "--json")
    assert status.exit_code == 0, status.stderr
    assert json.loads(status.stdout)["user_id"] == "9"
    httpx_mock.add_response(url=TOKEN_URL, match_headers={"Authorization": f"Bearer {jwt}"},
                            json=TOKEN_BODY)
    assert cli("token", "47", "--json", "--base-url", BASE).exit_code == 0
    logout = cli("auth", "logout")
    assert logout.exit_code == 0, logout.stderr
    assert "removed" in logout.stderr
    assert not path.exists()
    assert cli("auth", "status").exit_code == 3


@pytest.mark.usefixtures("no_keyring")
def test_no_keyring_hint_names_no_uninstalled_backend(cli: Cli, monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    """A plain `pip install .` has no keyrings.alt: suggesting it only repeats the error."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "keyrings.alt" else real(name, *a))
    result = cli("auth", "login", "--with-token", stdin=make_jwt())
    assert result.exit_code == 3
    assert "keyrings.alt" not in result.stderr
    assert "VTCTL_JWT" in result.stderr and "OS keyring" in result.stderr


@pytest.mark.usefixtures("no_keyring")
def test_no_keyring_env_jwt_still_works(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                        httpx_mock: HTTPXMock) -> None:
    monkeypatch.setenv("VTCTL_JWT", make_jwt())
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    assert cli("token", "47", "--raw", "--base-url", BASE).exit_code == 0


# --- auth twilio -------------------------------------------------------------------------


def test_auth_twilio_stores_credentials(cli: Cli) -> None:
    result = cli("auth", "twilio", "--account-sid", TEST_ACCOUNT_SID, "--api-key", TEST_API_KEY,
                 stdin=TEST_API_SECRET + "\n")
    assert result.exit_code == 0, result.stderr
    assert_clean(result, TEST_API_SECRET)
    from vtctl.local.credentials import from_keyring

    creds = from_keyring("default")
    assert creds is not None
    assert (creds.account_sid, creds.api_key, creds.api_secret) == (
        TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
    assert json.loads(stored("twilio") or "{}")["api_secret"] == TEST_API_SECRET


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--account-sid", "AC123", "--api-key", TEST_API_KEY), TEST_API_SECRET, "account SID"),
        (("--account-sid", TEST_ACCOUNT_SID, "--api-key", "nope"), TEST_API_SECRET, "API key"),
        (("--account-sid", TEST_ACCOUNT_SID, "--api-key", TEST_API_KEY), "\n", "no API secret"),
        (("--account-sid", TEST_ACCOUNT_SID, "--api-key", TEST_API_KEY, TEST_API_SECRET), "",
         "never taken from the command line"),
    ],
)
def test_auth_twilio_rejects(cli: Cli, args: tuple[str, ...], stdin: str, message: str) -> None:
    result = cli("auth", "twilio", *args, stdin=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert_clean(result, TEST_API_SECRET)
    assert stored("twilio") is None


def test_auth_twilio_requires_the_sids(cli: Cli) -> None:
    assert cli("auth", "twilio", stdin=TEST_API_SECRET).exit_code == 2


# --- the remote backend through the CLI ---------------------------------------------------


@pytest.fixture
def logged_in(monkeypatch: pytest.MonkeyPatch) -> str:
    jwt = make_jwt()
    monkeypatch.setenv("VTCTL_JWT", jwt)
    return jwt


def test_remote_token_happy_path(cli: Cli, logged_in: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    result = cli("token", "47", "--json", "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == TOKEN_BODY
    assert_clean(result, logged_in)


def test_remote_refresh_and_appointment(cli: Cli, logged_in: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-token-refresh/47/"),
                            json=TOKEN_BODY)
    httpx_mock.add_response(url=url("/api/appointments/47/"), json=APPOINTMENT_BODY)
    assert cli("refresh", "47", "--raw", "--base-url", BASE).stdout == (
        TOKEN_BODY["access_token"] + "\n")
    shown = cli("appointment", "show", "47", "--json", "--base-url", BASE)
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["video_room_id"] == ROOM


def test_remote_room_create(cli: Cli, logged_in: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-room/47/"), method="POST",
                            status_code=201,
                            json={"appointment_id": 47, "room_name": ROOM, "created": True})
    result = cli("room", "create", "47", "--json", "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["room_name"] == ROOM


@pytest.mark.parametrize(
    ("status", "body", "code", "message"),
    [
        (401, {"detail": "Given token not valid for any token type"}, 3,
         "log in again with `vtctl auth login`"),
        (403, PERMISSION_DENIED, 4, "Permission denied"),
        (404, APPOINTMENT_NOT_FOUND, 5, "Appointment not found"),
        (404, NO_VIDEO_ROOM, 5, "No video room found for this appointment"),
        (500, TOKEN_FAILED, 6, "Failed to generate access token"),
        (500, {"detail": "boom"}, 6, "HTTP 500"),
        (200, {"error": "Twilio misconfigured"}, 6, "Twilio misconfigured"),
        (200, {"room_name": ROOM}, 6, "missing field"),
    ],
)
def test_remote_faults_exit_codes(
    cli: Cli, logged_in: str, httpx_mock: HTTPXMock,
    status: int, body: dict[str, Any], code: int, message: str,
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=status, json=body)
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert_clean(result, logged_in)


@pytest.mark.usefixtures("no_backoff")
def test_remote_html_proxy_page(cli: Cli, logged_in: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=502, html=HTML_PAGE, is_reusable=True)
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 6
    assert "HTTP 502" in result.stderr and "<html>" not in result.stderr
    assert len(httpx_mock.get_requests()) == 3  # retried, then reported
    assert_clean(result, logged_in)


def test_remote_200_html_is_malformed(cli: Cli, logged_in: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, html=HTML_PAGE)
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 6 and "not JSON" in result.stderr


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (connect_error(REFUSED), "connection refused"),
        (connect_error(NO_SUCH_HOST), "cannot resolve host"),
        (httpx.ReadTimeout("timed out"), "no complete reply"),
        (connect_error(UNTRUSTED), "TLS verification failed"),
    ],
)
def test_remote_network_faults_exit_7(cli: Cli, logged_in: str, httpx_mock: HTTPXMock,
                                      exc: Exception, message: str) -> None:
    httpx_mock.add_exception(exc, is_reusable=True)
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 7, result.stderr
    assert message in result.stderr
    assert_clean(result, logged_in)


def test_remote_not_logged_in(cli: Cli, httpx_mock: HTTPXMock) -> None:
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 3
    assert "not logged in: run `vtctl auth login` or set VTCTL_JWT" in result.stderr
    assert httpx_mock.get_requests() == []


def test_remote_expired_env_jwt_is_not_sent(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                            httpx_mock: HTTPXMock) -> None:
    old = make_jwt(lifetime=-30)
    monkeypatch.setenv("VTCTL_JWT", old)
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 3
    assert "the JWT in VTCTL_JWT expired" in result.stderr
    assert "unset it" in result.stderr  # `vtctl auth login` cannot help while it is set
    assert httpx_mock.get_requests() == []
    assert_clean(result, old)


def test_remote_expired_profile_login_names_the_profile(cli: Cli, httpx_mock: HTTPXMock) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("work", "jwt", make_jwt(lifetime=-30))
    result = cli("token", "47", "--base-url", BASE, "--profile", "work")
    assert result.exit_code == 3
    assert "the login of profile 'work' expired" in result.stderr
    assert "`vtctl auth login --profile work`" in result.stderr
    assert httpx_mock.get_requests() == []


def test_remote_as_user_is_refused_before_any_request(cli: Cli, logged_in: str,
                                                      httpx_mock: HTTPXMock) -> None:
    """Issue 19 rule 5: remotely the JWT decides the user; --as would be ignored."""
    result = cli("token", "47", "--as", "5", "--json", "--base-url", BASE)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "--as is for the local engine" in result.stderr
    assert httpx_mock.get_requests() == []


def test_auth_token_refreshes_an_expired_keyring_jwt(cli: Cli, httpx_mock: HTTPXMock) -> None:
    from vtctl.config.secrets_store import set_secret

    new = make_jwt()
    set_secret("default", "jwt", make_jwt(lifetime=-60))
    set_secret("default", "refresh", "refresh-token-abcdef")
    httpx_mock.add_response(url=url("/api/token/refresh/"), method="POST",
                            json={"access": new, "refresh": "rotated-refresh-123"})
    result = cli("auth", "token", "--base-url", BASE)
    assert (result.exit_code, result.stdout) == (0, new + "\n")
    assert stored("refresh") == "rotated-refresh-123"


def test_refused_refresh_says_log_in_again(cli: Cli, httpx_mock: HTTPXMock) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("default", "jwt", make_jwt(lifetime=-60))
    set_secret("default", "refresh", "refresh-token-abcdef")
    httpx_mock.add_response(url=url("/api/token/refresh/"), method="POST", status_code=401,
                            json={"detail": "Token is invalid or expired"})
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 3 and "vtctl auth login" in result.stderr


# --- --debug never shows the JWT ------------------------------------------------------------


@pytest.mark.usefixtures("root_logger_restored", "no_backoff")
def test_debug_output_redacts_the_jwt(cli: Cli, logged_in: str, httpx_mock: HTTPXMock,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=503)
    httpx_mock.add_response(url=TOKEN_URL, status_code=401, json={"detail": "bad token"})
    result = cli("--debug", "token", "47", "--base-url", BASE)
    captured = capsys.readouterr()
    assert result.exit_code == 3
    assert "debug:" in captured.err  # the log lines were written
    assert "video-token/47" in captured.err
    assert logged_in not in captured.err + captured.out + result.stderr + result.stdout


# --- the real executable ---------------------------------------------------------------------


def test_real_process_login_status_logout(vtctl: Callable[..., Any]) -> None:
    jwt = make_jwt(user_id=5)
    login = vtctl("auth", "login", "--with-token", stdin=jwt)
    assert login.returncode == 0, login.stderr
    status = vtctl("auth", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["user_id"] == "5"
    assert jwt not in status.stdout + status.stderr + login.stdout + login.stderr
    assert vtctl("auth", "token").stdout == jwt + "\n"
    assert vtctl("auth", "logout").returncode == 0
    assert vtctl("auth", "status").returncode == 3


# --- a 401 to a keyring token: refresh once and send again -----------------------------------


@pytest.mark.parametrize("why", ["expired", "refused"])
def test_a_keyring_jwt_is_refreshed_and_the_request_sent(
    why: str, cli: Cli, httpx_mock: HTTPXMock
) -> None:
    """Expired by its own clock (refreshed before sending), or refused with a 401
    although it looks valid (revoked, or clocks differ): refreshed once, sent again."""
    from vtctl.config.secrets_store import set_secret

    old = make_jwt(lifetime=-60) if why == "expired" else make_jwt()
    refresh, new = "refresh-token-abcdef", make_jwt(user_id=2)
    set_secret("default", "jwt", old)
    set_secret("default", "refresh", refresh)
    if why == "refused":
        httpx_mock.add_response(url=TOKEN_URL, match_headers={"Authorization": f"Bearer {old}"},
                                status_code=401, json={"detail": "Token is blacklisted"})
    httpx_mock.add_response(url=url("/api/token/refresh/"), method="POST",
                            match_json={"refresh": refresh}, json={"access": new})
    httpx_mock.add_response(url=TOKEN_URL, match_headers={"Authorization": f"Bearer {new}"},
                            json=TOKEN_BODY)
    result = cli("token", "47", "--json", "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == TOKEN_BODY
    assert stored("jwt") == new
    assert_clean(result, old, refresh, new)


def test_a_second_401_is_reported_after_one_refresh(cli: Cli, httpx_mock: HTTPXMock) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("default", "jwt", make_jwt())
    set_secret("default", "refresh", "refresh-token-abcdef")
    httpx_mock.add_response(url=TOKEN_URL, status_code=401, is_reusable=True,
                            json={"detail": "Given token not valid for any token type"})
    httpx_mock.add_response(url=url("/api/token/refresh/"), method="POST",
                            json={"access": make_jwt(user_id=2)})
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 3 and "vtctl auth login" in result.stderr
    refreshes = [r for r in httpx_mock.get_requests() if r.url.path == "/api/token/refresh/"]
    assert len(refreshes) == 1 and len(httpx_mock.get_requests()) == 3


def test_a_refused_env_jwt_is_not_refreshed(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, httpx_mock: HTTPXMock
) -> None:
    """VTCTL_JWT is the script's token: vtctl reports the 401 and does not swap it."""
    from vtctl.config.secrets_store import set_secret

    set_secret("default", "refresh", "refresh-token-abcdef")
    monkeypatch.setenv("VTCTL_JWT", make_jwt())
    httpx_mock.add_response(url=TOKEN_URL, status_code=401, json={"detail": "Token is invalid"})
    result = cli("token", "47", "--base-url", BASE)
    assert result.exit_code == 3
    assert len(httpx_mock.get_requests()) == 1


@pytest.mark.parametrize("how", ["environment", "flag"])
def test_login_saves_the_base_url_it_logged_in_to(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """`VTCTL_BASE_URL=... vtctl auth login`: the next command must go to that server."""
    from vtctl.cli.framework.backend_flags import settings_from

    args = ["auth", "login", "--with-token", "--profile", "work"]
    if how == "environment":
        monkeypatch.setenv("VTCTL_BASE_URL", "https://api.example.test")
    else:
        args += ["--base-url", "https://api.example.test"]
    result = cli(*args, stdin=make_jwt())
    assert result.exit_code == 0, result.stderr
    assert "saved base_url = https://api.example.test in profile 'work'" in result.stderr
    monkeypatch.delenv("VTCTL_BASE_URL", raising=False)
    assert settings_from(profile="work").base_url == "https://api.example.test"
