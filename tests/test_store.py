"""The SQLite store: schema version, permissions, rooms, concurrency."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tests.helpers import appointment, make_store
from vtctl.domain.errors import StoreError, UsageError
from vtctl.domain.models import Appointment
from vtctl.local.store import SCHEMA_VERSION, AppointmentStore


def test_new_store_is_private_versioned_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "private" / "store.sqlite3"
    with AppointmentStore.open(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer vtctl"):
        AppointmentStore.open(path)
    assert path.read_bytes() == before


def test_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UsageError, match="is not a vtctl store"):
        AppointmentStore.open(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_find_user_by_id_or_email_case_insensitive(tmp_path: Path) -> None:
    with AppointmentStore.open(make_store(tmp_path / "s.sqlite3")) as store:
        user = store.find_user("JANE.DOE@example.com")
        assert user is not None and user.id == 2
        assert store.find_user("5") == store.get_user(5)
        assert store.find_user("99999999999999999999999") is None
        assert store.get_appointment(2**80) is None


def test_add_appointment_checks_roles_and_duplicates(tmp_path: Path) -> None:
    with AppointmentStore.open(make_store(tmp_path / "s.sqlite3")) as store:
        store.add_appointment(Appointment(60, 2, 5, 45))
        added = store.get_appointment(60)
        assert added is not None and added.patient is not None
        assert added.patient.email == "jane.doe@example.com"
        with pytest.raises(UsageError, match="already exists"):
            store.add_appointment(Appointment(60, 2, 5, 45))
        with pytest.raises(UsageError, match="is a psychologist, not a patient"):
            store.add_appointment(Appointment(61, 5, 2, 45))


def test_room_is_set_only_once_across_connections(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3", appointment(50, room=None))
    with AppointmentStore.open(path) as one, AppointmentStore.open(path) as two:
        assert one.set_room_if_absent(50, "room-a") == ("room-a", True)
        assert two.set_room_if_absent(50, "room-b") == ("room-a", False)


def test_concurrent_processes_lose_no_write(tmp_path: Path) -> None:
    """Several vtctl processes adding appointments to one store at once."""
    import subprocess
    import sys

    path = make_store(tmp_path / "s.sqlite3")
    script = (
        "import sys\n"
        "from vtctl.domain.models import Appointment\n"
        "from vtctl.local.store import AppointmentStore\n"
        "base = int(sys.argv[2])\n"
        "with AppointmentStore.open(__import__('pathlib').Path(sys.argv[1])) as s:\n"
        "    for i in range(25):\n"
        "        s.add_appointment(Appointment(base + i, 2, 5, 30))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(path), str(1000 + 100 * n)],
                         stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "locked" not in err
    with AppointmentStore.open(path) as store:
        assert len(store.list_appointments()) == 1 + 4 * 25


def test_a_store_locked_past_the_busy_timeout_is_busy_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process holding the file is no reason to tell anyone to restore a backup."""
    import vtctl.local.store as store_module

    path = make_store(tmp_path / "s.sqlite3")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 0)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as refused:
            AppointmentStore.open(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "is busy: another process held it" in refused.value.message
    assert "damaged" not in refused.value.message and refused.value.hint
    with AppointmentStore.open(path) as store:  # free again: opens as usual
        assert store.get_appointment(47) is not None


def test_a_reader_in_the_way_of_the_wal_switch_does_not_fail_the_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many processes creating one store: the switch to WAL needs the file to itself; the
    mode is kept in the file, so a busy switch is left to whoever comes next."""
    import vtctl.local.store as store_module

    path = make_store(tmp_path / "s.sqlite3")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 0)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM appointments").fetchone()  # a shared lock, held
    try:
        with AppointmentStore.open(path) as store:
            assert store.get_appointment(47) is not None
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    with AppointmentStore.open(path), sqlite3.connect(path) as db:  # the next open switches
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("code", [5, 6, 261, 517, 773, 262])
def test_every_busy_or_locked_code_counts_as_busy(code: int) -> None:
    """SQLite reports extended codes (a WAL write conflict is SQLITE_BUSY_SNAPSHOT, 517);
    each busy or locked one is a busy store, never a damaged one."""
    from vtctl.local.store import _is_busy

    exc = sqlite3.OperationalError("database is locked")
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert _is_busy(exc)
    other = sqlite3.DatabaseError("database disk image is malformed")
    other.sqlite_errorcode = 11  # type: ignore[attr-defined]
    assert not _is_busy(other)


def test_a_write_that_meets_another_writer_is_busy_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write whose transaction meets another process's write lock says "busy", as the
    open does (the same error, from one place), nothing lost."""
    import vtctl.local.store as store_module

    path = make_store(tmp_path / "s.sqlite3")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 0)
    with AppointmentStore.open(path) as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError) as refused:
                store.add_appointment(Appointment(4700, 2, 5, 60))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert refused.value.message == (f"the store {path} is busy: another process held "
                                         "it for 0 s")
        assert store.get_appointment(4700) is None
