"""Help points only at what a reader has: every command of the real click tree,
its help and its parameters' help, names no file outside the repository
(CONTRACT.md is the team's copy, beside it) and every repository path it names
exists."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from tests.conftest import run_vtctl
from vtctl.cli.framework.app import build_app
from vtctl.cli.help.manpage import walk

REPO = Path(__file__).resolve().parents[1]
_PATH = re.compile(r"\b((?:docs|examples|man|completions)/[\w./-]*\w)")


def help_texts() -> dict[str, str]:
    """Each command's help and its parameters' help, by command line."""
    texts: dict[str, str] = {}
    for path, command, _ in walk(typer.main.get_command(build_app())):
        params = [getattr(p, "help", None) or "" for p in command.params]
        texts[" ".join(("vtctl", *path))] = "\n".join([command.help or "", *params])
    return texts


def test_no_help_names_a_file_outside_the_repository() -> None:
    texts = help_texts()
    assert len(texts) > 30
    assert [name for name, text in texts.items() if "CONTRACT" in text] == []


def test_every_repository_path_a_help_names_exists() -> None:
    named = {(name, path) for name, text in help_texts().items()
             for path in _PATH.findall(text)}
    assert ("vtctl appointment import", "docs/api.md") in named
    assert [(name, path) for name, path in named if not (REPO / path).exists()] == []


def test_import_help_points_at_the_import_format() -> None:
    result = run_vtctl("appointment", "import", "--help", env={"COLUMNS": "100"})
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.replace("│", " ").split())
    assert 'docs/api.md ("The import format")' in text
    assert "## The import format" in (REPO / "docs" / "api.md").read_text()
    assert "`vtctl appointment export --profile demo`" in text


def test_an_empty_import_file_points_at_the_format(cli: object, tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    result = cli("appointment", "import", str(empty),  # type: ignore[operator]
                 "--store", str(tmp_path / "store.sqlite3"))
    assert result.exit_code == 2
    assert "CONTRACT" not in result.stderr and "docs/api.md" in result.stderr
