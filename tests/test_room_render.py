"""Room tables at 50, 80 and 120 columns: identity, role and track state stay readable;
room names and SIDs are never broken across lines (other columns drop first)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console, RenderableType

from vtctl.domain.models import User
from vtctl.domain.room_state import (
    Participant,
    PublishedTrack,
    RoomChange,
    RoomStatus,
    RoomSummary,
)
from vtctl.ui.render.rooms import change_sheet, participants_sheet, rooms_sheet

NOW = datetime(2025, 11, 16, 9, 12, tzinfo=UTC)
ROOM = "apt-47-1763138954-46eb915c"
ROOM_SID = "RM" + "2f" * 16
JANE_SID, SARAH_SID = "PA" + "1a" * 16, "PA" + "5c" * 16
JANE = User(2, "jane.doe@example.com", "Jane Doe", "patient")
SARAH = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
WIDTHS = (50, 80, 120)

STATUS = RoomStatus(
    47, ROOM, "in-progress", sid=ROOM_SID, participants=(
        Participant("2-jane.doe@example.com", "connected", JANE_SID, "patient",
                    NOW - timedelta(minutes=11),
                    tracks=(PublishedTrack("audio", "microphone", "MT1", True),
                            PublishedTrack("video", "camera", "MT2", False))),
        Participant("5-sarah@example.com", "connected", SARAH_SID, "psychologist",
                    NOW - timedelta(minutes=12), tracks=()),
        Participant("support-tab", "connected", "PA" + "77" * 16, None, NOW, tracks=None),
    ),
)
ROOMS = [
    RoomSummary(f"RM{n:032x}", f"apt-{40 + n}-17631389{n:02d}-46eb915c",
                "in-progress" if n == 1 else "completed", NOW, 600 * n, n,
                40 + n, JANE if n < 3 else None, SARAH if n < 3 else None)
    for n in range(1, 5)
] + [RoomSummary("RM" + "ab" * 16, "someone-elses-room", "completed", None, None, None)]


def lines(renderable: RenderableType, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=False, color_system=None).print(renderable)
    text = out.getvalue()
    assert all(len(line.rstrip()) <= width for line in text.splitlines())
    return text.splitlines()


def on_one_line(found: list[str], value: str) -> bool:
    return any(value in line for line in found)


@pytest.mark.parametrize("width", WIDTHS)
def test_participants_fit(width: int) -> None:
    found = lines(participants_sheet(STATUS, NOW), width)
    for whole in (ROOM, ROOM_SID, "2-jane.doe@example.com", "5-sarah@example.com",
                  "patient", "psychologist", "audio on", "video muted", "none",
                  "not asked"):
        assert on_one_line(found, whole), (whole, "\n".join(found))
    # a SID shown is shown whole: never a fragment of one
    for sid in (JANE_SID, SARAH_SID):
        assert on_one_line(found, sid) or not on_one_line(found, sid[:12])


def test_participants_columns_drop_in_order() -> None:
    assert not on_one_line(lines(participants_sheet(STATUS, NOW), 80), JANE_SID)
    wide = lines(participants_sheet(STATUS, NOW), 160)
    assert on_one_line(wide, JANE_SID) and on_one_line(wide, "2025-11-16T09:01:00Z")
    assert on_one_line(lines(participants_sheet(STATUS, NOW), 120), "2025-11-16T09:01:00Z")
    # narrow: one block per participant, every field (SIDs too) whole
    narrow = lines(participants_sheet(STATUS, NOW), 50)
    assert on_one_line(narrow, JANE_SID) and on_one_line(narrow, "role")


@pytest.mark.parametrize("width", WIDTHS)
def test_room_list_fits(width: int) -> None:
    found = lines(rooms_sheet(ROOMS, None), width)
    for room in ROOMS:
        assert room.name is not None and on_one_line(found, room.name), "\n".join(found)
        assert on_one_line(found, room.sid) or not on_one_line(found, room.sid[:12])
    assert on_one_line(found, "Jane Doe") and on_one_line(found, "not in the store")
    assert on_one_line(found, "in-progress")


def test_change_lines_never_break_names() -> None:
    kicked = RoomChange("kick", 47, ROOM, ROOM_SID, "disconnected", True,
                        "2-jane.doe@example.com", JANE_SID)
    for width in WIDTHS:
        found = lines(change_sheet(kicked), width)
        assert on_one_line(found, ROOM) and on_one_line(found, JANE_SID)
