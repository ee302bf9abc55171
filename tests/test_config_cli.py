"""``vtctl config ...``, ``config.save_config`` and the precedence flag > env > profile."""

from __future__ import annotations

import json
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import Result
from tests.remote_helpers import TOKEN_BODY, make_jwt

Cli = Callable[..., Result]


@pytest.fixture
def config_file(isolated_env: Path) -> Path:
    return isolated_env / "config" / "vtctl" / "config.toml"


def read(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text())


def test_path(cli: Cli, config_file: Path, monkeypatch: pytest.MonkeyPatch,
              tmp_path: Path) -> None:
    assert cli("config", "path").stdout == f"{config_file}\n"
    monkeypatch.setenv("VTCTL_CONFIG", str(tmp_path / "other.toml"))
    assert cli("config", "path").stdout == f"{tmp_path / 'other.toml'}\n"


def test_set_show_unset_round_trip(cli: Cli, config_file: Path) -> None:
    assert not config_file.exists()
    empty = cli("config", "show", "--json")
    assert empty.exit_code == 0
    assert json.loads(empty.stdout)["profiles"] == {}

    result = cli("config", "set", "base_url", "https://api.example.com/")
    assert result.exit_code == 0, result.stderr
    assert cli("config", "set", "backend", "local", "--profile", "dev").exit_code == 0
    assert cli("config", "set", "store", "~/dev.sqlite3", "-p", "dev").exit_code == 0

    assert read(config_file) == {
        "profiles": {
            "default": {"base_url": "https://api.example.com"},  # normalised
            "dev": {"backend": "local", "store": "~/dev.sqlite3"},
        }
    }
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["path"] == str(config_file)
    assert shown["profiles"]["dev"] == {"backend": "local", "store": "~/dev.sqlite3"}
    one = json.loads(cli("config", "show", "--json", "--profile", "dev").stdout)
    assert one == {"path": str(config_file), "default_profile": None,  # one shape, one profile
                   "profiles": {"dev": {"backend": "local", "store": "~/dev.sqlite3"}}}
    missing = json.loads(cli("config", "show", "--json", "--profile", "nope").stdout)
    assert missing["profiles"] == {}

    table = cli("config", "show")
    assert table.exit_code == 0
    assert "https://api.example.com" in table.stdout and "dev" in table.stdout

    assert cli("config", "unset", "backend", "-p", "dev").exit_code == 0
    assert read(config_file)["profiles"] == {
        "default": {"base_url": "https://api.example.com"}, "dev": {"store": "~/dev.sqlite3"},
    }
    assert cli("config", "unset", "store", "-p", "dev").exit_code == 0
    assert "dev" not in read(config_file)["profiles"]  # type: ignore[operator]
    noop = cli("config", "unset", "store", "-p", "dev")
    assert noop.exit_code == 0 and "was not set" in noop.stderr


def test_file_and_dir_modes(cli: Cli, config_file: Path) -> None:
    assert cli("config", "set", "base_url", "http://localhost:9000").exit_code == 0
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file.parent.stat().st_mode) == 0o700
    config_file.chmod(0o644)
    assert cli("config", "set", "backend", "remote").exit_code == 0
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600  # rewritten private


def test_save_config_round_trips(tmp_path: Path) -> None:
    from vtctl.config.profiles import Config, Profile, load_config, save_config

    path = tmp_path / "sub" / "config.toml"
    config = Config(path=path, default_profile="prod", profiles={
        "prod": Profile(name="prod", base_url="https://api.example.com", token_path="/t/"),
        "x y": Profile(name="x y", as_user="jane@example.com"),
    })
    save_config(config)
    assert load_config(path) == config


@pytest.mark.parametrize("key", ["jwt", "api_secret", "password", "twilio_api_secret",
                                 "access_token", "refresh_token", "TWILIO_API_KEY"])
def test_secret_keys_refused(cli: Cli, key: str, config_file: Path) -> None:
    result = cli("config", "set", key, "value-123")
    assert result.exit_code == 2
    assert "never holds secrets" in result.stderr
    assert not config_file.exists()


