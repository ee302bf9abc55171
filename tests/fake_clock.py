"""A monotonic clock for the deadline and backoff tests: it moves only when a test says so."""

from __future__ import annotations


class FakeMonotonic:
    """Seconds, like ``time.monotonic``: advanced by ``sleep`` (kept in ``sleeps``) or by hand
    (``now += 2``: a request taking time)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
