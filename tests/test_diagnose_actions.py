"""Actions reach the person who has the problem (issue 19, rule 7).

Every problem ``diagnose`` can find has an action: a ``vtctl`` command to run,
or words to pass on (``tell NAME: ...``).  A token problem is fixed in the
browser that holds the token (a reload fetches a new one), never with ``vtctl
refresh --as`` (that mints on the engineer's machine).  A session long over is
the likely answer to "she cannot get in": the action names her next
appointment (``appointment list --user ... --from ...``'s store query).
"""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.helpers import ROOM_47, appointment, make_store
from vtctl.checks.diagnose import Evidence, Fixes, Unknown, Upcoming, diagnose, problems
from vtctl.checks.diagnose_actions import is_words
from vtctl.checks.diagnose_gather import token_in_hand
from vtctl.checks.diagnose_token import token_findings
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.findings import Finding
from vtctl.domain.jwt_inspect import SigningSecret
from vtctl.domain.models import Appointment, User, format_utc
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus
from vtctl.local.engine import mint_access_token

CHECKS_DIR = Path(__file__).parent.parent / "src" / "vtctl" / "checks"
JANE = User(2, "jane.doe@example.com", "Jane Doe", "patient")
SARAH = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
START = datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
DURING = START + timedelta(minutes=12)
AUDIO = PublishedTrack("audio", "mic", "MT" + "a" * 32, True)
VIDEO = PublishedTrack("video", "cam", "MT" + "b" * 32, True)


# -- every problem the checks can produce has an action ---------------------------------


def _finding_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(CHECKS_DIR.glob("diagnose*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Finding"):
                calls.append((f"{path.name}:{node.lineno}", node))
    return calls


#: Finding(...) calls whose status is not a literal, and why they are never a problem
COMPUTED_STATUS = {"schedule": "ok or warning (a start far ahead)"}


def test_every_problem_in_the_source_is_given_an_action() -> None:
    """Read from the source, so a problem added later is held to it without a list here."""
    calls = _finding_calls()
    assert len(calls) > 20
    for where, call in calls:
        status = call.args[1] if len(call.args) > 1 else None
        if not isinstance(status, ast.Constant):
            check = call.args[0]
            assert isinstance(check, ast.Constant) and check.value in COMPUTED_STATUS, where
            continue
        if status.value != "problem":
            continue
        action = call.args[3] if len(call.args) > 3 else next(
            (k.value for k in call.keywords if k.arg == "action"), None)
        assert action is not None, f"{where}: a problem without an action"
        assert not (isinstance(action, ast.Constant) and action.value is None), where


def test_no_finding_but_a_problem_is_given_an_action_in_the_source() -> None:
    """The converse (CONTRACT.md: `action` is null unless the finding is a problem): an
    ok or a warning that names a command says it in its detail."""
    for where, call in _finding_calls():
        status = call.args[1] if len(call.args) > 1 else None
        if isinstance(status, ast.Constant) and status.value == "problem":
            continue
        action = call.args[3] if len(call.args) > 3 else next(
            (k.value for k in call.keywords if k.arg == "action"), None)
        assert action is None or (isinstance(action, ast.Constant) and action.value is None), (
            f"{where}: a finding that is not a problem is given an action")


def appt(room: str | None = ROOM_47) -> Appointment:
    return Appointment(47, 2, 5, 60, starts_at=START, video_room_id=room, patient=JANE,
                       psychologist=SARAH)


def person(identity: str, n: int, tracks: tuple[PublishedTrack, ...] = (AUDIO, VIDEO)
           ) -> Participant:
    return Participant(identity, "connected", f"PA{n:032x}", connected_at=START, tracks=tracks)


def live(*people: Participant, limit: int = 50, status: str = "in-progress") -> RoomStatus:
    return RoomStatus(47, ROOM_47, status=status, sid="RM" + "a1" * 16, created_at=START,
                      max_participants=limit, participants=people)


def scenarios() -> list[list[Finding]]:
    """A scenario for every problem kind of the room checks."""
    local = Fixes(47, ("--local",))

    def run(view: RoomStatus | Unknown, now: datetime = DURING, room: str | None = ROOM_47,
            upcoming: Upcoming = Upcoming()) -> list[Finding]:
        return diagnose(Evidence(appt(room), view, now, local, upcoming=upcoming))

    jane, sarah = "2-jane.doe@example.com", "5-sarah@example.com"
    return [
        run(Unknown("no room"), room=None),  # room
        run(live(status="completed")),  # twilio: ended while scheduled
        run(live(status="failed")),  # twilio: failed
        run(live(person(sarah, 1), person("9-x@example.com", 2))),  # stranger
        run(live(person(jane, 1), person(jane, 2), person(sarah, 3))),  # ghost
        run(live(person(sarah, 1), person("9-x@example.com", 2), limit=2)),  # capacity
        run(live(person(jane, 1, ()), person(sarah, 2))),  # media: nothing published
        run(live(person(jane, 1, (VIDEO,)), person(sarah, 2))),  # media: no audio
        run(live(), now=START + timedelta(days=2)),  # schedule: long over, next not known
        run(live(), now=START + timedelta(days=2), upcoming=Upcoming(None, known=True)),
    ]


def token_scenarios() -> list[list[Finding]]:
    """A scenario for every problem kind of the token checks."""
    signer = SigningSecret(TEST_API_SECRET, TEST_API_KEY, "environment")

    def mint(identity: str = "2-jane.doe@example.com", room: str = ROOM_47, ttl: int = 5400,
             secret: str = TEST_API_SECRET, issued: datetime = DURING) -> str:
        credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, secret)
        return mint_access_token(credentials, identity, room, int(issued.timestamp()), ttl)

    def run(text: str, now: datetime = DURING, room: str | None = ROOM_47) -> list[Finding]:
        return token_findings(token_in_hand(text, lambda: signer), appt(room), now)

    return [
        run("not-a-token"),
        run(mint(secret="another-secret-entirely-0000-ffff")),
        run(mint(identity="9-outsider@example.com")),
        run(mint(room="apt-48-1763300000-0a1b2c3d")),
        run(mint(), room=None),
        run(mint(), now=DURING + timedelta(hours=3)),  # expired
        run(mint(issued=DURING + timedelta(minutes=5))),  # not valid yet (nbf ahead)
        run(mint(ttl=6 * 3600)),  # lifetime
    ]


