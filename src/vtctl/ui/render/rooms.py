"""Renderables for ``vtctl room participants|list|end|kick``.  No I/O.

The tables fit the console they are printed on: room names and SIDs are never
broken across lines, so other columns fold or drop first, and under
``CARD_WIDTH`` columns every row becomes a small block of ``field value`` lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from vtctl.domain.models import User, format_utc
from vtctl.domain.room_state import (
    Participant,
    PublishedTrack,
    RoomChange,
    RoomStatus,
    RoomSummary,
)
from vtctl.ui.render.status import UNKNOWN, is_present, participant_duration, styled
from vtctl.util.timefmt import humanize_duration

#: below this many columns rows are shown as blocks, not table rows
CARD_WIDTH = 80
#: what a column adds to its content (padding and rule) in ``box.SIMPLE_HEAD``
COLUMN_GAP = 3

Column = tuple[str, Callable[..., RenderableType], dict[str, object]]


class FittedRows:
    """A table of rows that picks, at render time, the widest column set that fits.

    ``columns`` are in priority order (``name, cell(row), rich column options``);
    ``optional`` names are dropped, in that order, until the rest fit unbroken.  Narrower than
    ``CARD_WIDTH``, or (``cards_when_too_wide``) when the rest still does not fit: one
    block of ``name value`` lines per row.
    """

    def __init__(self, title: str | Text, rows: Sequence[object], columns: Sequence[Column],
                 optional: Sequence[str], empty: Text, *, cards_when_too_wide: bool = False
                 ) -> None:
        self.title = title
        self.rows = rows
        self.columns = columns
        self.optional = optional
        self.empty = empty
        self.cards_when_too_wide = cards_when_too_wide

    def _table(self, columns: Sequence[Column], widths: Sequence[int]) -> Table:
        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD,
                      pad_edge=False, expand=False)
        for (name, _, options), width in zip(columns, widths, strict=True):
            table.add_column(name, min_width=width, **options)  # type: ignore[arg-type]
        if not self.rows:
            table.add_row(self.empty, *([""] * (len(columns) - 1)))
        for row in self.rows:
            table.add_row(*(cell(row) for _, cell, _ in columns))
        return table

    def _width(self, column: Column) -> int:
        """What the column needs: its longest line (capped for folding columns)."""
        name, cell, options = column
        longest = max([len(name)] + [_longest_line(cell(row)) for row in self.rows])
        cap = options.get("max_width")
        return min(longest, cap) if isinstance(cap, int) else longest

    def _cards(self) -> Group:
        parts: list[RenderableType] = [Text(str(self.title), style="bold")]
        if not self.rows:
            parts.append(self.empty)
        for row in self.rows:
            card = Table(show_header=False, box=box.MINIMAL, show_edge=False, pad_edge=False,
                         expand=False)
            card.add_column("field", style="bold cyan", no_wrap=True)
            card.add_column("value", overflow="fold")
            for name, cell, _ in self.columns:
                card.add_row(name, cell(row))
            parts.append(card)
        return Group(*parts)

    def fitted(self, width: int) -> RenderableType:
        """The widest column set whose cells fit ``width`` unbroken; blocks when narrow."""
        if width < CARD_WIDTH:
            return self._cards()
        columns = list(self.columns)
        droppable = list(self.optional)
        while True:
            widths = [self._width(c) for c in columns]
            fits = sum(widths) + COLUMN_GAP * len(columns) <= width
            if not fits and not droppable and self.cards_when_too_wide:
                return self._cards()
            if fits or not droppable:
                return self._table(columns, widths)
            name = droppable.pop(0)
            columns = [c for c in columns if c[0] != name]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.fitted(options.max_width)


def _longest_line(cell: RenderableType) -> int:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return max((Text(line).cell_len for line in text.splitlines()), default=0)


def _keep(value: str | None, style: str = "") -> Text:
    """A value never broken across lines (SIDs, room names)."""
    if value is None:
        return Text(UNKNOWN, style="dim")
    return Text(value, style=style, no_wrap=True, overflow="ignore")


def _plain(value: str | None) -> Text:
    return Text(value, overflow="fold") if value else Text(UNKNOWN, style="dim")


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


def _role(p: Participant) -> Text:
    return Text(p.role or "other", style="" if p.role else "dim")


def _participant_columns(now: datetime) -> list[Column]:
    return [
        ("identity", lambda p: Text(p.identity, overflow="fold"),
         {"overflow": "fold", "max_width": 40}),
        ("role", _role, {"no_wrap": True}),
        ("status", lambda p: styled(p.status), {"no_wrap": True}),
        ("tracks", lambda p: track_lines(p.tracks), {"overflow": "fold", "max_width": 30}),
        ("since", lambda p: _when(p.connected_at), {"no_wrap": True}),
        ("duration", lambda p: participant_duration(p, now), {"no_wrap": True}),
        ("sid", lambda p: _keep(p.sid, "dim"), {"no_wrap": True}),
    ]


def participants_view(status: RoomStatus, now: datetime | None = None) -> Group:
    """The room's header line and one row per participant with their tracks."""
    columns = _participant_columns(now or datetime.now(UTC))
    count = status.active_participant_count
    connected = "? connected" if count is None else f"{count} connected"
    title = Text.assemble(("Participants", "bold"), f" ({connected})")
    if status.state_known:
        empty = Text("nobody is connected", style="dim italic")
    else:
        empty = Text(status.message or "room state unknown", style="yellow")
    header = Text.assemble(
        ("room ", "bold"), _keep(status.room_name, "cyan"), "  ",
        _keep(status.sid, "dim"), "  ", styled(status.status),
        f"  appointment {status.appointment_id}",
    )
    parts: list[RenderableType] = [header]
    if status.state_known or status.participants:
        parts.append(FittedRows(title, status.participants, columns,
                                optional=("sid", "since", "duration"), empty=empty))
    else:
        parts.append(empty)
    if status.message and (status.state_known or status.participants):
        parts.append(Text(f"note: {status.message}", style="yellow"))
    return Group(*parts)


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


_ROOM_COLUMNS: list[Column] = [
    ("name", lambda r: _keep(r.name, "cyan"), {"no_wrap": True}),
    ("status", lambda r: styled(r.status), {"no_wrap": True}),
    ("people", lambda r: _count(r.participant_count), {"no_wrap": True, "justify": "right"}),
    ("appointment", _appointment, {"overflow": "fold", "max_width": 30}),
    ("created", lambda r: _when(r.created_at), {"no_wrap": True}),
    ("duration", lambda r: _duration(r.duration_seconds), {"no_wrap": True}),
    ("sid", lambda r: _keep(r.sid, "dim"), {"no_wrap": True}),
]


def rooms_view(rooms: Sequence[RoomSummary], status: str | None) -> FittedRows:
    which = f"{status} rooms" if status else "Recent rooms"
    title = Text.assemble((which, "bold"), f" ({len(rooms)})")
    return FittedRows(title, rooms, _ROOM_COLUMNS, optional=("sid", "created", "duration"),
                      empty=Text("no rooms", style="dim italic"))


# -- room end / kick --------------------------------------------------------------------


def change_line(change: RoomChange) -> Text:
    """What ``room end`` / ``room kick`` did, by the state in Twilio's reply, in a sentence
    (wrapped between words only)."""
    room = _keep(change.room_name, "cyan")
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
