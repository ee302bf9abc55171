"""``--interval`` of the ``--watch`` commands (status, sessions), read and checked one way."""

from __future__ import annotations

from vtctl.domain.errors import UsageError


def interval_flag(watch: bool, interval: float | None, default: float) -> float:
    """The seconds between refreshes: the command's default unless given, and only with --watch."""
    if interval is not None and not watch:
        raise UsageError("--interval only applies to --watch")
    return default if interval is None else interval


def check_interval(interval: float, minimum: float) -> None:
    """Refuse an interval below ``minimum``, infinite, or nan (a watch that never refreshes)."""
    if not minimum <= interval < float("inf"):
        raise UsageError(f"--interval must be at least {minimum:g} seconds")
