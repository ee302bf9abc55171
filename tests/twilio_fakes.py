"""Twilio's Video REST API bodies (shaped like its documented resources) for pytest-httpx."""

from __future__ import annotations

from typing import Any

from pytest_httpx import HTTPXMock

from tests.helpers import JANE as JANE_RECORD
from tests.helpers import SARAH as SARAH_RECORD
from tests.helpers import appointment
from vtctl.domain.models import User

#: the same test-only credentials as conftest's ``twilio_env``
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_API_KEY = "SK" + "fedcba9876543210" * 2
TEST_API_SECRET = "test-api-secret-Zq8mN3vX"

ROOM_NAME = "apt-47-1763138954-46eb915c"
ROOM_SID = "RM" + "a1" * 16
BASE = "https://video.twilio.com/v1"
ROOM_URL = f"{BASE}/Rooms/{ROOM_NAME}"
PARTICIPANTS_URL = f"{BASE}/Rooms/{ROOM_SID}/Participants"
CONNECTED_URL = f"{PARTICIPANTS_URL}?Status=connected&PageSize=50"
DISCONNECTED_URL = f"{PARTICIPANTS_URL}?Status=disconnected&PageSize=20"
COMPLETED_LOOKUP_URL = f"{BASE}/Rooms?UniqueName={ROOM_NAME}&Status=completed&PageSize=1"

JANE = User(2, "jane.doe@example.com", "Jane Doe", "patient")
SARAH = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
#: their Twilio identities (ID-EMAIL, as vtctl mints them) and participant SIDs
JANE_ID = "2-jane.doe@example.com"
SARAH_ID = "5-sarah@example.com"
JANE_PA = f"PA{2:032x}"
SARAH_PA = f"PA{3:032x}"

JOHN = {"id": 3, "email": "john.roe@example.com", "name": "John Roe", "role": "patient"}
IMPORT_FILE = {
    "users": [JANE_RECORD, SARAH_RECORD, JOHN],
    "appointments": [
        appointment(47, room=ROOM_NAME),
        appointment(48, duration=45, room=None, patient_id=3, starts_at="2025-11-16T11:00:00Z"),
    ],
}


def room_body(status: str = "in-progress", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sid": ROOM_SID,
        "status": status,
        "date_created": "2025-11-16T09:01:05Z",
        "date_updated": "2025-11-16T09:01:05Z",
        "account_sid": TEST_ACCOUNT_SID,
        "enable_turn": True,
        "unique_name": ROOM_NAME,
        "status_callback": None,
        "status_callback_method": "POST",
        "end_time": None,
        "duration": None,
        "type": "group",
        "max_participants": 50,
        "max_participant_duration": 14400,
        "max_concurrent_published_tracks": 170,
        "record_participants_on_connect": False,
        "video_codecs": ["VP8", "H264"],
        "media_region": "us1",
        "audio_only": False,
        "empty_room_timeout": 5,
        "unused_room_timeout": 5,
        "large_room": False,
        "url": f"{BASE}/Rooms/{ROOM_SID}",
        "links": {
            "participants": f"{BASE}/Rooms/{ROOM_SID}/Participants",
            "recordings": f"{BASE}/Rooms/{ROOM_SID}/Recordings",
            "recording_rules": f"{BASE}/Rooms/{ROOM_SID}/RecordingRules",
        },
    }
    body.update(overrides)
    return body


def participant_body(
    identity: str, n: int, status: str = "connected", **overrides: Any
) -> dict[str, Any]:
    sid = f"PA{n:032x}"
    body: dict[str, Any] = {
        "sid": sid,
        "room_sid": ROOM_SID,
        "account_sid": TEST_ACCOUNT_SID,
        "status": status,
        "identity": identity,
        "date_created": f"2025-11-16T09:0{n}:10Z",
        "date_updated": f"2025-11-16T09:0{n}:10Z",
        "start_time": f"2025-11-16T09:0{n}:10Z",
        "end_time": None,
        "duration": None,
        "url": f"{PARTICIPANTS_URL}/{sid}",
        "links": {
            "published_tracks": f"{PARTICIPANTS_URL}/{sid}/PublishedTracks",
            "subscribed_tracks": f"{PARTICIPANTS_URL}/{sid}/SubscribedTracks",
            "subscribe_rules": f"{PARTICIPANTS_URL}/{sid}/SubscribeRules",
            "anonymize": f"{PARTICIPANTS_URL}/{sid}/Anonymize",
        },
    }
    body.update(overrides)
    return body


def page(key: str, url: str, records: list[dict[str, Any]], page_size: int) -> dict[str, Any]:
    return {
        key: records,
        "meta": {
            "page": 0,
            "page_size": page_size,
            "first_page_url": url + "&Page=0",
            "previous_page_url": None,
            "url": url + "&Page=0",
            "next_page_url": None,
            "key": key,
        },
    }


def twilio_error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code, "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status,
    }


def track_body(participant_sid: str, kind: str, n: int, enabled: bool = True,
               **overrides: Any) -> dict[str, Any]:
    sid = f"MT{n:032x}"
    body: dict[str, Any] = {
        "sid": sid, "participant_sid": participant_sid, "room_sid": ROOM_SID,
        "name": f"{kind}-track-{n}", "date_created": "2025-11-16T09:02:11Z",
        "date_updated": "2025-11-16T09:02:11Z", "enabled": enabled, "kind": kind,
        "url": f"{PARTICIPANTS_URL}/{participant_sid}/PublishedTracks/{sid}",
    }
    body.update(overrides)
    return body


def tracks_url(participant_sid: str, room_sid: str = ROOM_SID) -> str:
    return f"{BASE}/Rooms/{room_sid}/Participants/{participant_sid}/PublishedTracks?PageSize=50"


def mock_tracks(httpx_mock: HTTPXMock, participant_sid: str, tracks: list[dict[str, Any]],
                room_sid: str = ROOM_SID) -> None:
    url = tracks_url(participant_sid, room_sid)
    httpx_mock.add_response(url=url, json=page("published_tracks", url, tracks, 50))


def mock_in_progress(
    httpx_mock: HTTPXMock,
    connected: list[dict[str, Any]],
    disconnected: list[dict[str, Any]] | None = None,
    tracks: dict[str, list[dict[str, Any]]] | None = None,
) -> None:
    """The room, its participants and each connected one's tracks (microphone and camera,
    both on, unless ``tracks`` gives that participant SID's list)."""
    httpx_mock.add_response(url=ROOM_URL, json=room_body())
    httpx_mock.add_response(
        url=CONNECTED_URL, json=page("participants", CONNECTED_URL, connected, 50)
    )
    httpx_mock.add_response(
        url=DISCONNECTED_URL,
        json=page("participants", DISCONNECTED_URL, disconnected or [], 20),
    )
    for record in connected:
        sid = record["sid"]
        default = [track_body(sid, "audio", 1), track_body(sid, "video", 2)]
        mock_tracks(httpx_mock, sid, (tracks or {}).get(sid, default))


def mock_not_created(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=ROOM_URL, status_code=404,
        json=twilio_error(404, 20404, f"The requested resource /Rooms/{ROOM_NAME} was not found"),
    )
    httpx_mock.add_response(
        url=COMPLETED_LOOKUP_URL, json=page("rooms", COMPLETED_LOOKUP_URL, [], 1)
    )