def test_every_scenario_problem_has_an_action_that_reaches_someone() -> None:
    kinds = set()
    for findings in scenarios() + token_scenarios():
        found = problems(findings)
        assert found, findings
        for finding in found:
            kinds.add(finding.check)
            assert finding.action, finding
            assert finding.action.startswith("vtctl ") or is_words(finding.action) or (
                finding.check == "token_validity"), finding  # the engineer's own clock
            assert "vtctl refresh" not in finding.action, finding
    assert kinds >= {"room", "twilio", "stranger", "ghost", "capacity", "media", "schedule",
                     "token", "token_signature", "token_identity", "token_room",
                     "token_validity", "token_lifetime"}


def over_scenarios(local: bool = True, remote: bool = True) -> list[list[Finding]]:
    """The session is over: the room live, never created, completed (history's cases),
    on the remote backend and the local one."""
    later = START + timedelta(hours=2)
    backends = [flags for flags, wanted in (((), remote), (("--local",), local)) if wanted]
    return [diagnose(Evidence(appt(), view, later, Fixes(47, flags)))
            for view in (live(person("2-jane.doe@example.com", 1)), live(status="not-created"),
                         live(status="completed"))
            for flags in backends]


def test_every_finding_that_is_not_a_problem_has_a_null_action() -> None:
    """Over every scenario, as `diagnose --json` prints them: only a problem has an action."""
    for findings in scenarios() + token_scenarios() + over_scenarios():
        for row in (f.to_json() for f in findings):
            if row["status"] != "problem":
                assert row["action"] is None, row


def test_after_the_session_history_is_named_in_the_detail_not_the_action() -> None:
    for findings in over_scenarios():
        twilio = next(f for f in findings if f.check == "twilio")
        assert twilio.status == "ok" and twilio.action is None, twilio
    for findings in over_scenarios(remote=False):
        twilio = next(f for f in findings if f.check == "twilio")
        assert "`vtctl history 47 --local`" in twilio.detail, twilio
    for findings in over_scenarios(local=False):  # history runs on the local backend only
        assert "vtctl" not in next(f for f in findings if f.check == "twilio").detail


def test_a_bad_token_is_fixed_in_the_browser_that_holds_it() -> None:
    expired = next(f for f in token_scenarios()[5] if f.check == "token_validity")
    assert expired.action == ("tell Jane Doe (patient): reload the session page; it fetches a "
                              "new token")


