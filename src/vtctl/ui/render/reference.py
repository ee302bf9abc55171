"""A two-column reference table (``vtctl help ...``); the names never wrap."""

from __future__ import annotations

from rich.table import Table


def reference_table(title: str, header: tuple[str, str],
                    rows: tuple[tuple[str, str], ...]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(header[0], style="bold cyan", no_wrap=True)
    table.add_column(header[1], overflow="fold")
    for name, meaning in rows:
        table.add_row(name, meaning)
    return table
