"""The keys of an appointment's JSON document (``Appointment.to_json``, without extras)."""

from __future__ import annotations

#: the keys of an appointment's JSON document (Appointment.to_json, without extras)
FIELDS = (
    "id", "patient_id", "psychologist_id", "duration_minutes", "starts_at", "video_room_id",
    "patient", "psychologist",
)
