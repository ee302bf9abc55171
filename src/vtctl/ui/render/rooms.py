"""What ``vtctl room participants|list|end|kick`` print (``ui.sheet``).  No I/O.

Room names and identities are never broken across lines; on a narrow terminal the
other columns give way (SIDs too: the name identifies the row) and then every row
becomes a block of ``field value`` lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.text import Text

from vtctl.domain.models import User, format_utc
from vtctl.domain.room_state import (
    Participant,
    PublishedTrack,
    RoomChange,
    RoomStatus,
    RoomSummary,
)
from vtctl.ui.render.status import (
    UNKNOWN,
    is_present,
    participant_duration,
    role_text,
    styled,
)
from vtctl.ui.sheet import Column, Field, Fields, Note, Rows, Sentence, Sheet, sheet
from vtctl.util.timefmt import humanize_duration


def _dim(value: str | None) -> Text | str:
    return Text(UNKNOWN, style="dim") if value is None else value


def _when(moment: datetime | None) -> str:
    return format_utc(moment) if moment else UNKNOWN


# -- room participants ----------------------------------------------------------------


def track_lines(tracks: tuple[PublishedTrack, ...] | None) -> Text:
    """One line per published track: ``video on  camera`` / ``audio muted  mic``."""
    if tracks is None:
        return Text("not asked", style="dim")
    if not tracks:
        return Text("none", style="dim")
    out = Text()
    for i, track in enumerate(tracks):
        if i:
            out.append("\n")
        state = "?" if track.enabled is None else "on" if track.enabled else "muted"
        out.append(f"{track.kind} ", style="bold")
        out.append(state, style={"on": "green", "muted": "yellow"}.get(state, "dim"))
        if track.name:
            out.append(f"  {track.name}", style="dim")
    return out


def track_words(tracks: tuple[PublishedTrack, ...] | None) -> str:
    """The tracks on one line, for a pipe: ``audio on microphone, video muted camera``."""
    if tracks is None:
        return "not asked"
    return ", ".join(track_lines((t,)).plain for t in tracks) or "none"


def _participant_columns(now: datetime) -> list[Column[Participant]]:
    return [
        Column("identity", lambda p: p.identity, key=True),
        Column("role", role_text),
        Column("status", lambda p: styled(p.status), piped=lambda p: p.status or UNKNOWN),
        Column("tracks", lambda p: track_lines(p.tracks), piped=lambda p: track_words(p.tracks)),
        Column("since", lambda p: _when(p.connected_at), drop=2),
        Column("duration", lambda p: participant_duration(p, now), drop=1),
        Column("sid", lambda p: Text(p.sid, style="dim") if p.sid else _dim(None), key=True,
               drop=3, piped=lambda p: p.sid or UNKNOWN),
    ]


def participants_sheet(status: RoomStatus, now: datetime | None = None) -> Sheet:
    """The room (field lines), one row per participant with their tracks (a pipe:
    ``participant<TAB>identity<TAB>role<TAB>status<TAB>tracks<TAB>since<TAB>duration<TAB>sid``),
    and the status message as a note."""
    columns = _participant_columns(now or datetime.now(UTC))
    count = status.active_participant_count
    connected = "? connected" if count is None else f"{count} connected"
    room = Fields([
        Field("room", Text(status.room_name, style="cyan") if status.room_name else _dim(None),
              key=True),
        Field("sid", _dim(status.sid), key=True),
        Field("status", styled(status.status)),
        Field("appointment", str(status.appointment_id)),
    ])
    note = Note(status.message) if status.message else None
    if not status.state_known and not status.participants:
        return sheet(room, note or Note("room state unknown"))
    participants = Rows(columns, status.participants, title=f"Participants ({connected})",
                        empty="nobody is connected", prefix="participant")
    return sheet(room, participants, note)


def only_present(status: RoomStatus) -> RoomStatus:
    """The status with only the connected (or reconnecting) participants."""
    from dataclasses import replace

    return replace(status, participants=tuple(p for p in status.participants if is_present(p)))


# -- room list --------------------------------------------------------------------------


def _person(user: User | None) -> str | None:
    return user.name if user is not None else None


def _appointment(room: RoomSummary) -> Text:
    if room.appointment_id is None:
        return Text("none", style="dim")
    out = Text(str(room.appointment_id))
    people = [n for n in (_person(room.patient), _person(room.psychologist)) if n]
    if people:
        out.append(f"  {' / '.join(people)}", style="dim")
    elif room.patient is None and room.psychologist is None:
        out.append("  (not in the store)", style="dim")
    return out


def _count(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


def _duration(seconds: int | None) -> str:
    return UNKNOWN if seconds is None else humanize_duration(seconds)


_ROOM_COLUMNS: list[Column[RoomSummary]] = [
    Column("name", lambda r: Text(r.name, style="cyan") if r.name else _dim(None), key=True),
    Column("status", lambda r: styled(r.status), piped=lambda r: r.status or UNKNOWN),
    Column("people", lambda r: _count(r.participant_count), justify="right"),
    Column("appointment", _appointment, short="appt",
           piped=lambda r: "" if r.appointment_id is None else r.appointment_id),
    Column("created", lambda r: _when(r.created_at), drop=2),
    Column("duration", lambda r: _duration(r.duration_seconds), drop=3),
    Column("sid", lambda r: Text(r.sid, style="dim"), key=True, drop=4, piped=lambda r: r.sid),
    # a terminal names them in the appointment column; a pipe gets a field each (after
    # the sid, so the fields before keep their places)
    Column("patient", lambda r: _person(r.patient) or "", on_terminal=False),
    Column("psychologist", lambda r: _person(r.psychologist) or "", on_terminal=False),
]


def rooms_sheet(rooms: Sequence[RoomSummary], status: str | None) -> Sheet:
    """One row per room (a pipe: ``name<TAB>status<TAB>people<TAB>appointment id
    <TAB>created<TAB>duration<TAB>sid<TAB>patient<TAB>psychologist``, the people's
    names empty when the room is no appointment's or they are not in the store)."""
    which = f"{status} rooms" if status else "Recent rooms"
    return sheet(Rows(_ROOM_COLUMNS, rooms, title=f"{which} ({len(rooms)})", empty="no rooms"))


# -- room end / kick --------------------------------------------------------------------


def change_sheet(change: RoomChange) -> Sheet:
    """What ``room end`` / ``room kick`` did: a sentence on a terminal (wrapped between
    words only); a pipe gets ``field<TAB>value`` lines."""
    fields = [Field(name.replace("_", " "), "" if value is None else str(value).lower()
                    if isinstance(value, bool) else str(value))
              for name, value in change.to_json().items()]
    return sheet(Sentence(change_line(change), fields))


def change_line(change: RoomChange) -> Text:
    """What ``room end`` / ``room kick`` did, by the state in Twilio's reply, in a sentence
    (wrapped between words only)."""
    room = Text(change.room_name or UNKNOWN, style="cyan")
    if change.action == "end":
        sid = f" ({change.room_sid or UNKNOWN})"
        if change.changed:
            return Text.assemble(("ended room ", "bold"), room, sid)
        if change.requested:
            return Text.assemble("room ", room, sid, (f" {change.state_words}", "bold red"),
                                 ": Twilio did not end it")
        state = change.status or "not in progress"
        already = "was already completed" if state == "completed" else f"is {state}"
        return Text.assemble("room ", room, sid, f" {already}; nothing to end")
    who = Text.assemble((change.identity or UNKNOWN, "bold"),
                        f" ({change.participant_sid or UNKNOWN})")
    if change.changed:
        return Text.assemble(("disconnected ", "bold"), who, " from room ", room)
    return Text.assemble(who, (f" {change.state_words}", "bold red"), " in room ", room,
                         ": Twilio did not disconnect them")