def test_media_tells_the_person_whose_browser_it_is() -> None:
    media = next(f for f in scenarios()[6] if f.check == "media" and f.status == "problem")
    assert media.action is not None
    assert media.action.startswith("tell Jane Doe (patient): allow this site the camera")


# -- a session long over: her next appointment -------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Path:
    now = datetime.now(UTC)
    return make_store(
        tmp_path / "store.sqlite3",
        appointment(47, starts_at=format_utc(now - timedelta(days=3))),
        appointment(52, starts_at=format_utc(now + timedelta(days=4)), room=None),
        appointment(53, starts_at=format_utc(now + timedelta(days=11)), room=None),
        # someone else's, sooner: not hers
        appointment(60, starts_at=format_utc(now + timedelta(days=1)), patient_id=9, room=None),
    )


def schedule_of(result: Any) -> dict[str, Any]:
    return next(f for f in json.loads(result.stdout) if f["check"] == "schedule")


def test_a_session_long_over_names_her_next_appointment(cli: Any, store: Path) -> None:
    result = cli("diagnose", "47", "--local", "--store", str(store), "--json")
    assert result.exit_code == 8, result.stderr
    schedule = schedule_of(result)
    assert schedule["status"] == "problem"
    assert schedule["detail"].startswith("ended 2 d 23 h ago (")
    assert schedule["action"].startswith("tell Jane Doe (patient): this link's session ended ")
    assert "the next is appointment 52 at " in schedule["action"]
    assert "join it from its own link" in schedule["action"]


def test_the_json_of_a_real_run_has_actions_only_on_problems(cli: Any, store: Path) -> None:
    found = json.loads(cli("diagnose", "47", "--local", "--store", str(store), "--json").stdout)
    assert {f["check"] for f in found} >= {"schedule", "twilio"}
    assert [f for f in found if f["status"] != "problem" and f["action"] is not None] == []


def test_no_later_appointment_says_so(cli: Any, tmp_path: Path) -> None:
    past = format_utc(datetime.now(UTC) - timedelta(days=3))
    store = make_store(tmp_path / "s.sqlite3", appointment(47, starts_at=past))
    schedule = schedule_of(cli("diagnose", "47", "--local", "--store", str(store), "--json"))
    assert schedule["action"].endswith("no later appointment is booked: book a new one")


def test_just_ended_is_only_a_warning(cli: Any, tmp_path: Path) -> None:
    """Within the tokens' 30-minute buffer the session may be running over."""
    recent = format_utc(datetime.now(UTC) - timedelta(minutes=70))
    store = make_store(tmp_path / "s.sqlite3", appointment(47, starts_at=recent))
    schedule = schedule_of(cli("diagnose", "47", "--local", "--store", str(store), "--json"))
    assert schedule["status"] == "warning" and schedule["action"] is None


def test_remotely_the_action_is_words_for_the_patient() -> None:
    """The guide's API cannot list a user's appointments, and ``appointment list`` reads a
    store a machine that only uses the API does not have (exit 2): words, not a command."""
    findings = diagnose(Evidence(appt(), live(), START + timedelta(days=2),
                                 Fixes(47, ("--base-url", "http://127.0.0.1:8000"))))
    schedule = next(f for f in findings if f.check == "schedule")
    assert schedule.action == ("tell Jane Doe (patient): this link's session ended 1 d 23 h "
                               "ago: join your next session from its own link (or book one)")


def test_the_footer_says_what_to_do_with_both_kinds(cli: Any, store: Path) -> None:
    result = cli("diagnose", "47", "--local", "--store", str(store))
    hint = result.stderr.splitlines()[1]
    assert hint.startswith("hint: ") and "`vtctl ...` command" in hint and "`tell" in hint


def test_removing_someone_is_a_command_locally_and_words_remotely() -> None:
    here = Fixes(47, ("--local", "--store", "/tmp/s.sqlite3"))
    assert here.kick("9-x@example.com") == (
        "vtctl room kick 47 9-x@example.com --local --store /tmp/s.sqlite3")
    assert Fixes(47).kick("9-x@example.com") == (
        "remove 9-x@example.com from the room in the Twilio Console (the API has no such "
        "endpoint; vtctl's room kick needs the local backend and Twilio credentials)")
    assert Fixes(47).history() is None and here.history() == (
        "vtctl history 47 --local --store /tmp/s.sqlite3")
