"""The ``--watch`` loop shared by the commands that keep a view live.

Each refresh calls ``refresh()`` (fetch and fold the answer into the command's own
state).  On a terminal the view is redrawn in place (rich's ``Live``; ``screen``
for a full-screen view on the alternate screen); piped, ``refresh`` prints its own
event lines and the loop stops when the reader has gone (``| head -3``).  Ctrl-C
ends the watch normally (exit 0) and ``Live`` restores the terminal.  ``sleep``
and ``max_ticks`` are parameters so tests drive refreshes without waiting.
"""

from __future__ import annotations

import errno
import itertools
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from vtctl.ui.iostreams import IOStreams

if TYPE_CHECKING:
    from rich.console import RenderableType


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up on each call, so tests can patch ``time.sleep``


def ticks(max_ticks: int | None) -> Iterable[int]:
    """0, 1, 2... (``max_ticks`` of them, or until interrupted)."""
    return range(max_ticks) if max_ticks is not None else itertools.count()


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
            _live(io, refresh, view, interval, sleep, max_ticks, screen)
        else:
            _piped(io, refresh, interval, sleep, max_ticks)
    except KeyboardInterrupt:
        pass


def _live(io: IOStreams, refresh: Callable[[], None], view: Callable[[], RenderableType],
          interval: float, sleep: Callable[[float], None], max_ticks: int | None,
          screen: bool) -> None:
    from rich.live import Live

    with Live(view(), console=io.console, auto_refresh=False, screen=screen,
              redirect_stdout=False, redirect_stderr=False) as live:
        for i in ticks(max_ticks):
            if i:
                sleep(interval)
            refresh()
            live.update(view(), refresh=True)


def _piped(io: IOStreams, refresh: Callable[[], None], interval: float,
           sleep: Callable[[float], None], max_ticks: int | None) -> None:
    from vtctl.util.pipes import reader_gone

    for i in ticks(max_ticks):
        if i:
            if reader_gone(io.out):  # `| head -3` has what it wanted: stop (exit 0)
                raise BrokenPipeError(errno.EPIPE, "the reader of stdout left")
            sleep(interval)
        refresh()
