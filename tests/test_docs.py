"""Generated artefacts stay in step with the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_readme_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- ci:run -->" in readme and "<!-- ci:test -->" in readme
    assert "readme_command run" in ci and "readme_command test" in ci
    first_lines = readme.splitlines()[:15]
    assert any("vtctl token 47" in line for line in first_lines)
    assert any("pytest" in line for line in first_lines)


def test_readme_pictures_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_screenshots.py"), "--check"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_every_command_and_option_has_help() -> None:
    from tests.cli_tree import commands, spelled

    missing: list[str] = []
    for words, command in commands():
        path = spelled(words)
        if not getattr(command, "help", None) and not getattr(command, "short_help", None):
            missing.append(f"{path}: command")
        for param in getattr(command, "params", []):
            if not getattr(param, "help", None) and not getattr(param, "hidden", False):
                missing.append(f"{path}: {param.name}")
    assert missing == []


def test_readme_shows_the_latest_benchmark_table() -> None:
    """`benchmarks/run --write` fills both; an edit by hand to one of them shows here."""
    begin = "<!-- benchmarks/run --write: table begin -->"
    end = "<!-- benchmarks/run --write: table end -->"

    def block(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return text.split(begin, 1)[1].split(end, 1)[0]

    readme = block(ROOT / "README.md")
    assert readme == block(ROOT / "benchmarks" / "RESULTS.md")
    assert "| `vtctl token 47 --local --json --profile demo` |" in readme


def test_readme_counts_the_goals_its_table_meets() -> None:
    """The sentence under the table ("Eight of the ten goals are met") says what the
    table's `met` column says: a new run that changes a verdict changes the sentence."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- benchmarks/run --write: table begin -->", 1)[1].split(
        "<!-- benchmarks/run --write: table end -->", 1)[0]
    verdicts = [line.rstrip().rsplit("|", 2)[1].strip() for line in table.splitlines()
                if line.startswith("| ") and not line.startswith("| benchmark")]
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve"]
    met = words[sum(v == "yes" for v in verdicts)].capitalize()
    assert re.search(rf"\b{met} of the {words[len(verdicts)]} goals are met\.", text), (
        met, len(verdicts))
