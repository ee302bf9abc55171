"""Which appointments to read (``AppointmentStore.iter_matching``): ``appointment list``,
``sessions``, the next appointment of a user.  Apart from the store, so that commands
that read one appointment by id do not create it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vtctl.domain.models import format_utc


@dataclass(frozen=True, slots=True)
class AppointmentQuery:
    """Which appointments to read: one user's (patient or psychologist), and/or those
    whose scheduled time ``[starts_at, starts_at + duration)`` overlaps ``[start, end)``.

    With a time bound, an appointment without a start time never matches; a
    zero-minute one matches when its start is inside the window.
    """

    user_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def timed(self) -> bool:
        return self.start is not None or self.end is not None

    def sql(self) -> tuple[str, tuple[object, ...]]:
        """The WHERE clause over ``appointments a`` and its parameters."""
        conditions: list[str] = []
        params: list[object] = []
        if self.user_id is not None:
            conditions.append("(a.patient_id = ? OR a.psychologist_id = ?)")
            params += [self.user_id, self.user_id]
        if self.timed:
            # starts_at is stored as format_utc's fixed-width text: it sorts as time does
            conditions.append("a.starts_at IS NOT NULL")
        if self.end is not None:
            conditions.append("a.starts_at < ?")
            params.append(format_utc(self.end))
        if self.start is not None:
            conditions.append(f"({_ENDS_AT} > ? OR a.starts_at >= ?)")
            params += [format_utc(self.start)] * 2
        return " AND ".join(conditions) or "1", tuple(params)


#: an appointment's scheduled end, in the same text form as ``starts_at``
_ENDS_AT = ("strftime('%Y-%m-%dT%H:%M:%SZ', a.starts_at, "
            "'+' || a.duration_minutes || ' minutes')")
