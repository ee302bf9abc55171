"""What to do when the reader of stdout goes away (``vtctl ... | head -1``)."""

from __future__ import annotations

import os
import sys


def discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again.

    Callers then exit 1 quietly, as click does on EPIPE.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests): nothing will be flushed to a pipe
