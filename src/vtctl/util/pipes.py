"""What to do when the reader of stdout goes away (``vtctl ... | head -1``).

The contract: a reader that leaves early is not an error, so every path exits 0
with nothing on stderr.
"""

from __future__ import annotations

import errno
import os
import sys


def reader_left(exc: BaseException | None) -> bool:
    """Whether ``exc`` is (or was raised while handling) a broken pipe: Click turns
    EPIPE into ``SystemExit(1)`` raised inside its ``except OSError``."""
    for candidate in (exc, exc.__context__ if exc is not None else None):
        if isinstance(candidate, OSError) and candidate.errno == errno.EPIPE:
            return True
    return False


def discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again.

    Callers then exit 0 quietly: the reader had all it wanted.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests): nothing will be flushed to a pipe


def reader_gone(stream: object) -> bool:
    """Whether nobody reads ``stream`` any more: a pipe whose reader exited.

    A command that writes only now and then (``status --watch``) asks this between
    writes, so ``| head -3`` ends it instead of leaving it waiting for its next line.
    """
    import select

    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False  # not a real file (tests)
    if not hasattr(select, "poll"):
        return False  # Windows: the next write tells
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))
