"""``appointment pull`` against a hostile API (issue 23, items 6, 8, 9, 17, 21).

A real HTTP server on 127.0.0.1 answers each appointment with a reply an attacker
controlling (or impersonating) the API could send.  Every pulled record goes through
the importer's validation: control, C1 and bidi characters and lone surrogates in
names and emails are refused, a room name must be ``apt-ID-SECONDS-HEX`` of that very
appointment, and a reply may not turn a stored user into someone else.  Every id is
tried and each failure reported; what was stored exports to a file that imports.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import JANE, ROOM_47, SARAH, appointment, make_store
from tests.hostile_api import hostile_api
from vtctl.local.store import AppointmentStore

Cli = Any

VICTIM_SID = "RM" + "e" * 32
#: a room name that, unescaped in a Twilio URL path, addresses another room
TRAVERSAL = f"../../v1/Rooms/{VICTIM_SID}#"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066")


def reply(appointment_id: int, *, patient: dict[str, Any] | None = None,
          psychologist: dict[str, Any] | None = None, room: str | None = None) -> str:
    """The API's appointment detail (both users embedded), as JSON text."""
    body = {
        "id": appointment_id, "patient_id": (patient or {}).get("id", 2),
        "psychologist_id": (psychologist or {}).get("id", 5), "duration_minutes": 50,
        "starts_at": "2025-11-20T09:00:00Z",
        "video_room_id": room if room is not None else f"apt-{appointment_id}-1763600000-0a1b2c3d",
        "patient": patient or {"id": 2, "email": JANE["email"], "name": JANE["name"]},
        "psychologist": psychologist or {"id": 5, "email": SARAH["email"], "name": SARAH["name"]},
    }
    return json.dumps(body)  # ensure_ascii: a lone surrogate stays a "\ud800" escape


def jane(**changes: str) -> dict[str, Any]:
    return {"id": 2, "email": JANE["email"], "name": JANE["name"], **changes}


#: appointment id -> (reply, what the refusal names)
HOSTILE: dict[int, tuple[str, str]] = {
    101: (reply(101, patient=jane(name="Jane\x1b]0;owned\x07")), "appointment.patient.name"),
    102: (reply(102, patient=jane(email="jane\x9b2J@example.com")), "appointment.patient.email"),
    103: (reply(103, patient=jane(name="Jane \u202eeoD")), "appointment.patient.name"),
    104: (reply(104, patient=jane(name="Jane \u2066Doe")), "appointment.patient.name"),
    105: (reply(105, room=TRAVERSAL), "appointment.video_room_id"),
    106: (reply(106, room="apt-106-1763600000-0a1b2c3d?Status=completed"),
          "appointment.video_room_id"),
    107: (reply(107, room="apt-47-1763138954-46eb915c"), "appointment.video_room_id"),
    108: (reply(108, room="apt-108-1763600000-0a1b\x1b[2J"), "appointment.video_room_id"),
    109: (reply(109, patient=jane(name="\ud800")), "appointment.patient.name"),
    # item 9: user 5 is the psychologist of the stored appointment 47
    111: (reply(111, patient={"id": 5, "email": "mallory@example.com", "name": "Mallory"},
                psychologist={"id": 9, "email": "olly@example.com", "name": "Olly"}),
          "user 5"),
    112: (reply(112, psychologist={"id": 5, "email": "mallory@example.com", "name": "M"}),
          "user 5"),
}
GOOD = {110: reply(110), 113: reply(113, room="")}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_store(tmp_path / "store.sqlite3", appointment(47))
    monkeypatch.setenv("VTCTL_STORE", str(path))
    return path


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Any:
    bodies = {i: body for i, (body, _) in HOSTILE.items()} | GOOD
    with hostile_api(bodies) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield env


def assert_printable(text: str) -> None:
    found = [c for c in RAW_CONTROLS if c in text]
    assert found == [], text
    text.encode("utf-8")  # no lone surrogate either


