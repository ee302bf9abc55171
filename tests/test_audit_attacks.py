"""Issue 23, items 10, 11, 22-25: someone with the store file (and sqlite3) attacks
the audit trail; ``vtctl audit verify`` must notice, and print what it found safely.

The attacker knows the documented record format (``vtctl.domain.audit``) and can
drop the triggers, recompute every SHA-256 hash and rewrite any table; what they
do not have is the trail's key (in the OS keyring: the tests' file keyring).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_store, tamper
from vtctl.domain.audit import AuditRecord, record_hash

Cli = Any

ESCAPES = "\x1b[2K\r\x1b]0;owned\x07\x9b2J\u202e\u2066"
CONTROLS = "\x1b\r\x07\x9b\u202e\u2066"  # those in ESCAPES


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twilio_env: dict[str, str]) -> Path:
    path = make_store(tmp_path / "store.sqlite3")
    monkeypatch.setenv("VTCTL_STORE", str(path))
    return path


def mint(cli: Cli, store: Path, times: int = 3) -> None:
    for _ in range(times):
        result = cli("token", "47", "--local", "--as", "2", "--store", str(store), "--raw")
        assert result.exit_code == 0, result.stderr


def verify(cli: Cli, store: Path, *args: str) -> Any:
    return cli("audit", "verify", "--store", str(store), *args)


def tampering_found(cli: Cli, store: Path, *args: str) -> str:
    """``audit verify``'s stderr, once it has said exit 9: the trail was tampered with."""
    result = verify(cli, store, *args)
    assert result.exit_code == 9, result.stderr
    return str(result.stderr)


COLUMNS = ("seq, at, os_user, host, profile, command, appointment_id, identity, room_name, "
           "ttl_seconds, jti, prev_hash, hash")


def rows(store: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(store)
    found = db.execute(f"SELECT {COLUMNS} FROM audit ORDER BY seq").fetchall()
    db.close()
    return found


def rechain(store: Path) -> None:
    """Recompute every SHA-256 hash from the documented format, in place."""
    previous = "0" * 64
    updates = []
    for row in rows(store):
        record = AuditRecord(*row[1:11])
        digest = record_hash(row[0], record, previous)
        updates.append((previous, digest, row[0]))
        previous = digest
    db = sqlite3.connect(store)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f'DROP TRIGGER "{name}"')
    db.executemany("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", updates)
    db.commit()
    db.close()


def forge_append(store: Path, seq: int | None = None) -> None:
    """A record appended after the last with a correct SHA-256 (MAC copied or absent)."""
    last = rows(store)[-1]
    seq = last[0] + 1 if seq is None else seq
    record = AuditRecord("2025-11-16T09:00:00Z", "mallory", "evil", "default", "token", 47,
                         "2-jane.doe@example.com", "apt-47-1763138954-46eb915c", 5400, "forged")
    digest = record_hash(seq, record, last[-1])
    tamper(store, f"INSERT INTO audit ({COLUMNS}) VALUES ({', '.join('?' * 13)})",
        params=(seq, *(getattr(record, f) for f in record._fields), last[-1], digest))


# -- item 10: what a keyed MAC and an anchor make detectable ------------------------


def test_intact_trail_verifies(cli: Cli, store: Path) -> None:
    mint(cli, store)
    result = verify(cli, store)
    assert result.exit_code == 0, result.stderr
    assert "3 record(s)" in result.stderr


def test_a_forged_record_appended_with_a_correct_hash_is_found(cli: Cli, store: Path) -> None:
    mint(cli, store)
    forge_append(store)
    stderr = tampering_found(cli, store)
    assert "#4 (seq 4" in stderr and "MAC" in stderr


def test_an_edit_with_the_chain_recomputed_is_found(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "UPDATE audit SET identity = '9-outsider@example.com' WHERE seq = 2")
    rechain(store)
    stderr = tampering_found(cli, store)
    assert "#2 (seq 2" in stderr


def test_a_changed_appointment_id_is_found(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "UPDATE audit SET appointment_id = 48 WHERE seq = 1")
    assert "#1 (seq 1" in tampering_found(cli, store)


def test_the_newest_records_deleted_are_found(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "DELETE FROM audit WHERE seq >= 2")
    stderr = tampering_found(cli, store)
    assert "removed" in stderr


