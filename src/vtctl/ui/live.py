"""A view redrawn in place on the terminal (rich ``Live``), e.g. ``vtctl status --watch``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from vtctl.ui.iostreams import IOStreams

if TYPE_CHECKING:
    from rich.console import RenderableType


@contextmanager
def live_view(io: IOStreams, first: RenderableType
              ) -> Iterator[Callable[[RenderableType], None]]:
    """Show ``first`` on stdout; yields the function that replaces it (redrawn at once).
    Leaving the block, also by Ctrl-C, restores the terminal."""
    from rich.live import Live

    with Live(first, console=io.console, auto_refresh=False,
              redirect_stdout=False, redirect_stderr=False) as live:
        yield lambda view: live.update(view, refresh=True)
