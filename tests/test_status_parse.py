"""The remote video-status reply: RoomStatus.to_json()'s shape and tolerant variants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from vtctl.domain.errors import MalformedResponseError, ServerError
from vtctl.domain.room_state import Participant, RoomStatus
from vtctl.remote.status_parse import parse_room_status

ROOM = "apt-47-1763138954-46eb915c"
SID = "RM" + "a1" * 16


def test_round_trip_of_our_own_json() -> None:
    original = RoomStatus(
        appointment_id=47, room_name=ROOM, status="in-progress", sid=SID, room_type="group",
        created_at=datetime(2025, 11, 16, 9, 1, 5, tzinfo=UTC), duration_seconds=None,
        max_participants=50,
        participants=(
            Participant("2-jane.doe@example.com", "connected", "PA1", "patient",
                        datetime(2025, 11, 16, 9, 2, 10, tzinfo=UTC)),
            Participant("5-sarah@example.com", "disconnected", "PA2", "psychologist",
                        datetime(2025, 11, 16, 9, 3, tzinfo=UTC),
                        datetime(2025, 11, 16, 9, 8, tzinfo=UTC), 300),
        ),
        participant_count=1, message=None,
    )
    parsed = parse_room_status(original.to_json(), 47)
    assert parsed == original
    assert parsed.to_json() == original.to_json()


def test_twilio_style_variant() -> None:
    payload = {
        "room_sid": SID,
        "unique_name": ROOM,
        "room_status": "in-progress",
        "room_type": "group-small",
        "date_created": "2025-11-16T09:01:05Z",
        "duration": "125",
        "max_participants": 4,
        "participants_count": 2,
        "participants": [
            {"identity": "2-jane.doe@example.com", "status": "connected", "sid": "PA1",
             "start_time": "2025-11-16T09:02:10Z"},
            {"identity": "5-sarah@example.com", "status": "connected", "sid": "PA2",
             "date_created": "2025-11-16T09:03:00+00:00", "duration": 12.0},
        ],
    }
    status = parse_room_status(payload, 47)
    assert status.appointment_id == 47
    assert (status.room_name, status.sid, status.status) == (ROOM, SID, "in-progress")
    assert status.room_type == "group-small"
    assert status.created_at == datetime(2025, 11, 16, 9, 1, 5, tzinfo=UTC)
    assert status.duration_seconds == 125
    assert status.max_participants == 4
    assert status.participant_count == 2
    jane, sarah = status.participants
    assert jane.connected_at == datetime(2025, 11, 16, 9, 2, 10, tzinfo=UTC)
    assert sarah.connected_at == datetime(2025, 11, 16, 9, 3, tzinfo=UTC)
    assert sarah.duration_seconds == 12


def test_plain_sid_and_room_name_with_count_only() -> None:
    status = parse_room_status(
        {"sid": SID, "room_name": ROOM, "status": "completed", "participant_count": 0}, 47
    )
    assert (status.sid, status.room_name, status.status) == (SID, ROOM, "completed")
    assert status.participants == ()
    assert status.active_participant_count == 0


def test_nested_room_object() -> None:
    payload = {
        "appointment_id": 47,
        "room": {"sid": SID, "unique_name": ROOM, "status": "in-progress", "type": "group"},
        "participants": [{"identity": "2-jane.doe@example.com"}],
    }
    status = parse_room_status(payload, 47)
    assert (status.sid, status.room_name, status.room_type) == (SID, ROOM, "group")
    assert status.participants == (Participant("2-jane.doe@example.com"),)
    assert status.active_participant_count == 1


def test_room_as_a_string_is_the_room_name() -> None:
    assert parse_room_status({"room": ROOM}, 47).room_name == ROOM


def test_participants_as_a_count_or_identity_strings() -> None:
    assert parse_room_status({"participants": 2}, 47).active_participant_count == 2
    status = parse_room_status({"participants": ["2-jane.doe@example.com", "", 7]}, 47)
    assert [p.identity for p in status.participants] == ["2-jane.doe@example.com"]


def test_missing_fields_are_unknown() -> None:
    status = parse_room_status({}, 47)
    assert status == RoomStatus(appointment_id=47, room_name=None)
    assert status.to_json()["participant_count"] == 0


def test_extra_fields_are_kept_aside() -> None:
    status = parse_room_status(
        {"room_name": ROOM, "status": "in-progress", "recording": True, "region": "us1"}, 47
    )
    assert status.extra == {"recording": True, "region": "us1"}
    assert "recording" not in status.to_json()


@pytest.mark.parametrize(
    "payload",
    [
        {"status": 3, "sid": ["x"], "room_name": {"a": 1}, "type": False},
        {"created_at": "yesterday", "duration": "long", "max_participants": -1},
        {"participant_count": True, "participants": "everyone"},
        {"participants": [None, 1, {"status": "connected"}, {"identity": 5}]},
        {"created_at": 1763283665, "max_participants": 2.5, "message": 42},
    ],
)
def test_wrong_types_for_optional_fields_become_unknown(payload: dict[str, Any]) -> None:
    status = parse_room_status(payload, 47)
    assert status.appointment_id == 47
    assert status.room_name is None and status.status is None and status.sid is None
    assert status.room_type is None and status.created_at is None
    assert status.duration_seconds is None and status.max_participants is None
    assert status.participants == ()
    assert status.message is None
    status.to_json()  # still serializable


def test_wrong_appointment_id_falls_back_to_the_asked_one() -> None:
    assert parse_room_status({"appointment_id": "forty-seven"}, 47).appointment_id == 47


def test_message_and_participant_details() -> None:
    status = parse_room_status(
        {
            "status": "offline", "message": "Twilio is not configured",
            "participants": [
                {"user_identity": "2-jane.doe@example.com", "state": "disconnected",
                 "role": "patient", "joined_at": "2025-11-16T09:00:00Z",
                 "left_at": "2025-11-16T09:30:00Z", "duration_seconds": 1800},
            ],
        },
        47,
    )
    assert status.message == "Twilio is not configured"
    (jane,) = status.participants
    assert jane == Participant(
        "2-jane.doe@example.com", "disconnected", None, "patient",
        datetime(2025, 11, 16, 9, tzinfo=UTC), datetime(2025, 11, 16, 9, 30, tzinfo=UTC), 1800,
    )
    assert status.active_participant_count == 0


@pytest.mark.parametrize("payload", [None, [], [{"status": "ok"}], "in-progress", 3, 2.5, True])
def test_non_object_payload_is_malformed(payload: Any) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        parse_room_status(payload, 47)
    assert isinstance(caught.value, ServerError)  # exit 6
    assert "not a JSON object" in caught.value.message


def test_tracks_and_unknown_state_round_trip() -> None:
    from vtctl.domain.room_state import PublishedTrack

    jane = Participant("2-jane.doe@example.com", "connected", "PA1", "patient",
                       tracks=(PublishedTrack("video", "camera", "MT1", False),))
    gone = Participant("5-sarah@example.com", "disconnected", "PA2", "psychologist")
    sent = RoomStatus(47, "apt-47-1763138954-46eb915c", "in-progress", participants=(jane, gone),
                      participant_count=1)
    parsed = parse_room_status(sent.to_json(), 47)
    assert parsed.participants[0].tracks == jane.tracks
    assert parsed.participants[1].tracks is None  # not asked: not "none published"
    unknown = parse_room_status({"status": "unknown", "participant_count": None,
                                 "unknown_reason": "no-credentials", "participants": []}, 47)
    assert unknown.active_participant_count is None
    assert unknown.unknown_reason == "no-credentials"
