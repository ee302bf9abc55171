"""``vtctl auth logout`` removes what exists (a login in the keyring or the plain file, the
profile's config section) and fails only when something there may be cannot be removed:
with and without an OS keyring (each test picks its keyring explicitly)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result, choose_keyring
from tests.remote_helpers import make_jwt

Cli = Callable[..., Result]
NO_KEYRING = "keyring.backends.fail.Keyring"


def sections(config: Path) -> set[str]:
    return set(tomllib.loads(config.read_text()).get("profiles", {})) if config.exists() else set()


def config_file(cli: Cli) -> Path:
    return Path(cli("config", "path").stdout.strip())


def test_the_readme_example_without_a_keyring(
    cli: Cli, vtctl: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """README: `vtctl auth logout --profile offline  # its login and its [profiles.offline]
    section`, on a machine without a keyring, through the real executable."""
    choose_keyring(monkeypatch, NO_KEYRING)
    assert vtctl("config", "set", "backend", "local", "--profile", "offline").returncode == 0
    assert "offline" in vtctl("config", "show").stdout
    result = vtctl("auth", "logout", "--profile", "offline")
    assert result.returncode == 0, result.stderr
    assert "[profiles.offline]" in result.stderr and "no token was stored" in result.stderr
    assert "keyring" not in result.stderr and "--insecure-storage" not in result.stderr
    assert "offline" not in vtctl("config", "show").stdout
    assert "offline" not in sections(config_file(cli))
    again = vtctl("auth", "logout", "--profile", "offline")  # the profile is gone
    assert again.returncode == 2 and "no profile 'offline'" in again.stderr, again.stderr
    second = vtctl("auth", "logout")  # nothing stored for the default profile: says so
    assert second.returncode == 3 and second.stderr.startswith(
        "error: not logged in to profile 'default'"), second.stderr
    assert "--insecure-storage" not in second.stderr


def test_without_a_keyring_the_plain_file_login_and_section_go(
    cli: Cli, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vtctl.config.secrets_store import plain_file_path

    choose_keyring(monkeypatch, NO_KEYRING)
    jwt = make_jwt(user_id=9)
    login = cli("auth", "login", "--with-token", "--insecure-storage", "--profile", "offline",
                "--base-url", "http://offline.test", stdin=jwt)
    assert login.exit_code == 0, login.stderr
    assert cli("auth", "login", "--with-token", "--insecure-storage", "--profile", "kept",
               stdin=make_jwt()).exit_code == 0
    result = cli("auth", "logout", "--profile", "offline")
    assert result.exit_code == 0, result.stderr
    assert "removed the stored token" in result.stderr and "[profiles.offline]" in result.stderr
    assert jwt not in plain_file_path().read_text()  # the other profile's login stays
    assert sections(config_file(cli)) == {"kept"}


def test_with_a_keyring_a_profile_without_a_login_is_removed_too(cli: Cli) -> None:
    """The same on a machine with a keyring (the tests' file keyring, chosen in conftest)."""
    assert cli("config", "set", "backend", "local", "--profile", "offline").exit_code == 0
    result = cli("auth", "logout", "--profile", "offline")
    assert result.exit_code == 0, result.stderr
    assert "[profiles.offline]" in result.stderr and "no token was stored" in result.stderr
    assert "offline" not in sections(config_file(cli))


def test_a_keyring_that_cannot_be_read_is_an_error_that_says_so(
    cli: Cli, isolated_env: Path,
) -> None:
    """A keyring that exists but fails: a login may be in it, so no "logged out"; the hint
    is about the keyring, not about logging in."""
    assert cli("config", "set", "backend", "local", "--profile", "offline").exit_code == 0
    keyring_file = isolated_env / "data" / "python_keyring" / "keyring_pass.cfg"
    keyring_file.parent.mkdir(parents=True, exist_ok=True)
    keyring_file.write_bytes(b"\xff\xfe[[[\n=")
    result = cli("auth", "logout", "--profile", "offline")
    assert result.exit_code == 3, result.stderr
    assert "Logged out" not in result.stderr and "--insecure-storage" not in result.stderr
    assert "keyring" in result.stderr and "auth logout --profile offline" in result.stderr
    assert result.stderr.count("\n") <= 2
