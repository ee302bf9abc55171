"""``vtctl history``: the picture of a session, the timeline and what stands out.  No I/O.

The picture draws one bar per person over the session's time axis (the
scheduled slot marked, time in the room filled, drops marked ``✕``) with each
person's token lifetimes as a thin line under it, fitted to the console's
width at render time.  The timeline is one header line per event (time, event,
who, role: identities never broken) with its detail on the line below,
wrapping between words.  Piped, each event is one tab-separated line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.text import Text

from vtctl.domain.history import Event, PersonTrack, SessionHistory
from vtctl.domain.models import format_utc
from vtctl.ui.cells import piped_field
from vtctl.ui.prose import Prose
from vtctl.ui.render.diagnose import findings_view
from vtctl.util.text import printable

NONE = "-"
PRESENT, ABSENT, OUTSIDE, DROP = "█", "·", " ", "✕"
SLOT, TOKEN, MINTED, EXPIRED = "━", "─", "├", "┤"
#: the narrowest time axis worth drawing
MIN_AXIS = 12
DETAIL_INDENT = 2
KIND_STYLES = {"joined": "green", "left": "yellow", "room-created": "cyan",
               "room-ended": "cyan", "token-minted": "blue", "token-expired": "blue"}
ROLE_STYLES = {"patient": "bold", "psychologist": "bold", "stranger": "bold red"}


def history_view(history: SessionHistory) -> RenderableType:
    """Title, picture, timeline, findings."""
    parts: list[RenderableType] = [Text(title(history), style="bold")]
    parts += [SessionPicture(history), Text(""), Text("Timeline", style="bold"),
              TimelineRows(history.events), Text("")]
    if history.findings:
        parts.append(findings_view(history.findings, "What stands out"))
    else:
        parts.append(Text("Nothing stands out.", style="green"))
    return Group(*parts)


def title(history: SessionHistory) -> str:
    """``Appointment 47: Jane Doe and Dr. Sarah`` and, below, when and which room."""
    appointment = history.sources.appointment
    who = " and ".join(printable(user.name) for user in (appointment.patient,
                                                         appointment.psychologist) if user)
    first = f"Appointment {appointment.id}" + (f": {who}" if who else "")
    slot = scheduled(history)
    when = (f"scheduled {slot[0].strftime('%Y-%m-%d %H:%M')}-{slot[1].strftime('%H:%M')} UTC"
            if slot is not None else "no scheduled time")
    count = len(history.sources.rooms)
    rooms = f"{count} Twilio room{'' if count == 1 else 's'}"
    return f"{first}\n{when}, room {history.sources.room_name} ({rooms})"


def scheduled(history: SessionHistory) -> tuple[datetime, datetime] | None:
    appointment = history.sources.appointment
    if appointment.starts_at is None:
        return None
    return (appointment.starts_at,
            appointment.starts_at + timedelta(minutes=appointment.duration_minutes))


# -- the picture --------------------------------------------------------------------------


def axis_span(history: SessionHistory) -> tuple[datetime, datetime] | None:
    """From the earliest to the latest moment worth drawing (tokens are clipped to it)."""
    moments: list[datetime] = []
    slot = scheduled(history)
    if slot is not None:
        moments += slot
    for track in history.tracks:
        for presence in track.presences:
            moments += [presence.start, presence.end or history.now]
    for room in history.sources.rooms:
        moments += [m for m in (room.created_at, room.ended_at) if m is not None]
    if not moments:
        return None
    start, end = min(moments), max(moments)
    return (start, end) if end > start else (start, start + timedelta(minutes=1))


class SessionPicture:
    """One bar per person over the session's time axis, as wide as the console."""

    def __init__(self, history: SessionHistory) -> None:
        self.history = history

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> list[Text]:
        span = axis_span(self.history)
        tracks = self.history.tracks
        if span is None or not tracks:
            return [Text("(nothing to draw: no scheduled time and no room)", style="dim")]
        label_width = max(len("scheduled"), *(len(t.label) for t in tracks)) + 2
        axis = width - label_width
        if axis < MIN_AXIS:
            return [Text(f"(the picture needs {label_width + MIN_AXIS} columns)", style="dim")]
        scale = Scale(span[0], span[1], axis)
        slot = scheduled(self.history)
        rows = [self._ruler(scale, label_width, slot)]
        if slot is not None:
            rows.append(_row("scheduled", label_width, scale.cells(
                lambda a, b: (SLOT, "cyan") if a < slot[1] and b > slot[0] else (OUTSIDE, ""))))
        for track in tracks:
            rows.append(_row(track.label, label_width, self._presence(track, scale, slot)))
            if track.tokens:
                rows.append(_row("  token", label_width, self._tokens(track, scale), "dim"))
        rows.append(self._legend(slot))
        return rows

    def _ruler(self, scale: Scale, label_width: int, slot: tuple[datetime, datetime] | None
               ) -> Text:
        marks = [scale.start, scale.end] + (list(slot) if slot else [])
        cells = [" "] * scale.width
        for moment in sorted(set(marks)):
            label = moment.strftime("%H:%M")
            col = min(scale.col(moment), scale.width - len(label))
            if col >= 0 and all(c == " " for c in cells[max(col - 1, 0):col + len(label) + 1]):
                cells[col:col + len(label)] = list(label)
        return Text(" " * label_width + "".join(cells), style="dim")

    def _presence(self, track: PersonTrack, scale: Scale,
                  slot: tuple[datetime, datetime] | None) -> list[tuple[str, str]]:
        now = self.history.now
        spans = [(p.start, p.end or now) for p in track.presences]

        def cell(a: datetime, b: datetime) -> tuple[str, str]:
            if any((start < b and end > a) or (start == end and a <= start < b)
                   for start, end in spans):
                return PRESENT, "green"
            inside = slot is not None and a < slot[1] and b > slot[0]
            return (ABSENT, "dim") if inside else (OUTSIDE, "")

        cells = scale.cells(cell)
        for presence in track.presences:
            if presence.dropped and presence.end is not None:
                cells[min(scale.col(presence.end), scale.width - 1)] = (DROP, "bold red")
        return cells

    def _tokens(self, track: PersonTrack, scale: Scale) -> list[tuple[str, str]]:
        cells = scale.cells(lambda a, b: (TOKEN, "blue") if any(
            t.minted_at < b and t.expires_at > a for t in track.tokens) else (OUTSIDE, ""))
        for token in track.tokens:
            if scale.start <= token.minted_at <= scale.end:
                cells[min(scale.col(token.minted_at), scale.width - 1)] = (MINTED, "blue")
            if scale.start <= token.expires_at <= scale.end:
                cells[min(scale.col(token.expires_at), scale.width - 1)] = (EXPIRED, "blue")
        return cells

    def _legend(self, slot: tuple[datetime, datetime] | None) -> Text:
        legend = Text()
        for mark, style, meaning in ((PRESENT, "green", "in the room"),
                                     (DROP, "bold red", "dropped (error or rejoined)"),
                                     (TOKEN, "blue", "token valid"),
                                     (SLOT, "cyan", "scheduled") if slot else (None, "", "")):
            if mark:
                legend.append(mark, style=style)
                legend.append(f" {meaning}   ", style="dim")
        strangers = [t for t in self.history.tracks if t.role == "stranger"]
        for track in strangers:
            legend.append(f"\n{track.label} = {printable(track.identity)}", style="dim")
        return legend


