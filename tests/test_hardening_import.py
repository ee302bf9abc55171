"""Hardening of the import path: any input is either imported whole or
refused with a clear ImportFileError, and a killed import changes nothing."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import appointment, import_document, make_store
from vtctl.domain.errors import ImportFileError
from vtctl.local.importer import parse_import

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
record_keys = st.sampled_from(
    ["id", "email", "name", "role", "patient_id", "psychologist_id", "duration_minutes",
     "starts_at", "video_room_id"]
)
records = st.dictionaries(record_keys, json_values, max_size=9)
documents = st.fixed_dictionaries(
    {}, optional={"users": st.lists(records, max_size=4) | json_values,
                  "appointments": st.lists(records, max_size=4) | json_values},
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_parser(raw: bytes) -> None:
    try:
        parse_import(raw)
    except ImportFileError as exc:
        assert str(exc)


@settings(max_examples=300, deadline=None)
@given(document=documents)
def test_arbitrary_documents_are_valid_or_refused_with_a_location(document: Any) -> None:
    raw = json.dumps(document, indent=1).encode()
    try:
        data = parse_import(raw)
    except ImportFileError as exc:
        assert "line " in str(exc) or "file:" in str(exc) or "is empty" in str(exc)
    else:
        for user in data.users:
            assert user.id > 0 and "@" in user.email
        for apt in data.appointments:
            assert apt.duration_minutes >= 0 and apt.patient_id != apt.psychologist_id


room_names = st.builds(
    "apt-47-{}-{}".format, st.integers(min_value=0, max_value=10**19 - 1),
    st.text(alphabet="0123456789abcdef", min_size=8, max_size=8),
)


@settings(max_examples=100, deadline=None)
@given(duration=st.integers(min_value=0, max_value=1440), room=st.none() | room_names)
def test_valid_appointments_round_trip(duration: int, room: str | None) -> None:
    document = import_document(appointment(47, duration=duration, room=room))
    (parsed,) = parse_import(json.dumps(document).encode()).appointments
    assert parsed.duration_minutes == duration
    assert parsed.video_room_id == room


@settings(max_examples=200, deadline=None)
@given(room=st.text(alphabet="apt-47/.?#%0123456789abcdef\x1b\u202e", min_size=1, max_size=40))
def test_any_other_room_name_is_refused(room: str) -> None:
    """Only ``apt-47-SECONDS-HEX`` is appointment 47's room (issue 23, item 8)."""
    import re

    document = import_document(appointment(47, room=room))
    try:
        (parsed,) = parse_import(json.dumps(document).encode()).appointments
    except ImportFileError as exc:
        assert "video_room_id" in str(exc)
    else:
        assert re.fullmatch(r"apt-47-[0-9]{1,19}-[0-9a-f]{8}", room.strip())
        assert parsed.video_room_id == room.strip()


def _dump(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return [*db.execute("SELECT * FROM users"), *db.execute("SELECT * FROM appointments")]


KILLED_MIDWAY = """
import sys
from pathlib import Path
from vtctl.local import store as store_module
from vtctl.local.importer import parse_import

rows = 0
original = store_module.AppointmentStore.get_appointment

def pausing_get_appointment(self, appointment_id):
    global rows
    rows += 1
    if rows == 500:  # half way through the transaction: tell the parent, then hang
        print("midway", flush=True)
        sys.stdin.readline()
    return original(self, appointment_id)

store_module.AppointmentStore.get_appointment = pausing_get_appointment
data = parse_import(Path(sys.argv[2]).read_bytes())
with store_module.AppointmentStore.open(Path(sys.argv[1])) as store:
    store.import_records(data.users, data.appointments)
print("finished", flush=True)
"""


def test_import_killed_half_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.sqlite3")
    before = _dump(store)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(import_document(*(appointment(1000 + i) for i in range(1000)))))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MIDWAY, str(store), str(big)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "midway"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _dump(store) == before
    # and the store is still usable afterwards
    from vtctl.local.importer import parse_import as parse
    from vtctl.local.store import AppointmentStore

    with AppointmentStore.open(store) as opened:
        data = parse(big.read_bytes())
        counts = opened.import_records(data.users, data.appointments)
    assert counts.added == 1000
