"""One declaration per parameter, every path.

``cli.framework.app.run`` builds the app with only the command module it needs
(``cli.framework.commands.MODULES``); these tests check that table, and that a property
added to a Typer declaration (here an ``envvar``) reaches the command, in
process and from the console script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer

from vtctl.cli.framework import commands, options

#: ``--as`` as it would read with an environment variable added to its declaration
AS_WITH_ENVVAR = Annotated[
    str | None, typer.Option("--as", envvar="VTCTL_AS", metavar="USER", show_default=False)
]
#: the demo appointment 47: patient 2 (the demo profile's as_user), psychologist 5
PSYCHOLOGIST_5 = "5-sarah@example.com"


@pytest.mark.parametrize("module", list(commands.MODULES))
def test_each_module_registers_exactly_the_names_listed(module: str) -> None:
    from vtctl.cli.framework.app import build_app

    group = typer.main.get_group(build_app((module,)))
    assert tuple(group.commands) == commands.MODULES[module]


def test_running_a_command_imports_only_its_module() -> None:
    probe = (
        "import json, sys\n"
        "from vtctl.cli.framework.app import run\n"
        "code = run(['token', '47', '--profile', 'demo', '--raw'])\n"
        "loaded = sorted(m.split('.')[2] for m in sys.modules\n"
        "                if m.startswith('vtctl.cli.') and m.count('.') == 2)\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["code"] == 0
    assert not set(report["loaded"]) & (set(commands.MODULES) - {"token"})


def test_an_unknown_command_is_reported_with_every_command_loaded(cli: Any) -> None:
    result = cli("tokn", "47")
    assert result.exit_code == 2
    assert "No such command 'tokn'" in result.stderr


def test_an_envvar_added_to_a_declaration_reaches_the_command_in_process(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(options, "AsUser", AS_WITH_ENVVAR)
    monkeypatch.setenv("VTCTL_AS", "5")
    result = cli("token", "47", "-p", "demo", "--json=user_identity")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"user_identity": PSYCHOLOGIST_5}


@pytest.mark.parametrize("fmt", ["--json", "--raw"])
def test_an_envvar_added_to_a_declaration_reaches_the_command_from_the_console_script(
    fmt: str, tmp_path: Path
) -> None:
    """``VTCTL_AS=5 vtctl token 47 -p demo --json`` mints for user 5 through ``entry.main``."""
    probe = (
        "import sys, typer\n"
        "from typing import Annotated\n"
        "from vtctl.cli.framework import options\n"
        "options.AsUser = Annotated[str | None, typer.Option('--as', envvar='VTCTL_AS')]\n"
        "from vtctl.launch.entry import main\n"
        f"sys.exit(main(['token', '47', '-p', 'demo', {fmt!r}]))\n"
    )
    env = {"VTCTL_AS": "5", "VTCTL_NO_HELP_CACHE": "1"}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    if fmt == "--json":
        assert json.loads(proc.stdout)["user_identity"] == PSYCHOLOGIST_5
    else:
        import jwt

        claims = jwt.decode(proc.stdout.strip(), options={"verify_signature": False})
        assert claims["grants"]["identity"] == PSYCHOLOGIST_5


def test_every_backend_flag_comes_from_its_one_declaration() -> None:
    """``config.settings.BackendOptions`` declares each backend flag once: every command
    that takes one has exactly that spelling and help; a data command takes them all."""
    from dataclasses import fields

    from tests.cli_tree import commands as every_command
    from tests.cli_tree import spelled
    from vtctl.config.settings import BackendOptions

    declared = {f.name: f.metadata["flag"] for f in fields(BackendOptions) if "flag" in f.metadata}
    assert list(declared) == ["local", "profile", "store", "base_url", "timeout", "ca_bundle"]

    taking: dict[str, set[str]] = {}
    for words, command in every_command():
        path = spelled(words)
        for param in command.params:
            flag = declared.get(param.name or "")
            if flag is None or not param.opts[0].startswith("--"):
                continue
            assert sorted(param.opts) == sorted(flag.names), path
            assert param.help == flag.help.replace("[", "\\["), path
            taking.setdefault(path, set()).add(param.name)
    assert taking["vtctl token"] == taking["vtctl room end"] == set(declared)
    assert taking["vtctl appointment list"] == {"profile", "store"}
