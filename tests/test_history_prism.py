"""``vtctl history`` through the real executable against two Prism processes: one serving
Twilio's Video v1 OpenAPI description (``VTCTL_TWILIO_API_URL``), one its Insights v1
description (``VTCTL_TWILIO_INSIGHTS_URL``).

Prism refuses any request that does not match the spec it serves, so "no violation in
either log" proves vtctl asks both APIs as Twilio documents them.  Twilio's own
examples of the lists vtctl reads are empty (or name nobody of the appointment), so a
second pair of Prism processes serves the same descriptions with examples of our own
for those lists, made from Twilio's non-empty examples with only their values changed.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_vtctl
from tests.helpers import ROOM_47, appointment, make_store
from tests.prism_fixtures import Prism, running_prism
from tests.serve_fixtures import TWILIO_ENV
from tests.twilio_fakes import JANE_ID, SARAH_ID

pytestmark = pytest.mark.e2e

ROOM_SID = "RM" + "4b" * 16
ROOMS = "/v1/Rooms"
PARTICIPANTS = "/v1/Rooms/{RoomSid}/Participants"
INSIGHTS_PARTICIPANTS = "/v1/Video/Rooms/{RoomSid}/Participants"


def _examples(spec: dict[str, Any], path: str) -> dict[str, Any]:
    content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    examples: dict[str, Any] = content["examples"]
    return examples


def video_spec_with_a_session(ours: dict[str, Any]) -> None:
    """Twilio's Video description; the rooms and participants lists answer with one
    completed room of appointment 47 in which Jane dropped and rejoined."""
    rooms = _examples(ours, ROOMS)
    page = copy.deepcopy(rooms["readWithStatus"]["value"])
    room = page["rooms"][0]
    room.update(sid=ROOM_SID, unique_name=ROOM_47, status="completed", type="group",
                date_created="2025-11-16T08:58:00Z", end_time="2025-11-16T09:52:00Z",
                duration=3240)
    _examples(ours, ROOMS).clear()
    _examples(ours, ROOMS)["ours"] = {"value": page}
    people = _examples(ours, PARTICIPANTS)
    template = people["readFilters"]["value"]
    participants = []
    for n, (identity, joined, left) in enumerate([
        (JANE_ID, "2025-11-16T09:00:00Z", "2025-11-16T09:14:00Z"),
        (JANE_ID, "2025-11-16T09:15:00Z", "2025-11-16T09:52:00Z"),
        (SARAH_ID, "2025-11-16T09:07:00Z", "2025-11-16T09:52:00Z"),
    ], start=1):
        record = copy.deepcopy(template["participants"][0])
        record.update(sid=f"PA{n:032x}", room_sid=ROOM_SID, identity=identity,
                      status="disconnected", date_created=joined, start_time=joined,
                      end_time=left)
        participants.append(record)
    people.clear()
    people["ours"] = {"value": {**copy.deepcopy(template), "participants": participants}}


def insights_spec_with_summaries(ours: dict[str, Any]) -> None:
    """Twilio's Insights description; the participant summaries say Jane left with 53405."""
    summaries = _examples(ours, INSIGHTS_PARTICIPANTS)
    page = copy.deepcopy(summaries["readFull"]["value"])
    record = page["participants"][0]
    record.update(participant_sid=f"PA{1:032x}", participant_identity=JANE_ID,
                  room_sid=ROOM_SID, error_code=53405, end_reason="signaling_connection_error",
                  error_code_url="https://www.twilio.com/docs/api/errors/53405", status="completed",
                  publisher_info={"name": "twilio-video.js", "sdk_version": "2.28.1",
                                  "browser_name": "Chrome", "browser_version": "120"})
    summaries.clear()
    summaries["ours"] = {"value": page}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Per test: its audit trail is keyed in the test's own keyring, where ``history``
    (which verifies the trail) looks for the key."""
    return make_store(tmp_path / "store.sqlite3", appointment(47))


@pytest.fixture(scope="module")
def twilios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prism, Prism]]:
    """Prism serving Twilio's two descriptions as published."""
    directory = tmp_path_factory.mktemp("prism")
    with running_prism(directory) as video, running_prism(
            directory, spec="PRISM_INSIGHTS_SPEC") as insights:
        yield video, insights


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Prism, Prism]]:
    """Prism serving the same descriptions with our examples for the lists."""
    directory = tmp_path_factory.mktemp("prism-ours")
    with running_prism(directory, edit_spec=video_spec_with_a_session) as video, running_prism(
            directory, spec="PRISM_INSIGHTS_SPEC", edit_spec=insights_spec_with_summaries
    ) as insights:
        yield video, insights


def run(pair: tuple[Prism, Prism], store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    video, insights = pair
    env = {**TWILIO_ENV, "VTCTL_TWILIO_API_URL": video.url,
           "VTCTL_TWILIO_INSIGHTS_URL": insights.url, "VTCTL_STORE": str(store),
           "COLUMNS": "120"}
    return run_vtctl("history", *args, "--local", env=env)


def assert_clean(pair: tuple[Prism, Prism], result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    for prism in pair:
        assert prism.violations() == [], prism.text()[-3000:]


def test_twilios_own_examples(twilios: tuple[Prism, Prism], store: Path) -> None:
    video, insights = twilios
    before = len(video.requests()), len(insights.requests())
    result = run(twilios, store, "47", "--json")
    assert_clean(twilios, result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["appointment", "rooms", "events", "findings"]
    asked_video = video.requests()[before[0]:]
    assert any(line.startswith("get /v1/Rooms") for line in asked_video), asked_video


def test_a_session_from_our_examples(session: tuple[Prism, Prism], store: Path) -> None:
    video, insights = session
    result = run(session, store, "47", "--json")
    assert_clean(session, result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (room,) = document["rooms"]
    assert room["sid"] == ROOM_SID and room["name"] == ROOM_47
    identities = [p["identity"] for p in room["participants"]]
    assert identities == [JANE_ID, JANE_ID, SARAH_ID]
    jane = room["participants"][0]
    assert jane["error"] == "53405 Media connection failed or Media activity ceased"
    assert jane["publisher"]["browser"] == "Chrome"
    checks = {f["check"] for f in document["findings"]}
    assert {"reconnects", "error", "alone"} <= checks
    asked = insights.requests()
    assert f"get /v1/Video/Rooms/{ROOM_SID}" in asked
    assert f"get /v1/Video/Rooms/{ROOM_SID}/Participants" in asked
    assert all(line.startswith("get /v1/Rooms") for line in video.requests())


def test_piped_and_on_a_terminal(session: tuple[Prism, Prism], store: Path) -> None:
    piped = run(session, store, ROOM_47)
    assert_clean(session, piped)
    assert piped.returncode == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines and all(line.count("\t") == 5 for line in lines)
    assert any("\tleft\t2-jane.doe@example.com\tpatient\t" in line for line in lines)
    assert "stands out: error\tproblem\t" in piped.stderr