def test_every_record_deleted_is_not_intact(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "DELETE FROM audit")
    stderr = tampering_found(cli, store)
    assert "intact" not in stderr


def test_a_dropped_audit_table_is_exit_9(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "DROP TABLE audit")
    stderr = tampering_found(cli, store)
    assert "Traceback" not in stderr


@pytest.mark.parametrize("version", [1, 2])
def test_a_dropped_table_with_the_schema_version_set_back_is_exit_9(
    cli: Cli, store: Path, version: int
) -> None:
    mint(cli, store)
    tamper(store, "DROP TABLE audit", f"PRAGMA user_version = {version}")
    stderr = tampering_found(cli, store)
    assert "intact" not in stderr


# -- item 11, 23, 24: every stored field printable, whatever its type --------------------


def test_verify_prints_a_tampered_record_safely(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "UPDATE audit SET identity = ?, command = ? WHERE seq = 2",
        params=(f"x{ESCAPES}audit trail intact: 6 record(s)", f"token{ESCAPES}"))
    result = verify(cli, store)
    assert result.exit_code == 9
    for char in CONTROLS:
        assert char not in result.stderr.rstrip("\n"), repr(char)
    assert result.stderr.count("\n") <= 2  # the error and its hint, nothing forged


def test_list_json_escapes_c1_and_bidi(cli: Cli, store: Path) -> None:
    mint(cli, store, 1)
    tamper(store, "UPDATE audit SET identity = ? WHERE seq = 1", params=(f"a{ESCAPES}b",))
    result = cli("audit", "list", "--json")
    assert result.exit_code == 9, result.stderr  # listed, never as a verified trail
    for char in CONTROLS:
        assert char not in result.stdout + result.stderr.rstrip("\n"), repr(char)
    assert json.loads(result.stdout)[0]["identity"] == f"a{ESCAPES}b"  # the value, escaped


@pytest.mark.parametrize("column", ["identity", "at", "ttl_seconds", "appointment_id", "jti"])
def test_a_blob_field_is_listed_and_found_not_exit_1(cli: Cli, store: Path, column: str) -> None:
    mint(cli, store, 2)
    tamper(store, f"UPDATE audit SET {column} = ? WHERE seq = 1", params=(b"\x1b[2J\xff\x00",))
    for args in ((), ("--json",)):
        result = cli("audit", "list", *args)
        assert result.exit_code == 9, (args, result.stderr)  # listed, and found
        assert "\x1b" not in result.stdout + result.stderr and "#1 (seq 1" in result.stderr
    json.loads(cli("audit", "list", "--json").stdout)
    assert "#1 (seq 1" in tampering_found(cli, store)


# -- item 22: a forged record with the largest seq ----------------------------------------


def test_a_forged_largest_seq_makes_token_local_a_clear_error(cli: Cli, store: Path) -> None:
    mint(cli, store, 1)
    forge_append(store, seq=2**63 - 1)
    result = cli("token", "47", "--local", "--as", "2", "--store", str(store))
    assert result.exit_code == 9, result.stderr
    assert "audit verify" in result.stderr and "Traceback" not in result.stderr


# -- the anchor kept elsewhere: audit head, verify --expect ----------------------------------


def head(cli: Cli, store: Path) -> str:
    result = cli("audit", "head", "--store", str(store))
    assert result.exit_code == 0, result.stderr
    line: str = result.stdout.strip()
    return line


def test_head_prints_the_newest_seq_and_mac(cli: Cli, store: Path) -> None:
    assert head(cli, store) == "0:" + "0" * 64  # an empty trail
    mint(cli, store)
    newest = json.loads(cli("audit", "list", "--json").stdout)[-1]
    assert head(cli, store) == f"3:{newest['mac']}"
    document = json.loads(cli("audit", "head", "--json").stdout)
    assert list(document) == ["seq", "mac", "records", "trail_id", "created_at", "key_source"]
    assert (document["seq"], document["mac"], document["records"], document["key_source"]) == (
        3, newest["mac"], 3, "keyring")
    assert cli("audit", "head", "--jq", ".seq").stdout == "3\n"


def test_head_refuses_a_broken_trail(cli: Cli, store: Path) -> None:
    mint(cli, store)
    forge_append(store)
    result = cli("audit", "head")
    assert result.exit_code == 9 and result.stdout == "", result.stderr


