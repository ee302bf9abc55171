"""``vtctl diagnose``: why a patient cannot get into a session, as a checklist.

Every check here is a pure function from what was gathered (``Evidence``:
the appointment, the room as Twilio sees it or why that is unknown, a token
in hand, the time) to ``Finding`` lines; nothing here does I/O, so each
finding is tested without a backend.  ``checks.diagnose_gather`` fills the
evidence in; the token checks are in ``checks.diagnose_token``.
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from vtctl.domain.models import (
    UNKNOWN_STATE,
    Appointment,
    Finding,
    Participant,
    RoomStatus,
    Severity,
    User,
)
from vtctl.domain.rules import user_identity
from vtctl.twilio_video.rooms import role_of
from vtctl.util.text import printable
from vtctl.util.timefmt import humanize_duration

#: participant statuses that mean "in the room"
PRESENT = (None, "connected", "reconnecting")
#: how early before ``starts_at`` joining is ordinary
EARLY_OK = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Unknown:
    """Twilio's view of the room could not be had, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class Fixes:
    """Builds the commands findings suggest, with the backend flags that reach the same data."""

    appointment_id: int
    #: ``--local``, ``--profile P``, ``--store S``... as given; empty for the remote default
    flags: tuple[str, ...] = ()

    @property
    def local(self) -> bool:
        return "--local" in self.flags

    def command(self, *words: str, local_only: bool = False) -> str:
        flags = self.flags
        if local_only and not self.local:  # e.g. kick: Twilio itself, whatever the backend
            remote_only = {i for i, flag in enumerate(flags) if flag == "--base-url"}
            flags = ("--local", *(flag for i, flag in enumerate(flags)
                                  if i not in remote_only and i - 1 not in remote_only))
        return shlex.join(("vtctl", *words, *flags))

    def room_create(self) -> str:
        return self.command("room", "create", str(self.appointment_id))

    def history(self) -> str:
        """What happened in the sessions (``vtctl history``: Twilio itself, local only)."""
        return self.command("history", str(self.appointment_id), local_only=True)

    def kick(self, identity: str) -> str:
        return self.command("room", "kick", str(self.appointment_id), identity, local_only=True)

    def refresh(self, user: User | int | None) -> str:
        """A fresh token for ``user``: ``--as`` locally, the caller's login remotely."""
        words = ["refresh", str(self.appointment_id)]
        if self.local and user is not None:
            words += ["--as", user.email if isinstance(user, User) else str(user)]
        return self.command(*words)


@dataclass(frozen=True, slots=True)
class Evidence:
    appointment: Appointment
    room: RoomStatus | Unknown
    now: datetime
    fixes: Fixes
    #: the room name the user gave as ROOM, if they gave one
    asked_room: str | None = None


def diagnose(evidence: Evidence) -> list[Finding]:
    """Every finding about the appointment and its room, in reading order."""
    found = [
        appointment_exists(evidence.appointment),
        people_named(evidence.appointment),
        schedule(evidence.appointment, evidence.now),
        room_set(evidence.appointment, evidence.fixes, evidence.asked_room),
        twilio_state(evidence.room, evidence.appointment, evidence.now, evidence.fixes),
    ]
    known = isinstance(evidence.room, RoomStatus) and evidence.room.status not in (
        "offline", UNKNOWN_STATE, None)
    if known and isinstance(evidence.room, RoomStatus):
        found += people(evidence.room, evidence.appointment, evidence.fixes)
        found += media(evidence.room)
    else:
        why = "skipped: Twilio's view of the room is unknown (see twilio)"
        found.append(Finding("people", "warning", why))
        found.append(Finding("media", "warning", why))
    return found


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status == "problem"]


# -- the appointment ------------------------------------------------------------------


def appointment_exists(appointment: Appointment) -> Finding:
    room = appointment.video_room_id or "no room yet"
    return Finding("appointment", "ok",
                   f"appointment {appointment.id} exists ({appointment.duration_minutes} min, "
                   f"{room})")


