"""``launch.lean_imports``: PyJWT without cryptography/urllib.request, in the CLI process only.

Each check runs in a fresh interpreter: import state is per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import appointment, decode, make_store


def _probe(code: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store.sqlite3", appointment(47))


def test_cli_process_mints_with_a_lean_pyjwt_and_the_rest_still_imports(
    store: Path, twilio_env: dict[str, str]
) -> None:
    args = ["token", "47", "--local", "--store", str(store), "--as", "2", "--raw"]
    report = _probe(
        "import contextlib, io, json, sys\n"
        "from vtctl.launch.entry import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main({args!r})\n"
        "lean = [m for m in ('cryptography', 'urllib.request') if m in sys.modules]\n"
        "import jwt, jwt.algorithms\n"
        "finder_left = any(type(f).__name__ == 'LeanPyJWT' for f in sys.meta_path)\n"
        "client = jwt.PyJWKClient('http://127.0.0.1:9/jwks.json')\n"
        "import cryptography.hazmat.primitives.hashes\n"
        "print(json.dumps({'code': code, 'token': out.getvalue().strip(), 'lean': lean,\n"
        "    'has_crypto': jwt.algorithms.has_crypto, 'finder_left': finder_left,\n"
        "    'client': type(client).__module__ + '.' + type(client).__name__}))\n"
    )
    assert report["code"] == 0 and report["lean"] == [] and report["has_crypto"] is False
    assert report["finder_left"] is False  # used once, then gone
    assert report["client"] == "jwt.jwks_client.PyJWKClient"  # the real class, on first use
    _, claims = decode(str(report["token"]))  # a valid HS256 Twilio token
    assert claims["grants"]["identity"] == "2-jane.doe@example.com"


def test_importing_vtctl_as_a_library_leaves_pyjwt_alone(
    store: Path, twilio_env: dict[str, str]
) -> None:
    report = _probe(
        "import json, sys\n"
        "from vtctl.cli.app import run\n"
        f"run(['token', '47', '--local', '--store', {str(store)!r}, '--as', '2', '--raw'])\n"
        "import jwt.algorithms\n"
        "print(json.dumps({'has_crypto': jwt.algorithms.has_crypto,\n"
        "                  'cryptography': 'cryptography' in sys.modules}))\n"
    )
    assert report == {"has_crypto": True, "cryptography": True}


def test_nothing_is_hidden_when_cryptography_is_already_loaded() -> None:
    report = _probe(
        "import json, sys\n"
        "import cryptography\n"
        "from vtctl.launch import lean_imports\n"
        "lean_imports.install()\n"
        "import jwt.algorithms\n"
        "print(json.dumps({'has_crypto': jwt.algorithms.has_crypto}))\n"
    )
    assert report == {"has_crypto": True}
