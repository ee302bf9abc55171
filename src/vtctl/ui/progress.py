"""A transient progress bar on stderr (rich), for long multi-step commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from vtctl.ui.iostreams import IOStreams


@contextmanager
def progress_bar(io: IOStreams, label: str, total: int, unit: str
                 ) -> Iterator[Callable[[], None]]:
    """``label [bar] n/total unit`` on stderr until the block ends; yields "one more done"."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
        console=io.err_console, transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda: progress.advance(task)
