"""One cell of output: plain text or styled ``Text``, made safe for a terminal or a pipe."""

from __future__ import annotations

from rich.text import Text

from vtctl.util.text import printable

#: a piped line's field for a missing value (every command's: the one rule)
MISSING = "-"
#: a cell: plain text, or a styled ``rich.text.Text`` (never a markup string)
Cell = str | Text


def as_text(cell: Cell) -> Text:
    """A cell as ``Text``; a plain string is made printable and never read as markup."""
    return cell.copy() if isinstance(cell, Text) else Text(printable(str(cell)))


def one_line(value: object) -> str:
    """A value for a piped line: no tab or line break can start another column or line."""
    text = value.plain if isinstance(value, Text) else str(value)
    return " ".join(printable(text).split())


def piped_field(value: object) -> str:
    """A value as one field of a piped line: ``one_line``, and ``MISSING`` when there is
    no value (None or blank), so no field is ever empty (``cut`` and ``awk`` see it)."""
    text = "" if value is None else one_line(value)
    return text or MISSING
