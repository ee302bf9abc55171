"""The wall clock in UTC: what a command's injectable ``clock`` reads unless a test gives one."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)
