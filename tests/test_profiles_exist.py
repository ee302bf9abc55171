"""`--profile nosuch` (and `VTCTL_PROFILE`, `config use`) is refused, listing the
profiles; a login creates its profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.remote_helpers import make_jwt

Cli = Callable[..., Any]


@pytest.mark.parametrize("args", [
    ["token", "47", "--profile", "nosuch"],
    ["appointment", "list", "--profile", "nosuch"],
    ["auth", "status", "--profile", "nosuch"],
    ["status", "47", "--profile", "nosuch", "--json"],
], ids=" ".join)
def test_an_unknown_profile_is_refused_listing_the_profiles(cli: Cli, vtctl: Cli,
                                                            args: list[str]) -> None:
    assert cli("config", "set", "backend", "local", "--profile", "offline").exit_code == 0
    for result in (cli(*args), vtctl(*args)):
        code = getattr(result, "exit_code", getattr(result, "returncode", None))
        assert code == 2
        assert "no profile 'nosuch'; profiles: default, demo, offline" in result.stderr


def test_the_environment_variable_is_checked_too(cli: Cli, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.setenv("VTCTL_PROFILE", "nosuch")
    assert cli("appointment", "list").exit_code == 2


def test_a_login_creates_its_profile(cli: Cli) -> None:
    assert cli("auth", "login", "--with-token", "--profile", "jane",
               stdin=make_jwt()).exit_code == 0
    assert cli("auth", "status", "--profile", "jane").exit_code == 0
    assert cli("config", "use", "jane").exit_code == 0


def test_a_keyring_only_profile_of_an_older_login_still_works(cli: Cli) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("legacy", "jwt", make_jwt())
    assert cli("auth", "status", "--profile", "legacy").exit_code == 0
