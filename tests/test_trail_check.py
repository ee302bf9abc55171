"""``vtctl.local.trail_check``: what ``audit verify`` and ``audit head`` say about a real
store's trail, word for word, and which key they use."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import make_store
from vtctl.config.trail_key_files import trail_key_file
from vtctl.domain.audit import GENESIS_HASH, Anchor, AuditRecord, record_hash
from vtctl.domain.audit_verdict import Verdict
from vtctl.domain.errors import AuditKeyError, AuditTrailError
from vtctl.local.store import AppointmentStore
from vtctl.local.trail_check import TrailCheck, check_trail, verified
from vtctl.local.trail_key import TrailKeys

RECORD = AuditRecord("2025-11-16T09:00:00Z", "alice", "host1", "default", "token", 47,
                     "2-jane.doe@example.com", "apt-47-1763138954-46eb915c", 5400, "jti-1")
ANCHOR = Anchor("0" * 32, "2025-11-16T08:00:00Z")


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)


@pytest.fixture
def nowhere_for_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> None:
    """No keyring, and the user config dir (where key files go) cannot be created."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))


def test_key_descriptions() -> None:
    def described(source: str | None) -> str:
        anchor = ANCHOR._replace(key_source=source)
        return TrailCheck(anchor, Verdict(0, None), keyed=source is not None).key_description()

    assert described(None) == "not keyed yet"
    assert described("keyring") == "MACs under a key in the OS keyring"
    assert described("file") == (
        f"MACs under a key in {trail_key_file(ANCHOR.trail_id)} (no OS keyring)")


def test_without_a_home_a_key_file_description_is_a_key_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_dirs import set_home

    set_home(monkeypatch, None, KeyError)
    monkeypatch.delenv("XDG_CONFIG_HOME")
    check = TrailCheck(ANCHOR._replace(key_source="file"), Verdict(0, None), keyed=True)
    with pytest.raises(AuditKeyError, match="home directory"):
        check.key_description()


def test_a_trail_check_is_frozen_and_slotted() -> None:
    check = TrailCheck(ANCHOR, Verdict(0, None), keyed=False)
    assert not hasattr(check, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.keyed = True  # type: ignore[misc]


def test_a_broken_trail_is_exit_9_with_the_file_named(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with AppointmentStore.open(path) as store:
        store.append_audit([RECORD, RECORD], TrailKeys())
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER audit_no_delete")
    db.execute("DELETE FROM audit WHERE seq = 2")
    db.commit()
    db.close()
    with AppointmentStore.open(path) as store, pytest.raises(AuditTrailError) as caught:
        verified(store, TrailKeys(), path)
    assert caught.value.message == ("the trail ends at seq 1 but vtctl last wrote seq 2: "
                                    "the newest records were removed")
    assert caught.value.hint == (f"the trail in {path} was changed outside vtctl; "
                                 "keep a copy of the file for investigation")


def test_a_reset_trail_is_named_and_not_keyed(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    db = sqlite3.connect(path)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE audit_anchor SET key_source = NULL, tag = NULL")
    db.commit()
    db.close()
    with AppointmentStore.open(path) as store:
        checked = check_trail(store, TrailKeys())
        trail_id = checked.anchor.trail_id
        assert checked.keyed is False and checked.verdict.count == 0
        assert checked.verdict.broken is not None
        assert checked.verdict.broken.describe() == (
            f"the store says its audit trail {trail_id} was never keyed, but its key is kept "
            "here: the trail was reset outside vtctl")


@pytest.mark.usefixtures("nowhere_for_keys")
def test_unkeyed_records_are_exit_3_not_intact(tmp_path: Path) -> None:
    """Records of a schema 2 store upgraded where no keyring was (keyed at the next token)."""
    path = make_store(tmp_path / "s.sqlite3")
    db = sqlite3.connect(path)
    for trigger in ("audit_anchor_forward", "audit_no_update"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("INSERT INTO audit VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
               (*(getattr(RECORD, name) for name in RECORD._fields), GENESIS_HASH,
                record_hash(1, RECORD, GENESIS_HASH)))
    db.execute("UPDATE audit_anchor SET head_seq = 1, keyed_seq = 0")
    db.commit()
    db.close()
    with AppointmentStore.open(path) as store, pytest.raises(AuditKeyError) as caught:
        verified(store, TrailKeys(), path)
    assert caught.value.message == (
        "the hash chain of 1 record(s) is intact, but the trail is not keyed yet, so a rewrite "
        "that recomputed the hashes cannot be ruled out")
    assert caught.value.hint == "it is keyed when vtctl next mints a token with this store"


def test_not_verified_says_what_is_shown_and_why_with_the_doubts_exit_code() -> None:
    from vtctl.local.trail_check import not_verified

    broken = not_verified(AuditTrailError("record #2 was changed\x1b[2J"), "the rows shown are",
                          "; run `vtctl audit verify`")
    assert type(broken) is AuditTrailError and broken.hint is None
    assert broken.message == ("the rows shown are not verified: the audit trail failed "
                              "verification: record #2 was changed?[2J; run `vtctl audit verify`")
    unchecked = not_verified(AuditKeyError("its key is not here"), "the rows shown are")
    assert type(unchecked) is AuditKeyError
    assert unchecked.message == "the rows shown are not verified: its key is not here"
