"""Renderables for room status (``vtctl status``) and its ``--watch`` view.

No I/O and no fetching: everything is built from ``RoomStatus`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from vtctl.domain.models import format_utc
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus
from vtctl.ui.render.keyvalue import Rows, key_value_lines, key_value_table
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


def room_rows(status: RoomStatus, now: datetime | None = None) -> Rows:
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
        ("room", status.room_name or Text(UNKNOWN, style="dim")),
        ("sid", status.sid or Text(UNKNOWN, style="dim")),
        ("status", styled(status.status)),
        ("type", status.room_type or Text(UNKNOWN, style="dim")),
        ("created", created),
        ("duration", _room_duration(status, now)),
        ("in room", count),  # short labels: a room SID fits whole in 50 columns
    ]


def room_table(status: RoomStatus, now: datetime | None = None) -> Table:
    return key_value_table(f"Video room of appointment {status.appointment_id}",
                           room_rows(status, now))


def status_lines(status: RoomStatus, now: datetime | None = None) -> list[str]:
    """What a pipe gets: the room's ``field<TAB>value`` lines, then one
    ``participant<TAB>identity<TAB>role<TAB>status<TAB>connected since<TAB>duration<TAB>tracks``
    line per participant, then ``note<TAB>message``; never wrapped."""
    now = _now(now)
    lines = key_value_lines(room_rows(status, now))
    for p in status.participants:
        since = format_utc(p.connected_at) if p.connected_at else UNKNOWN
        cells = [p.identity, p.role or UNKNOWN, p.status or UNKNOWN, since,
                 participant_duration(p, now), track_summary(p.tracks)]
        lines.append("\t".join(["participant", *(" ".join(c.split()) for c in cells)]))
    if status.message:
        lines.extend(key_value_lines([("note", status.message)]))
    return lines


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


def participants_table(
    status: RoomStatus, now: datetime | None = None, changes: ParticipantChanges | None = None
) -> Table:
    now = _now(now)
    changes = changes or ParticipantChanges()
    rows = list(status.participants)
    listed = {p.identity for p in rows}
    # someone who left and is no longer listed still gets a (highlighted) row
    rows += [replace(p, status="disconnected") for p in changes.left if p.identity not in listed]
    show_role = any(p.role for p in rows)

    connected = status.active_participant_count
    counted = "state unknown" if connected is None else f"{connected} connected"
    table = Table(title=f"Participants ({counted})", title_justify="left", expand=False)
    # the identity is what people copy: never broken; the other columns give way
    table.add_column("identity", no_wrap=True)
    if show_role:
        table.add_column("role", overflow="fold")
    table.add_column("status", overflow="fold")
    table.add_column("connected since", overflow="fold")
    table.add_column("duration", overflow="fold")
    show_tracks = any(p.tracks is not None for p in rows)
    if show_tracks:
        table.add_column("tracks", overflow="fold")
    if not rows:
        empty = (Text("nobody has joined yet", style="dim italic") if status.state_known
                 else Text("unknown: Twilio was not asked (see the note below)", style="yellow"))
        table.add_row(empty, *([""] * (len(table.columns) - 1)))
        return table

    joined, left = changes.joined_identities, changes.left_identities
    for p in rows:
        state = styled(p.status)
        style = ""
        if p.identity in joined:
            state.append("  joined", style="bold green")
            style = "bold green"
        elif p.identity in left:
            state.append("  left", style="bold red")
            style = "red"
        cells: list[RenderableType] = [Text(p.identity, style=style)]
        if show_role:
            cells.append(p.role or Text(UNKNOWN, style="dim"))
        since = format_utc(p.connected_at) if p.connected_at else UNKNOWN
        cells += [state, since, participant_duration(p, now)]
        if show_tracks:
            cells.append(track_summary(p.tracks))
        table.add_row(*cells)
    return table


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


def message_line(status: RoomStatus) -> Text | None:
    if not status.message:
        return None
    return Text(f"note: {status.message}", style="yellow")


def status_view(
    status: RoomStatus, now: datetime | None = None, changes: ParticipantChanges | None = None
) -> Group:
    """Both tables, and the status message when there is one."""
    now = _now(now)
    parts: list[RenderableType] = [
        room_table(status, now), participants_table(status, now, changes)
    ]
    line = message_line(status)
    if line is not None:
        parts.append(line)
    return Group(*parts)


# -- the --watch view -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One line of the watch log: ``joined``, ``left``, ``status``, ``error``, ``recovered``."""

    at: datetime
    kind: str
    text: str

    def line(self) -> str:
        return f"{format_utc(self.at)}  {self.kind:<9}  {self.text}"


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
        parts.append(status_view(status, now, changes))
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