def test_expect_passes_while_the_expected_record_is_there(cli: Cli, store: Path) -> None:
    mint(cli, store, 2)
    anchor = head(cli, store)
    mint(cli, store, 1)
    result = verify(cli, store, "--expect", anchor)
    assert result.exit_code == 0, result.stderr
    assert "3 record(s)" in result.stderr and f"expected head {anchor}" in result.stderr


def test_expect_finds_an_older_copy_of_the_file(cli: Cli, store: Path, tmp_path: Path) -> None:
    mint(cli, store, 2)
    older = tmp_path / "older.sqlite3"
    shutil.copyfile(store, older)
    mint(cli, store, 1)
    anchor = head(cli, store)
    shutil.copyfile(older, store)  # everything after the copy gone, consistently
    assert verify(cli, store).exit_code == 0  # the file alone cannot tell
    stderr = tampering_found(cli, store, "--expect", anchor)
    assert "no record seq 3" in stderr and "intact" not in stderr


def test_expect_finds_a_replaced_store(cli: Cli, store: Path, tmp_path: Path) -> None:
    mint(cli, store, 2)
    anchor = head(cli, store)
    fresh = make_store(tmp_path / "fresh.sqlite3")  # a new trail, its own key
    mint(cli, fresh, 2)
    shutil.copyfile(fresh, store)
    stderr = tampering_found(cli, store, "--expect", anchor)
    assert "is not the record seq 2 of the expected head" in stderr


def test_expect_after_every_record_deleted(cli: Cli, store: Path) -> None:
    mint(cli, store, 2)
    anchor = head(cli, store)
    tamper(store, "DELETE FROM audit")
    result = verify(cli, store, "--expect", anchor)
    assert result.exit_code == 9 and "intact" not in result.stderr, result.stderr


@pytest.mark.parametrize("value", ["", "3", "3:abc", "x:" + "0" * 64, "3:" + "g" * 64,
                                   "\x1b[2J:" + "0" * 64])
def test_a_malformed_expect_is_a_usage_error(cli: Cli, store: Path, value: str) -> None:
    result = verify(cli, store, "--expect", value)
    assert result.exit_code == 2 and "--expect takes SEQ:MAC" in result.stderr
    assert "\x1b" not in result.stderr


def test_without_a_keyring_the_key_is_kept_in_a_private_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twilio_env: dict[str, str]
) -> None:
    import keyring.core

    from vtctl.config.trail_key_files import trail_key_file

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    store = make_store(tmp_path / "s.sqlite3")
    mint(cli, store, 2)
    forge_append(store)
    assert verify(cli, store).exit_code == 9  # the key file's key, not the file's hashes
    tamper(store, "DELETE FROM audit WHERE seq = 3")
    intact = verify(cli, store)
    assert intact.exit_code == 0, intact.stderr
    trail_id = json.loads(cli("audit", "head", "--json", "--store", str(store)).stdout)["trail_id"]
    assert f"MACs under a key in {trail_key_file(trail_id)} (no OS keyring)" in intact.stderr
    trail_key_file(trail_id).unlink()  # the store alone, elsewhere
    gone = verify(cli, store)
    assert gone.exit_code == 3 and "intact" not in gone.stderr, gone.stderr
    token = cli("token", "47", "--local", "--as", "2", "--store", str(store))
    assert token.exit_code == 3  # no token without its record


def test_list_pipes_stored_escapes_printable(cli: Cli, store: Path) -> None:
    mint(cli, store, 1)
    tamper(store, "UPDATE audit SET room_name = ?, os_user = ? WHERE seq = 1",
        params=(f"r{ESCAPES}", "\u202eevil"))
    result = cli("audit", "list")
    assert result.exit_code == 9  # listed, and found
    assert not any(char in result.stdout + result.stderr.rstrip("\n") for char in CONTROLS), (
        repr(result.stdout), repr(result.stderr))
    assert result.stdout.count("\n") == 1 and result.stdout.count("\t") == 7


# -- audit list never presents a trail that fails verification as fact ----------------------


