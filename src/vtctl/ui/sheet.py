"""What a command prints, declared once: a ``Sheet`` of parts, each giving both forms.

Piped (stdout not a terminal) a sheet is plain lines, never wrapped and never boxed,
whatever ``COLUMNS`` says: ``Rows`` are one tab-separated line per record,
``Fields`` are ``field<TAB>value`` lines, a ``CopyLine`` is ``label<TAB>value``;
``Note``s and the empty-list message go to stderr.

On a terminal the same parts are laid out for the console's width by ``ui.fit``:
identifiers (``key`` columns and fields) are never split across lines; when a table
is too wide its headers get short, prose wraps between words and the lesser columns
are dropped (highest ``drop`` first); when even that does not fit, each record
becomes a block of ``field value`` lines (an identifier wider than the terminal on a
line of its own, whole, for the terminal to wrap).  A ``CopyLine`` (an access token) is
written whole on a line of its own, outside any table, so a mouse selection takes
exactly it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from rich.text import Text

from vtctl.ui.cells import Cell, as_text, piped_field
from vtctl.util.text import printable

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

    from vtctl.ui.iostreams import IOStreams

R = TypeVar("R")
Justify = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column of ``Rows``: its header, how to get a row's cell, how it gives way."""

    name: str
    value: Callable[[R], Cell]
    #: an identifier (room name, SID, email, JTI): never split across lines
    key: bool = False
    #: 0: always shown; otherwise dropped when narrow, the highest number first
    #: (an identifier only when another column identifies the row, e.g. a SID)
    drop: int = 0
    #: a shorter header tried before dropping columns
    short: str | None = None
    #: prose wider than this wraps (between words) rather than push other columns out
    max_width: int | None = None
    justify: Justify = "left"
    #: the value a pipe gets, when it is not the cell's text (e.g. a bare number)
    piped: Callable[[R], object] | None = None
    #: False: only a pipe gets this column (a terminal shows it another way)
    on_terminal: bool = True

    def cell(self, row: R) -> Text:
        return as_text(self.value(row))

    def plain(self, row: R) -> str:
        return piped_field(self.piped(row) if self.piped is not None else self.value(row))


@dataclass(frozen=True, slots=True)
class Rows(Generic[R]):
    """A list of records: a table on a terminal, a tab-separated line each in a pipe."""

    columns: Sequence[Column[R]]
    rows: Sequence[R]
    title: Cell | None = None
    #: what a terminal shows (and a pipe's stderr gets) when there are no rows
    empty: str = "none"
    #: the first field of each piped line, when a sheet mixes kinds of lines
    prefix: str | None = None

    def lines(self) -> list[str]:
        head = [self.prefix] if self.prefix else []
        return ["\t".join(head + [c.plain(row) for c in self.columns]) for row in self.rows]

    def notes(self) -> list[str]:
        return [] if self.rows else [self.empty]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from vtctl.ui.fit import fit_rows

        yield fit_rows(console, options.max_width, self.columns, self.rows, self.title,
                       self.empty)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of ``Fields``."""

    label: str
    value: Cell
    #: an identifier: never split across lines
    key: bool = False
    #: the value a pipe gets, when it is not the cell's text
    piped: object | None = None

    def plain(self) -> str:
        return piped_field(self.piped if self.piped is not None else self.value)


@dataclass(frozen=True, slots=True)
class Fields:
    """One object: a two-column table on a terminal, ``field<TAB>value`` lines in a pipe."""

    fields: Sequence[Field]
    title: Cell | None = None

    def lines(self) -> list[str]:
        return [f"{f.label}\t{f.plain()}" for f in self.fields]

    def notes(self) -> list[str]:
        return []

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from vtctl.ui.fit import fit_record

        fields = [(f.label, as_text(f.value), f.key) for f in self.fields]
        yield fit_record(console, options.max_width, fields, self.title)


@dataclass(frozen=True, slots=True)
class Note:
    """A remark about the data (not data): stderr in a pipe, below the tables on a terminal."""

    text: str
    style: str = "yellow"

    def lines(self) -> list[str]:
        return []

    def notes(self) -> list[str]:
        return [f"note: {self.text}"]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from vtctl.ui.prose import Prose

        # wrapped between words, a command to paste in it never split (``ui.prose``)
        yield Prose(Text(f"note: {printable(self.text)}", style=self.style))


@dataclass(frozen=True, slots=True)
class CopyLine:
    """A value people copy (an access token): on a terminal alone on its line, never
    wrapped by vtctl (the terminal's own wrapping keeps it one line to select)."""

    label: str
    value: str

    def lines(self) -> list[str]:
        return [f"{self.label}\t{piped_field(self.value)}"]

    def notes(self) -> list[str]:
        return []

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.value, overflow="fold")  # inside a live view only; see ``show``


@dataclass(frozen=True, slots=True)
class Sentence:
    """A result told in words on a terminal (wrapped between words only); a pipe gets
    ``field<TAB>value`` lines (a failure is the error line on stderr, as always)."""

    text: Cell
    fields: Sequence[Field]

    def lines(self) -> list[str]:
        return Fields(self.fields).lines()

    def notes(self) -> list[str]:
        return []

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield as_text(self.text)


@dataclass(frozen=True, slots=True)
class Drawn:
    """A view with a layout of its own (which keeps identifiers whole itself), and the
    plain lines a pipe gets instead."""

    view: RenderableType
    piped: Sequence[str]
    #: what a pipe's stderr gets
    remarks: Sequence[str] = ()

    def lines(self) -> list[str]:
        return ["\t".join(piped_field(cell) for cell in line.split("\t")) for line in self.piped]

    def notes(self) -> list[str]:
        return list(self.remarks)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.view


Part = Rows[Any] | Fields | Note | CopyLine | Sentence | Drawn


@dataclass(frozen=True)
class Sheet:
    """Everything one command prints for one result, in order."""

    parts: Sequence[Part] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        return [line for part in self.parts for line in part.lines()]

    def notes(self) -> list[str]:
        return [note for part in self.parts for note in part.notes()]

    def __iter__(self) -> Iterator[Part]:
        return iter(self.parts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.parts


def sheet(*parts: Part | None) -> Sheet:
    """A sheet of the parts given (``None`` skipped: an optional note)."""
    return Sheet(tuple(part for part in parts if part is not None))


def show(io: IOStreams, result: Sheet) -> None:
    """Print a sheet: plain lines to a pipe (notes on stderr), laid out on a terminal."""
    if not io.is_stdout_tty:
        for line in result.lines():
            io.print_raw(line)
        for note in result.notes():
            io.info(note)
        return
    for part in result:
        if isinstance(part, CopyLine):
            # soft_wrap: rich inserts no line break, whatever the width
            io.console.print(Text(part.value), soft_wrap=True)
        else:
            # no crop: ``ui.fit`` keeps every line within the width except an identifier
            # wider than the terminal, written whole for the terminal to wrap
            io.console.print(part, crop=False)
