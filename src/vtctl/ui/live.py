"""Views kept live: the ``--watch`` loop of ``status`` and ``sessions``.

Each refresh calls ``refresh()`` (fetch and fold the answer into the command's own
state).  On a terminal the view is redrawn in place (rich's ``Live``; ``screen``
for a full-screen view on the alternate screen); piped, ``refresh`` prints its own
event lines and the loop stops when the reader has gone (``| head -3``).  Ctrl-C
ends the watch normally (exit 0); leaving ``Live`` restores the terminal.
``sleep`` and ``max_ticks`` are parameters so tests drive refreshes without waiting.
"""

from __future__ import annotations

import errno
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from vtctl.ui.iostreams import IOStreams

if TYPE_CHECKING:
    from rich.console import RenderableType


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up on each call, so tests can patch ``time.sleep``


def ticks(max_ticks: int | None) -> Iterable[int]:
    """0, 1, 2... (``max_ticks`` of them, or until interrupted)."""
    return range(max_ticks) if max_ticks is not None else itertools.count()


@contextmanager
def live_view(io: IOStreams, first: RenderableType, *, screen: bool = False
              ) -> Iterator[Callable[[RenderableType], None]]:
    """Show ``first`` on stdout; yields the function that replaces it (redrawn at once).
    Leaving the block, also by Ctrl-C, restores the terminal."""
    from rich.live import Live

    with Live(first, console=io.console, auto_refresh=False, screen=screen,
              redirect_stdout=False, redirect_stderr=False) as live:
        yield lambda view: live.update(view, refresh=True)


def watch_loop(
    io: IOStreams,
    refresh: Callable[[], None],
    view: Callable[[], RenderableType],
    interval: float,
    *,
    sleep: Callable[[float], None] = real_sleep,
    max_ticks: int | None = None,
    screen: bool = False,
) -> None:
    """Refresh every ``interval`` seconds until Ctrl-C (or ``max_ticks``)."""
    try:
        if io.is_stdout_tty:
            with live_view(io, view(), screen=screen) as show:
                for i in ticks(max_ticks):
                    if i:
                        sleep(interval)
                    refresh()
                    show(view())
        else:
            _piped(io, refresh, interval, sleep, max_ticks)
    except KeyboardInterrupt:
        pass


def _piped(io: IOStreams, refresh: Callable[[], None], interval: float,
           sleep: Callable[[float], None], max_ticks: int | None) -> None:
    from vtctl.util.pipes import reader_gone

    for i in ticks(max_ticks):
        if i:
            if reader_gone(io.out):  # `| head -3` has what it wanted: stop (exit 0)
                raise BrokenPipeError(errno.EPIPE, "the reader of stdout left")
            sleep(interval)
        refresh()
