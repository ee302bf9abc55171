"""Builders shared by tests: stores, import files, token decoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET

JANE = {"id": 2, "email": "jane.doe@example.com", "name": "Jane Doe", "role": "patient"}
SARAH = {"id": 5, "email": "sarah@example.com", "name": "Dr. Sarah", "role": "psychologist"}
OUTSIDER = {"id": 9, "email": "outsider@example.com", "name": "Olly", "role": "patient"}
ROOM_47 = "apt-47-1763138954-46eb915c"


#: ``appointment(room=...)``'s default: the appointment's own room (ROOM_47 for 47)
OWN_ROOM = "own"


def room_of(appointment_id: int) -> str:
    """A room name of appointment ``appointment_id`` (as ``room create`` makes them)."""
    return f"apt-{appointment_id}-1763138954-46eb915c"


def appointment(
    appointment_id: int = 47, duration: int = 60, room: str | None = OWN_ROOM, **extra: Any
) -> dict[str, Any]:
    return {
        "id": appointment_id, "patient_id": 2, "psychologist_id": 5,
        "duration_minutes": duration, "starts_at": "2025-11-16T09:00:00Z",
        "video_room_id": room_of(appointment_id) if room == OWN_ROOM else room, **extra,
    }


def import_document(*appointments: dict[str, Any]) -> dict[str, Any]:
    return {"users": [JANE, SARAH, OUTSIDER], "appointments": list(appointments or [appointment()])}


def write_import(path: Path, *appointments: dict[str, Any]) -> Path:
    path.write_text(json.dumps(import_document(*appointments), indent=1))
    return path


def make_store(path: Path, *appointments: dict[str, Any]) -> Path:
    """A real SQLite store file holding the given appointments (default: 47)."""
    return store_from_document(path, import_document(*appointments))


def store_from_document(path: Path, document: dict[str, Any]) -> Path:
    """A real SQLite store file holding an import document, read by the real importer."""
    from vtctl.local.importer import parse_import
    from vtctl.local.store import AppointmentStore

    data = parse_import(json.dumps(document).encode())
    with AppointmentStore.open(path) as store:
        store.import_records(data.users, data.appointments)
    return path


def decode(
    token: str, secret: str = TEST_API_SECRET, check_time: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a Twilio access token's signature with PyJWT: (header, claims).

    Time claims are checked only on request: engine tests use a fixed clock.
    """
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token, secret, algorithms=["HS256"],
        options={"verify_exp": check_time, "verify_nbf": check_time, "verify_iat": check_time},
        leeway=5,
    )
    return header, claims


__all__ = ["TEST_ACCOUNT_SID", "TEST_API_KEY", "TEST_API_SECRET"]


def tamper(store: Path | str, *statements: str, params: tuple[Any, ...] = ()) -> None:
    """Edit a store's file directly, every trigger dropped first (as an attacker would);
    ``params`` go to the statements that have ``?``."""
    import sqlite3

    db = sqlite3.connect(store)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    for statement in statements:
        db.execute(statement, params if "?" in statement else ())
    db.commit()
    db.close()
