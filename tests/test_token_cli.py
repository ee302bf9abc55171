"""``vtctl token`` / ``vtctl refresh``: what the command line gives the command, and its errors.

There is one way to run them (Typer, from ``entry.main``); these tests check
the values that reach ``run_token``, the one-line errors with the contract's
exit codes, and a reader that leaves a pipe early.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import appointment, make_store
from vtctl.cli.token import TokenOptions
from vtctl.config.settings import default_store_path
from vtctl.ui.iostreams import IOStreams


def _streams() -> tuple[IOStreams, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return IOStreams(out=out, err=err, stdin=io.StringIO(), force_terminal=False), out, err


def test_the_command_line_reaches_run_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from vtctl.cli.framework.app import run

    calls: list[TokenOptions] = []
    monkeypatch.setattr("vtctl.cli.token.run_token", calls.append)
    streams, _, err = _streams()
    code = run(["--debug", "refresh", "0009", "-p", "demo", "--raw"], io=streams)
    assert (code, err.getvalue()) == (0, "")
    (opts,) = calls
    assert (opts.appointment_id, opts.refresh, opts.as_user) == (9, True, "2")
    assert opts.fmt.raw and opts.io.debug
    settings: Any = opts.open_backend.__self__.settings  # type: ignore[attr-defined]
    assert (settings.profile, settings.backend, settings.store_path) == (
        "demo", "local", default_store_path("demo"))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store.sqlite3", appointment(47), appointment(50, room=None))


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["token", "999", "--as", "2"], 5),
        (["token", "47", "--as", "9"], 4),
        (["token", "50", "--as", "2"], 5),
        (["token", "47"], 2),
        (["token", "x47", "--as", "2"], 2),
        (["token", "47", "--as", "2", "--json", "--raw"], 2),
        (["refresh", "47", "--as", "2", "--timeout", "0"], 2),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_errors_are_one_line_with_the_contract_code(
    args: list[str], code: int, store: Path, twilio_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vtctl.launch.entry import main

    streams, out, err = _streams()
    monkeypatch.setattr("vtctl.cli.framework.app.IOStreams", lambda: streams)
    assert main([*args, "--local", "--store", str(store)]) == code
    assert out.getvalue() == ""
    assert err.getvalue().startswith("error: ") and "Traceback" not in err.getvalue()


@pytest.mark.parametrize("fmt", ["--json", "--raw", "--json=room_name"])
def test_a_reader_that_leaves_early_gets_a_quiet_exit_0(fmt: str) -> None:
    """`vtctl token 47 --raw | head -c 20`, as the contract says (a reader that
    leaves early is not an error)."""
    exe = Path(sys.executable).with_name("vtctl")
    proc = subprocess.Popen([str(exe), "token", "47", "--profile", "demo", fmt],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert (proc.wait(timeout=60), stderr) == (0, b"")
