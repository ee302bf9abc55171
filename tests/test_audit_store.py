"""The keyed trail in a real SQLite store: where its key comes from, schema 2 stores
upgraded, the triggers, and appends refused after a damaged or foreign head.

Each test picks its keyring: the file keyring of conftest, or none at all."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_store
from vtctl.config.secrets_store import get_trail_key, set_trail_key
from vtctl.config.trail_key_files import trail_key_file
from vtctl.domain.audit import (
    GENESIS_HASH,
    Anchor,
    AuditRecord,
    record_hash,
    record_mac,
)
from vtctl.domain.errors import AuditKeyError, AuditTrailError, StoreError
from vtctl.local.store import _MIGRATIONS, MAX_SEQ, AppointmentStore, _statements
from vtctl.local.trail_check import check_trail, verified
from vtctl.local.trail_key import TrailKeys
from vtctl.util import dirs

RECORD = AuditRecord("2025-11-16T09:00:00Z", "alice", "host1", "default", "token", 47,
                     "2-jane.doe@example.com", "apt-47-1763138954-46eb915c", 5400, "jti-1")


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


def keys() -> TrailKeys:
    return TrailKeys()


def append(store: AppointmentStore, count: int = 1, with_keys: TrailKeys | None = None) -> None:
    for n in range(count):
        store.append_audit([RECORD._replace(jti=f"jti-{n}")], with_keys or keys())


def raw(path: Path, *statements: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            rows = db.execute(statement, params if "?" in statement else ()).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def test_a_new_store_is_keyed_in_the_keyring_at_creation(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        anchor = store.read_anchor()
        assert (anchor.key_source, anchor.keyed_seq, anchor.head_seq) == ("keyring", 0, 0)
        assert len(anchor.trail_id) == 32 and anchor.tag is not None
        stored = get_trail_key(anchor.trail_id)
        assert stored is not None and len(bytes.fromhex(stored)) == 32
        assert bytes.fromhex(stored) not in path.read_bytes()
        append(store, 2)
        checked = verified(store, keys(), path)
        assert (checked.verdict.count, checked.keyed) == (2, True)
        assert checked.key_description() == "MACs under a key in the OS keyring"


def test_two_stores_have_two_trails_and_keys(tmp_path: Path) -> None:
    with AppointmentStore.open(make_store(tmp_path / "a.sqlite3")) as a, \
            AppointmentStore.open(make_store(tmp_path / "b.sqlite3")) as b:
        assert a.read_anchor().trail_id != b.read_anchor().trail_id
        assert get_trail_key(a.read_anchor().trail_id) != get_trail_key(b.read_anchor().trail_id)


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_key_is_in_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the user config dir, like the keyring it stands in for: not beside a
    VTCTL_CONFIG file, whose folder (the README tour's) may be deleted with the keys."""
    monkeypatch.setenv("VTCTL_CONFIG", str(tmp_path / "elsewhere" / "config.toml"))
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        anchor = store.read_anchor()
        assert (anchor.key_source, anchor.tag is not None) == ("file", True)  # at creation
        kept = trail_key_file(anchor.trail_id)
        assert kept.parent == Path(str(dirs.config_dir())) / "audit-keys"
        assert not (tmp_path / "elsewhere").exists()
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
        assert bytes.fromhex(kept.read_text()) not in path.read_bytes()
        append(store, 2)
        checked = verified(store, keys(), path)
        assert checked.verdict.count == 2
        assert checked.key_description() == f"MACs under a key in {kept} (no OS keyring)"
        kept.write_text("00" * 31)
        with pytest.raises(AuditKeyError, match="is damaged"):
            verified(store, TrailKeys(), path)
        kept.unlink()
        with pytest.raises(AuditKeyError, match=f"there is no key file {kept}"):
            verified(store, TrailKeys(), path)
        with pytest.raises(AuditKeyError):
            append(store, 1, TrailKeys())  # no token without its record
        kept.mkdir()
        with pytest.raises(AuditKeyError, match="cannot be read"):
            verified(store, TrailKeys(), path)


