"""Import files: idempotent, validated whole, refused with line and field."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import JANE, SARAH, appointment, import_document, make_store, write_import
from vtctl.domain.errors import ImportFileError
from vtctl.local.importer import parse_import


def _dump(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return [
            *db.execute("SELECT * FROM users ORDER BY id"),
            *db.execute("SELECT * FROM appointments ORDER BY id"),
        ]


def test_contract_example_parses() -> None:
    data = parse_import(json.dumps(import_document()).encode())
    assert [u.id for u in data.users] == [2, 5, 9]
    (apt,) = data.appointments
    assert (apt.id, apt.patient_id, apt.psychologist_id, apt.duration_minutes) == (47, 2, 5, 60)
    assert apt.video_room_id == "apt-47-1763138954-46eb915c"


def test_room_may_be_null_or_absent() -> None:
    absent = appointment(48, room=None)
    del absent["video_room_id"]
    data = parse_import(json.dumps(import_document(appointment(47, room=None), absent)).encode())
    assert [a.video_room_id for a in data.appointments] == [None, None]


def test_import_twice_changes_nothing(cli, tmp_path: Path) -> None:
    store, file = tmp_path / "s.sqlite3", write_import(tmp_path / "in.json")
    first = cli("appointment", "import", str(file), "--store", str(store), "--json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 4
    before = _dump(store)
    second = cli("appointment", "import", str(file), "--store", str(store), "--json")
    assert json.loads(second.stdout) | {"store": ""} == {
        "store": "", "users": 3, "appointments": 1, "added": 0, "updated": 0, "unchanged": 4,
    }
    assert _dump(store) == before


BAD_FILES = [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b"{not json", "line 1 column 2: invalid JSON"),
    (b"[]", "file: expected an object"),
    (b'{"users": {}}', "users: expected an array"),
    (b'{"users": [], "rooms": []}', "unknown key(s): rooms"),
    (b'{"users": [1]}', "users[0]: expected an object"),
    (b"\xff\xfe\x00garbage", "not valid UTF-8"),
    (json.dumps({"users": [JANE, {**SARAH, "id": "5"}]}, indent=1).encode(),
     "line 10: users[1].id: expected an integer, got a string"),
    (json.dumps({"users": [JANE, {**SARAH, "role": "admin"}]}).encode(), "users[1].role"),
    (json.dumps({"users": [JANE, {**SARAH, "id": 2}]}).encode(), "duplicate user id 2"),
    (json.dumps({"users": [JANE, {**SARAH, "email": "JANE.doe@example.com"}]}).encode(),
     "also the email of user 2"),
    (json.dumps({"users": [JANE, {**SARAH, "email": "nope"}]}).encode(), "not an email"),
    (json.dumps(import_document(appointment(47), appointment(47))).encode(),
     "duplicate appointment id 47"),
    (json.dumps(import_document(appointment(duration=-5)), indent=1).encode(),
     "line 27: appointments[0].duration_minutes: must be between 0"),
    (json.dumps(import_document(appointment(duration=True))).encode(), "expected an integer"),
    (json.dumps(import_document(appointment(starts_at="yesterday"))).encode(), "ISO 8601"),
    (json.dumps(import_document(appointment(id=0))).encode(), "appointments[0].id"),
    (json.dumps(import_document(appointment(id=2**70))).encode(), "appointments[0].id"),
    (json.dumps(import_document(appointment(patient_id=5))).encode(), "must differ"),
    (json.dumps(import_document(appointment(psychologist_id=9))).encode(),
     "psychologist_id: user 9 is a patient"),
]


@pytest.mark.parametrize(("raw", "message"), BAD_FILES)
def test_bad_file_is_refused_whole_and_store_unchanged(
    cli, tmp_path: Path, raw: bytes, message: str
) -> None:
    store = make_store(tmp_path / "s.sqlite3")
    before = _dump(store)
    bad = tmp_path / "bad.json"
    bad.write_bytes(raw)
    result = cli("appointment", "import", str(bad), "--store", str(store))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert _dump(store) == before


def test_reference_to_unknown_user_refuses_everything(cli, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.sqlite3")
    before = _dump(store)
    document = {
        "users": [{"id": 7, "email": "new@example.com", "name": "New", "role": "patient"}],
        "appointments": [appointment(60), appointment(61, patient_id=77)],
    }
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = cli("appointment", "import", str(bad), "--store", str(store))
    assert result.exit_code == 2
    assert "appointments[1].patient_id: no user 77 in the file or the store" in result.stderr
    assert _dump(store) == before  # user 7 and appointment 60 were rolled back too


def test_missing_file_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("appointment", "import", str(tmp_path / "nope.json"), "--store",
                 str(tmp_path / "s.sqlite3"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_import_from_stdin(cli, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite3"
    result = cli("appointment", "import", "-", "--store", str(store),
                 stdin=json.dumps(import_document()))
    assert result.exit_code == 0, result.stderr
    assert "4 added" in result.stderr


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    from vtctl.local import importer

    with pytest.raises(ImportFileError, match="limit"):
        importer.parse_import(b" " * (importer.MAX_IMPORT_BYTES + 1))
