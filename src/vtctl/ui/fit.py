"""Lay out ``ui.sheet`` parts for a console width (text measured by ``ui.prose``).

The widths are chosen here, not left to rich: when a table is too wide rich narrows
columns past their longest word (an email split over three lines) and, when that is
not enough, down to nothing (a zero-width column).  Here each column needs its header
and its longest word (an identifier: its whole value); the spare width goes to the
columns that would otherwise wrap.  What still does not fit gives way in the order
``ui.sheet`` describes: short headers, dropped columns, then one block per record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any, Literal, Protocol

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from vtctl.ui.cells import Cell, as_text
from vtctl.ui.prose import Prose, longest_unit, widest_line

#: spaces between a block's labels and values
GAP = 2
#: a value too long to sit beside its label goes on the next line, this far in
INDENT = 2
LABEL_STYLE = "bold cyan"
#: a column that wraps is at least this wide (or as wide as its widest line)
PROSE_FLOOR = 20
#: measuring never stops at the console's width
_UNBOUNDED = 10_000

#: (label, value, is an identifier): one line of a block
BlockField = tuple[str, Text, bool]


class ColumnSpec(Protocol):
    """What the layout reads of a column (``ui.sheet.Column``)."""

    @property
    def name(self) -> str: ...
    @property
    def key(self) -> bool: ...
    @property
    def drop(self) -> int: ...
    @property
    def short(self) -> str | None: ...
    @property
    def max_width(self) -> int | None: ...
    @property
    def justify(self) -> Literal["left", "right"]: ...
    @property
    def on_terminal(self) -> bool: ...
    def cell(self, row: Any) -> Text: ...


def _measure(console: Console, cell: Text) -> tuple[int, int]:
    """(longest unit, longest line) of a cell, in terminal cells: a unit is a word, or a
    command to paste between backticks (``ui.prose``: never split)."""
    return longest_unit(cell), widest_line(cell)


def _prose(cell: Text, key: bool) -> RenderableType:
    """A cell as a table shows it: an identifier never wrapped; prose wrapped between
    units (``ui.fit`` made the column as wide as its longest unit)."""
    if key:
        cell.no_wrap = True
        return cell
    return Prose(cell)


def _need(console: Console, cell: Text, key: bool) -> int:
    """The narrowest width that shows ``cell`` without splitting a word (an identifier: at all)."""
    shortest, longest = _measure(console, cell)
    return longest if key else shortest


@cache
def _chrome(columns: int, show_header: bool) -> int:
    """What a table's borders and padding add to its columns' widths."""
    probe = _table(show_header)
    for _ in range(columns):
        probe.add_column(width=1)
    console = Console(width=_UNBOUNDED)
    return Measurement.get(console, console.options, probe).maximum - columns


def _table(show_header: bool = True) -> Table:
    """No borders (as gh and k9s): more room for values, and a mouse selection of
    several lines picks up no box characters; two spaces between columns."""
    return Table(box=None, show_header=show_header, header_style="bold", expand=False,
                 pad_edge=False, padding=(0, 1))


def _title(title: Cell | None) -> list[RenderableType]:
    if title is None:
        return []
    text = as_text(title)
    if not text.style and not text.spans:
        text.stylize("bold")
    return [text]


def _spread(need: Sequence[int], natural: Sequence[int], available: int) -> list[int]:
    """Widths from ``need`` up towards ``natural``: the smallest shortfall is served first,
    so as few columns as possible wrap; the last one served gets what is left."""
    widths = list(need)
    spare = available - sum(widths)
    for index in sorted(range(len(widths)), key=lambda i: natural[i] - need[i]):
        grow = min(spare, natural[index] - widths[index])
        widths[index] += grow
        spare -= grow
    return widths


# -- a list of records ------------------------------------------------------------------


def fit_rows(console: Console, width: int, all_columns: Sequence[ColumnSpec],
             rows: Sequence[Any], title: Cell | None, empty: str) -> RenderableType:
    """The widest layout of ``rows`` that splits no identifier within ``width``."""
    heading = _title(title)
    if not rows:
        return Group(*heading, Text(empty, style="dim italic"))
    columns = [column for column in all_columns if column.on_terminal]
    cells = [[column.cell(row) for column in columns] for row in rows]
    for table in _tables(console, width, columns, cells):
        if table is not None:
            return Group(*heading, table)
    records = [[(columns[i].name, row[i], columns[i].key) for i in range(len(columns))]
               for row in cells]
    return blocks(console, width, title, records)


def _tables(console: Console, width: int, columns: Sequence[ColumnSpec],
            cells: Sequence[Sequence[Text]]) -> Iterator[Table | None]:
    """Candidate tables, best first (None: that one does not fit).

    Every column first: on one line per row (full headers, then short ones), then with
    prose wrapped between words (never thinner than ``PROSE_FLOOR``); then the same
    without the column of the highest ``drop``, and so on.
    """
    active = list(range(len(columns)))
    dropping = sorted((i for i in active if columns[i].drop), key=lambda i: -columns[i].drop)
    for index in [None, *dropping]:
        if index is not None:
            active.remove(index)
        for wrap in (False, True):
            for short in (False, True):
                yield _try_table(console, width, columns, cells, active, short, wrap)


def _try_table(console: Console, width: int, columns: Sequence[ColumnSpec],
               cells: Sequence[Sequence[Text]], active: Sequence[int], short: bool,
               wrap: bool) -> Table | None:
    """The table of the ``active`` columns, or None when it cannot fit (``wrap``: between
    words; otherwise one line per row)."""
    headers = [columns[i].short or columns[i].name if short else columns[i].name
               for i in active]
    need, natural = [], []
    for header, i in zip(headers, active, strict=True):
        sizes = [_measure(console, row[i]) for row in cells]
        key, cap = columns[i].key, columns[i].max_width
        words = max([len(header)] + [shortest for shortest, _ in sizes])
        widest = max([len(header)] + [longest for _, longest in sizes])
        capped = widest if cap is None else max(words, min(widest, cap))
        if key:
            need.append(widest)
        elif wrap:  # between words, but not into a column too thin to read
            need.append(max(words, min(capped, PROSE_FLOOR)))
        else:  # one line per row; prose with a cap wraps at it
            need.append(capped)
        natural.append(max(need[-1], capped))
    available = width - _chrome(len(active), True)
    if sum(need) > available:
        return None
    table = _table()
    for header, i, size in zip(headers, active, _spread(need, natural, available), strict=True):
        column = columns[i]
        table.add_column(Text(header), width=size, no_wrap=column.key,
                         justify=column.justify, overflow="fold")
    for row in cells:
        table.add_row(*(_prose(row[i], columns[i].key) for i in active))
    return table


# -- one record ---------------------------------------------------------------------------


def fit_record(console: Console, width: int, fields: Sequence[BlockField],
               title: Cell | None) -> RenderableType:
    """A two-column table of a record's fields; a block when a value cannot fit."""
    label_width = max((len(label) for label, _, _ in fields), default=0)
    available = width - label_width - _chrome(2, False)
    need = max((_need(console, value, key) for _, value, key in fields), default=0)
    if need > available:
        return blocks(console, width, title, [fields])
    natural = max((_measure(console, value)[1] for _, value, _ in fields), default=1)
    table = _table(show_header=False)
    table.add_column(width=label_width, style=LABEL_STYLE, no_wrap=True)
    table.add_column(width=max(1, min(natural, available)), overflow="fold")
    for label, value, key in fields:
        table.add_row(Text(label), _prose(value, key))
    return Group(*_title(title), table)


