"""``vtctl history``: what happened in an appointment's video sessions, as one timeline.

Pure functions from ``SessionSources`` (what was read: Twilio's rooms of the
appointment's name with everyone in them, Video Insights' summaries, the audit
trail's tokens) to a ``SessionHistory``: the events oldest first, one track per
person for the picture, what stands out (``checks.history_findings``) and one
note per part that could not be read.  ``checks.history_gather`` does the reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from vtctl.checks.history_findings import findings
from vtctl.checks.history_stays import Stay, Token, stays, tokens
from vtctl.domain.history import (
    STRANGER,
    Attendance,
    Event,
    PersonTrack,
    Presence,
    SessionHistory,
    SessionRoom,
    SessionSources,
    TokenLife,
)
from vtctl.util.timefmt import humanize_duration

#: people drawn besides the patient and the psychologist
MAX_OTHER_TRACKS = 5
#: the order of events at the same second
KIND_ORDER = ("token-minted", "room-created", "left", "joined", "room-ended", "token-expired",
              "more-participants")


def build_history(sources: SessionSources, now: datetime, action_flags: Sequence[str] = ()
                  ) -> SessionHistory:
    """``action_flags``: the run's backend flags, for the commands findings suggest."""
    found_stays = stays(sources, now)
    found_tokens = tokens(sources)
    return SessionHistory(
        sources=sources,
        now=now,
        events=tuple(timeline(sources, found_tokens, now)),
        tracks=tuple(person_tracks(sources, found_stays, found_tokens)),
        findings=tuple(findings(sources, found_stays, found_tokens, now, action_flags)),
        notes=tuple(notes(sources)),
    )


# -- the timeline -------------------------------------------------------------------------


def timeline(sources: SessionSources, found_tokens: list[Token], now: datetime) -> list[Event]:
    """Every event, oldest first (events without a time last)."""
    events: list[Event] = []
    for token in found_tokens:
        events.append(Event(token.minted_at, "token-minted", token.identity, token.role,
                            _minted(token)))
        if token.expires_at <= now:
            events.append(Event(token.expires_at, "token-expired", token.identity, token.role,
                                f"jti {token.jti}"))
    for room in sources.rooms:
        events += room_events(room)
    return sorted(events, key=_order)


def _order(event: Event) -> tuple[int, float, int, str]:
    kind = KIND_ORDER.index(event.kind) if event.kind in KIND_ORDER else len(KIND_ORDER)
    if event.at is None:
        return (1, 0.0, kind, event.who or "")
    return (0, event.at.timestamp(), kind, event.who or "")


def _minted(token: Token) -> str:
    until = token.expires_at.strftime("%H:%M:%S UTC")
    return (f"by `vtctl {token.command}` as {token.os_user} on {token.host} "
            f"(profile {token.profile}); valid {humanize_duration(token.ttl_seconds)} until "
            f"{until}; jti {token.jti}")


def room_events(room: SessionRoom) -> list[Event]:
    events = [Event(room.created_at, "room-created", room.name, None,
                    f"{room.sid}" + (f", {room.room_type} room" if room.room_type else ""),
                    room.sid)]
    for attendance in room.attendances:
        events += attendance_events(attendance, room)
    if room.others:
        events.append(Event(room.created_at, "more-participants", room.name, None,
                            f"{room.others} more participant records were counted, not listed",
                            room.sid))
    if room.status != "in-progress" and (room.ended_at is not None or room.status):
        events.append(Event(room.ended_at, "room-ended", room.name, None, _ended(room),
                            room.sid))
    return events


def _ended(room: SessionRoom) -> str:
    parts = [room.status or "ended"]
    if room.duration_seconds is not None:
        parts[0] += f" after {humanize_duration(room.duration_seconds)}"
    if room.insights is not None and room.insights.end_reason:
        parts.append(f"end reason {room.insights.end_reason}")
    return "; ".join(parts)


