"""The facts ``vtctl history`` reasons with: who was in a room from when to when, and
which token each person held.  Pure functions over ``SessionSources``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vtctl.domain.history import STRANGER, Attendance, SessionRoom, SessionSources
from vtctl.domain.models import Appointment, parse_utc
from vtctl.twilio_video.rooms import role_of
from vtctl.util.text import printable

#: participant statuses that mean "still in the room" (of an in-progress room)
PRESENT = ("connected", "reconnecting")

Interval = tuple[datetime, datetime]
#: a stored ttl beyond this is read as this (a year: no token of the guide lives longer)
MAX_TTL = 366 * 86_400


@dataclass(frozen=True, slots=True)
class Stay:
    """One attendance as a stretch of time (an ongoing one ends ``now``)."""

    attendance: Attendance
    room: SessionRoom
    start: datetime
    end: datetime
    #: still in the room
    ongoing: bool

    @property
    def identity(self) -> str:
        return self.attendance.identity

    @property
    def role(self) -> str:
        return self.attendance.role


@dataclass(frozen=True, slots=True)
class Token:
    """An audit trail record as a token's lifetime (never the token itself)."""

    identity: str
    role: str
    minted_at: datetime
    expires_at: datetime
    jti: str
    command: str
    os_user: str
    host: str
    profile: str
    ttl_seconds: int


def stays(sources: SessionSources, now: datetime) -> list[Stay]:
    """Every attendance with a join time, oldest first."""
    found = []
    for room in sources.rooms:
        for attendance in room.attendances:
            stay = stay_of(attendance, room, now)
            if stay is not None:
                found.append(stay)
    return sorted(found, key=lambda s: (s.start, s.end))


def stay_of(attendance: Attendance, room: SessionRoom, now: datetime) -> Stay | None:
    start = attendance.joined_at
    if start is None:
        return None
    ongoing = (attendance.left_at is None and attendance.status in PRESENT
               and room.status == "in-progress")
    end = attendance.left_at
    if end is None and ongoing:
        end = max(now, start)
    if end is None and attendance.duration_seconds is not None:
        end = start + timedelta(seconds=attendance.duration_seconds)
    if end is None:
        end = room.ended_at if room.ended_at and room.ended_at >= start else start
    return Stay(attendance, room, start, max(end, start), ongoing)


def tokens(sources: SessionSources) -> list[Token]:
    """The audit trail's records as lifetimes, oldest first (unreadable times skipped;
    the text of a record made printable: the store file is outside vtctl's control)."""
    found = []
    for record in sources.tokens:
        ttl = record.ttl_seconds if isinstance(record.ttl_seconds, int) else 0
        ttl = min(max(ttl, 0), MAX_TTL)
        try:
            minted = parse_utc(str(record.at))
            expires = minted + timedelta(seconds=ttl)
        except (ValueError, OverflowError):
            continue
        found.append(Token(
            identity=printable(str(record.identity)),
            role=role_or_stranger(str(record.identity), sources.appointment),
            minted_at=minted, expires_at=expires,
            jti=printable(str(record.jti)), command=printable(str(record.command)),
            os_user=printable(str(record.os_user)), host=printable(str(record.host)),
            profile=printable(str(record.profile)), ttl_seconds=ttl,
        ))
    return sorted(found, key=lambda t: t.minted_at)


def role_or_stranger(identity: str, appointment: Appointment) -> str:
    return role_of(identity, appointment) or STRANGER


# -- intervals ----------------------------------------------------------------------------


def union(intervals: list[Interval]) -> list[Interval]:
    """Overlapping or touching intervals merged, in order."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Where both (each already merged) cover the same time."""
    found = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                found.append((start, end))
    return union(found)


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The parts of ``a`` that ``b`` (merged) does not cover."""
    found = []
    for start, end in a:
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                found.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            found.append((cursor, end))
    return found


def clip(intervals: list[Interval], not_before: datetime | None) -> list[Interval]:
    if not_before is None:
        return intervals
    return [(max(s, not_before), e) for s, e in intervals if e > not_before]


def total(intervals: list[Interval]) -> timedelta:
    return sum((end - start for start, end in intervals), timedelta())


def presence(found: list[Stay], role: str) -> list[Interval]:
    return union([(s.start, s.end) for s in found if s.role == role])