@pytest.fixture
def nowhere_for_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> None:
    """No keyring, and the user config dir (where key files go) cannot be created."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))


@pytest.mark.usefixtures("nowhere_for_keys")
def test_a_trail_whose_key_cannot_be_kept_mints_nothing(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        assert store.read_anchor().key_source is None  # not keyed at creation
        assert verified(store, keys(), path).verdict.count == 0  # nothing to check yet
        with pytest.raises(AuditKeyError, match="key file cannot be written") as refused:
            append(store, 1)
        assert refused.value.hint == (
            f"make {tmp_path / 'not-a-folder' / 'vtctl' / 'audit-keys'} writable, set "
            "XDG_CONFIG_HOME to a writable folder, or use an OS keyring")
        assert store.read_audit() == [] and store.read_anchor().key_source is None


@pytest.mark.usefixtures("no_keyring")
def test_without_a_home_a_key_file_is_a_key_error_everywhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    """No home directory (no HOME, no password entry, no XDG_CONFIG_HOME): the key file
    cannot be found, which is the one key error (exit 3) when keeping, reading or naming it,
    and ``audit list`` still lists the records.  (The config file is named: without it
    and a home, every command stops at reading the config, exit 2.)"""
    from tests.test_dirs import set_home

    monkeypatch.setenv("VTCTL_CONFIG", str(tmp_path / "config.toml"))
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 2)
        anchor = store.read_anchor()
        set_home(monkeypatch, None, KeyError)
        monkeypatch.delenv("XDG_CONFIG_HOME")
        with pytest.raises(AuditKeyError, match="home directory") as unread:
            verified(store, keys(), path)
        assert "XDG_CONFIG_HOME" in str(unread.value.hint)
        assert not keys().holds_key(anchor.trail_id)
        with pytest.raises(AuditKeyError, match="home directory"):
            keys().save("f" * 32, "file", b"k" * 32)
    listed = cli("audit", "list", "--store", str(path))
    assert listed.exit_code == 3, listed
    assert len(listed.stdout.splitlines()) == 2
    assert listed.stderr.startswith("error: the records listed are not verified: "), listed


def test_a_key_missing_from_the_keyring_cannot_check_or_continue(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 1)
        trail_id = store.read_anchor().trail_id
        set_trail_key(trail_id, "not hex")
        with pytest.raises(AuditKeyError, match="is damaged"):
            verified(store, keys(), path)
        set_trail_key(trail_id, "00" * 31)
        with pytest.raises(AuditKeyError, match="is damaged"):
            verified(store, keys(), path)
        import keyring

        keyring.delete_password("vtctl", f"audit-trail:{trail_id}")
        with pytest.raises(AuditKeyError, match=f"holds no key for the store's audit trail "
                                                f"{trail_id}"):
            verified(store, keys(), path)
        with pytest.raises(AuditKeyError):
            append(store, 1)


def test_a_keyring_gone_is_a_key_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with AppointmentStore.open(path) as store, pytest.raises(
        AuditKeyError, match="in an OS keyring, and none is available here"
    ):
        verified(store, keys(), path)


def test_an_unknown_key_source_is_a_changed_anchor(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    raw(path, "DROP TRIGGER audit_anchor_forward", "UPDATE audit_anchor SET key_source = 'x'")
    with AppointmentStore.open(path) as store, pytest.raises(AuditTrailError,
                                                              match=r"anchor in .* is malformed"):
        verified(store, keys(), path)
    with pytest.raises(AuditTrailError, match="no known key source"):  # defence in depth
        keys().key_for(Anchor("0" * 32, "2025-11-16T08:00:00Z", key_source="x"))


def test_a_trail_reset_to_unkeyed_is_found_through_the_keyring(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 2)
    for (name,) in raw(path, "SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        raw(path, f"DROP TRIGGER {name}")
    raw(path, "UPDATE audit SET mac = NULL",
        "UPDATE audit_anchor SET key_source = NULL, head_mac = NULL, tag = NULL")
    with AppointmentStore.open(path) as store:
        with pytest.raises(AuditTrailError, match="was reset outside vtctl"):
            verified(store, keys(), path)
        with pytest.raises(AuditTrailError, match="was reset outside vtctl"):
            append(store)


# -- schema 2 stores ---------------------------------------------------------------------


def schema_2_store(path: Path, records: int, *, break_at: int = 0) -> Path:
    """A store as vtctl with schema 2 left it: records SHA-256 chained, no MACs."""
    db = sqlite3.connect(path)
    for target in (1, 2):
        for statement in _statements(_MIGRATIONS[target]):
            db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    previous = GENESIS_HASH
    for seq in range(1, records + 1):
        record = RECORD._replace(jti=f"old-{seq}")
        digest = record_hash(seq, record, previous)
        stored = record._replace(identity="changed") if seq == break_at else record
        db.execute(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, *(getattr(stored, f) for f in stored._fields), previous, digest))
        previous = digest
    db.commit()
    db.close()
    return path


def test_a_schema_2_trail_is_keyed_when_upgraded(tmp_path: Path) -> None:
    path = schema_2_store(tmp_path / "old.sqlite3", 3)
    with AppointmentStore.open(path) as store:
        assert raw(path, "PRAGMA user_version") == [(3,)]
        anchor = store.read_anchor()
        assert (anchor.key_source, anchor.keyed_seq, anchor.head_seq) == ("keyring", 3, 3)
        assert all(c.mac is not None for c in store.read_audit())
        append(store, 1)
        checked = verified(store, keys(), path)
        assert checked.verdict.count == 4 and checked.anchor.keyed_seq == 3


@pytest.mark.usefixtures("no_keyring")
def test_a_schema_2_trail_without_a_keyring_is_keyed_in_a_file(tmp_path: Path) -> None:
    path = schema_2_store(tmp_path / "old.sqlite3", 2)
    with AppointmentStore.open(path) as store:
        anchor = store.read_anchor()
        assert (anchor.key_source, anchor.keyed_seq) == ("file", 2)
        append(store, 1)
        assert verified(store, keys(), path).verdict.count == 3


@pytest.mark.usefixtures("nowhere_for_keys")
def test_a_schema_2_trail_not_keyed_yet_is_not_called_intact(tmp_path: Path) -> None:
    path = schema_2_store(tmp_path / "old.sqlite3", 2)
    with AppointmentStore.open(path) as store:
        assert store.read_anchor().key_source is None
        with pytest.raises(AuditKeyError, match="2 record"):  # intact chain, not provable
            verified(store, keys(), path)


def test_a_schema_2_trail_broken_before_the_upgrade_is_never_keyed(tmp_path: Path) -> None:
    path = schema_2_store(tmp_path / "old.sqlite3", 3, break_at=2)
    with AppointmentStore.open(path) as store:
        assert store.read_anchor().key_source is None
        assert get_trail_key(store.read_anchor().trail_id) is None
        with pytest.raises(AuditTrailError, match=r"#2 \(seq 2"):
            verified(store, keys(), path)
        with pytest.raises(AuditTrailError, match="cannot be keyed"):
            append(store)
        assert len(store.read_audit()) == 3  # nothing appended


@pytest.mark.parametrize("version", [1, 2])
def test_a_schema_version_set_back_is_refused(tmp_path: Path, version: int) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 2)
    raw(path, "DROP TABLE audit", f"PRAGMA user_version = {version}")
    with pytest.raises(AuditTrailError, match=f"says it is schema {version}"):
        AppointmentStore.open(path)
    assert raw(path, "PRAGMA user_version") == [(version,)]  # left as found


def test_a_mac_column_without_anchor_at_schema_2_is_refused(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    raw(path, "DROP TABLE audit_anchor", "PRAGMA user_version = 2")
    with pytest.raises(AuditTrailError, match="says it is schema 2"):
        AppointmentStore.open(path)


@pytest.mark.parametrize("table", ["audit", "audit_anchor"])
def test_a_dropped_trail_table_is_an_audit_error(tmp_path: Path, table: str) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    raw(path, f"DROP TABLE {table}")
    with AppointmentStore.open(path) as store:
        for action in (store.read_audit, store.read_anchor, lambda: append(store),
                       lambda: store.prepare_audit(keys())):
            with pytest.raises(AuditTrailError, match=f"has no {table} table"):
                action()


@pytest.mark.parametrize(("statement", "why"), [
    ("DELETE FROM audit_anchor", "missing"),
    ("UPDATE audit_anchor SET head_seq = x'01'", "malformed"),
    ("UPDATE audit_anchor SET tag = x'05'", "malformed"),
])
def test_a_removed_or_malformed_anchor_is_an_audit_error(tmp_path: Path, statement: str,
                                                         why: str) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    raw(path, "DROP TRIGGER audit_anchor_no_delete", "DROP TRIGGER audit_anchor_forward",
        statement)
    with AppointmentStore.open(path) as store, pytest.raises(
        AuditTrailError, match=f"anchor in .* is {why}: it was changed outside vtctl"
    ):
        store.read_anchor()


# -- the triggers: naive edits refused -------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "UPDATE audit SET identity = 'x'", "UPDATE audit SET seq = 9", "UPDATE audit SET hash = 'x'",
    "UPDATE audit SET mac = 'x'", "UPDATE audit SET mac = NULL", "DELETE FROM audit",
    "DELETE FROM audit_anchor", "UPDATE audit_anchor SET head_seq = 0",
    "UPDATE audit_anchor SET trail_id = 'x'", "UPDATE audit_anchor SET created_at = 'x'",
    "UPDATE audit_anchor SET key_source = NULL",
    "UPDATE audit_anchor SET key_source = 'file'",
])
def test_the_triggers_refuse_naive_edits(tmp_path: Path, statement: str) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 2)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(path, statement)


def test_the_anchor_moves_forward_and_the_mac_is_set_once(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 1)
    raw(path, "UPDATE audit_anchor SET head_seq = 5, tag = 'x'")  # forward: the MAC finds it
    raw(path, "INSERT INTO audit (seq, at, os_user, host, profile, command, identity, "
              "room_name, ttl_seconds, jti, prev_hash, hash) "
              "VALUES (2, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 1, 'h', 'i', 'j')",
        "UPDATE audit SET mac = 'x' WHERE seq = 2")  # NULL -> a value: allowed once


# -- appends ------------------------------------------------------------------------------------


def test_appends_continue_the_chain_and_move_the_anchor(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        store.append_audit([], keys())  # nothing: no transaction, no change
        assert store.read_anchor().head_seq == 0
        append(store, 2)
        store.append_audit([RECORD, RECORD], keys())
        stored = store.read_audit()
        assert [c.seq for c in stored] == [1, 2, 3, 4]
        assert [c.prev_hash for c in stored] == [GENESIS_HASH] + [c.hash for c in stored[:-1]]
        anchor = store.read_anchor()
        assert (anchor.head_seq, anchor.head_mac) == (4, stored[-1].mac)
        assert check_trail(store, keys()).verdict.broken is None
        assert [c.seq for c in store.read_audit(identity="nobody")] == []
        assert len(store.read_audit(appointment_id=47, since="2025-01-01T00:00:00Z")) == 4


def test_no_append_after_a_forged_or_removed_newest_record(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 2)
    raw(path, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE seq = 2")
    with AppointmentStore.open(path) as store:
        for action in (lambda: append(store), lambda: store.prepare_audit(keys())):
            with pytest.raises(AuditTrailError, match="newest record is not the one vtctl"):
                action()
        assert len(store.read_audit()) == 1


def test_a_full_trail_is_refused_not_overflowed(tmp_path: Path) -> None:
    """A record at the largest seq, written with the key (only vtctl could): no exit 1."""
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        anchor = store.read_anchor()
        key = TrailKeys().key_for(anchor)
        mac = record_mac(key, MAX_SEQ, RECORD, GENESIS_HASH)
        raw(path, "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params=(MAX_SEQ, *(getattr(RECORD, f) for f in RECORD._fields), GENESIS_HASH,
                    record_hash(MAX_SEQ, RECORD, GENESIS_HASH), mac))
        moved = anchor._replace(head_seq=MAX_SEQ, head_mac=mac).signed(key)
        raw(path, "UPDATE audit_anchor SET head_seq = ?, head_mac = ?, tag = ?",
            params=(moved.head_seq, moved.head_mac, moved.tag))
        with pytest.raises(AuditTrailError, match=f"is full \\(seq {MAX_SEQ}\\)"):
            append(store)


#: SQLite's default limit of variables in one statement before 3.32.0 (still the limit
#: of many system builds): a batch's INSERT must fit in it
OLD_VARIABLE_LIMIT = 999


@pytest.mark.parametrize("count", [1, 71, 72, 128, 129, 300])
def test_a_batch_is_appended_whole_within_the_variable_limit(tmp_path: Path, count: int) -> None:
    """serve appends up to 128 records in one transaction; each INSERT binds no more
    variables than this SQLite allows, and the records land in order, chained."""
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        store._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, OLD_VARIABLE_LIMIT)
        store.append_audit([RECORD._replace(jti=f"jti-{n}") for n in range(count)], keys())
        stored = store.read_audit()
        assert [(c.seq, c.record.jti) for c in stored] == [
            (n + 1, f"jti-{n}") for n in range(count)]
        checked = verified(store, keys(), path)
        assert (checked.verdict.count, checked.verdict.broken) == (count, None)


def test_a_batch_failing_in_a_later_insert_leaves_nothing(tmp_path: Path) -> None:
    """The third INSERT of a 300-record batch fails: none of the batch is stored and
    the anchor still names the record before it."""
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        append(store, 1)
        before = store.read_anchor()
        store._db.execute("CREATE TEMP TRIGGER fail_at_290 BEFORE INSERT ON main.audit "
                          "WHEN NEW.seq = 290 BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        with pytest.raises(StoreError, match="disk full"):
            store.append_audit([RECORD._replace(jti=f"b-{n}") for n in range(300)], keys())
        assert [c.record.jti for c in store.read_audit()] == ["jti-0"]
        assert store.read_anchor() == before
        store._db.execute("DROP TRIGGER temp.fail_at_290")
        append(store, 1)
        assert verified(store, keys(), path).verdict.count == 2
