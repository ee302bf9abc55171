"""Durations as people read them, one format across every view."""

from __future__ import annotations


def humanize_duration(seconds: float) -> str:
    """``"2 d 3 h"``, ``"1 h 05 min"``, ``"4 min"`` or ``"12 s"`` (sign ignored)."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"