def who(appointment: Appointment, role: str) -> str:
    """``Jane Doe (2-jane.doe@example.com)`` or ``user 2`` when only the id is known."""
    user = appointment.patient if role == "patient" else appointment.psychologist
    if user is None:
        user_id = appointment.patient_id if role == "patient" else appointment.psychologist_id
        return f"user {user_id}"
    return f"{printable(user.name)} ({printable(user_identity(user))})"


def people_named(appointment: Appointment) -> Finding:
    detail = (f"patient {who(appointment, 'patient')}, "
              f"psychologist {who(appointment, 'psychologist')}")
    if appointment.patient is None or appointment.psychologist is None:
        return Finding("users", "ok", detail + " (the backend gave no names)")
    return Finding("users", "ok", detail)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M UTC")


def schedule(appointment: Appointment, now: datetime) -> Finding:
    """Is now within the scheduled time (starts_at + duration), and how far off."""
    start = appointment.starts_at
    if start is None:
        return Finding("schedule", "warning", "the appointment has no scheduled start time")
    end = start + timedelta(minutes=appointment.duration_minutes)
    when = f"{start.strftime('%Y-%m-%d %H:%M')}-{end.strftime('%H:%M')} UTC"
    if now < start:
        gap = humanize_duration((start - now).total_seconds())
        status: Severity = "ok" if start - now <= EARLY_OK else "warning"
        return Finding("schedule", status, f"starts in {gap} ({when})")
    if now < end:
        return Finding("schedule", "ok",
                       f"under way: started {humanize_duration((now - start).total_seconds())} "
                       f"ago, ends in {humanize_duration((end - now).total_seconds())} ({when})")
    return Finding("schedule", "warning",
                   f"ended {humanize_duration((now - end).total_seconds())} ago ({when})")


def session_over(appointment: Appointment, now: datetime) -> bool:
    start = appointment.starts_at
    return start is not None and now >= start + timedelta(minutes=appointment.duration_minutes)


# -- the room -------------------------------------------------------------------------


def room_set(appointment: Appointment, fixes: Fixes, asked: str | None = None) -> Finding:
    room = appointment.video_room_id
    if room and asked and asked != room:
        return Finding("room", "warning",
                       f"the appointment's room is {room}, not {asked} (the name asked about)")
    if room:
        return Finding("room", "ok", f"room {room}")
    return Finding("room", "problem", "the appointment has no video room: nobody can join",
                   fixes.room_create())


def _unknown_reason(room: RoomStatus | Unknown) -> str:
    if isinstance(room, Unknown):
        return room.reason
    return room.message or f"Twilio's state of the room is {room.status or 'unknown'}"


def twilio_state(room: RoomStatus | Unknown, appointment: Appointment, now: datetime,
                 fixes: Fixes | None = None) -> Finding:
    """The room's state in Twilio; once the session is over or the room completed, the
    action is ``vtctl history`` (what happened in it)."""
    fixes = fixes or Fixes(appointment.id)
    if isinstance(room, Unknown) or room.status in ("offline", UNKNOWN_STATE, None):
        return Finding("twilio", "warning", f"skipped: {_unknown_reason(room)}")
    over = session_over(appointment, now)
    ended = _ended_ago(appointment, now) if over else ""
    if room.status == "in-progress":
        since = f" since {_clock(room.created_at)}" if room.created_at else ""
        detail = f"room in progress{since} ({room.sid or 'no SID'})"
        if over:
            return Finding("twilio", "ok", f"{detail}, though the session ended {ended} ago: "
                           "`vtctl history` tells what happened in it", fixes.history())
        return Finding("twilio", "ok", detail)
    if room.status == "not-created":
        if over:
            return Finding("twilio", "ok",
                           f"not created: nobody connected, and the session ended {ended} ago; "
                           "`vtctl history` shows the tokens minted for it", fixes.history())
        return Finding("twilio", "ok",
                       "not created yet: Twilio creates the room when the first person connects")
    if room.status == "completed":
        detail = "the room was ended (completed)"
        if over:
            return Finding("twilio", "ok", detail + " after the session: `vtctl history` tells "
                           "what happened in it", fixes.history())
        return Finding("twilio", "problem",
                       detail + " while the session is still scheduled: whoever was in it was "
                       "disconnected; connecting again opens a new room of the same name "
                       "(`vtctl history` tells who was in it and why it ended)", fixes.history())
    return Finding("twilio", "warning", f"room status {printable(room.status)}")


