"""Tables at any width: identifiers are never broken, the token table speaks in words."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from vtctl.domain.models import VideoToken
from vtctl.domain.room_state import Participant, RoomStatus

NOW = datetime(2025, 11, 16, 9, 30, tzinfo=UTC)
ROOM = "apt-47-1763138954-46eb915c"
IDENTITIES = ("2-jane.doe@example.com", "5-sarah@example.com")


def _render(renderable: object, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(renderable)
    return out.getvalue()


def _status() -> RoomStatus:
    participants = tuple(
        Participant(identity=who, status="connected", sid="PA" + "0" * 32,
                    connected_at=NOW - timedelta(minutes=5)) for who in IDENTITIES)
    return RoomStatus(appointment_id=47, room_name=ROOM, status="in-progress",
                      sid="RM" + "a" * 32, participant_count=2,
                      participants=participants, created_at=NOW - timedelta(minutes=6))


@pytest.mark.parametrize("width", [50, 80, 120])
def test_status_keeps_every_identity_whole(width: int) -> None:
    from vtctl.ui.render.status import status_sheet

    text = _render(status_sheet(_status(), NOW), width)
    for identity in IDENTITIES:
        assert identity in text, text
    assert ROOM in text and "RM" + "a" * 32 in text
    assert max(len(line) for line in text.splitlines()) <= width


def _token() -> VideoToken:
    return VideoToken("eyJ" + "a" * 300, ROOM, IDENTITIES[0], 5400, NOW + timedelta(minutes=90),
                      47, 60, "90 minutes (1 hours)")


@pytest.mark.parametrize("width", [50, 80, 120])
def test_token_table_keeps_room_and_identity_whole_and_speaks_in_words(width: int) -> None:
    from vtctl.ui.render.tokens import token_sheet

    text = _render(token_sheet(_token(), NOW), width)
    assert ROOM in text and IDENTITIES[0] in text
    assert "1 h 30 min (5400 s)" in text
    assert "(1 hours)" not in text
    assert max(len(line) for line in text.splitlines()) <= width


def test_token_json_keeps_the_guides_string() -> None:
    assert _token().to_json()["token_valid_until"] == "90 minutes (1 hours)"
