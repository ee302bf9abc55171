"""``vtctl diagnose``: why a patient cannot get into a session, as a checklist.

Every check here is a pure function from what was gathered (``Evidence``:
the appointment, the room as Twilio sees it or why that is unknown, a token
in hand, the time) to ``Finding`` lines; nothing here does I/O, so each
finding is tested without a backend.  ``checks.diagnose_gather`` fills the
evidence in; the token checks are in ``checks.diagnose_token``.  Every problem
has an action (``checks.diagnose_actions``): a command, or words to tell the
person who has the problem.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from vtctl.checks import diagnose_actions as act
from vtctl.domain.commands import STORE_FLAGS, command_line, only
from vtctl.domain.errors import MissingCredentialsError, ServerError, VtctlError
from vtctl.domain.findings import Finding, Severity
from vtctl.domain.models import Appointment
from vtctl.domain.room_state import UNKNOWN_STATE, Participant, RoomStatus
from vtctl.domain.rules import BUFFER_MINUTES, user_identity
from vtctl.twilio_video.rooms import role_of
from vtctl.util.text import printable
from vtctl.util.timefmt import humanize_duration

#: participant statuses that mean "in the room"
PRESENT = (None, "connected", "reconnecting")
#: how early before ``starts_at`` joining is ordinary
EARLY_OK = timedelta(minutes=15)
#: a session that ended longer ago than its tokens' buffer is over: its link is old
LONG_AGO = timedelta(minutes=BUFFER_MINUTES)


@dataclass(frozen=True, slots=True)
class Unknown:
    """Twilio's view of the room could not be had, and why."""

    reason: str
    #: the fault that kept Twilio from answering (its exit code is the command's); None
    #: when there was nothing to ask (the appointment has no room)
    fault: VtctlError | None = None


@dataclass(frozen=True, slots=True)
class Fixes:
    """Builds the commands findings suggest, with the backend flags that reach the same
    data (``domain.commands``).  A command that runs on the local backend only (``history``,
    ``room kick``, ``appointment list``) is suggested on the local backend only: on the
    remote one it would not run (no store, no Twilio credentials), so None, and the
    finding says what to do in words."""

    appointment_id: int
    #: ``--local``, ``--profile P``, ``--store S``... as given; empty for the remote default
    flags: tuple[str, ...] = ()

    @property
    def local(self) -> bool:
        return "--local" in self.flags

    def command(self, *words: str) -> str:
        """A command that runs on either backend, on the one in use."""
        return command_line(words, self.flags)

    def local_command(self, *words: str) -> str | None:
        """A command of the local backend only: None on the remote one."""
        return command_line(words, self.flags) if self.local else None

    def room_create(self) -> str:
        return self.command("room", "create", str(self.appointment_id))

    def history(self) -> str | None:
        """What happened in the sessions (``vtctl history``: Twilio itself, local only)."""
        return self.local_command("history", str(self.appointment_id))

    def kick(self, identity: str) -> str:
        """Remove someone: the command, or on the remote backend (which cannot) words."""
        found = self.local_command("room", "kick", str(self.appointment_id), identity)
        return found or (f"remove {printable(identity)} from the room in the Twilio Console "
                         "(the API has no such endpoint; vtctl's room kick needs the local "
                         "backend and Twilio credentials)")

    def participants(self) -> str:
        return self.command("room", "participants", str(self.appointment_id))

    def upcoming(self, user: str) -> str | None:
        """The user's appointments from now on, in the store (local only; ``appointment
        list`` takes only ``--profile`` and ``--store`` of the backend flags)."""
        if not self.local:
            return None
        return command_line(("appointment", "list", "--user", user, "--from", "now"),
                            only(self.flags, STORE_FLAGS))


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The user's next appointment after this one, when the backend can list them."""

    appointment: Appointment | None = None
    #: False: not asked, or the backend cannot list appointments (remote)
    known: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    appointment: Appointment
    room: RoomStatus | Unknown
    now: datetime
    fixes: Fixes
    #: the room name the user gave as ROOM, if they gave one
    asked_room: str | None = None
    #: the patient's next appointment (asked only when this session is long over)
    upcoming: Upcoming = Upcoming()


