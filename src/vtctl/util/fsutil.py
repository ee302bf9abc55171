"""Private files and atomic writes: what vtctl writes is 0600 in a 0700 dir."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` as 0700 if it does not exist yet, and each missing folder above it
    too: ``mkdir(parents=True)`` and ``os.makedirs`` give the parents they create the
    umask's mode (0755), so ``~/.config/vtctl`` was world-readable.  As the XDG Base
    Directory spec asks, a folder that exists already keeps its mode."""
    make_private_dirs(os.fspath(path))


def make_private_dirs(path: str) -> None:
    """``ensure_private_dir`` for a ``str`` (``os`` only: the ``--help`` cache's path)."""
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:  # made meanwhile by another vtctl: its mode is its own
            if not os.path.isdir(folder):
                raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file + rename, so readers never see half a file."""
    ensure_private_dir(path.parent)
    # mkstemp creates the file 0600 (a umask can only take bits away); no os.fchmod,
    # which Windows lacks before Python 3.13
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
