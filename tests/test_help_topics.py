"""`vtctl help environment` and `vtctl help exit-codes` print the reference tables."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vtctl.domain.errors import EXIT_CODES, ExitCode

Cli = Callable[..., Any]
SRC = Path(__file__).resolve().parents[1] / "src" / "vtctl"


def test_environment_lists_every_variable_the_code_reads(cli: Cli) -> None:
    result = cli("help", "environment")
    assert result.exit_code == 0
    listed = {line.split("\t")[0] for line in result.stdout.splitlines()}
    read = {m for path in SRC.rglob("*.py")
            for m in re.findall(r'"(VTCTL_[A-Z_]+)"', path.read_text())}
    assert read and read <= listed
    assert {"TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"} <= listed


def test_exit_codes_lists_every_code(cli: Cli) -> None:
    result = cli("help", "exit-codes")
    assert result.exit_code == 0
    rows = [tuple(line.split("\t")) for line in result.stdout.splitlines()]
    assert rows == [(str(int(code)), meaning.meaning) for code, meaning in EXIT_CODES.items()]
    assert [int(code) for code, _ in rows] == sorted(ExitCode)  # 9, the audit trail's, too


def test_on_a_terminal_it_is_a_table() -> None:
    from vtctl.cli.framework.app import run
    from vtctl.ui.iostreams import IOStreams

    out = io.StringIO()
    streams = IOStreams(out=out, err=io.StringIO(), stdin=io.StringIO(), force_terminal=True)
    assert run(["help", "exit-codes"], io=streams) == 0
    assert "Exit codes" in out.getvalue() and "not authenticated" in out.getvalue()


#: named in the README but not read by vtctl, so not in `help environment`
NOT_VTCTL_S = {
    "GITHUB_ENV": "GitHub Actions' file of step variables, written by the README's CI job",
    "VTCTL_NPM_CACHE": "where scripts/setup_prism.sh caches Prism for the tests",
}


def test_environment_lists_every_variable_the_readme_uses(cli: Cli) -> None:
    readme = (SRC.parents[1] / "README.md").read_text()
    used = set(re.findall(r"\b(?:VTCTL|TWILIO|PYTHON_KEYRING|GITHUB)_[A-Z_]+", readme))
    assert {"PYTHON_KEYRING_BACKEND", "GITHUB_ACTIONS", "VTCTL_STORE"} <= used
    listed = {line.split("\t")[0] for line in cli("help", "environment").stdout.splitlines()}
    assert sorted(used - listed - NOT_VTCTL_S.keys()) == []
    assert NOT_VTCTL_S.keys() <= used  # an exemption the README no longer needs goes