def diagnose(evidence: Evidence) -> list[Finding]:
    """Every finding about the appointment and its room, in reading order."""
    found = [
        appointment_exists(evidence.appointment),
        people_named(evidence.appointment),
        schedule(evidence.appointment, evidence.now, evidence.fixes, evidence.upcoming),
        room_set(evidence.appointment, evidence.fixes, evidence.asked_room),
        twilio_state(evidence.room, evidence.appointment, evidence.now, evidence.fixes),
    ]
    view = known_room(evidence.room)
    if isinstance(view, RoomStatus):
        found += people(view, evidence.appointment, evidence.fixes)
        found += media(view, evidence.appointment)
    else:
        why = f"{_not_done(view)}: Twilio's view of the room is unknown (see twilio)"
        found.append(Finding("people", "warning", why, fault=view.fault))
        found.append(Finding("media", "warning", why, fault=view.fault))
    return found


def problems(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status == "problem"]


def not_run(findings: list[Finding]) -> list[Finding]:
    """The checks a fault kept from running (their faults' codes are the command's)."""
    return [f for f in findings if not f.ran]


def unrun_phrase(unrun: list[Finding]) -> str:
    """``3 checks could not run (twilio, people, media)``."""
    names = ", ".join(dict.fromkeys(f.check for f in unrun))
    return f"{len(unrun)} check{'s' if len(unrun) != 1 else ''} could not run ({names})"


#: the footer under the findings: what to do with both kinds of action
ACTION_HINT = ("each problem has an action: a `vtctl ...` command to run, or words to act on; "
               "`tell NAME: ...` is for you to pass on to that person (phone, chat)")


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


def schedule(appointment: Appointment, now: datetime, fixes: Fixes | None = None,
             upcoming: Upcoming = Upcoming()) -> Finding:
    """Is now within the scheduled time (starts_at + duration), and how far off.  Long over
    (past its tokens' buffer) is a problem: the link someone is trying is an old one."""
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
    ago = humanize_duration((now - end).total_seconds())
    if now - end <= LONG_AGO:
        return Finding("schedule", "warning", f"ended {ago} ago ({when})")
    return Finding("schedule", "problem",
                   f"ended {ago} ago ({when}): whoever cannot get in is using an old link",
                   _next_visit(appointment, ago, fixes or Fixes(appointment.id), upcoming))


def _next_visit(appointment: Appointment, ago: str, fixes: Fixes, upcoming: Upcoming) -> str:
    """The patient's next appointment, or the command that lists them."""
    if upcoming.known:
        return act.next_appointment(act.person(appointment.patient, "patient"), ago,
                                    upcoming.appointment)
    patient = appointment.patient
    listing = fixes.upcoming(patient.email if patient else str(appointment.patient_id))
    return listing or act.next_session(act.person(patient, "patient"), ago)


def long_over(appointment: Appointment, now: datetime) -> bool:
    """Ended longer ago than its tokens' buffer (when the next appointment is worth asking)."""
    start = appointment.starts_at
    return start is not None and now - (
        start + timedelta(minutes=appointment.duration_minutes)) > LONG_AGO


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


def known_room(room: RoomStatus | Unknown) -> RoomStatus | Unknown:
    """The room when its state is known; else why not, and the fault that kept it unknown
    (the demo profile's fake credentials count as none: Twilio was never asked)."""
    if isinstance(room, Unknown):
        return room
    status = (room.status or "").strip()  # a blank status is no status: the backend's fault
    if status not in ("offline", UNKNOWN_STATE, ""):
        return room
    reason = room.message or f"Twilio's state of the room is {status or 'not given'}"
    if room.unknown_reason == "demo":
        return Unknown(reason, MissingCredentialsError.demo(reason))
    return Unknown(reason, ServerError(
        f"the backend did not say the room's state ({reason})"))


def _not_done(unknown: Unknown) -> str:
    """``could not run`` (a fault) or ``skipped`` (nothing to check)."""
    return "skipped" if unknown.fault is None else "could not run"


