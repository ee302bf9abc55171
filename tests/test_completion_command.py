"""``vtctl completion SHELL`` prints exactly the committed script for that shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("shell", "rel"), [
    ("bash", "completions/vtctl.bash"),
    ("zsh", "completions/_vtctl"),
    ("fish", "completions/vtctl.fish"),
    ("powershell", "completions/vtctl.ps1"),
])
def test_prints_the_committed_script(cli: Any, shell: str, rel: str) -> None:
    result = cli("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (ROOT / rel).read_text(encoding="utf-8")
    assert result.stderr == ""


def test_the_scripts_call_vtctl_back_with_its_completion_variable(cli: Any) -> None:
    assert "_VTCTL_COMPLETE=complete_bash" in cli("completion", "bash").stdout
    assert "_VTCTL_COMPLETE" in cli("completion", "powershell").stdout


@pytest.mark.parametrize("args", [("completion", "tcsh"), ("completion",)])
def test_an_unknown_or_missing_shell_is_a_usage_error(cli: Any, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_the_real_executable_prints_it_too(vtctl: Any) -> None:
    result = vtctl("completion", "fish")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "completions/vtctl.fish").read_text(encoding="utf-8")