def attendance_events(attendance: Attendance, room: SessionRoom) -> list[Event]:
    who, role, sid = attendance.identity, attendance.role, room.sid
    events = [Event(attendance.joined_at, "joined", who, role, _joined(attendance, room), sid)]
    if attendance.left_at is not None:
        events.append(Event(attendance.left_at, "left", who, role, _left(attendance), sid))
    return events


def _joined(attendance: Attendance, room: SessionRoom) -> str:
    parts = []
    summary = attendance.insights
    if summary is not None:
        if summary.publisher is not None:
            parts.append(summary.publisher.text())
        if summary.edge_location:
            parts.append(f"edge {summary.edge_location}")
        if summary.media_region:
            parts.append(f"media region {summary.media_region}")
        if summary.codecs:
            parts.append(f"codecs {', '.join(summary.codecs)}")
    if attendance.left_at is None and attendance.status in ("connected", "reconnecting") and (
            room.status == "in-progress"):
        parts.append(f"still {attendance.status}")
    if attendance.sid:
        parts.append(f"participant {attendance.sid}")
    return "; ".join(parts)


def _left(attendance: Attendance) -> str:
    parts = []
    if attendance.duration_seconds is not None:
        parts.append(f"after {humanize_duration(attendance.duration_seconds)}")
    summary = attendance.insights
    if summary is not None:
        if summary.end_reason:
            parts.append(f"end reason {summary.end_reason}")
        if summary.error_text:
            parts.append(f"error {summary.error_text}")
    return "; ".join(parts)


# -- the picture's tracks -----------------------------------------------------------------


def person_tracks(sources: SessionSources, found_stays: list[Stay], found_tokens: list[Token]
                  ) -> list[PersonTrack]:
    """The patient, the psychologist (whether or not they came), then the first others."""
    appointment = sources.appointment
    people: dict[str, tuple[str, str]] = {}  # identity -> (label, role)
    for role, user_id in (("patient", appointment.patient_id),
                          ("psychologist", appointment.psychologist_id)):
        user = appointment.patient if role == "patient" else appointment.psychologist
        mine = [s.identity for s in found_stays if s.role == role]
        mine += [t.identity for t in found_tokens if t.role == role]
        identity = mine[0] if mine else (f"{user.id}-{user.email}" if user else f"{user_id}-?")
        people.setdefault(identity, (role, role))
    others = list(dict.fromkeys(s.identity for s in found_stays if s.role == STRANGER))
    for n, identity in enumerate(others[:MAX_OTHER_TRACKS], start=1):
        people.setdefault(identity, (f"stranger {n}" if len(others) > 1 else STRANGER,
                                     STRANGER))
    return [
        PersonTrack(label, identity, role,
                    presences=tuple(_presences([s for s in found_stays
                                                if s.identity == identity or (
                                                    role != STRANGER and s.role == role)])),
                    tokens=tuple(TokenLife(t.minted_at, t.expires_at, t.jti)
                                 for t in found_tokens
                                 if t.identity == identity or (role != STRANGER
                                                               and t.role == role)))
        for identity, (label, role) in people.items()
    ]


def _presences(mine: list[Stay]) -> list[Presence]:
    found = []
    for i, stay in enumerate(mine):
        summary = stay.attendance.insights
        dropped = summary.error_text if summary is not None else None
        if dropped is None and any(later.start >= stay.end for later in mine[i + 1:]):
            dropped = "rejoined"
        found.append(Presence(stay.start, None if stay.ongoing else stay.end, dropped))
    return found


# -- notes --------------------------------------------------------------------------------


def notes(sources: SessionSources) -> list[str]:
    """One line per part that could not be read (the same reason for several rooms once)."""
    by_reason: dict[str, list[str]] = {}
    for room in sources.rooms:
        if room.insights_missing:
            by_reason.setdefault(room.insights_missing, []).append(room.sid)
    found = [f"no Video Insights for room{'s' if len(sids) > 1 else ''} {', '.join(sids)}: "
             f"{reason}" for reason, sids in by_reason.items()]
    if sources.more_rooms:
        found.append(f"older rooms named {sources.room_name} were not read: run with --all "
                     "to follow every page")
    return found
