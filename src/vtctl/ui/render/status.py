"""Renderables for room status (``vtctl status``) and its ``--watch`` view.

No I/O and no fetching: everything is built from ``RoomStatus`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.text import Text

from vtctl.domain.models import format_utc
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus
from vtctl.ui.sheet import Column, Field, Fields, Note, Rows, Sheet, sheet
from vtctl.util.timefmt import humanize_duration

#: participant statuses that mean "in the room"
PRESENT = (None, "connected", "reconnecting")
UNKNOWN = "-"

_STATUS_STYLES = {
    "in-progress": "bold green",
    "connected": "green",
    "reconnecting": "yellow",
    "completed": "dim",
    "disconnected": "dim",
    "not-created": "yellow",
    "offline": "yellow",
    "unknown": "yellow",
    "failed": "bold red",
}


def styled(value: str | None) -> Text:
    if value is None:
        return Text(UNKNOWN, style="dim")
    return Text(value, style=_STATUS_STYLES.get(value, ""))


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def is_present(participant: Participant) -> bool:
    return participant.status in PRESENT


# -- the room -------------------------------------------------------------------------


def room_fields(status: RoomStatus, now: datetime | None = None) -> list[Field]:
    now = _now(now)
    created = UNKNOWN
    if status.created_at is not None:
        age = humanize_duration((now - status.created_at).total_seconds())
        created = f"{format_utc(status.created_at)} ({age} ago)"
    known = status.active_participant_count
    count = "unknown" if known is None else str(known)
    if status.max_participants is not None:
        count += f" / {status.max_participants}"
    return [
        Field("room", status.room_name or Text(UNKNOWN, style="dim"), key=True),
        Field("sid", status.sid or Text(UNKNOWN, style="dim"), key=True),
        Field("status", styled(status.status)),
        Field("type", status.room_type or Text(UNKNOWN, style="dim")),
        Field("created", created),
        Field("duration", _room_duration(status, now)),
        Field("in room", count),
    ]


def room_record(status: RoomStatus, now: datetime | None = None) -> Fields:
    return Fields(room_fields(status, now),
                  title=f"Video room of appointment {status.appointment_id}")


def _room_duration(status: RoomStatus, now: datetime) -> str:
    if status.duration_seconds is not None:
        running = " (running)" if status.status == "in-progress" else ""
        return humanize_duration(status.duration_seconds) + running
    if status.status == "in-progress" and status.created_at is not None:
        return f"{humanize_duration((now - status.created_at).total_seconds())} (running)"
    return UNKNOWN


# -- the participants -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParticipantChanges:
    """Who joined and who left between two refreshes (by identity)."""

    joined: tuple[Participant, ...] = ()
    left: tuple[Participant, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.joined or self.left)

    @property
    def joined_identities(self) -> frozenset[str]:
        return frozenset(p.identity for p in self.joined)

    @property
    def left_identities(self) -> frozenset[str]:
        return frozenset(p.identity for p in self.left)


def participant_changes(previous: RoomStatus | None, current: RoomStatus) -> ParticipantChanges:
    """Who is in the room now but was not before (joined), and the reverse (left).

    Without a previous status nothing has changed yet.  A participant who left
    is reported with their latest known record (e.g. ``disconnected`` with an
    end time) or, if they vanished from the list, with their previous one.
    """
    if previous is None:
        return ParticipantChanges()
    before = {p.identity: p for p in previous.participants if is_present(p)}
    now_all = {p.identity: p for p in current.participants}
    now_present = {i: p for i, p in now_all.items() if is_present(p)}
    joined = tuple(p for i, p in now_present.items() if i not in before)
    left = tuple(now_all.get(i, p) for i, p in before.items() if i not in now_present)
    return ParticipantChanges(joined, left)


def track_changes(
    previous: RoomStatus | None, current: RoomStatus
) -> list[tuple[str, Participant, PublishedTrack]]:
    """``(published | unpublished | muted | unmuted, participant, track)`` between two
    refreshes, for participants present in both whose tracks were asked both times."""
    if previous is None:
        return []
    before = {p.identity: p for p in previous.participants if is_present(p)}
    found: list[tuple[str, Participant, PublishedTrack]] = []
    for p in current.participants:
        old = before.get(p.identity)
        if old is None or old.tracks is None or p.tracks is None or not is_present(p):
            continue
        old_tracks = {_track_key(t): t for t in old.tracks}
        new_tracks = {_track_key(t): t for t in p.tracks}
        for key, track in new_tracks.items():
            was = old_tracks.get(key)
            if was is None:
                found.append(("published", p, track))
            elif was.enabled is not False and track.enabled is False:
                found.append(("muted", p, track))
            elif was.enabled is False and track.enabled is True:
                found.append(("unmuted", p, track))
        found += [("unpublished", p, t) for k, t in old_tracks.items() if k not in new_tracks]
    return found


def _track_key(track: PublishedTrack) -> tuple[str | None, ...]:
    return (track.sid,) if track.sid else (track.kind, track.name)


def _participant_columns(now: datetime, changes: ParticipantChanges, show_tracks: bool
                         ) -> list[Column[Participant]]:
    joined, left = changes.joined_identities, changes.left_identities

    def identity(p: Participant) -> Text:
        style = "bold green" if p.identity in joined else "red" if p.identity in left else ""
        return Text(p.identity, style=style)

    def state(p: Participant) -> Text:
        text = styled(p.status)
        if p.identity in joined:
            text.append("  joined", style="bold green")
        elif p.identity in left:
            text.append("  left", style="bold red")
        return text

    return [
        Column("identity", identity, key=True),
        Column("role", role_text, drop=1),
        Column("status", state, piped=lambda p: p.status or UNKNOWN),
        Column("connected since", _since, short="since", drop=3),
        Column("duration", lambda p: participant_duration(p, now), drop=2),
        # a terminal shows tracks only when they were asked; a pipe's line always has them
        Column("tracks", lambda p: track_summary(p.tracks), drop=4, on_terminal=show_tracks),
    ]


def role_text(p: Participant) -> Text:
    """A participant's role, in the same form wherever participants are listed (``status``,
    ``room participants``); ``-`` when there is none: a remote backend need not say, and
    the local one has none for someone who is neither the patient nor the psychologist
    (``diagnose`` and ``sessions`` name those as strangers)."""
    return Text(p.role, style="") if p.role else Text(UNKNOWN, style="dim")


def _since(p: Participant) -> str:
    return format_utc(p.connected_at) if p.connected_at else UNKNOWN


def participants_rows(
    status: RoomStatus, now: datetime | None = None, changes: ParticipantChanges | None = None
) -> Rows[Participant]:
    """One row per participant (a pipe: ``participant<TAB>identity<TAB>role<TAB>status
    <TAB>connected since<TAB>duration<TAB>tracks`` lines); who left since the last refresh
    is marked."""
    now = _now(now)
    changes = changes or ParticipantChanges()
    rows = list(status.participants)
    listed = {p.identity for p in rows}
    # someone who left and is no longer listed still gets a (highlighted) row
    rows += [replace(p, status="disconnected") for p in changes.left if p.identity not in listed]
    connected = status.active_participant_count
    counted = "state unknown" if connected is None else f"{connected} connected"
    empty = ("nobody has joined yet" if status.state_known
             else "participants unknown: Twilio was not asked")
    show_tracks = any(p.tracks is not None for p in rows)
    return Rows(_participant_columns(now, changes, show_tracks), rows,
                title=f"Participants ({counted})", empty=empty, prefix="participant")


def track_summary(tracks: tuple[PublishedTrack, ...] | None) -> str:
    """``audio on, video muted``; ``none`` when nothing is published; ``-`` when not asked."""
    if tracks is None:
        return UNKNOWN
    if not tracks:
        return "none"
    states = (("?" if t.enabled is None else "on" if t.enabled else "muted") for t in tracks)
    return ", ".join(f"{t.kind} {state}" for t, state in zip(tracks, states, strict=True))


def participant_duration(p: Participant, now: datetime) -> str:
    if p.duration_seconds is not None:
        return humanize_duration(p.duration_seconds)
    if p.connected_at is None:
        return UNKNOWN
    end = p.disconnected_at or (now if is_present(p) else None)
    if end is None:
        return UNKNOWN
    return humanize_duration((end - p.connected_at).total_seconds())


def status_sheet(
    status: RoomStatus, now: datetime | None = None, changes: ParticipantChanges | None = None
) -> Sheet:
    """The room, who is in it, and the status message when there is one (a note)."""
    now = _now(now)
    unknown = not status.state_known and not status.participants  # the note says why
    return sheet(room_record(status, now),
                 None if unknown else participants_rows(status, now, changes),
                 Note(status.message) if status.message else None)


# -- the --watch view -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One line of the watch log: ``joined``, ``left``, ``status``, ``error``, ``recovered``."""

    at: datetime
    kind: str
    text: str

    def line(self) -> str:
        """Aligned, for people (the live view, stderr)."""
        return f"{format_utc(self.at)}  {self.kind:<9}  {self.text}"

    def record(self) -> str:
        """``at<TAB>kind<TAB>text``, for a pipe."""
        return "\t".join((format_utc(self.at), self.kind, " ".join(self.text.split())))


