"""Store an appointment the remote API sent (``vtctl appointment pull``).

The reply is server text: it is checked exactly as a record of an import file is
(``importer.validate_document``: names, emails and the room name of *this*
appointment), and stored by the store's import, which refuses a user change that
other stored appointments contradict.  Whatever pull stores, export writes and
import reads back.
"""

from __future__ import annotations

from typing import Any

from vtctl.domain.errors import ImportFileError, MalformedResponseError
from vtctl.domain.models import Appointment, User, format_utc
from vtctl.local.importer import ImportCounts, ImportData, validate_document
from vtctl.local.store import AppointmentStore

SOURCE = "the API's reply"


def pulled_records(appointment: Appointment) -> ImportData:
    """The appointment and its two users as validated import records, or
    ``MalformedResponseError`` (exit 6) naming the field at fault."""
    document: dict[str, Any] = {
        "id": appointment.id,
        "patient_id": appointment.patient_id,
        "psychologist_id": appointment.psychologist_id,
        "duration_minutes": appointment.duration_minutes,
        "starts_at": format_utc(appointment.starts_at) if appointment.starts_at else None,
        "video_room_id": appointment.video_room_id,
    }
    for role, user in (("patient", appointment.patient),
                       ("psychologist", appointment.psychologist)):
        if user is None:
            raise MalformedResponseError(
                f"the reply names the {role} by id only (no email): it cannot be stored",
                hint="the API's appointment detail must embed both users (id, email, name)",
            )
        document[role] = _user_record(user)
    try:
        return validate_document(document, SOURCE)
    except ImportFileError as exc:
        raise MalformedResponseError(
            exc.message,
            hint="vtctl stores only what `vtctl appointment import` would accept",
        ) from None


def store_pulled(store: AppointmentStore, appointment: Appointment) -> ImportCounts:
    """Validate and store one pulled appointment with its users (one transaction)."""
    data = pulled_records(appointment)
    return store.import_records(
        data.users, data.appointments,
        keep_identities=f"{SOURCE} for appointment {appointment.id}",
    )


def _user_record(user: User) -> dict[str, Any]:
    # the API may leave a name out: the email stands in for it, as in the import format
    return {"id": user.id, "email": user.email, "name": user.name.strip() or user.email}
