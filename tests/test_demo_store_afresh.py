"""The demo store whose trail's key is gone (a key file deleted with a temporary config
folder, another keyring): every demo command that needs the key is exit 3, and its hint
says how to start the demo afresh (delete the demo store: the next demo command seeds
it again). Before, the hint sent people looking for the machine "that keeps the key"
and `vtctl token 47 --profile demo` failed for good.

Real SQLite store, through the command line; each test picks its keyring."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vtctl.config.settings import default_store_path
from vtctl.config.trail_key_files import trail_key_file
from vtctl.local.store import AppointmentStore

Cli = Callable[..., Any]

#: the demo commands that need the trail's key: two that mint, one that checks
NEEDING_THE_KEY = [
    ("token", "47", "--profile", "demo"),
    ("mint", "--identity", "support-agent", "--room", "apt-47-demo", "--profile", "demo"),
    ("audit", "verify", "--profile", "demo"),
]


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import choose_keyring

    choose_keyring(monkeypatch, "keyring.backends.fail.Keyring")


def demo_trail_id() -> str:
    with AppointmentStore.open(default_store_path("demo"), create=False) as store:
        return store.read_anchor().trail_id


def assert_demo_starts_afresh(cli: Cli) -> None:
    """Each command says how to start afresh; doing what it says makes them all work."""
    store = default_store_path("demo")
    for args in NEEDING_THE_KEY:
        result = cli(*args)
        assert result.exit_code == 3, (args, result.exit_code, result.stderr)
        error, hint = result.stderr.splitlines()
        assert error.startswith("error: ")
        assert hint == (f"hint: to start the demo afresh, delete its store {store}: the next "
                        "demo command seeds it with the shipped data again (what was added "
                        "to it, and its audit trail, go with it)"), args
    store.unlink()
    for args in NEEDING_THE_KEY:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)


@pytest.mark.usefixtures("no_keyring")
def test_a_demo_store_whose_key_file_is_gone_says_how_to_start_afresh(cli: Cli) -> None:
    assert cli("token", "47", "--profile", "demo").exit_code == 0  # seeds the demo store
    kept = trail_key_file(demo_trail_id())
    kept.unlink()
    assert_demo_starts_afresh(cli)
    assert trail_key_file(demo_trail_id()) != kept  # a new trail, with a key of its own


def test_a_demo_store_whose_keyring_lost_its_key_says_how_to_start_afresh(cli: Cli) -> None:
    import keyring

    assert cli("token", "47", "--profile", "demo").exit_code == 0
    old = demo_trail_id()
    keyring.delete_password("vtctl", f"audit-trail:{old}")
    assert_demo_starts_afresh(cli)
    assert demo_trail_id() != old


def test_another_store_keeps_its_hint(cli: Cli, tmp_path: Path, no_keyring: None) -> None:
    """A store of real work is not made again: its key must be found where it is kept."""
    from tests.helpers import make_store

    path = make_store(tmp_path / "work.sqlite3")
    with AppointmentStore.open(path) as store:
        trail_key_file(store.read_anchor().trail_id).unlink()
    result = cli("audit", "verify", "--store", str(path))
    assert result.exit_code == 3
    assert "run vtctl as the user, on the machine, that keeps the key" in result.stderr
    assert "demo" not in result.stderr
