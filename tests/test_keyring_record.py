"""The keyring backend remembered at login: later commands import only it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import recommended_keyring
from tests.conftest import choose_keyring
from tests.serve_fixtures import RunningServer
from vtctl.config import secrets_store

PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
REPO = Path(__file__).resolve().parents[1]
Cli = Any


def login(cli: Cli, server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Log in with the OS keyring's stand-in chosen (vtctl picks no file keyring itself)."""
    choose_keyring(monkeypatch, recommended_keyring.NAME)
    result = cli("auth", "login", "--with-token", "--base-url", server.url,
                 stdin=server.jwt(2) + "\n")
    assert result.exit_code == 0, result.stderr


#: the console script's entry point, with a probe listing every module it imported
PROBE = """\
import atexit, sys
listing = sys.argv[1]
atexit.register(lambda: open(listing, "w").write("\\n".join(sorted(sys.modules))))
from vtctl.launch.entry import main
sys.argv = ["vtctl", "token", "47", "--json"]
sys.exit(main())
"""


def token_imports(server: RunningServer, tmp_path: Path
                  ) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``vtctl token 47 --json`` in a subprocess without PYTHON_KEYRING_BACKEND: its imports."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(VTCTL_BASE_URL=server.url, PYTHONPATH=str(REPO))  # the stand-in's module
    listing = tmp_path / "modules.txt"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(listing)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    return result, set(listing.read_text().split())


def test_login_records_the_backend_that_stored_the_jwt(
    cli: Cli, serve_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(cli, serve_server, monkeypatch)
    assert secrets_store.backend_record_path().read_text().strip() == recommended_keyring.NAME


def test_a_later_token_imports_only_the_recorded_backend(
    cli: Cli, serve_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(cli, serve_server, monkeypatch)
    result, modules = token_imports(serve_server, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip())["appointment_id"] == 47
    assert "tests.recommended_keyring" in modules
    # keyring.core imports its own `fail` fallback (and keyring's chainer/core the
    # modules _recommended needs); no backend is asked whether it works: no detection
    assert {m for m in modules if m.startswith("keyring.backends.")} <= {
        "keyring.backends.fail", "keyring.backends.chainer"}
    assert "keyring.backends.SecretService" not in modules


def test_a_gone_backend_falls_back_to_detection(
    cli: Cli, serve_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(cli, serve_server, monkeypatch)
    secrets_store.backend_record_path().write_text("keyrings.gone.Keyring\n")
    result, modules = token_imports(serve_server, tmp_path)
    detected = {m for m in modules if m.startswith("keyring.backends.")}
    assert detected - {"keyring.backends.fail", "keyring.backends.chainer"}, (
        "full detection imports the other backends")
    # here it finds only keyrings.alt's file keyring, which vtctl does not pick by itself
    assert result.returncode == 3, result.stderr[-2000:]
    assert "a file keyring vtctl does not pick by itself" in result.stderr


def test_a_recorded_file_keyring_is_used_only_while_chosen(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_store.set_secret("default", "jwt", "a.b.c")  # conftest chose PlaintextKeyring
    assert secrets_store.backend_record_path().read_text().strip() == PLAINTEXT
    assert type(secrets_store._recorded_backend()).__name__ == "PlaintextKeyring"
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    assert secrets_store._recorded_backend() is None


@pytest.mark.parametrize("record", ["", "os.path", "keyring.backends.fail.Keyring"])
def test_a_record_that_names_no_usable_backend_is_ignored(
    record: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = secrets_store.backend_record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    assert secrets_store._recorded_backend() is None


def test_python_keyring_backend_wins_over_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_store.set_secret("default", "jwt", "a.b.c")  # records PlaintextKeyring
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.EncryptedKeyring")
    assert secrets_store._recorded_backend() is None
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT)
    assert type(secrets_store._recorded_backend()).__name__ == "PlaintextKeyring"