class Scale:
    """Times to columns of an axis ``width`` cells wide."""

    def __init__(self, start: datetime, end: datetime, width: int) -> None:
        self.start, self.end, self.width = start, end, width
        self.step = (end - start) / width

    def col(self, moment: datetime) -> int:
        return max(0, min(self.width - 1, int((moment - self.start) / self.step)))

    def cells(self, paint: Callable[[datetime, datetime], tuple[str, str]]
              ) -> list[tuple[str, str]]:
        """``paint(cell_start, cell_end) -> (character, style)`` for every cell."""
        return [paint(self.start + self.step * i, self.start + self.step * (i + 1))
                for i in range(self.width)]


def _row(label: str, label_width: int, cells: Sequence[tuple[str, str]], style: str = ""
         ) -> Text:
    row = Text(label.ljust(label_width), style=style or "bold")
    for char, cell_style in cells:
        row.append(char, style=cell_style)
    return row


# -- the timeline -------------------------------------------------------------------------


class TimelineRows:
    """One header line per event (identities whole), its detail on the line below."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = events

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.events:
            yield Text("no events", style="dim")
            return
        one_day = len({e.at.date() for e in self.events if e.at}) <= 1
        times = [_clock(e.at, one_day) for e in self.events]
        time_w = max(len(t) for t in times)
        kind_w = max(len(e.kind) for e in self.events)
        who_w = max(len(printable(e.who or NONE)) for e in self.events)
        role_w = max(len(e.role or "") for e in self.events)
        wide = time_w + kind_w + who_w + role_w + 6 <= options.max_width
        for event, when in zip(self.events, times, strict=True):
            head = Text(when.ljust(time_w) + "  ", style="dim")
            head.append(event.kind.ljust(kind_w), style=KIND_STYLES.get(event.kind, ""))
            who = Text(printable(event.who or NONE), no_wrap=True, overflow="ignore")
            if wide:
                head.append("  ")
                head.append_text(who)
                head.append(" " * (who_w - len(who.plain) + 2))
                head.append(event.role or "", style=ROLE_STYLES.get(event.role or "", ""))
                yield head
            else:
                yield head
                line = Text(" " * DETAIL_INDENT)
                line.append_text(who)
                if event.role:
                    line.append("  " + event.role, style=ROLE_STYLES.get(event.role, ""))
                yield line
            if event.detail:
                # the command that minted a token stays whole (``ui.prose``)
                yield Prose(Text(printable(event.detail), style="dim"), indent=DETAIL_INDENT)


def _clock(moment: datetime | None, one_day: bool) -> str:
    if moment is None:
        return NONE
    return moment.strftime("%H:%M:%S" if one_day else "%m-%d %H:%M")


def history_lines(history: SessionHistory) -> list[str]:
    """``at<TAB>kind<TAB>who<TAB>role<TAB>detail<TAB>room_sid`` per event, never wrapped."""
    lines = []
    for event in history.events:
        cells = [format_utc(event.at) if event.at else NONE, event.kind, event.who or NONE,
                 event.role or NONE, event.detail or NONE, event.room_sid or NONE]
        lines.append("\t".join(piped_field(cell) for cell in cells))
    return lines
