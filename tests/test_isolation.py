"""The test run never writes to the user's HOME: module- and session-scoped fixtures
(a store made once for a module keys its audit trail) run before any test's own
isolation, so the session has a private HOME and keyring too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REAL_HOME


@pytest.fixture(scope="module")
def module_env() -> dict[str, str]:
    return dict(os.environ)


def test_module_fixtures_run_in_a_private_home_and_keyring(module_env: dict[str, str]) -> None:
    home = module_env["HOME"]
    assert home != REAL_HOME
    assert Path(home).name.startswith("session-home")
    assert module_env["XDG_CONFIG_HOME"].startswith(home)
    assert module_env["PYTHON_KEYRING_BACKEND"] == "keyrings.alt.file.PlaintextKeyring"
    assert not any(name.startswith(("VTCTL_", "TWILIO_")) for name in module_env)


def test_each_test_has_its_own_home_inside_the_run(module_env: dict[str, str]) -> None:
    assert os.environ["HOME"] not in (REAL_HOME, module_env["HOME"])


def test_prism_is_looked_for_where_the_run_installed_it(module_env: dict[str, str]) -> None:
    """Prism's npm cache is named by the environment the run started in (``.ci/run``
    installs it there), not the private HOME: else every run would install it again."""
    from tests.prism_fixtures import npm_cache

    assert not str(npm_cache()).startswith(module_env["HOME"])
    assert not str(npm_cache()).startswith(os.environ["HOME"])