def _ended_ago(appointment: Appointment, now: datetime) -> str:
    start = appointment.starts_at
    if start is None:
        return ""
    end = start + timedelta(minutes=appointment.duration_minutes)
    return humanize_duration((now - end).total_seconds())


# -- the people -----------------------------------------------------------------------


def _present(room: RoomStatus) -> list[Participant]:
    return [p for p in room.participants if p.status in PRESENT]


def people(room: RoomStatus, appointment: Appointment, fixes: Fixes) -> list[Finding]:
    """Who of the two is connected or missing, strangers, ghosts, a full room."""
    present = _present(room)
    found = [_attendance(role, room, present, appointment) for role in ("patient", "psychologist")]
    for identity in dict.fromkeys(p.identity for p in present
                                  if role_of(p.identity, appointment) is None):
        found.append(Finding("stranger", "problem",
                             f"{printable(identity)} is connected but is neither the patient "
                             "nor the psychologist", fixes.kick(identity)))
    for identity, count in Counter(p.identity for p in present).items():
        if count > 1:
            found.append(Finding(
                "ghost", "problem",
                f"{printable(identity)} is connected {count} times: an old tab or device still "
                "holds a seat (a ghost); remove it and let them join again",
                fixes.kick(identity),
            ))
    missing = [f for f in found[:2] if f.status != "ok"]
    limit = room.max_participants
    if limit is not None and len(present) >= limit:
        status: Severity = "problem" if missing else "ok"
        detail = f"the room is full ({len(present)} of {limit})"
        if missing:
            detail += ": nobody else can join"
        found.append(Finding("capacity", status, detail))
    return found


def _attendance(role: str, room: RoomStatus, present: list[Participant],
                appointment: Appointment) -> Finding:
    name = f"{role} {who(appointment, role)}"
    mine = [p for p in room.participants if role_of(p.identity, appointment) == role]
    here = [p for p in mine if p in present]
    if here:
        since = here[0].connected_at
        return Finding(role, "ok",
                       f"{name} is connected" + (f" since {_clock(since)}" if since else ""))
    if room.status == "completed":
        return Finding(role, "ok", f"{name} is not connected (the room has ended)")
    left = [p for p in mine if p.disconnected_at is not None]
    if left:
        last = max(p.disconnected_at for p in left if p.disconnected_at is not None)
        return Finding(role, "warning", f"{name} is not connected (left at {_clock(last)})")
    return Finding(role, "warning", f"{name} is not connected and has not joined yet")


# -- the media ------------------------------------------------------------------------


def media(room: RoomStatus) -> list[Finding]:
    """Per connected participant: no audio, no video, a muted track."""
    present = _present(room)
    if not present:
        return []
    if any(p.tracks is None for p in present):
        return [Finding("media", "warning",
                        "skipped: tracks unknown (this backend does not report published tracks)")]
    return [_media_of(p) for p in present]


def _media_of(participant: Participant) -> Finding:
    tracks = participant.tracks or ()
    identity = printable(participant.identity)
    kinds = {t.kind for t in tracks}
    if "audio" not in kinds and "video" not in kinds:
        return Finding("media", "problem",
                       f"{identity} publishes no audio and no video: the browser may have been "
                       "refused the camera and microphone")
    if "audio" not in kinds:
        return Finding("media", "problem", f"{identity} publishes no audio: nobody can hear them")
    muted = [t for t in tracks if t.enabled is False and t.kind in ("audio", "video")]
    if muted:
        names = ", ".join(f"{t.kind} {printable(t.name or t.sid or '')}".strip() for t in muted)
        what = "microphone muted" if all(t.kind == "audio" for t in muted) else (
            "camera off" if all(t.kind == "video" for t in muted) else "muted")
        return Finding("media", "warning", f"{identity}: {what} ({names} disabled)")
    if "video" not in kinds:
        return Finding("media", "warning", f"{identity} publishes no video (audio only)")
    return Finding("media", "ok", f"{identity} publishes audio and video")