def twilio_state(room: RoomStatus | Unknown, appointment: Appointment, now: datetime,
                 fixes: Fixes | None = None) -> Finding:
    """The room's state in Twilio; once the session is over the detail names the
    ``vtctl history`` command that tells what happened in it (an ``ok`` has no action)."""
    fixes = fixes or Fixes(appointment.id)
    view = known_room(room)
    if isinstance(view, Unknown):
        return Finding("twilio", "warning", f"{_not_done(view)}: {view.reason}",
                       fault=view.fault)
    room = view
    over = session_over(appointment, now)
    ended = _ended_ago(appointment, now) if over else ""
    if room.status == "in-progress":
        since = f" since {_clock(room.created_at)}" if room.created_at else ""
        detail = f"room in progress{since} ({room.sid or 'no SID'})"
        if over:
            return Finding("twilio", "ok", f"{detail}, though the session ended {ended} ago"
                           + _told(fixes, ": `{}` tells what happened in it"))
        return Finding("twilio", "ok", detail)
    if room.status == "not-created":
        if over:
            return Finding("twilio", "ok",
                           f"not created: nobody connected, and the session ended {ended} ago"
                           + _told(fixes, "; `{}` shows the tokens minted for it"))
        return Finding("twilio", "ok",
                       "not created yet: Twilio creates the room when the first person connects")
    if room.status == "completed":
        detail = "the room was ended (completed)"
        if over:
            return Finding("twilio", "ok", f"{detail} after the session"
                           + _told(fixes, ": `{}` tells what happened in it"))
        return Finding("twilio", "problem",
                       detail + " while the session is still scheduled: whoever was in it was "
                       "disconnected; connecting again opens a new room of the same name"
                       + _told(fixes, " (`{}` tells who was in it and why it ended)"),
                       act.rejoin(_both(appointment)))
    if room.status == "failed":
        return Finding("twilio", "problem",
                       "the room failed in Twilio: nobody is in it; connecting again opens a "
                       "new room of the same name", act.rejoin(_both(appointment)))
    return Finding("twilio", "warning", f"room status {printable(str(room.status))}")


def _told(fixes: Fixes, words: str) -> str:
    """``words`` with ``vtctl history`` in them, on the local backend (where it runs);
    nothing on the remote one."""
    command = fixes.history()
    return words.format(command) if command is not None else ""


def _both(appointment: Appointment) -> str:
    return (f"{act.person(appointment.patient, 'patient')} and "
            f"{act.person(appointment.psychologist, 'psychologist')}")


def _who(identity: str, appointment: Appointment) -> str:
    """The person an identity is, to tell them something: their name and role, else it."""
    role = role_of(identity, appointment)
    if role is None:
        return printable(identity)
    return act.person(appointment.patient if role == "patient" else appointment.psychologist,
                      role)


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
        if not missing:
            found.append(Finding("capacity", "ok", f"the room is full ({len(present)} of "
                                 f"{limit})"))
            return found
        # make room: remove whoever should not be there (a stranger, a ghost's extra seat)
        extra = next((f.action for f in found[2:] if f.action), None)
        found.append(Finding("capacity", "problem",
                             f"the room is full ({len(present)} of {limit}): nobody else can "
                             "join", extra or fixes.participants()))
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


def media(room: RoomStatus, appointment: Appointment | None = None) -> list[Finding]:
    """Per connected participant: no audio, no video, a muted track."""
    present = _present(room)
    if not present:
        return []
    if any(p.tracks is None for p in present):
        return [Finding("media", "warning",
                        "skipped: tracks unknown (this backend does not report published tracks)")]
    return [_media_of(p, appointment) for p in present]


def _media_of(participant: Participant, appointment: Appointment | None = None) -> Finding:
    tracks = participant.tracks or ()
    identity = printable(participant.identity)
    who = _who(participant.identity, appointment) if appointment else identity
    kinds = {t.kind for t in tracks}
    if "audio" not in kinds and "video" not in kinds:
        return Finding("media", "problem",
                       f"{identity} publishes no audio and no video: the browser may have been "
                       "refused the camera and microphone", act.allow_devices(who))
    if "audio" not in kinds:
        return Finding("media", "problem", f"{identity} publishes no audio: nobody can hear them",
                       act.check_microphone(who))
    muted = [t for t in tracks if t.enabled is False and t.kind in ("audio", "video")]
    if muted:
        names = ", ".join(f"{t.kind} {printable(t.name or t.sid or '')}".strip() for t in muted)
        what = "microphone muted" if all(t.kind == "audio" for t in muted) else (
            "camera off" if all(t.kind == "video" for t in muted) else "muted")
        return Finding("media", "warning", f"{identity}: {what} ({names} disabled)")
    if "video" not in kinds:
        return Finding("media", "warning", f"{identity} publishes no video (audio only)")
    return Finding("media", "ok", f"{identity} publishes audio and video")