def test_list_of_a_tampered_trail_prints_the_records_warns_and_exits_9(
    vtctl: Any, cli: Cli, store: Path,
) -> None:
    """The real executable on a real store edited with sqlite3: the records as stored on
    stdout (plain lines in a pipe, one JSON document with --json), one line on stderr
    naming the first bad record and the command that says more, and exit 9."""
    mint(cli, store)
    tamper(store, "UPDATE audit SET identity = '2-someone@example.com' WHERE seq = 1")
    piped = vtctl("audit", "list", "--store", str(store))
    assert piped.returncode == 9, piped.stderr
    lines = piped.stdout.splitlines()
    assert len(lines) == 3 and all(line.count("\t") == 7 for line in lines)
    assert lines[0].split("\t")[4] == "2-someone@example.com"
    assert piped.stderr.count("\n") == 1, piped.stderr
    assert piped.stderr.startswith("error: ")
    assert "#1 (seq 1" in piped.stderr and "2-someone@example.com" in piped.stderr
    assert f"`vtctl audit verify --store {store}`" in piped.stderr
    document = vtctl("audit", "list", "--json", "--store", str(store))
    assert document.returncode == 9 and document.stderr == piped.stderr
    assert json.loads(document.stdout)[0]["identity"] == "2-someone@example.com"
    assert vtctl("audit", "verify", "--store", str(store)).returncode == 9  # the command named


def test_list_checks_the_whole_trail_whatever_the_filters(cli: Cli, store: Path) -> None:
    mint(cli, store)
    tamper(store, "UPDATE audit SET appointment_id = 48 WHERE seq = 1")
    result = cli("audit", "list", "--appointment", "47")  # the forged record not shown
    assert result.exit_code == 9 and len(result.stdout.splitlines()) == 2
    assert "#1 (seq 1" in result.stderr
    nothing = cli("audit", "list", "--since", "2999-01-01")
    assert nothing.exit_code == 9 and "#1 (seq 1" in nothing.stderr


def test_list_names_verify_with_the_same_profile_and_store(
    cli: Cli, store: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    mint(cli, store)
    forge_append(store)
    monkeypatch.delenv("VTCTL_STORE")
    config = Path(str(cli("config", "path").stdout).strip())
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.audit]\nstore = "{store}"\n')
    result = cli("audit", "list", "--profile", "audit")
    assert result.exit_code == 9, result.stderr
    assert "#4 (seq 4" in result.stderr and "`vtctl audit verify --profile audit`" in result.stderr
    assert cli("audit", "verify", "--profile", "audit").exit_code == 9
    odd = store.with_name("a store; rm -rf ~")
    shutil.copyfile(store, odd)
    quoted = cli("audit", "list", "--store", str(odd))
    assert f"`vtctl audit verify --store '{odd}'`" in quoted.stderr  # pasteable as it is


def test_list_of_a_trail_whose_key_is_not_here_is_not_exit_0(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twilio_env: dict[str, str],
) -> None:
    """A copy of the store on a machine without its key: listed, but not as verified."""
    from tests.conftest import choose_keyring

    store = make_store(tmp_path / "s.sqlite3")
    mint(cli, store, 2)
    choose_keyring(monkeypatch, "keyring.backends.fail.Keyring")  # the key stays behind
    result = cli("audit", "list", "--store", str(store))
    assert result.exit_code == 3, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr.count("\n") == 1 and "not verified" in result.stderr
    assert f"`vtctl audit verify --store {store}`" in result.stderr


def test_list_of_an_intact_trail_is_exit_0_and_quiet(cli: Cli, store: Path) -> None:
    mint(cli, store)
    result = cli("audit", "list")
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == 3


def test_minting_checks_the_trails_head_and_list_checks_every_record(
    cli: Cli, store: Path,
) -> None:
    """README: minting checks only the anchor and the newest record (not O(n) per token);
    an older record edited in place is found by `audit list` and `audit verify`."""
    mint(cli, store)
    tamper(store, "UPDATE audit SET identity = '2-someone@example.com' WHERE seq = 1")
    mint(cli, store, 1)  # the head is still the one the anchor names
    listed = cli("audit", "list")
    assert listed.exit_code == 9 and len(listed.stdout.splitlines()) == 4
    assert "#1 (seq 1" in listed.stderr and "#1 (seq 1" in tampering_found(cli, store)
    forge_append(store)  # the head no longer the anchor's: no token
    refused = cli("token", "47", "--local", "--as", "2", "--store", str(store))
    assert refused.exit_code == 9 and refused.stdout == "", refused.stderr