def stored_users(path: Path) -> dict[int, tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        return {row[0]: row[1:] for row in db.execute("SELECT id, email, name, role FROM users")}


def test_every_id_is_tried_and_each_hostile_reply_refused_naming_its_field(
    cli: Cli, store: Path, api: Any
) -> None:
    ids = [str(i) for i in sorted([*HOSTILE, *GOOD])]
    users_before = stored_users(store)
    result = cli("appointment", "pull", *ids, "--json")
    assert result.exit_code == 6, result.stderr  # the first failure: 101's refused reply
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert_printable(result.stdout + result.stderr)
    document = json.loads(result.stdout)
    assert document["pulled"] == [110, 113]
    failed = {entry["id"]: entry for entry in document["failed"]}
    assert sorted(failed) == sorted(HOSTILE)
    for appointment_id, (_, named) in HOSTILE.items():
        assert named in failed[appointment_id]["error"], failed[appointment_id]
        assert f"appointment {appointment_id}: " in result.stderr
    with AppointmentStore.open(store) as opened:
        assert [a.id for a in opened.list_appointments()] == [47, 110, 113]
    # item 9: Dr. Sarah is still the psychologist of 47, under her own email
    assert stored_users(store) == users_before


def test_a_refused_reply_is_exit_6_and_a_conflict_names_the_stored_appointment(
    cli: Cli, store: Path, api: Any, twilio_env: dict[str, str]
) -> None:
    result = cli("appointment", "pull", "111")
    assert result.exit_code == 2, result.stderr
    assert "user 5" in result.stderr and "appointment 47" in result.stderr
    identity = cli("appointment", "pull", "112")
    assert identity.exit_code == 2, identity.stderr
    assert "sarah@example.com" in identity.stderr and "appointment 47" in identity.stderr
    refused = cli("appointment", "pull", "105")
    assert refused.exit_code == 6, refused.stderr
    assert "apt-105-" in refused.stderr  # what a room name of 105 must look like
    minted = cli("token", "47", "--local", "--as", "5", "--json")
    assert minted.exit_code == 0, minted.stderr
    assert json.loads(minted.stdout)["user_identity"] == "5-sarah@example.com"


def test_pulled_records_round_trip_through_export_and_import(
    cli: Cli, store: Path, api: Any, tmp_path: Path
) -> None:
    cli("appointment", "pull", *[str(i) for i in [*HOSTILE, *GOOD]])
    exported = cli("appointment", "export")
    assert exported.exit_code == 0, exported.stderr
    copy = tmp_path / "export.json"
    copy.write_text(exported.stdout)
    fresh = tmp_path / "fresh.sqlite3"
    imported = cli("appointment", "import", str(copy), "--store", str(fresh))
    assert imported.exit_code == 0, imported.stderr
    again = cli("appointment", "export", "--store", str(fresh))
    assert again.stdout == exported.stdout


def test_import_refuses_what_pull_refuses(cli: Cli, store: Path, tmp_path: Path) -> None:
    """The same rule for a file: C1/bidi controls, a foreign room, a role flip."""
    cases = {
        "c1": {"users": [{**JANE, "name": "Jane\x9b2J"}], "appointments": []},
        "bidi": {"users": [{**JANE, "email": "jane\u202e@example.com"}], "appointments": []},
        "foreign room": {"users": [], "appointments": [appointment(48, room=TRAVERSAL)]},
        "room of 47": {"users": [], "appointments": [appointment(48, room=ROOM_47)]},
        "role flip": {"users": [{**SARAH, "role": "patient"}], "appointments": []},
    }
    for name, document in cases.items():
        source = tmp_path / f"{name}.json"
        source.write_text(json.dumps(document))
        result = cli("appointment", "import", str(source))
        assert result.exit_code == 2, (name, result.stderr)
        assert_printable(result.stderr)
    assert stored_users(store)[5] == (SARAH["email"], SARAH["name"], "psychologist")


# -- the library boundary (what `appointment pull` calls for each reply) -------------


def test_each_hostile_reply_is_refused_by_the_pull_boundary(store: Path) -> None:
    from vtctl.domain.errors import MalformedResponseError, UsageError
    from vtctl.local.pull import store_pulled
    from vtctl.remote.parse import parse_appointment

    with AppointmentStore.open(store) as opened:
        for appointment_id, (body, named) in HOSTILE.items():
            pulled = parse_appointment(json.loads(body), appointment_id)
            with pytest.raises((MalformedResponseError, UsageError)) as caught:
                store_pulled(opened, pulled)
            assert named in caught.value.message, caught.value.message
            assert_printable(caught.value.message)
        for appointment_id, body in GOOD.items():
            store_pulled(opened, parse_appointment(json.loads(body), appointment_id))
        assert [a.id for a in opened.list_appointments()] == [47, 110, 113]
    assert stored_users(store)[5] == (SARAH["email"], SARAH["name"], "psychologist")


def test_a_re_pull_may_change_the_email_of_a_user_no_other_appointment_names(
    store: Path,
) -> None:
    from vtctl.local.pull import store_pulled
    from vtctl.remote.parse import parse_appointment

    olly = {"id": 9, "email": "olly@example.com", "name": "Olly"}
    with AppointmentStore.open(store) as opened:
        store_pulled(opened, parse_appointment(json.loads(reply(120, patient=olly)), 120))
        moved = {**olly, "email": "olly@example.org"}
        store_pulled(opened, parse_appointment(json.loads(reply(120, patient=moved)), 120))
        user = opened.get_user(9)
    assert user is not None and user.email == "olly@example.org"


def test_add_refuses_a_room_that_is_not_the_appointments_own(cli: Cli, store: Path) -> None:
    for room in (TRAVERSAL, ROOM_47, "apt-60-1-0a1b2c3d\x1b[2J"):
        result = cli("appointment", "add", "--patient", "2", "--psychologist", "5",
                     "--id", "60", "--room", room)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("error: --room: ")
        assert_printable(result.stderr)
    good = cli("appointment", "add", "--patient", "2", "--psychologist", "5", "--id", "60",
               "--room", "apt-60-1763138954-46eb915c", "--json")
    assert good.exit_code == 0, good.stderr
