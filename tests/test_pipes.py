"""Pipelines and scripts: a reader that leaves early (`vtctl ... | head -1`) is not an
error (exit 0, nothing on stderr: CONTRACT, last line), and stderr carries no raw
Python warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VTCTL = str(Path(sys.executable).with_name("vtctl"))


def _into_a_closed_pipe(*args: str, env: dict[str, str] | None = None
                        ) -> subprocess.CompletedProcess[str]:
    """Run vtctl with stdout a pipe whose reader is already gone: every write is EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([VTCTL, *args], stdout=write_end, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, timeout=60,
                              env={**os.environ, **(env or {})}, check=False)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [
    ["--help"], ["token", "--help"], ["appointment", "list", "--help"],
    ["token", "47", "--profile", "demo"],
    ["token", "47", "--profile", "demo", "--json"],
    ["token", "47", "--profile", "demo", "--jq", ".room_name"],
    ["appointment", "list", "--profile", "demo"],
    ["appointment", "show", "47", "--profile", "demo"],
    ["status", "47", "--profile", "demo"],
], ids=" ".join)
@pytest.mark.parametrize("help_cache", ["cached", "uncached"])
def test_a_reader_that_left_is_exit_0_and_silent(args: list[str], help_cache: str) -> None:
    env = {"VTCTL_NO_HELP_CACHE": "1"} if help_cache == "uncached" else {}
    for _ in range(2):  # the second run of a help request is served from the cache
        result = _into_a_closed_pipe(*args, env=env)
        assert (result.returncode, result.stderr) == (0, ""), args


def test_status_watch_into_head_ends_with_exit_0() -> None:
    """Not a terminal, the watch writes only on events: it must notice head leaving."""
    result = subprocess.run(
        ["bash", "-c", f"{VTCTL} status 47 --profile demo --watch --interval 0.5 | head -3;"
         " exit ${PIPESTATUS[0]}"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    # at most the demo's note (a pipe gets notes on stderr, when head has not left yet
    # by then): no broken-pipe noise
    assert all(line.startswith("note: room state unknown: ")
               for line in result.stderr.splitlines()), result.stderr
    assert len(result.stdout.splitlines()) == 3


@pytest.mark.parametrize("args", [
    ["token", "47", "--local", "--as", "2"],
    ["token", "47", "--local", "--as", "2", "--jq", ".room_name"],
    ["mint", "--identity", "a", "--room", "b"],
], ids=" ".join)
def test_a_short_api_secret_leaves_no_python_warning_on_stderr(
    args: list[str], tmp_path: Path, twilio_env: dict[str, str]
) -> None:
    from tests.helpers import make_store

    store = make_store(tmp_path / "s.sqlite3")
    result = subprocess.run([VTCTL, *args, "--store", str(store)] if args[0] == "token"
                            else [VTCTL, *args], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "TWILIO_API_SECRET": "short"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
