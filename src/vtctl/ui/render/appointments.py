"""Renderables for appointments and rooms."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from vtctl.domain.models import Appointment, RoomInfo, User, format_utc


def _no_room() -> Text:
    return Text("none", style="dim")


def _who(user: User | None, user_id: int) -> str:
    return f"{user.name} ({user.id}, {user.email})" if user else str(user_id)


def appointment_table(appointment: Appointment) -> Table:
    table = Table(
        title=f"Appointment {appointment.id}", show_header=False, title_justify="left"
    )
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("patient", _who(appointment.patient, appointment.patient_id))
    table.add_row("psychologist", _who(appointment.psychologist, appointment.psychologist_id))
    table.add_row("duration", f"{appointment.duration_minutes} min")
    table.add_row("starts at", format_utc(appointment.starts_at) if appointment.starts_at else "-")
    table.add_row("video room", appointment.video_room_id or _no_room())
    for key, value in sorted(appointment.extra.items()):
        table.add_row(key, str(value))
    return table


def _short(user: User | None, user_id: int) -> str:
    return f"{user.name} ({user.id})" if user else str(user_id)


def appointment_line(a: Appointment) -> str:
    """One appointment as a tab-separated line, for pipes (like gh's plain output)."""
    return "\t".join((
        str(a.id), str(a.patient_id), str(a.psychologist_id), str(a.duration_minutes),
        format_utc(a.starts_at) if a.starts_at else "", a.video_room_id or "",
    ))


def appointments_table(appointments: Sequence[Appointment], title: str | None = "") -> Table:
    """``title``: "" for the default count, None for none (a continued listing)."""
    if title == "":
        title = f"{len(appointments)} appointment(s)"
    table = Table(title=title, title_justify="left")
    table.add_column("id", justify="right", no_wrap=True, min_width=2)
    table.add_column("patient")
    table.add_column("psychologist")
    table.add_column("min", justify="right", no_wrap=True)
    table.add_column("starts at", no_wrap=True, min_width=20)
    table.add_column("video room", overflow="fold")
    for a in appointments:
        table.add_row(
            str(a.id),
            _short(a.patient, a.patient_id),
            _short(a.psychologist, a.psychologist_id),
            str(a.duration_minutes),
            format_utc(a.starts_at) if a.starts_at else "-",
            a.video_room_id or _no_room(),
        )
    return table


def room_table(room: RoomInfo) -> Table:
    table = Table(title=f"Video room of appointment {room.appointment_id}", show_header=False,
                  title_justify="left")
    table.add_column("field", style="bold cyan")
    table.add_column("value")
    table.add_row("room", room.room_name)
    table.add_row("status", "created now" if room.created else "already set (unchanged)")
    return table
