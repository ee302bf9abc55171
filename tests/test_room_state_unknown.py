"""Honest status: when Twilio was not asked or did not answer, the room's state is
unknown, and the same situation gives the same output and exit code on both backends
(the local engine, and a real ``vtctl serve`` through the remote backend).

| situation                | exit | output                                                |
|--------------------------|------|-------------------------------------------------------|
| demo profile             | 0    | status ``unknown``, participants null, why            |
| no Twilio credentials    | 3    | ``error: room state unknown: ...`` on stderr only      |
| Twilio unreachable       | 7    | ``error: room state unknown: cannot reach Twilio ...`` |
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_vtctl
from tests.serve_fixtures import (
    TWILIO_ENV,
    RunningServer,
    free_port,
    make_store,
    start_server,
)

pytestmark = pytest.mark.e2e
JANE = 2


def local(store: Path | None, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    where = ["--store", str(store)] if store is not None else []
    return run_vtctl(*args, "--local", *where, env=env)


def remote(server: RunningServer, *args: str) -> subprocess.CompletedProcess[str]:
    return run_vtctl(*args, "--base-url", server.url, env={"VTCTL_JWT": server.jwt(JANE)})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("unknown-store"))


@pytest.fixture(scope="module")
def dead_twilio() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, store: Path, dead_twilio: str
            ) -> Iterator[dict[str, RunningServer]]:
    started: dict[str, RunningServer] = {}
    try:
        started["demo"] = start_server(tmp_path_factory.mktemp("demo"), twilio=False,
                                       use_store=False, args=("--profile", "demo"))
        started["no-credentials"] = start_server(tmp_path_factory.mktemp("nocreds"),
                                                 store=store, twilio=False)
        started["unreachable"] = start_server(
            tmp_path_factory.mktemp("unreachable"), store=store,
            extra_env={"VTCTL_TWILIO_API_URL": dead_twilio},
        )
        yield started
    finally:
        for server in started.values():
            assert server.stop() == 0, server.stderr()


def test_demo_profile_same_json_and_exit_0(servers: dict[str, RunningServer]) -> None:
    here = run_vtctl("status", "47", "--profile", "demo", "--json")
    there = remote(servers["demo"], "status", "47", "--json")
    assert (here.returncode, there.returncode) == (0, 0), here.stderr + there.stderr
    assert json.loads(here.stdout) == json.loads(there.stdout)
    data = json.loads(here.stdout)
    assert (data["status"], data["participant_count"], data["participants"]) == (
        "unknown", None, None)  # nobody was asked: not "nobody is there"
    assert data["unknown_reason"] == "demo"
    assert data["message"].startswith("room state unknown: ") and "demo" in data["message"]


def test_demo_profile_same_table_never_nobody_joined(servers: dict[str, RunningServer]) -> None:
    here = run_vtctl("status", "47", "--profile", "demo")
    there = remote(servers["demo"], "status", "47")
    assert (here.stdout, here.stderr) == (there.stdout, there.stderr)
    assert "nobody has joined yet" not in here.stdout + here.stderr
    assert "status\tunknown" in here.stdout.splitlines()  # piped: field<TAB>value lines
    assert "room state unknown" in here.stderr  # a note: stderr in a pipe
    participants = run_vtctl("room", "participants", "47", "--profile", "demo")
    assert participants.returncode == 0
    assert "status\tunknown" in participants.stdout.splitlines()
    assert "room state unknown" in participants.stderr
    assert "0 connected" not in participants.stdout + participants.stderr


def test_no_twilio_credentials_exit_3_on_both(
    servers: dict[str, RunningServer], store: Path
) -> None:
    here = local(store, "status", "47", "--json")
    there = remote(servers["no-credentials"], "status", "47", "--json")
    for result in (here, there):
        assert result.returncode == 3, result.stderr
        assert result.stdout == ""
        assert result.stderr.startswith("error: room state unknown: ")
        assert "Twilio credentials" in result.stderr.splitlines()[0]


def test_twilio_unreachable_exit_7_on_both(
    servers: dict[str, RunningServer], store: Path, dead_twilio: str
) -> None:
    here = local(store, "status", "47", **TWILIO_ENV, VTCTL_TWILIO_API_URL=dead_twilio)
    there = remote(servers["unreachable"], "status", "47")
    for result in (here, there):
        assert result.returncode == 7, result.stderr
        assert result.stdout == ""
    assert here.stderr.startswith("error: room state unknown: cannot reach Twilio")
    # serve relays no upstream words: a fixed message and the reference in its log
    assert there.stderr.startswith(
        "error: room state unknown: vtctl serve could not reach Twilio (reference ")
