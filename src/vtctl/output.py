"""Choose between a rich table, ``--json`` and ``--raw`` for one result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vtctl.iostreams import IOStreams

if TYPE_CHECKING:
    from rich.console import RenderableType


@dataclass(frozen=True, slots=True)
class OutputFormat:
    json: bool = False
    raw: bool = False

    @property
    def mode(self) -> str:
        return "json" if self.json else "raw" if self.raw else "table"


def emit(
    io: IOStreams,
    fmt: OutputFormat,
    data: Callable[[], Any],
    table: Callable[[], RenderableType],
    raw: Callable[[], str] | None = None,
) -> None:
    """Print one result in the format the user asked for."""
    if fmt.json:
        io.print_json(data())
    elif fmt.raw and raw is not None:
        io.print_raw(raw())
    else:
        io.render(table())
