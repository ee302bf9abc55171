"""Renderables and plain lines for ``vtctl sessions`` (the shift view).  No I/O.

On a terminal: the counts per state, then one row per appointment (identifiers
whole: emails, room names and SIDs are never broken, lesser columns drop first,
then each row becomes a block of ``field value`` lines), then the live rooms
that belong to no appointment of the window.  Piped: one tab-separated line per
appointment, in the JSON's field order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from rich.console import Group, RenderableType
from rich.text import Text

from vtctl.domain.models import User, format_utc
from vtctl.domain.rooms import appointment_of_room
from vtctl.domain.sessions import SessionRow, SessionsReport, TwilioRoom
from vtctl.ui.cells import piped_field
from vtctl.ui.prose import Prose, action_line, is_command
from vtctl.ui.sheet import Column, Rows
from vtctl.util.timefmt import humanize_duration

NONE = "-"
_EPSILON = timedelta(microseconds=1)
#: marks a row whose state changed at the last refresh (--watch)
CHANGED_MARK = "●"

STATE_STYLES = {
    "stranger": "bold red",
    "waiting": "bold yellow",
    "no room": "bold yellow",
    "missed": "red",
    "overrun": "yellow",
    "unknown": "magenta",
    "in session": "green",
    "upcoming": "cyan",
    "ended": "dim",
}


def _keep(value: str | None, style: str = "") -> Text:
    """An identifier (its column is a ``key`` one: never broken across lines)."""
    if not value:
        return Text(NONE, style="dim")
    return Text(value, style=style)


def _words(value: str | None, style: str = "") -> Text:
    """Prose: wrapped between words only (no identifier is longer than a line)."""
    return Text(value, style=style) if value else Text(NONE, style="dim")


def _hm(moment: datetime | None, with_day: bool) -> str:
    if moment is None:
        return NONE
    return moment.strftime("%m-%d %H:%M" if with_day else "%H:%M")


def _email(user: User | None) -> str | None:
    return user.email if user is not None else None


def state_text(state: str, changed: bool = False, marks: bool = False) -> Text:
    """The state, styled; in a watch, changed rows carry ``CHANGED_MARK``."""
    out = Text()
    if marks and changed:
        out.append(f"{CHANGED_MARK} ", style="bold")
    elif marks:
        out.append("  ")
    out.append(state, style=STATE_STYLES.get(state, ""))
    return out


def time_in_state(row: SessionRow, now: datetime) -> str:
    """How long the row has been in its state (``7 min``), or ``-``."""
    if row.since is None or row.since > now:
        return NONE
    return humanize_duration((now - row.since).total_seconds())


def _columns(report: SessionsReport, changed: Collection[int], marks: bool
             ) -> list[Column[SessionRow]]:
    """Columns dropped when the table does not fit, first to last: sid, room, connected,
    psychologist, time, patient; then each row becomes a block."""
    days = {r.starts_at.date() for r in report.rows if r.starts_at is not None}
    with_day = len(days) > 1 or report.start.date() != (report.end - _EPSILON).date()
    return [
        Column("state", lambda r: state_text(r.state, r.appointment_id in changed, marks),
               key=True),
        Column("for", lambda r: time_in_state(r, report.now), justify="right"),
        Column("id", lambda r: str(r.appointment_id), justify="right"),
        Column("time", lambda r: f"{_hm(r.starts_at, with_day)}-{_hm(r.ends_at, False)}",
               key=True, drop=2),
        Column("patient", lambda r: _keep(_email(r.appointment.patient)), key=True, drop=1),
        Column("psychologist", lambda r: _keep(_email(r.appointment.psychologist)), key=True,
               drop=3),
        Column("detail", lambda r: _words(r.detail), max_width=30),
        Column("action", _action, max_width=40),
        Column("connected", _connected, key=True, drop=4),
        Column("room", lambda r: _keep(r.appointment.video_room_id, "cyan"), key=True, drop=5),
        Column("sid", lambda r: _keep(r.room_sid, "dim"), key=True, drop=6),
    ]


def _action(row: SessionRow) -> Text:
    """Words to act on; a command to paste is named here and written whole below the
    table (``commands_view``): in a column it would wrap, and a copy would run half."""
    if is_command(row.action):
        return Text(f"run {command_name(row)} (below)", style="bold")
    return _words(row.action, "bold")


def command_name(row: SessionRow) -> str:
    """``room kick`` of ``vtctl room kick 47 ...``: the words before the appointment id."""
    words = (row.action or "").split()[1:]
    named = words[:words.index(str(row.appointment_id))] if str(
        row.appointment_id) in words else words[:1]
    return " ".join(named)


def commands_view(rows: Sequence[SessionRow]) -> Group | None:
    """Each command to paste on a line of its own, whole (``ui.prose.action_line``), under
    the appointment and state it is for; None when no row has one."""
    parts: list[RenderableType] = []
    for row in rows:
        if is_command(row.action):
            assert row.action is not None
            parts.append(Text.assemble((f"appointment {row.appointment_id}", "bold"), " ",
                                       state_text(row.state)))
            parts.append(action_line(row.action))
    return Group(Text("Commands to run", style="bold"), *parts) if parts else None


def _connected(row: SessionRow) -> Text:
    if not row.connected:
        return Text(NONE, style="dim")
    out = Text()
    for i, person in enumerate(row.connected):
        if i:
            out.append("\n")
        out.append(person.identity, style="" if person.role else "bold red")
    return out


def counts_text(report: SessionsReport) -> Group:
    """``12 sessions 2025-11-16 08:00-12:00 UTC``, then ``2 waiting · 1 no room · ...``,
    wrapped after a ``·`` only: a count is never parted from its state."""
    total = len(report.rows)
    head = Text.assemble(
        (f"{total} session{'' if total == 1 else 's'}", "bold"),
        f" {window_text(report)}",
    )
    states, keep = Text(), []
    for i, (state, count) in enumerate(report.counts().items()):
        if i:
            states.append(" · ")
        start = len(states.plain)
        states.append(f"{count} {state}", style=STATE_STYLES.get(state, ""))
        keep.append((start, len(states.plain) + len(" ·")))
    return Group(head, Prose(states, keep=keep)) if keep else Group(head)


def window_text(report: SessionsReport) -> str:
    start, end = report.start, report.end
    if start.date() == (end - _EPSILON).date():
        return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"


def sessions_view(report: SessionsReport, changed: Collection[int] = (), *,
                  marks: bool = False, rows: Sequence[SessionRow] | None = None,
                  title: str | None = None) -> Group:
    """The counts, the rows (``rows``: a subset, e.g. the alert's matches) and other rooms."""
    shown = report.rows if rows is None else tuple(rows)
    table = Rows(_columns(report, changed, marks), shown, title=title or "Sessions",
                 empty=f"no appointments {window_text(report)}")
    parts: list[RenderableType] = [counts_text(report), table]
    commands = commands_view(shown)
    if commands is not None:
        parts.append(commands)
    if report.other_rooms:
        parts.append(other_rooms_view(report.other_rooms, report.missing))
    return Group(*parts)


def _appointment_of(room: TwilioRoom, missing: Collection[int]) -> Text:
    found = appointment_of_room(room.name)
    if found is None:
        return Text("none", style="dim")
    if found in missing:
        return Text(f"{found} (not in the store)", style="yellow")
    return Text(f"{found} (outside the window or filter)")


def _other_columns(missing: Collection[int]) -> list[Column[TwilioRoom]]:
    return [
        Column("name", lambda r: _keep(r.name, "cyan"), key=True),
        Column("appointment", lambda r: _appointment_of(r, missing), max_width=34, drop=1),
        Column("created", lambda r: format_utc(r.created_at) if r.created_at else NONE,
               drop=2),
        Column("sid", lambda r: _keep(r.sid, "dim"), key=True),
    ]


def other_rooms_view(rooms: Sequence[TwilioRoom], missing: Collection[int] = ()
                     ) -> Rows[TwilioRoom]:
    """``missing``: the appointments rooms are named for that the store does not have."""
    title = Text.assemble(("Other live rooms", "bold"), f" ({len(rooms)})")
    return Rows(_other_columns(missing), rooms, title=title, empty="none")


# -- plain lines (pipes) ----------------------------------------------------------------


def _cell(value: object) -> str:
    return piped_field(value)  # one line, no tabs; ``-`` when missing


def session_line(row: SessionRow) -> str:
    """One appointment, tab-separated, in the JSON's field order (users by email,
    connected identities comma-separated)."""
    data = row.to_json()
    cells = [
        data["appointment_id"], data["starts_at"], data["ends_at"], data["state"],
        data["since"], _email(row.appointment.patient), _email(row.appointment.psychologist),
        data["room_name"], data["room_sid"], ",".join(p.identity for p in row.connected),
        data["detail"], data["action"],
    ]
    return "\t".join(_cell(c) for c in cells)


def other_room_notes(report: SessionsReport) -> list[str]:
    """The live rooms of no appointment in the window, as notes (stderr in a pipe)."""
    return [f"other live room: {room.name or NONE} ({room.sid}), {_whose(room, report)}"
            for room in report.other_rooms]


def _whose(room: TwilioRoom, report: SessionsReport) -> str:
    found = appointment_of_room(room.name)
    if found is None:
        return "no appointment's room"
    if found in report.missing:
        return f"appointment {found} does not exist in the store"
    return f"appointment {found} is outside the window or filter"


def change_line(now: datetime, row: SessionRow, before: str | None) -> str:
    """A state change in a piped --watch: ``time, id, from, to, detail, action``."""
    cells = [format_utc(now), row.appointment_id, before, row.state, row.detail, row.action]
    return "\t".join(_cell(c) for c in cells)


#: the ``to`` of a row that left the window (a moving window, or it was rescheduled)
GONE = "gone"


def gone_line(now: datetime, row: SessionRow) -> str:
    """A row that left the window in a piped --watch, in a change line's columns: its
    last state as ``from``, ``gone`` as ``to`` (a consumer keeping state can drop it)."""
    cells = [format_utc(now), row.appointment_id, row.state, GONE,
             "no longer in the window", None]
    return "\t".join(_cell(c) for c in cells)


# -- --watch on a terminal ----------------------------------------------------------------


def watch_view(report: SessionsReport, changed: Collection[int], interval: float,
               note: str | None = None, gone: Sequence[SessionRow] = ()) -> Group:
    """The full-screen view: a header line, then the shift with changed rows marked, and
    which rows the last refresh dropped (so a row does not vanish unremarked)."""
    header = Text.assemble(
        ("Watching sessions", "bold"), f"  refreshed {report.now:%H:%M:%S} UTC, every "
        f"{interval:g} s  ", (f"{CHANGED_MARK} changed", "bold"), "  Ctrl-C to stop",
    )
    parts: list[RenderableType] = [header]
    if note:
        parts.append(Text(note, style="yellow"))
    if gone:
        left = ", ".join(f"{row.appointment_id} ({row.state})" for row in gone)
        parts.append(Text(f"{CHANGED_MARK} left the window: {left}", style="dim"))
    parts.append(sessions_view(report, changed, marks=True))
    return Group(*parts)
