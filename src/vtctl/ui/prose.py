"""Prose laid out for a width without splitting what must stay whole.

rich wraps a ``Text`` at any space, so a command to paste (``vtctl room kick 47 ...``)
could end on two lines, and a copy of it puts a newline in the shell, which then runs
the first half alone; a count could be parted from its word (``1`` / ``upcoming``).
Here prose breaks only at spaces outside such units: a command between backticks, a
whole text that is a command (an action), and any span the caller keeps together.
When a unit is wider than the line, the paragraph is written as one line, whole, as a
pipe prints it, for the terminal to wrap (as the token's line): never broken by vtctl.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text

#: a command to paste inside prose: ``vtctl ...`` between backticks
EMBEDDED_COMMAND = re.compile(r"`vtctl [^`\n]*`")
#: (start, end) offsets into a text's plain string
Span = tuple[int, int]
#: before an action made of words (not before a command: a copy of its line must run)
ACTION_MARK = "→ "
ACTION_INDENT = 2


def is_command(text: str | None) -> bool:
    """An action that is a command to paste (the other kind is words: ``tell ...``)."""
    return bool(text) and str(text).startswith("vtctl ")


def units(plain: str, keep: Sequence[Span] = ()) -> list[Span]:
    """The unbreakable pieces of one line: its words, joined where a kept span or a
    command between backticks covers the space between two of them."""
    spans = [*keep, *((m.start(), m.end()) for m in EMBEDDED_COMMAND.finditer(plain))]
    found: list[Span] = []
    for match in re.finditer(r"\S+", plain):
        start, end = match.span()
        if found and any(s < found[-1][1] and e > start for s, e in spans):
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


def _lines(text: Text, keep: Sequence[Span]) -> Iterator[tuple[Text, list[Span]]]:
    """Each line of ``text`` with its units (``keep`` is in offsets of the whole text)."""
    offset = 0
    for line in text.split("\n", allow_blank=True):
        size = len(line.plain)
        mine = [(s - offset, e - offset) for s, e in keep if s < offset + size and e > offset]
        yield line, units(line.plain, mine)
        offset += size + 1


def longest_unit(text: Text, keep: Sequence[Span] = ()) -> int:
    """The narrowest width that shows ``text`` without splitting a unit."""
    return max((cell_len(line.plain[s:e]) for line, found in _lines(text, keep)
                for s, e in found), default=0)


def widest_line(text: Text) -> int:
    return max((cell_len(line.plain) for line in text.split("\n", allow_blank=True)),
               default=0)


def wrap(text: Text, width: int, keep: Sequence[Span] = ()) -> list[Text]:
    """The lines of ``text`` at ``width``, broken only between units (a unit wider than
    ``width`` is a line of its own, wider than ``width``)."""
    lines: list[Text] = []
    for line, found in _lines(text, keep):
        if not found:
            lines.append(Text("", style=line.style))
            continue
        plain = line.plain
        start, end = found[0]
        for unit_start, unit_end in found[1:]:
            if cell_len(plain[start:unit_end]) <= width:
                end = unit_end
            else:
                lines.append(line[start:end])
                start, end = unit_start, unit_end
        lines.append(line[start:end])
    return lines


def whole(text: Text) -> Text:
    """``text`` on one line, never wrapped nor cut by rich (the terminal wraps it)."""
    text.no_wrap = True
    text.overflow = "ignore"
    return text


class Prose:
    """A paragraph wrapped between units at the width it is given, each line ``indent``
    spaces in; when a unit does not fit, the paragraph is one whole line, unindented.
    ``command``: the whole text is one command to paste (an action)."""

    def __init__(self, text: Text | str, *, indent: int = 0, keep: Sequence[Span] = (),
                 command: bool = False) -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self.indent = indent
        self.keep = [(0, len(self.text.plain))] if command else list(keep)

    def need(self) -> int:
        return longest_unit(self.text, self.keep) + self.indent

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.need(), widest_line(self.text) + self.indent)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if self.need() > width:
            yield whole(Text(" ").join(self.text.split("\n")))
            return
        for line in wrap(self.text, width - self.indent, self.keep):
            out = Text(" " * self.indent)
            out.append_text(line)
            yield whole(out)


def action_line(action: str) -> RenderableType:
    """An action on a line of its own.  A command to paste: indented, bold, never wrapped
    by vtctl (only spaces before it, so a triple-click copies a line the shell runs);
    words: after an arrow, wrapped between words."""
    if is_command(action):
        return whole(Text.assemble(" " * ACTION_INDENT, (action, "bold")))
    line = Text(ACTION_MARK, style="dim")
    line.append(action, style="bold")
    return Prose(line, indent=ACTION_INDENT)
