"""``vtctl history`` verifies the audit trail before its records reach the timeline.

A real SQLite store, tokens minted by ``vtctl token --local`` (so a real keyed trail),
then the file edited with sqlite3 behind vtctl's back (as ``test_audit_attacks`` does)
or the trail's key removed from the tests' file keyring; pytest-httpx answers as
Twilio.  The story is still told; the ``audit`` finding says the token events are not
fact, names the command that investigates, and the exit code is 9 (a break) or 3 (the
trail could not be checked here), as ``vtctl audit list`` does for the same records."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import store_from_document, tamper
from tests.history_fakes import (
    one_room,
)
from tests.twilio_fakes import IMPORT_FILE, SARAH_ID


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(store_from_document(tmp_path / "store.sqlite3", IMPORT_FILE))


@pytest.fixture
def minted(cli: Any, twilio_env: dict[str, str], store: str) -> str:
    """Three tokens for Jane (appointment 47): a real, keyed trail of three records."""
    for _ in range(3):
        result = cli("token", "47", "--local", "--as", "2", "--store", store, "--raw")
        assert result.exit_code == 0, result.stderr
    return store


@pytest.fixture
def history(cli: Any, minted: str, httpx_mock: HTTPXMock) -> Any:
    fake = one_room()
    httpx_mock.add_callback(fake, is_reusable=True)

    def invoke(*args: str) -> Any:
        return cli("history", "47", "--local", "--store", minted, *args)

    return invoke


def audit_findings(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in document["findings"] if f["check"] == "audit"]


def token_events(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in document["events"] if e["kind"] == "token-minted"]


def test_an_intact_trail_adds_nothing_and_exits_0(history: Any) -> None:
    result = history("--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert audit_findings(document) == []
    assert len(token_events(document)) == 3
    assert result.stderr == ""


def test_a_forged_record_is_a_problem_finding_and_exit_9(
        history: Any, minted: str, cli: Any) -> None:
    tamper(minted, f"UPDATE audit SET identity = '{SARAH_ID}' WHERE seq = 2")
    result = history("--json")
    assert result.exit_code == 9, result.stderr
    document = json.loads(result.stdout)
    # the story is still told: the timeline, with the records as they are stored
    assert len(token_events(document)) == 3
    assert {e["kind"] for e in document["events"]} >= {"room-created", "joined", "left"}
    (finding,) = audit_findings(document)
    assert list(finding) == ["check", "status", "detail", "action"]
    assert finding["status"] == "problem"
    assert finding["detail"].startswith("the audit trail failed verification, so the token "
                                        "events shown are not fact: audit record #2 (seq 2, ")
    assert "does not match its hash: it was changed" in finding["detail"]
    # the command to paste: audit verify on the same store (it takes no --local)
    assert finding["action"] == f"vtctl audit verify --store {shlex.quote(minted)}"
    assert document["findings"][0] == finding  # first: it qualifies everything else
    # one line on stderr that says why the exit code is 9
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: the token events shown are not verified: the audit trail "
                           "failed verification: audit record #2")
    # the action runs as pasted, and finds the same break
    verify = cli(*shlex.split(finding["action"])[1:])
    assert verify.exit_code == 9
    assert "audit record #2 (seq 2, " in verify.stderr


def test_piped_the_finding_is_on_stderr_with_its_action(history: Any, minted: str) -> None:
    tamper(minted, "UPDATE audit SET ttl_seconds = 86400 WHERE seq = 1")
    result = history()
    assert result.exit_code == 9
    assert result.stdout.count("\ttoken-minted\t") == 3
    (finding,) = [line for line in result.stderr.splitlines()
                  if line.startswith("stands out: audit\t")]
    check, status, detail, action = finding.removeprefix("stands out: ").split("\t")
    assert (check, status) == ("audit", "problem")
    assert "audit record #1 (seq 1, " in detail
    assert action == f"vtctl audit verify --store {shlex.quote(minted)}"


def test_a_removed_record_is_found_though_history_reads_only_its_appointment(
        history: Any, minted: str) -> None:
    tamper(minted, "DELETE FROM audit WHERE seq = 3")
    result = history("--json")
    assert result.exit_code == 9
    document = json.loads(result.stdout)
    assert len(token_events(document)) == 2
    (finding,) = audit_findings(document)
    assert "the newest records were removed" in finding["detail"]


def test_a_dropped_trail_still_tells_the_story(history: Any, minted: str) -> None:
    tamper(minted, "DROP TABLE audit")
    result = history("--json")
    assert result.exit_code == 9, result.stderr
    document = json.loads(result.stdout)
    assert token_events(document) == []
    assert len(document["events"]) > 3
    (finding,) = audit_findings(document)
    assert finding["status"] == "problem"
    assert "has no audit table: the audit trail was dropped outside vtctl" in finding["detail"]


def test_a_key_not_kept_here_is_a_warning_and_exit_3(history: Any, minted: str) -> None:
    import keyring

    from vtctl.local.store import AppointmentStore

    with AppointmentStore.open(Path(minted)) as opened:
        trail_id = opened.read_anchor().trail_id
    keyring.delete_password("vtctl", f"audit-trail:{trail_id}")
    result = history("--json")
    assert result.exit_code == 3, result.stderr
    document = json.loads(result.stdout)
    assert len(token_events(document)) == 3
    (finding,) = audit_findings(document)
    assert finding["status"] == "warning"
    assert finding["detail"] == (
        "the token events shown could not be checked: this "
        f"keyring holds no key for the store's audit trail {trail_id}")
    assert finding["action"].startswith("run vtctl as the user, on the machine, that keeps "
                                        "the key")
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: the token events shown are not verified: this keyring "
                           "holds no key")


@pytest.mark.parametrize(("flags", "action"), [
    (("--local", "--profile", "clinic", "--store", "/data/my store.sqlite3"),
     "vtctl audit verify --profile clinic --store '/data/my store.sqlite3'"),
    (("--local",), "vtctl audit verify"),
])
def test_the_action_carries_only_the_flags_audit_verify_takes(
        flags: tuple[str, ...], action: str) -> None:
    """``audit verify`` reads only the store: ``--local`` would make it a usage error."""
    from tests.history_builders import APPOINTMENT, ROOM, at
    from vtctl.checks.history import build_history
    from vtctl.domain.errors import AuditTrailError
    from vtctl.domain.history import SessionSources

    broken = AuditTrailError("audit record #1 (seq 1, \x1b[2J...) was changed")
    told = build_history(SessionSources(APPOINTMENT, ROOM, trail_doubt=broken), at(300), flags)
    (finding,) = [f for f in told.findings if f.check == "audit"]
    assert finding.action == action
    assert "\x1b" not in finding.detail  # stored text is made printable
    assert told.findings[0] is finding
