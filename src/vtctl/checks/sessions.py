"""The state of each appointment in the shift view, from the schedule and Twilio's view.

Pure: appointments, what Twilio said and the time in; rows out.  The rules, first
match wins (s = scheduled start, e = scheduled end, now = the refresh):

- no room name: ``upcoming`` before s - 15 min, ``no room`` until s + 10 min, then
  ``missed`` (action: ``vtctl room create ID`` until e, then contact both);
- Twilio could not be asked, or not about this room: ``unknown`` (why);
- a live room: someone neither the patient nor the psychologist connected is
  ``stranger``; both connected is ``in session``, or ``overrun`` after e; one of
  them is ``waiting`` (since they joined); nobody connected is ``upcoming``
  before s, else ``ended`` (everyone left; Twilio closes an empty room soon);
- no live room: ``upcoming`` before s; a completed room is ``ended``; nobody has
  joined by s + 10 min: ``missed`` (until then ``upcoming``, late).

Every ``missed`` row has an action: contact both (to get them in, or once it is over
to rebook), or, while it is still scheduled and has no room, create the room first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from vtctl.domain.commands import command_line
from vtctl.domain.errors import MissingCredentialsError, VtctlError
from vtctl.domain.models import Appointment, User
from vtctl.domain.room_state import Participant
from vtctl.domain.sessions import (
    ENDED,
    IN_SESSION,
    MISSED,
    NO_ROOM,
    OVERRUN,
    STATES,
    STRANGER,
    UNKNOWN,
    UPCOMING,
    WAITING,
    SessionEvidence,
    SessionRow,
    SessionsReport,
    TwilioRoom,
    TwilioView,
)
from vtctl.twilio_video.rooms import role_of
from vtctl.util.timefmt import humanize_duration

#: an appointment without a room this close to its start needs one now
NO_ROOM_BEFORE = timedelta(minutes=15)
#: nobody joined this long after the start: missed
MISSED_AFTER = timedelta(minutes=10)
_NEVER = datetime.max.replace(tzinfo=UTC)
_LONG_AGO = datetime.min.replace(tzinfo=UTC)


def session_report(
    evidence: SessionEvidence, start: datetime, end: datetime, now: datetime,
    flags: Sequence[str] = (),
) -> SessionsReport:
    """Every appointment's row, sorted by attention, and the live rooms of no appointment.

    ``flags``: backend flags the suggested commands carry (``--local``, ``--store P``).
    """
    view = evidence.twilio
    live = {room.name: room for room in view.live if room.name}
    completed = _latest_by_name(view.completed or ())
    rows = [
        session_row(a, view, live.get(a.video_room_id or ""), completed.get(a.video_room_id or ""),
                    now, flags)
        for a in evidence.appointments
    ]
    names = {a.video_room_id for a in evidence.appointments if a.video_room_id}
    others = tuple(room for room in view.live if room.name not in names)
    return SessionsReport(now, start, end, tuple(sorted(rows, key=attention)), others,
                          view.failure, evidence.missing)


def attention(row: SessionRow) -> tuple[int, datetime, datetime, int]:
    """Sort key: state (``STATES`` order), then who has been in it longest, then start."""
    since = row.since if row.state == WAITING and row.since is not None else _NEVER
    return (STATES.index(row.state), since, row.starts_at or _NEVER, row.appointment_id)


def session_row(
    a: Appointment, view: TwilioView, live: TwilioRoom | None, completed: TwilioRoom | None,
    now: datetime, flags: Sequence[str] = (),
) -> SessionRow:
    """One appointment's state (see the module docstring for the rules)."""
    cmd = _Commands(a.id, flags)
    if a.starts_at is None:
        return _unknown(a, "the appointment has no start time in the store", None, None)
    start = a.starts_at
    if not a.video_room_id:
        return _no_room(a, start, now, cmd)
    if view.failure is not None:
        return _unknown(a, view.failure.message, view.failure, view.failure.hint)
    if view.not_asked is not None:  # could not check is never all clear: exit 3
        return _unknown(a, view.not_asked, MissingCredentialsError.demo(view.not_asked), None)
    if live is not None:
        return _live(a, live, now, cmd)
    if now < start:
        return SessionRow(a, UPCOMING, detail=f"starts in {_span(start - now)}; room ready")
    if completed is not None:
        ended = completed.ended_at
        when = f" {_span(now - ended)} ago" if ended is not None else ""
        return SessionRow(a, ENDED, since=ended, room_sid=completed.sid,
                          detail=f"the room completed{when}")
    if view.completed is None and view.completed_failure is not None:
        fault = view.completed_failure
        return _unknown(a, f"whether the room ran is unknown: {fault.message}", fault, fault.hint)
    if now < start + MISSED_AFTER:
        return SessionRow(a, UPCOMING,
                          detail=f"due {_span(now - start)} ago; nobody has joined yet")
    return SessionRow(
        a, MISSED, since=start, detail=f"nobody joined; due {_span(now - start)} ago",
        action=_contact_both(a),
    )


