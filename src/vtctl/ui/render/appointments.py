"""What ``vtctl appointment show|list|add`` and ``room create`` print (``ui.sheet``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from vtctl.domain.models import Appointment, User, format_utc
from vtctl.domain.room_info import RoomInfo
from vtctl.ui.sheet import Column, Field, Fields, Rows, Sheet, sheet


def _no_room() -> Text:
    return Text("none", style="dim")


def _who(user: User | None, user_id: int) -> str:
    return f"{user.name} ({user.id}, {user.email})" if user else str(user_id)


def _short(user: User | None, user_id: int) -> str:
    return f"{user.name} ({user.id})" if user else str(user_id)


def _starts(a: Appointment) -> str:
    return format_utc(a.starts_at) if a.starts_at else "-"


def appointment_sheet(appointment: Appointment) -> Sheet:
    fields = [
        Field("id", str(appointment.id)),
        Field("patient", _who(appointment.patient, appointment.patient_id)),
        Field("psychologist", _who(appointment.psychologist, appointment.psychologist_id)),
        Field("duration", f"{appointment.duration_minutes} min"),
        Field("starts at", _starts(appointment)),
        Field("video room", appointment.video_room_id or _no_room(), key=True,
              piped=appointment.video_room_id or ""),
    ]
    fields += [Field(key, str(value)) for key, value in sorted(appointment.extra.items())]
    return sheet(Fields(fields, title=f"Appointment {appointment.id}"))


#: a pipe gets ids, not names: id, patient id, psychologist id, minutes, start, room
APPOINTMENT_COLUMNS: list[Column[Appointment]] = [
    Column("id", lambda a: str(a.id), justify="right"),
    Column("patient", lambda a: _short(a.patient, a.patient_id), drop=1,
           piped=lambda a: a.patient_id),
    Column("psychologist", lambda a: _short(a.psychologist, a.psychologist_id), drop=3,
           piped=lambda a: a.psychologist_id),
    Column("min", lambda a: str(a.duration_minutes), justify="right", drop=2),
    Column("starts at", _starts, short="starts",
           piped=lambda a: format_utc(a.starts_at) if a.starts_at else ""),
    Column("video room", lambda a: a.video_room_id or _no_room(), key=True,
           short="room", piped=lambda a: a.video_room_id or ""),
]


def appointments_sheet(appointments: Sequence[Appointment], title: str | None = "") -> Sheet:
    """``title``: "" for the default count, None for none (a continued listing)."""
    if title == "":
        title = f"{len(appointments)} appointment(s)"
    return sheet(Rows(APPOINTMENT_COLUMNS, appointments, title=title, empty="no appointments"))


def room_sheet(room: RoomInfo) -> Sheet:
    return sheet(Fields([
        Field("room", room.room_name, key=True),
        Field("status", "created now" if room.created else "already set (unchanged)"),
    ], title=f"Video room of appointment {room.appointment_id}"))
