"""One record as ``field: value`` rows: a two-column table on a terminal, and
one ``field<TAB>value`` line per row in a pipe (unwrapped, like gh's non-TTY output)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

#: (field, value); a styled ``Text`` value is printed plain in a pipe
Rows = Sequence[tuple[str, "str | Text"]]


def key_value_table(title: str, rows: Rows) -> Table:
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left", expand=False)
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")  # a JWT folds; short values fit first
    for field, value in rows:
        table.add_row(field, value)
    return table


def key_value_lines(rows: Rows) -> list[str]:
    """``field<TAB>value`` lines; whitespace in a value never starts another line or column."""
    return [f"{field}\t{' '.join(str(value).split())}" for field, value in rows]