def _no_room(a: Appointment, start: datetime, now: datetime, cmd: _Commands) -> SessionRow:
    create = cmd.line("room", "create")
    if now < start - NO_ROOM_BEFORE:
        return SessionRow(a, UPCOMING, detail=f"starts in {_span(start - now)}; no room yet",
                          action=create)
    if now < start + MISSED_AFTER:
        when = f"starts in {_span(start - now)}" if now < start else (
            f"started {_span(now - start)} ago")
        return SessionRow(a, NO_ROOM, since=start - NO_ROOM_BEFORE,
                          detail=f"{when} and has no room", action=create)
    return SessionRow(a, MISSED, since=start, detail="no room was created, so nobody could join",
                      action=create if now < _end(a) else _contact_both(a))


def _live(a: Appointment, room: TwilioRoom, now: datetime, cmd: _Commands) -> SessionRow:
    if room.participants is None:
        fault = room.failure
        why = fault.message if fault is not None else "Twilio did not say who is connected"
        return _unknown(a, f"the room is live; who is in it is unknown: {why}", fault,
                        cmd.line("status"), room.sid)
    people = tuple(replace(p, role=role_of(p.identity, a)) for p in room.participants)
    strangers = [p for p in people if p.role is None]
    patient = _first(people, "patient")
    psychologist = _first(people, "psychologist")
    if strangers:
        who = strangers[0]
        count = f"{len(strangers)} people" if len(strangers) > 1 else "someone"
        return SessionRow(
            a, STRANGER, since=_earliest(strangers), room_sid=room.sid, connected=people,
            detail=f"{count} who is neither the patient nor the psychologist is connected",
            action=cmd.line("room", "kick", extra=(who.identity,)),
        )
    if patient is not None and psychologist is not None:
        return _together(a, room, people, patient, psychologist, now)
    if patient is not None or psychologist is not None:
        here = patient or psychologist
        assert here is not None
        other = "psychologist" if here is patient else "patient"
        absent = a.psychologist if here is patient else a.patient
        waited = f" {_span(now - here.connected_at)}" if here.connected_at else ""
        return SessionRow(
            a, WAITING, since=here.connected_at, room_sid=room.sid, connected=people,
            detail=f"the {here.role}{_named(a.patient if here is patient else a.psychologist)} "
            f"has been waiting{waited} for the {other}",
            action=f"contact the {other}{_named(absent)}",
        )
    if a.starts_at is not None and now < a.starts_at:
        return SessionRow(a, UPCOMING, room_sid=room.sid,
                          detail="room open; nobody connected yet")
    return SessionRow(a, ENDED, room_sid=room.sid,
                      detail="everyone left; Twilio closes the empty room shortly")


def _together(a: Appointment, room: TwilioRoom, people: tuple[Participant, ...],
              patient: Participant, psychologist: Participant, now: datetime) -> SessionRow:
    joined = [p.connected_at for p in (patient, psychologist) if p.connected_at is not None]
    since = max(joined) if len(joined) == 2 else None
    elapsed = f"{_minutes(now - since)} / " if since is not None else ""
    end = _end(a)
    if now > end:
        return SessionRow(
            a, OVERRUN, since=end, room_sid=room.sid, connected=people,
            detail=f"{_span(now - end)} past the scheduled end "
            f"({elapsed}{a.duration_minutes} min)",
        )
    return SessionRow(a, IN_SESSION, since=since, room_sid=room.sid, connected=people,
                      detail=f"{elapsed}{a.duration_minutes} min")


def _unknown(a: Appointment, why: str, fault: VtctlError | None, action: str | None,
             room_sid: str | None = None) -> SessionRow:
    return SessionRow(a, UNKNOWN, room_sid=room_sid, detail=why, action=action, fault=fault)


class _Commands:
    """Commands to paste for one appointment, with the backend flags of this run
    (``domain.commands``: spelled as ``diagnose`` spells them)."""

    def __init__(self, appointment_id: int, flags: Sequence[str]) -> None:
        self.appointment_id = appointment_id
        self.flags = tuple(flags)

    def line(self, *command: str, extra: Sequence[str] = ()) -> str:
        return command_line((*command, str(self.appointment_id), *extra), self.flags)


def _latest_by_name(rooms: Iterable[TwilioRoom]) -> dict[str, TwilioRoom]:
    found: dict[str, TwilioRoom] = {}
    for room in rooms:
        if not room.name:
            continue
        kept = found.get(room.name)
        if kept is None or _created(room) > _created(kept):
            found[room.name] = room
    return found


def _created(room: TwilioRoom) -> datetime:
    return room.created_at or _LONG_AGO


def _first(people: Iterable[Participant], role: str) -> Participant | None:
    return next((p for p in people if p.role == role), None)


def _earliest(people: list[Participant]) -> datetime | None:
    known = [p.connected_at for p in people if p.connected_at is not None]
    return min(known) if known else None


def _end(a: Appointment) -> datetime:
    assert a.starts_at is not None
    return a.starts_at + timedelta(minutes=a.duration_minutes)


def _named(user: User | None) -> str:
    return f" ({user.name})" if user is not None and user.name else ""


def _contact_both(a: Appointment) -> str:
    return f"contact the patient{_named(a.patient)} and the psychologist{_named(a.psychologist)}"


def _span(delta: timedelta) -> str:
    return humanize_duration(delta.total_seconds())


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))
