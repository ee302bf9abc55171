"""Private files and atomic writes: what vtctl writes is 0600 in a 0700 dir."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) as 0700 if it does not exist yet."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file + rename, so readers never see half a file."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
