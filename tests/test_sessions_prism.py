"""``vtctl sessions`` through the real executable against Prism serving Twilio's Video v1
OpenAPI description, with examples of our own put first (static Prism answers every
Rooms list with the first example, every Participants list likewise): two live rooms of
the window's appointments, and one live room of no appointment.

Prism refuses a request that breaks Twilio's spec, so "no violation in its log" proves
the rooms list, its Status/DateCreatedAfter/PageSize filters and the participants
requests are sent as Twilio documents them.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_vtctl
from tests.helpers import JANE, OUTSIDER, SARAH, store_from_document
from tests.prism_fixtures import Prism, running_prism
from tests.serve_fixtures import TWILIO_ENV

pytestmark = pytest.mark.e2e

JOHN = {"id": 3, "email": "john.roe@example.com", "name": "John Roe", "role": "patient"}
LIVE_IN_SESSION = "apt-47-1763138954-46eb915c"
LIVE_WITH_A_STRANGER = "apt-48-1763138954-0000beef"
NOT_LIVE_PAST = "apt-50-1763138954-0000cafe"
NOT_LIVE_LATER = "apt-51-1763138954-0000f00d"
LOBBY = "front-desk-lobby"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _room(sid_digit: str, name: str, now: datetime) -> dict[str, Any]:
    sid = "RM" + sid_digit * 32
    base = f"https://video.twilio.com/v1/Rooms/{sid}"
    return {
        "sid": sid, "status": "in-progress", "date_created": iso(now - timedelta(minutes=12)),
        "date_updated": iso(now - timedelta(minutes=12)),
        "account_sid": "AC" + "a" * 32, "type": "group", "enable_turn": True,
        "unique_name": name, "status_callback": None, "status_callback_method": "POST",
        "end_time": None, "duration": None, "max_participants": 50,
        "max_participant_duration": 14400, "max_concurrent_published_tracks": 170,
        "record_participants_on_connect": False, "video_codecs": ["VP8"],
        "media_region": "us1", "audio_only": False, "empty_room_timeout": 5,
        "unused_room_timeout": 5, "large_room": False, "url": base,
        "links": {"participants": f"{base}/Participants", "recordings": f"{base}/Recordings",
                  "transcriptions": f"{base}/Transcriptions",
                  "recording_rules": f"{base}/RecordingRules"},
    }


def _participant(n: int, identity: str, now: datetime) -> dict[str, Any]:
    room = "RM" + "a" * 32
    sid = f"PA{n:032x}"
    base = f"https://video.twilio.com/v1/Rooms/{room}/Participants/{sid}"
    joined = iso(now - timedelta(minutes=9))
    return {
        "account_sid": "AC" + "a" * 32, "room_sid": room, "date_created": joined,
        "date_updated": joined, "start_time": joined, "end_time": None, "sid": sid,
        "identity": identity, "status": "connected", "url": base, "duration": None,
        "links": {"published_tracks": f"{base}/PublishedTracks",
                  "subscribed_tracks": f"{base}/SubscribedTracks",
                  "subscribe_rules": f"{base}/SubscribeRules", "anonymize": f"{base}/Anonymize"},
    }


def _listing(key: str, url: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: records, "meta": {
        "page": 0, "page_size": 50, "first_page_url": f"{url}?PageSize=50&Page=0",
        "previous_page_url": None, "url": f"{url}?PageSize=50&Page=0",
        "next_page_url": None, "key": key}}


def our_examples(spec: dict[str, Any], now: datetime) -> None:
    """Our mix first in the Rooms and Participants list examples (Prism's static choice)."""
    rooms = [_room("1", LIVE_IN_SESSION, now), _room("2", LIVE_WITH_A_STRANGER, now),
             _room("3", LOBBY, now)]
    # every live room's participants: Jane and Sarah (John's room 48 has a stranger: Jane)
    people = [_participant(1, f"{JANE['id']}-{JANE['email']}", now),
              _participant(2, f"{SARAH['id']}-{SARAH['email']}", now)]
    for path, example in (
        ("/v1/Rooms", _listing("rooms", "https://video.twilio.com/v1/Rooms", rooms)),
        ("/v1/Rooms/{RoomSid}/Participants", _listing(
            "participants", "https://video.twilio.com/v1/Rooms/RM/Participants", people)),
    ):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        content["examples"] = {"shiftMix": {"value": example}, **content["examples"]}


@pytest.fixture(scope="module")
def now() -> datetime:
    """The moment the shift is built around, taken when the module's tests start (a time
    taken at import would age while a slow suite runs, and move the states)."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory, now: datetime) -> Iterator[Prism]:
    with running_prism(tmp_path_factory.mktemp("prism"),
                       edit_spec=lambda spec: our_examples(spec, now)) as server:
        yield server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, now: datetime) -> Path:
    def appointment(i: int, patient: int, starts: timedelta, room: str | None) -> dict[str, Any]:
        return {"id": i, "patient_id": patient, "psychologist_id": 5, "duration_minutes": 50,
                "starts_at": iso(now + starts), "video_room_id": room}

    document = {
        "users": [JANE, SARAH, OUTSIDER, JOHN],
        "appointments": [
            appointment(47, 2, timedelta(minutes=-10), LIVE_IN_SESSION),
            appointment(48, 3, timedelta(minutes=-5), LIVE_WITH_A_STRANGER),
            appointment(49, 9, timedelta(minutes=5), None),
            appointment(50, 9, timedelta(minutes=-40), NOT_LIVE_PAST),
            appointment(51, 2, timedelta(minutes=60), NOT_LIVE_LATER),
        ],
    }
    return store_from_document(tmp_path_factory.mktemp("store") / "store.sqlite3", document)


def run(prism: Prism, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**TWILIO_ENV, "VTCTL_TWILIO_API_URL": prism.url, "VTCTL_STORE": str(store),
           "COLUMNS": "200"}
    return run_vtctl("sessions", *args, "--local", env=env)


def test_the_shift_against_twilios_spec(prism: Prism, store: Path) -> None:
    before = len(prism.requests())
    result = run(prism, store, "--json")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    states = {row["appointment_id"]: row["state"] for row in json.loads(result.stdout)}
    assert states == {47: "in session", 48: "stranger", 49: "no room", 50: "missed",
                      51: "upcoming"}
    sent = prism.requests()[before:]
    assert prism.violations() == [], prism.text()[-3000:]
    # one live list, the participants of the two live rooms of the window (not the lobby's),
    # one completed list (50 is past its start and not live); Prism logs paths only
    assert sorted(sent) == sorted(
        ["get /v1/Rooms", "get /v1/Rooms",
         f"get /v1/Rooms/RM{'1' * 32}/Participants", f"get /v1/Rooms/RM{'2' * 32}/Participants"])


def test_piped_lines_alert_and_other_live_rooms(prism: Prism, store: Path) -> None:
    piped = run(prism, store)
    assert piped.returncode == 0, piped.stderr
    assert [line.split("\t")[3] for line in piped.stdout.splitlines()] == [
        "stranger", "no room", "missed", "in session", "upcoming"]
    assert f"other live room: {LOBBY} (RM{'3' * 32}), no appointment's room" in piped.stderr

    alert = run(prism, store, "--alert", "stranger,no-room", "--json")
    assert alert.returncode == 8, alert.stderr
    assert [row["appointment_id"] for row in json.loads(alert.stdout)] == [48, 49]
    assert alert.stderr.startswith("error: 2 of 5 sessions match --alert stranger,no-room")
    assert prism.violations() == [], prism.text()[-3000:]