_EVENT_STYLES = {
    "joined": "green",
    "published": "green",
    "unmuted": "green",
    "muted": "yellow",
    "unpublished": "yellow",
    "left": "red",
    "status": "cyan",
    "error": "bold red",
    "recovered": "green",
}


def watch_view(
    appointment_id: int,
    status: RoomStatus | None,
    *,
    now: datetime,
    interval: float,
    changes: ParticipantChanges | None = None,
    events: Sequence[WatchEvent] = (),
    error: str | None = None,
    last_ok_at: datetime | None = None,
) -> Group:
    """The live view: header, the error of the last refresh, both tables, recent events."""
    parts: list[RenderableType] = [
        Text.assemble(
            ("Watching ", "bold"), (f"appointment {appointment_id}", "bold cyan"),
            f"  every {interval:g} s  ·  updated {format_utc(now)}  ·  Ctrl-C to stop",
        )
    ]
    if error is not None:
        since = f"; showing data from {format_utc(last_ok_at)}" if last_ok_at else ""
        parts.append(
            Text(f"! {error} (retrying in {interval:g} s{since})", style="bold red")
        )
    if status is not None:
        parts.append(status_sheet(status, now, changes))
    elif error is None:
        parts.append(Text("waiting for the first answer...", style="dim"))
    if events:
        log = Text("recent events\n", style="bold")
        for i, event in enumerate(events):
            log.append(event.line(), style=_EVENT_STYLES.get(event.kind, ""))
            if i < len(events) - 1:
                log.append("\n")
        parts.append(log)
    return Group(*parts)
