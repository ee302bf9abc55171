"""``--help`` piped is plain lines (no box), on a terminal rich panels; the help cache
never serves one for the other.  Every command of the real click tree, as a real process."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli_tree import commands, spelled
from tests.conftest import run_vtctl
from tests.terminal import run_on_terminal

#: rich's panels are drawn with these (U+2500-U+257F)
BOX = re.compile("[\u2500-\u257f]")
PATHS = [path for path, _ in commands()]


def _json_fields(command: Any) -> list[str]:
    """The fields the command's ``--json`` declares (its help text names them)."""
    option = next((p for p in command.params if "--json" in getattr(p, "opts", ())), None)
    if option is None:
        return []
    listed = option.help.partition("Fields: ")[2].partition(".")[0]
    return listed.split(", ")


FIELDS = {path: _json_fields(command) for path, command in commands()}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A cache of its own (so the miss renders and the hit prints it back), no width set."""
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return {**clean, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def _words(text: str) -> set[str]:
    return {word.strip(",.;:()[]") for word in text.split()}


@pytest.mark.parametrize("path", PATHS, ids=spelled)
def test_piped_help_is_plain_unwrapped_and_lists_every_json_field_whole(
    path: tuple[str, ...], env: dict[str, str]
) -> None:
    miss = run_vtctl(*path, "--help", env=env)  # rendered by Typer, stored
    hit = run_vtctl(*path, "--help", env=env)  # printed from the cache
    narrow = run_vtctl(*path, "--help", env={**env, "COLUMNS": "50"})
    for proc in (miss, hit, narrow):
        assert (proc.returncode, proc.stderr) == (0, "")
    assert miss.stdout == hit.stdout == narrow.stdout  # never wrapped, whatever COLUMNS says
    text = miss.stdout
    assert text.startswith("Usage: vtctl")
    assert BOX.search(text) is None, "a box in piped help"
    assert "\x1b[" not in text, "colour in piped help"
    assert "\\[" not in text, "a rich escape shown as text"
    missing = [f for f in FIELDS[path] if f not in _words(text)]
    assert missing == [], f"fields cut or missing: {missing}"


@pytest.mark.parametrize("path", [p for p, c in commands() if getattr(c, "commands", None)],
                         ids=spelled)
def test_a_group_without_a_verb_prints_its_plain_help_on_stdout(
    path: tuple[str, ...], env: dict[str, str]
) -> None:
    proc = run_vtctl(*path, env=env)
    assert proc.returncode == 2  # as on a terminal: click's no_args_is_help
    assert proc.stdout == run_vtctl(*path, "--help", env=env).stdout
    assert proc.stderr == ""


def test_the_tree_has_json_commands_to_check() -> None:
    assert sum(1 for fields in FIELDS.values() if fields) >= 5
    assert "appointment_duration_minutes" in FIELDS[("token",)]


def test_on_a_terminal_the_help_is_rich_and_the_cache_keeps_the_two_apart(
    env: dict[str, str],
) -> None:
    piped_first = run_vtctl("token", "--help", env=env)  # fills the cache for a pipe
    screen = run_on_terminal(["token", "--help"], columns=100, env=env)
    piped_again = run_vtctl("token", "--help", env=env)  # after a terminal entry exists
    again = run_on_terminal(["token", "--help"], columns=100, env=env)
    assert screen.returncode == again.returncode == 0, screen.stderr
    for shown in (screen.text, again.text):
        assert "╭─ Options" in shown and "╰" in shown  # rich's panels
        assert "appointment_duration_minutes" in _words(shown)
    assert "\x1b[" in screen.raw  # styled for a terminal
    for proc in (piped_first, piped_again):
        assert proc.returncode == 0 and BOX.search(proc.stdout) is None
    assert len(list((Path(env["XDG_CACHE_HOME"]) / "vtctl" / "help").iterdir())) == 2
