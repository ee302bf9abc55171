"""``vtctl token 47 --local --json`` imports only what it needs (issue 20's floor).

Its speed goal (benchmarks/run: at most 1.15x the CPU time of Python importing
Typer, twilio's AccessToken and sqlite3) is a benchmark's business; this test
checks the import set instead, which does not depend on the machine: the real
console script in a fresh process, then the modules it left in ``sys.modules``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: the console script's entry point, then every module the process imported
PROBE = """\
import atexit, sys
listing = sys.argv[1]
atexit.register(lambda: open(listing, "w").write("\\n".join(sorted(sys.modules))))
from vtctl.launch.entry import main
sys.argv = ["vtctl", *sys.argv[2:]]
sys.exit(main())
"""

#: what `token --local --json` never needs: a table (rich), the network (httpx, twilio's
#: REST client), the keyring (the demo profile's credentials are built in, the trail's key
#: is in its file here), the server, platformdirs (util.dirs computes the directories)
NOT_NEEDED = ("rich", "httpx", "httpcore", "keyring", "twilio.rest", "twilio.http",
              "starlette", "uvicorn", "jq", "tomli_w", "tomllib",
              "platformdirs",
              "vtctl.remote", "vtctl.server", "vtctl.twilio_video", "vtctl.checks",
              "vtctl.ui.render", "vtctl.domain.sessions", "vtctl.domain.history",
              "vtctl.domain.jwt_inspect", "vtctl.local.importer",
              # the keyring's module: the trail's key file has a module of its own
              "vtctl.config.secrets_store",
              # records of other commands (each costs ~1 ms to create at import)
              "vtctl.domain.audit_verdict", "vtctl.local.appointment_query",
              "vtctl.domain.room_info", "vtctl.domain.rooms",
              # the OS user of an audit record: getpass's rule, not getpass and termios
              "getpass", "termios")


def imported(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``vtctl ARGS`` with its own HOME and XDG dirs; the modules it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VTCTL_", "TWILIO_", "XDG_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               # no keyring, chosen: the audit trail's key goes to its key file (with an OS
               # keyring it would live there, and every token would read it: a secret)
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    listing = home / "modules.txt"
    result = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    return result, set(listing.read_text().split())


def _under(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


@pytest.fixture(scope="module")
def token_modules(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    home = tmp_path_factory.mktemp("home")
    args = ("token", "47", "--local", "--json", "--profile", "demo")
    seeded, _ = imported(home, *args)  # the first run seeds the demo store
    assert seeded.returncode == 0, seeded.stderr
    result, modules = imported(home, *args)
    assert result.returncode == 0, result.stderr
    assert '"access_token"' in result.stdout
    return modules


@pytest.mark.parametrize("package", NOT_NEEDED)
def test_token_local_json_does_not_import(token_modules: set[str], package: str) -> None:
    assert _under(token_modules, package) == []


def test_token_local_json_imports_one_command_module(token_modules: set[str]) -> None:
    commands = {m.split(".")[2] for m in token_modules
                if m.startswith("vtctl.cli.") and not m.startswith("vtctl.cli.framework")}
    assert commands == {"token"}


def test_the_probe_sees_what_is_imported(token_modules: set[str]) -> None:
    """The other side: what minting needs is there (the listing is not empty by mistake)."""
    assert {"typer", "sqlite3", "twilio.jwt.access_token", "vtctl.local.engine"} <= token_modules


def test_no_module_declaring_a_namedtuple_has_string_annotations() -> None:
    """``typing.NamedTuple`` compiles each string annotation when its class is made, at
    every start of every command that imports it: modules that declare one do without
    ``from __future__ import annotations`` (DEVELOPING.md, issue 20)."""
    import ast

    source = Path(__file__).resolve().parent.parent / "src" / "vtctl"
    offenders = []
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        future = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                     and any(alias.name == "annotations" for alias in node.names)
                     for node in tree.body)
        tuples = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                  and any(getattr(base, "id", getattr(base, "attr", None)) == "NamedTuple"
                          for base in node.bases)]
        if future and tuples:
            offenders.append(f"{path.relative_to(source)}: {', '.join(tuples)}")
    assert offenders == []
