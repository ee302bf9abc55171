"""Help texts are rich markup (Typer's ``rich_markup_mode="rich"``: a literal bracket is
written ``\\[``); where they are shown without rich, as people read them."""

from __future__ import annotations


def plain(markup: str) -> str:
    """``markup`` as rich would show it, without the styles: tags gone, escapes undone."""
    from rich.text import Text

    return Text.from_markup(markup).plain
