"""A two-column reference (``vtctl help ...``): names never wrap; a pipe gets
``name<TAB>meaning`` lines."""

from __future__ import annotations

from vtctl.ui.sheet import Column, Rows, Sheet, sheet


def reference_sheet(title: str, header: tuple[str, str],
                    rows: tuple[tuple[str, str], ...]) -> Sheet:
    columns: list[Column[tuple[str, str]]] = [
        Column(header[0], lambda row: row[0], key=True),
        Column(header[1], lambda row: row[1]),
    ]
    return sheet(Rows(columns, rows, title=title))
