"""Scenarios for ``vtctl history``'s pure parts: an appointment at 09:00 for 60 min,
attendances and tokens given in minutes from its start."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

from vtctl.checks.history import build_history
from vtctl.domain.audit import AuditRecord
from vtctl.domain.history import (
    Attendance,
    ParticipantInsights,
    SessionHistory,
    SessionRoom,
    SessionSources,
)
from vtctl.domain.models import Appointment, User

START = datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
LATER = START + timedelta(hours=3)
ROOM = "apt-47-1763138954-46eb915c"
JANE, SARAH = "2-jane.doe@example.com", "5-sarah@example.com"
ROLES = {JANE: "patient", SARAH: "psychologist"}
APPOINTMENT = Appointment(47, 2, 5, 60, starts_at=START, video_room_id=ROOM,
                          patient=User(2, "jane.doe@example.com", "Jane Doe", "patient"),
                          psychologist=User(5, "sarah@example.com", "Dr. Sarah", "psychologist"))


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def stay(identity: str, joined: float, left: float | None, n: int = 0, *,
         error: int | None = None, status: str = "disconnected") -> Attendance:
    sid = f"PA{(n or zlib.crc32(f'{identity} {joined}'.encode())):032x}"
    insights = (ParticipantInsights(sid, "signaling_connection_error", error)
                if error is not None else None)
    return Attendance(identity, ROLES.get(identity, "stranger"), sid, "RM" + "1" * 32, status,
                      at(joined), at(left) if left is not None else None, None, insights)


def token(identity: str, minted: float, ttl_minutes: int, jti: str = "SKjti-1") -> AuditRecord:
    return AuditRecord(at(minted).strftime("%Y-%m-%dT%H:%M:%SZ"), "support", "laptop",
                       "default", "token", 47, identity, ROOM, ttl_minutes * 60, jti)


def history(*people: Attendance, tokens: tuple[AuditRecord, ...] = (), live: bool = False,
            rooms: int = 1, others: int = 0, now: datetime = LATER) -> SessionHistory:
    room = SessionRoom("RM" + "1" * 32, ROOM, "in-progress" if live else "completed",
                       "group", at(-5), None if live else at(70), None, people, others)
    sources = SessionSources(APPOINTMENT, ROOM, (room,) * rooms, False, tokens)
    return build_history(sources, now)
