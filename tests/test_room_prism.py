"""Every room command, through the real ``vtctl`` executable, against Prism serving
Twilio's published OpenAPI description of Video v1 (``VTCTL_TWILIO_API_URL``).

Prism rejects any request that does not match Twilio's spec, so "no violation in
Prism's log" proves vtctl speaks Twilio's API as documented.  Its dynamic mode
(``-d``) answers with random spec-valid data: vtctl renders it or fails with one
line and a contract exit code, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_vtctl
from tests.helpers import ROOM_47, appointment, make_store
from tests.prism_fixtures import Prism, running_prism
from tests.serve_fixtures import TWILIO_ENV

pytestmark = pytest.mark.e2e

CONTRACT_CODES = {0, 2, 3, 5, 6, 7}


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    with running_prism(tmp_path_factory.mktemp("prism")) as server:
        yield server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("store") / "store.sqlite3", appointment(47))


def run(prism: Prism, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**TWILIO_ENV, "VTCTL_TWILIO_API_URL": prism.url, "VTCTL_STORE": str(store),
           "COLUMNS": "120"}
    return run_vtctl(*args, "--local", env=env)


def assert_clean(prism: Prism, result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert prism.violations() == [], prism.text()[-3000:]


# -- static mode: the spec's examples -----------------------------------------------------


def test_status_and_participants(prism: Prism, store: Path) -> None:
    before = len(prism.requests())
    result = run(prism, store, "status", "47")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    assert "in-progress" in result.stdout

    result = run(prism, store, "room", "participants", "47")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    assert "status\tin-progress" in result.stdout.splitlines()  # piped: the room's fields
    assert "participant\t" not in result.stdout  # no participant line: nobody is there
    assert "nobody is connected" in result.stderr
    sent = prism.requests()[before:]
    assert f"get /v1/Rooms/{ROOM_47}" in sent
    assert any(line.endswith("/Participants") for line in sent)


def test_participants_by_room_name_as_json(prism: Prism, store: Path) -> None:
    result = run(prism, store, "room", "participants", ROOM_47, "--all", "--json")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["appointment_id"] == 47
    assert data["status"] == "in-progress"
    assert isinstance(data["participants"], list)


def test_room_list(prism: Prism, store: Path) -> None:
    result = run(prism, store, "room", "list")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == "no rooms\n"  # piped: a line per room

    result = run(prism, store, "room", "list", "--status", "completed", "--limit", "5", "--json")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_room_end(prism: Prism, store: Path) -> None:
    before = len(prism.requests())
    result = run(prism, store, "room", "end", "47", "--yes")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    assert "changed\ttrue" in result.stdout.splitlines()  # piped: the change's fields
    assert any(line.startswith("post /v1/Rooms/RM") for line in prism.requests()[before:])


@pytest.mark.parametrize("who", ["2", "jane.doe@example.com", "2-jane.doe@example.com"])
def test_room_kick(prism: Prism, store: Path, who: str) -> None:
    before = len(prism.requests())
    result = run(prism, store, "room", "kick", "47", who, "--yes", "--json")
    assert_clean(prism, result)
    assert result.returncode == 0, result.stderr
    change = json.loads(result.stdout)
    assert change["action"] == "kick" and change["status"] == "disconnected"
    # addressed by the identity the guide gives the user ({id}-{email})
    posted = [line for line in prism.requests()[before:] if line.startswith("post ")]
    assert len(posted) == 1, posted
    assert posted[0].endswith("/Participants/2-jane.doe%40example.com"), posted


def test_without_yes_nothing_is_sent(prism: Prism, store: Path) -> None:
    before = len(prism.requests())
    for args in (("room", "end", "47"), ("room", "kick", "47", "2")):
        result = run(prism, store, *args)
        assert result.returncode == 2
        assert "nothing was sent" in result.stderr
    assert prism.requests()[before:] == []


def test_room_sid_of_a_room_that_is_no_appointments(prism: Prism, store: Path) -> None:
    # the spec's example room is named "unique_name": not an appointment's room
    result = run(prism, store, "room", "participants", "RM" + "0" * 32)
    assert_clean(prism, result)
    assert result.returncode == 5
    assert "belongs to no appointment" in result.stderr
    assert result.stdout == ""


# -- dynamic mode: random spec-valid replies ------------------------------------------------

DYNAMIC_COMMANDS: list[tuple[str, ...]] = [
    ("status", "47"),
    ("room", "participants", "47", "--all"),
    ("room", "list", "--limit", "30"),
    ("room", "end", "47", "--yes"),
    ("room", "kick", "47", "2", "--yes"),
    ("room", "participants", "RM" + "1" * 32, "--json"),
    ("room", "list", "--status", "in-progress", "--json"),
]


def test_random_spec_valid_replies_render_or_fail_cleanly(
    tmp_path: Path, store: Path
) -> None:
    outcomes: list[int] = []
    with running_prism(tmp_path, dynamic=True) as prism:
        for i in range(20):
            args = DYNAMIC_COMMANDS[i % len(DYNAMIC_COMMANDS)]
            result = run(prism, store, *args)
            where = f"vtctl {' '.join(args)}: exit {result.returncode}\n{result.stderr}"
            assert "Traceback" not in result.stderr, where
            assert result.returncode in CONTRACT_CODES, where
            if result.returncode == 0:
                assert result.stdout.strip() or result.stderr.strip(), where  # "no rooms"
            else:
                lines = result.stderr.splitlines()
                assert len(lines) in (1, 2) and lines[0].startswith("error: "), where
                assert all(line.startswith(("error: ", "hint: ")) for line in lines), where
            outcomes.append(result.returncode)
        assert prism.violations() == [], prism.text()[-3000:]
    assert 0 in outcomes  # some random replies are rendered, not all refused


def test_remote_participants_through_serve_asking_prism(prism: Prism, tmp_path: Path) -> None:
    """The remote backend: `vtctl serve` answers video-status from (Prism's) Twilio."""
    from tests.serve_fixtures import start_server

    server = start_server(tmp_path, extra_env={"VTCTL_TWILIO_API_URL": prism.url})
    try:
        before = len(prism.requests())
        result = run_vtctl("room", "participants", ROOM_47, "--json", "--base-url", server.url,
                           env={"VTCTL_JWT": server.jwt(2)})
        assert result.returncode == 0, result.stderr + server.stderr()
        data = json.loads(result.stdout)
        assert (data["appointment_id"], data["status"]) == (47, "in-progress")
        assert f"get /v1/Rooms/{ROOM_47}" in prism.requests()[before:]
        assert prism.violations() == []
        refused = run_vtctl("room", "end", "47", "--yes", "--base-url", server.url,
                            env={"VTCTL_JWT": server.jwt(2)})
        assert refused.returncode == 2 and "--local" in refused.stderr
    finally:
        assert server.stop() == 0, server.stderr()


def test_diagnose_asks_twilio_as_its_spec_says(prism: Prism, store: Path) -> None:
    """diagnose's room, people and media checks ran against Twilio's spec (not skipped)."""
    before = len(prism.requests())
    result = run(prism, store, "diagnose", "47", "--json")
    assert_clean(prism, result)
    assert result.returncode in (0, 8), result.stderr
    findings = {f["check"]: f for f in json.loads(result.stdout)}
    assert set(findings["twilio"]) == {"check", "status", "detail", "action"}
    assert "skipped" not in findings["twilio"]["detail"]
    assert "in progress" in findings["twilio"]["detail"] or "in-progress" in (
        findings["twilio"]["detail"])
    assert f"get /v1/Rooms/{ROOM_47}" in prism.requests()[before:]
