"""``Deadline``: the moment by which a whole operation must be over, and the one armed
for the socket operations of this thread (``net.transport`` obeys it).

Dependency-free, so a command can make its budget without importing httpx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deadline:
    """The moment (on ``clock``) by which a whole operation must be over."""

    clock: Callable[[], float]
    at: float
    #: the budget it was made from, for messages
    seconds: float

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float]) -> Deadline:
        return cls(clock, clock() + seconds, seconds)

    def left(self) -> float:
        return self.at - self.clock()


_CURRENT: ContextVar[Deadline | None] = ContextVar("vtctl_deadline", default=None)


def current_deadline() -> Deadline | None:
    """The deadline of the operation running in this thread, if one is armed."""
    return _CURRENT.get()


@contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[Deadline]:
    """Arm ``deadline`` for the socket operations run inside the block."""
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)