# -- blocks -------------------------------------------------------------------------------


def blocks(console: Console, width: int, title: Cell | None,
           records: Sequence[Sequence[BlockField]]) -> RenderableType:
    """One block of ``label  value`` lines per record, a blank line between blocks.

    A value that cannot sit beside its label unbroken goes on the next line, indented.
    """
    label_width = max((len(label) for fields in records for label, _, _ in fields), default=0)
    value_width = width - label_width - GAP
    parts: list[RenderableType] = _title(title)
    for number, fields in enumerate(records):
        if number:
            parts.append(Text(""))
        beside: list[BlockField] = []
        for label, value, key in fields:
            if value_width > 0 and _need(console, value, key) <= value_width:
                beside.append((label, value, key))
                continue
            parts += _grid(console, label_width, value_width, beside)
            beside = []
            parts.append(Text(label, style=LABEL_STYLE))
            parts.append(_alone(console, width, value, key))
        parts += _grid(console, label_width, value_width, beside)
    return Group(*parts)


def _alone(console: Console, width: int, value: Text, key: bool) -> RenderableType:
    """A value on the line(s) below its label: indented, prose wrapped between words.

    An identifier wider than the indented line, or prose with such a word in it (an
    email in ``Name (11, email)``), is written whole on one unindented line, never
    broken by vtctl (as a ``CopyLine``): the terminal's own wrapping keeps it one line
    to select, rather than two pieces a copy would join wrongly."""
    if _need(console, value, key) > width - INDENT:
        value.no_wrap = True
        value.overflow = "ignore"
        return value
    if key:
        value.no_wrap = True
        return Padding(value, (0, 0, 0, INDENT), expand=False)
    return Prose(value, indent=INDENT)


def _grid(console: Console, label_width: int, value_width: int,
          fields: Sequence[BlockField]) -> list[RenderableType]:
    if not fields:
        return []
    natural = max(_measure(console, value)[1] for _, value, _ in fields)
    grid = Table.grid(padding=(0, GAP, 0, 0))
    grid.add_column(width=label_width, style=LABEL_STYLE, no_wrap=True)
    grid.add_column(width=max(1, min(natural, value_width)), overflow="fold")
    for label, value, key in fields:
        grid.add_row(Text(label), _prose(value, key))
    return [grid]
