"""No plaintext secret without asking: vtctl never picks a file keyring by itself.

After the README's "Test it", keyrings.alt sits in the same venv and keyring's
own detection lands on its PlaintextKeyring when there is no OS keyring (a
server, a container, an empty home).  vtctl treats that like no keyring (exit 3,
the --insecure-storage hint); a backend the user chose (PYTHON_KEYRING_BACKEND,
keyring's keyringrc.cfg) is used as chosen and marked insecure in `auth status`.

The subprocess tests run the real vtctl in a bare environment (`env -i` with
PATH and an empty HOME: no D-Bus, so no OS keyring) and choose nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import recommended_keyring
from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET, choose_keyring
from tests.remote_helpers import make_jwt

PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
BIN = Path(sys.executable).parent


def bare_env(home: Path) -> dict[str, str]:
    """What `env -i PATH=... HOME=...` leaves: no XDG dirs, no keyring choice."""
    return {"PATH": f"{BIN}{os.pathsep}{os.defpath}", "HOME": str(home)}


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def vtctl(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "vtctl"), *args], env, stdin)


def keyring_files(home: Path) -> list[Path]:
    """Anything keyrings.alt wrote (its files live in python_keyring/ under the data dir)."""
    return sorted(p for p in home.rglob("*") if "python_keyring" in p.parts and p.is_file())


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_detection_here_lands_on_the_plaintext_keyring(home: Path) -> None:
    """The precondition of the tests below: keyring itself picks keyrings.alt's file."""
    done = run([sys.executable, "-c", "import keyring; k = keyring.get_keyring(); "
                "print(f'{type(k).__module__}.{type(k).__qualname__}')"], bare_env(home))
    assert done.stdout.strip() == PLAINTEXT, done.stderr


@pytest.mark.parametrize(
    ("args", "stdin"),
    [(["auth", "login", "--with-token"], make_jwt() + "\n"),
     (["auth", "twilio", "--account-sid", TEST_ACCOUNT_SID, "--api-key", TEST_API_KEY],
      TEST_API_SECRET + "\n")],
    ids=["auth login", "auth twilio"],
)
def test_a_detected_file_keyring_is_no_keyring(home: Path, args: list[str], stdin: str) -> None:
    done = vtctl(*args, env=bare_env(home), stdin=stdin)
    assert done.returncode == 3, done.stderr
    first, hint = done.stderr.splitlines()[:2]
    assert first == (f"error: no OS keyring is available (only {PLAINTEXT}, "
                     "a file keyring vtctl does not pick by itself)")
    assert "`vtctl auth login --insecure-storage`" in hint and "VTCTL_JWT" in hint
    assert keyring_files(home) == []
    assert stdin.strip() not in done.stdout + done.stderr


def test_insecure_storage_is_the_asked_for_plain_file(home: Path) -> None:
    env = bare_env(home)
    done = vtctl("auth", "login", "--with-token", "--insecure-storage", env=env,
                 stdin=make_jwt() + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("warning: storing the token in a plain file, ")
    plain = home / ".config" / "vtctl" / "insecure-secrets.json"
    assert plain.stat().st_mode & 0o777 == 0o600
    assert keyring_files(home) == []
    status = vtctl("auth", "status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert (data["storage"], data["insecure"]) == ("plain file", True)


def test_a_keyring_chosen_in_keyrings_config_file_is_used_and_marked(home: Path) -> None:
    config = home / ".config" / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text(f"[backend]\ndefault-keyring={PLAINTEXT}\n")
    env = bare_env(home)
    done = vtctl("auth", "login", "--with-token", env=env, stdin=make_jwt() + "\n")
    assert done.returncode == 0, done.stderr
    assert keyring_files(home), "the chosen file keyring holds the JWT"
    data = json.loads(vtctl("auth", "status", "--json", env=env).stdout)
    assert (data["storage"], data["insecure"]) == (PLAINTEXT, True)
    # the record of that backend does not outlive the choice
    config.unlink()
    done = vtctl("auth", "status", env=env)
    assert done.returncode == 3 and "a file keyring vtctl does not pick" in done.stderr


def test_a_keyring_chosen_in_the_environment_is_used_and_marked(home: Path) -> None:
    env = {**bare_env(home), "PYTHON_KEYRING_BACKEND": PLAINTEXT}
    done = vtctl("auth", "login", "--with-token", env=env, stdin=make_jwt() + "\n")
    assert done.returncode == 0, done.stderr
    data = json.loads(vtctl("auth", "status", "--json", env=env).stdout)
    assert (data["storage"], data["insecure"]) == (PLAINTEXT, True)


def test_a_disabled_keyring_is_no_keyring(cli: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """`keyring --disable` chooses the null backend, which would drop every secret."""
    choose_keyring(monkeypatch, "keyring.backends.null.Keyring")
    result = cli("auth", "login", "--with-token", stdin=make_jwt())  # type: ignore[operator]
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no OS keyring is available\n")


def test_a_detected_os_keyring_is_used_without_asking(home: Path, tmp_path: Path) -> None:
    """The other side: detection finding a keyring at keyring's recommended priority
    (here beside keyrings.alt's file, so keyring chains them) stores there."""
    env = {**bare_env(home),
           "PYTHONPATH": recommended_keyring.install_as_plugin(tmp_path / "plugins")}
    done = vtctl("auth", "login", "--with-token", env=env, stdin=make_jwt() + "\n")
    assert done.returncode == 0, done.stderr
    assert "plain file" not in done.stderr
    record = home / ".config" / "vtctl" / "keyring-backend"
    assert record.read_text().strip() == recommended_keyring.NAME  # the chained one written
    data = json.loads(vtctl("auth", "status", "--json", env=env).stdout)
    assert (data["storage"], data["insecure"]) == (recommended_keyring.NAME, False)
