"""The rich console every table and view is printed through: text is never markup.

Names, emails and room names come from the store, the API, Twilio and pasted tokens;
rich would read ``[link=http://evil.example/reset]Jane Doe[/link]`` in one as a
hyperlink to another site and ``[/bold]`` as a tag that does not close (MarkupError).
So the consoles parse no markup and replace no ``:emoji:`` codes, and every plain
string they render is made printable first: this is the one rendering boundary.
Styled text is built as ``rich.text.Text`` with a ``style`` (never a markup string).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from vtctl.util.text import printable_lines


class PlainTextConsole(Console):
    """A ``Console`` whose strings are plain, printable text."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render_str(self, text: str, **options: Any) -> Text:  # type: ignore[override]
        options["markup"] = False
        options["emoji"] = False
        return super().render_str(printable_lines(text), **options)