def test_jwt_value_refused(cli: Cli, config_file: Path) -> None:
    jwt = make_jwt()
    result = cli("config", "set", "as_user", jwt)
    assert result.exit_code == 2 and "looks like a token" in result.stderr
    assert jwt not in result.stderr
    assert not config_file.exists()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("colour", "red", "unknown setting"),
        ("backend", "cloud", "remote' or 'local"),
        ("base_url", "localhost:8000", "invalid base URL"),
        ("base_url", "http://h/api", "invalid base URL"),
        ("token_path", "api/token/", "starting with '/'"),
        ("refresh_path", "https://x/api/", "starting with '/'"),
        ("as_user", "  ", "cannot be empty"),
    ],
)
def test_invalid_settings(cli: Cli, key: str, value: str, message: str,
                          config_file: Path) -> None:
    result = cli("config", "set", key, value)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not config_file.exists()


def test_unset_unknown_key(cli: Cli) -> None:
    assert cli("config", "unset", "colour").exit_code == 2


def test_demo_profile_is_read_only(cli: Cli) -> None:
    result = cli("config", "set", "backend", "remote", "--profile", "demo")
    assert result.exit_code == 2 and "demo" in result.stderr


def test_use_sets_the_default_profile(cli: Cli, config_file: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    refused = cli("config", "use", "staging")
    assert refused.exit_code == 2  # a typo must not become the default
    assert "no profile 'staging'; profiles: default, demo" in refused.stderr
    assert cli("config", "set", "backend", "remote", "--profile", "staging").exit_code == 0
    result = cli("config", "use", "staging")
    assert result.exit_code == 0
    assert read(config_file)["default_profile"] == "staging"
    # set/unset without --profile now edit the default profile
    assert cli("config", "set", "base_url", "https://staging.example.com").exit_code == 0
    assert read(config_file)["profiles"] == {  # type: ignore[comparison-overlap]
        "staging": {"backend": "remote", "base_url": "https://staging.example.com"}}
    # VTCTL_PROFILE wins over default_profile, --profile over both
    monkeypatch.setenv("VTCTL_PROFILE", "ci")
    assert cli("config", "set", "backend", "local").exit_code == 0
    assert cli("config", "set", "backend", "remote", "--profile", "prod").exit_code == 0
    profiles = read(config_file)["profiles"]
    assert profiles["ci"] == {"backend": "local"}  # type: ignore[index]
    assert profiles["prod"] == {"backend": "remote"}  # type: ignore[index]
    assert cli("config", "use", "bad/name").exit_code == 2


def test_broken_config_file_is_a_usage_error(cli: Cli, config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text("[profiles.x\n")
    result = cli("config", "show")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_login_never_writes_the_config(cli: Cli, config_file: Path) -> None:
    jwt = make_jwt()
    assert cli("config", "set", "base_url", "http://127.0.0.1:8001").exit_code == 0
    assert cli("auth", "login", "--with-token", stdin=jwt).exit_code == 0
    assert jwt not in config_file.read_text()


# --- precedence: flag > env > profile > default ------------------------------------------


def _token_url(base: str) -> str:
    return f"{base}/api/appointments/video-token/47/"


@pytest.fixture
def jwt_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_JWT", make_jwt())


@pytest.mark.usefixtures("jwt_env")
def test_base_url_precedence(cli: Cli, httpx_mock: HTTPXMock,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    profile, env, flag = "http://127.0.0.1:8001", "http://127.0.0.1:8002", "http://127.0.0.1:8003"
    for base in ("http://localhost:8000", profile, env, flag):
        httpx_mock.add_response(url=_token_url(base), json=TOKEN_BODY)

    assert cli("token", "47", "--json").exit_code == 0  # default
    assert cli("config", "set", "base_url", profile).exit_code == 0
    assert cli("token", "47", "--json").exit_code == 0  # profile
    monkeypatch.setenv("VTCTL_BASE_URL", env)
    assert cli("token", "47", "--json").exit_code == 0  # env beats profile
    assert cli("token", "47", "--json", "--base-url", flag).exit_code == 0  # flag beats env
    hosts = [str(r.url) for r in httpx_mock.get_requests()]
    assert hosts == [_token_url(b) for b in ("http://localhost:8000", profile, env, flag)]


@pytest.mark.usefixtures("jwt_env")
def test_profile_selection_precedence(cli: Cli, httpx_mock: HTTPXMock,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = "http://127.0.0.1:8011", "http://127.0.0.1:8012", "http://127.0.0.1:8013"
    assert cli("config", "set", "base_url", a, "-p", "a").exit_code == 0
    assert cli("config", "set", "base_url", b, "-p", "b").exit_code == 0
    assert cli("config", "set", "base_url", c, "-p", "c").exit_code == 0
    assert cli("config", "use", "a").exit_code == 0
    for base in (a, b, c):
        httpx_mock.add_response(url=_token_url(base), json=TOKEN_BODY)
    assert cli("token", "47", "--json").exit_code == 0  # default_profile a
    monkeypatch.setenv("VTCTL_PROFILE", "b")
    assert cli("token", "47", "--json").exit_code == 0  # env b
    assert cli("token", "47", "--json", "--profile", "c").exit_code == 0  # flag c
    assert [str(r.url) for r in httpx_mock.get_requests()] == [_token_url(x) for x in (a, b, c)]


def test_backend_precedence_env_over_profile(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                             httpx_mock: HTTPXMock) -> None:
    """A profile saying local is overridden by VTCTL_BACKEND=remote (then: not logged in)."""
    assert cli("config", "set", "backend", "local").exit_code == 0
    monkeypatch.setenv("VTCTL_BACKEND", "remote")
    result = cli("auth", "status", "--json")
    assert json.loads(result.stdout)["backend"] == "remote"
    monkeypatch.delenv("VTCTL_BACKEND")
    assert json.loads(cli("auth", "status", "--json").stdout)["backend"] == "local"


def test_remove_profile_drops_section_login_and_twilio(cli: Cli, config_file: Path) -> None:
    from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
    from vtctl.config.secrets_store import get_secret

    jwt = make_jwt(user_id=5)
    assert cli("auth", "login", "--with-token", "-p", "old", "--base-url",
               "http://old.test", stdin=jwt).exit_code == 0
    assert cli("auth", "twilio", "--account-sid", TEST_ACCOUNT_SID, "--api-key", TEST_API_KEY,
               "-p", "old", stdin=TEST_API_SECRET).exit_code == 0
    assert cli("config", "set", "backend", "local", "-p", "kept").exit_code == 0
    assert cli("config", "use", "old").exit_code == 0

    result = cli("config", "remove-profile", "old")
    assert result.exit_code == 0, result.stderr
    assert "token" in result.stderr and "Twilio credentials" in result.stderr
    assert "[profiles.old]" in result.stderr and str(config_file) in result.stderr
    assert jwt not in result.stderr and TEST_API_SECRET not in result.stderr
    data = read(config_file)
    assert set(data["profiles"]) == {"kept"} and "default_profile" not in data  # type: ignore
    assert get_secret("old", "jwt") is None and get_secret("old", "twilio") is None
    assert cli("token", "47", "-p", "old").exit_code == 2  # the profile is gone

    again = cli("config", "remove-profile", "old")
    assert again.exit_code == 0 and "nothing removed" in again.stderr
    assert cli("config", "remove-profile", "demo").exit_code != 0


def test_the_demo_profile_keeps_its_own_store_whatever_vtctl_store_says(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A VTCTL_STORE exported for real work is not the demo's: ``--profile demo`` neither
    creates that file nor reads it (its users are not the demo's) nor writes demo tokens
    into its audit trail; an explicit ``--store`` is refused (it made and seeded that
    file, though `token` only reads): tests/test_flags_apply.py checks every command."""
    elsewhere = tmp_path / "real-work.sqlite3"
    monkeypatch.setenv("VTCTL_STORE", str(elsewhere))
    result = cli("token", "47", "--profile", "demo", "--json", "user_identity")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"user_identity": "2-jane.doe@example.com"}
    assert not elsewhere.exists()
    explicit = tmp_path / "explicit.sqlite3"
    refused = cli("token", "47", "--profile", "demo", "--store", str(explicit))
    assert refused.exit_code == 2 and "the demo profile keeps its own store" in refused.stderr
    assert not explicit.exists()
