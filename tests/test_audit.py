"""The audit trail of locally minted tokens: records, the hash chain, list and verify."""

from __future__ import annotations

import getpass
import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ROOM_47, decode, make_store
from tests.serve_fixtures import clean_env, start_server
from vtctl.domain.audit import AUDIT_FIELDS
from vtctl.local.store import SCHEMA_VERSION, AppointmentStore

Cli = Any


def audit_json(cli: Cli, store: Path, *args: str) -> list[dict[str, Any]]:
    result = cli("audit", "list", "--store", str(store), "--json", *args)
    assert result.exit_code == 0, result.stderr
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records


def mint_some(cli: Cli, store: Path) -> list[str]:
    """token, refresh and mint once each: their access tokens."""
    tokens = []
    for args in (
        ("token", "47", "--local", "--as", "2", "--store", str(store), "--raw"),
        ("refresh", "47", "--local", "--as", "sarah@example.com", "--store", str(store), "--raw"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        tokens.append(result.stdout.strip())
    result = cli("mint", "--identity", "bob", "--room", "r1", "--ttl", "600", "--raw")
    assert result.exit_code == 0, result.stderr
    tokens.append(result.stdout.strip())
    return tokens


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_store(tmp_path / "store.sqlite3")
    monkeypatch.setenv("VTCTL_STORE", str(path))  # where `mint` records too
    return path


def test_every_local_mint_leaves_one_record(
    cli: Cli, store: Path, twilio_env: dict[str, str]
) -> None:
    tokens = mint_some(cli, store)
    records = audit_json(cli, store)
    # the contract's keys first, in its order; then the record's place in the keyed chain
    assert [list(r) for r in records] == [[*AUDIT_FIELDS, "seq", "prev_hash", "hash", "mac"]] * 3
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert [r["prev_hash"] for r in records[1:]] == [r["hash"] for r in records[:-1]]
    assert all(len(r["mac"]) == 64 and r["mac"] != r["hash"] for r in records)
    assert [r["command"] for r in records] == ["token", "refresh", "mint"]
    assert [r["appointment_id"] for r in records] == [47, 47, None]
    assert [r["identity"] for r in records] == [
        "2-jane.doe@example.com", "5-sarah@example.com", "bob"
    ]
    assert [r["room_name"] for r in records] == [ROOM_47, ROOM_47, "r1"]
    assert [r["ttl_seconds"] for r in records] == [5400, 5400, 600]
    assert [r["jti"] for r in records] == [decode(t)[1]["jti"] for t in tokens]
    for record in records:
        assert record["os_user"] == getpass.getuser()
        assert record["host"] == socket.gethostname()
        assert record["profile"] == "default"
        assert record["at"].endswith("Z")
    raw = b"".join(p.read_bytes() for p in store.parent.glob(store.name + "*"))
    for token in tokens:  # never the token, nor its signature
        assert token.encode() not in raw and token.rsplit(".", 1)[1].encode() not in raw


def test_failed_mint_leaves_no_record(cli: Cli, store: Path, twilio_env: dict[str, str]) -> None:
    assert cli("token", "47", "--local", "--as", "9", "--store", str(store)).exit_code == 4
    assert audit_json(cli, store) == []


def test_list_filters_and_table(cli: Cli, store: Path, twilio_env: dict[str, str]) -> None:
    mint_some(cli, store)
    assert [r["command"] for r in audit_json(cli, store, "--appointment", "47")] == [
        "token", "refresh"
    ]
    assert [r["command"] for r in audit_json(cli, store, "--identity", "bob")] == ["mint"]
    assert audit_json(cli, store, "--since", "2999-01-01") == []
    assert len(audit_json(cli, store, "--since", "2000-01-01T00:00:00Z")) == 3
    assert cli("audit", "list", "--since", "yesterday").exit_code == 2
    piped = cli("audit", "list", "--store", str(store))
    assert piped.exit_code == 0
    lines = piped.stdout.splitlines()
    assert [line.split("\t")[2] for line in lines] == ["token", "refresh", "mint"]
    assert lines[2].split("\t")[3:7] == ["-", "bob", "r1", "600"]
    selected = json.loads(cli("audit", "list", "--json", "jti,seq").stdout)
    assert [list(r) for r in selected] == [["jti", "seq"]] * 3
    assert [r["jti"] for r in selected] == [line.split("\t")[7] for line in lines]
    assert cli("audit", "list", "--jq", ".[2].command").stdout == "mint\n"


def test_an_empty_list_says_whether_a_filter_matched_nothing(
    cli: Cli, store: Path, twilio_env: dict[str, str],
) -> None:
    assert cli("audit", "list", "--store", str(store)).stderr == "no minted tokens recorded\n"
    mint_some(cli, store)
    nothing = cli("audit", "list", "--store", str(store), "--identity", "nobody")
    assert (nothing.exit_code, nothing.stdout) == (0, "")
    assert nothing.stderr == "no record matches the filters\n"


def test_records_are_append_only(store: Path, cli: Cli, twilio_env: dict[str, str]) -> None:
    mint_some(cli, store)
    db = sqlite3.connect(store)
    for statement in ("UPDATE audit SET identity = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    db.close()


def tamper(store: Path, *statements: str) -> None:
    """Edit the SQLite file directly, as someone bypassing vtctl would."""
    db = sqlite3.connect(store)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("statements", "named", "why"),
    [
        (("UPDATE audit SET identity = '2-mallory@example.com' WHERE seq = 2",),
         "#2 (seq 2", "changed"),
        (("UPDATE audit SET ttl_seconds = 1 WHERE seq = 1",), "#1 (seq 1", "changed"),
        (("UPDATE audit SET identity = 5, ttl_seconds = 'x' WHERE seq = 3",), "#3 (seq 3",
         "changed"),
        (("DELETE FROM audit WHERE seq = 2",), "#2 (seq 3", "removed or reordered"),
        (("DELETE FROM audit WHERE seq = 1",), "#1 (seq 2", "removed or reordered"),
        (("UPDATE audit SET seq = 100 WHERE seq = 2",
          "UPDATE audit SET seq = 2 WHERE seq = 3",
          "UPDATE audit SET seq = 3 WHERE seq = 100"), "#2 (seq 2", "removed or reordered"),
    ],
    ids=["changed", "changed-first", "changed-types", "removed", "removed-first", "reordered"],
)
def test_verify_names_the_first_bad_record(
    cli: Cli, store: Path, twilio_env: dict[str, str],
    statements: tuple[str, ...], named: str, why: str,
) -> None:
    mint_some(cli, store)
    intact = cli("audit", "verify", "--store", str(store))
    assert intact.exit_code == 0, intact.stderr
    assert "3 record(s)" in intact.stderr
    tamper(store, *statements)
    broken = cli("audit", "verify", "--store", str(store))
    assert broken.exit_code == 9
    assert f"audit record {named}" in broken.stderr and why in broken.stderr
    assert "Traceback" not in broken.stderr


def test_chain_continues_across_processes(vtctl: Any, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s.sqlite3")
    env = {"VTCTL_STORE": str(store), "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
           "TWILIO_API_KEY": "SK" + "0" * 32, "TWILIO_API_SECRET": "s" * 32}
    for _ in range(3):
        assert vtctl("token", "47", "--local", "--as", "2", env=env).returncode == 0
    with AppointmentStore.open(store) as opened:
        chained = opened.read_audit()
    assert [c.seq for c in chained] == [1, 2, 3]
    assert [c.prev_hash for c in chained[1:]] == [c.hash for c in chained[:-1]]
    assert vtctl("audit", "verify", env=env).returncode == 0


def test_schema_1_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL, role TEXT NOT NULL);"
        "CREATE TABLE appointments (id INTEGER PRIMARY KEY, patient_id INTEGER, "
        "psychologist_id INTEGER, duration_minutes INTEGER, starts_at TEXT, video_room_id TEXT);"
        "INSERT INTO users VALUES (2, 'a@b.c', 'A', 'patient'), (5, 'd@e.f', 'D', 'psychologist');"
        "INSERT INTO appointments VALUES (47, 2, 5, 60, NULL, 'room');"
        "PRAGMA user_version = 1;"
    )
    db.close()
    with AppointmentStore.open(path) as store:
        assert store.get_appointment(47) is not None
        assert store.read_audit() == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    db.close()


def test_serve_records_every_token_by_sigterm(tmp_path: Path, vtctl: Any) -> None:
    server = start_server(tmp_path)
    headers = {"Authorization": f"Bearer {server.jwt(2)}"}
    minted = []
    with httpx.Client(base_url=server.url, headers=headers) as client:
        for path in ("video-token", "video-token-refresh") * 30:
            reply = client.get(f"/api/appointments/{path}/47/")
            assert reply.status_code == 200
            minted.append(reply.json()["access_token"])
        assert client.get("/api/appointments/video-token/48/").status_code == 404  # no room
    assert server.stop() == 0, server.stderr()
    listed = vtctl("audit", "list", "--json", "--store", str(server.store))
    records = json.loads(listed.stdout)
    assert listed.returncode == 3 and "not verified" in listed.stderr  # its key is not here
    assert len(records) == len(minted) == 60
    assert {r["command"] for r in records} == {"serve"}
    assert {r["identity"] for r in records} == {"2-jane.doe@example.com"}
    assert [r["jti"] for r in records] == [decode(t)[1]["jti"] for t in minted]
    # the trail's key is in the server's keyring (its user's), not in this test's
    assert vtctl("audit", "verify", "--store", str(server.store)).returncode == 3
    verified = vtctl("audit", "verify", "--store", str(server.store), env=clean_env(tmp_path))
    assert verified.returncode == 0, verified.stderr
    assert "60 record(s)" in verified.stderr


def _jwt(claims: dict[str, Any]) -> str:
    import base64

    body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
    return "e30." + body.decode().rstrip("=") + ".sig"


@pytest.mark.parametrize(
    ("claims", "jti"),
    [
        ({"jti": "SKabc-1796218981", "grants": {}}, "SKabc-1796218981"),  # Twilio's order
        ({"grants": {}, "jti": "later"}, "later"),
        ({"jti": 'quote"d'}, 'quote"d'),
        ({"jti": "x" * 200}, "x" * 200),
        ({"sub": "no jti"}, ""),
    ],
)
def test_token_jti(claims: dict[str, Any], jti: str) -> None:
    from vtctl.local.audit import token_jti

    assert token_jti(_jwt(claims)) == jti
    assert token_jti("not a jwt") == ""


@pytest.mark.parametrize("names", [(), ("USERNAME",), ("LNAME", "USERNAME"), ("USER", "LNAME"),
                                   ("LOGNAME", "USER", "LNAME", "USERNAME")])
def test_os_user_is_who_getpass_names(
    monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...]
) -> None:
    """The record's ``os_user`` follows ``getpass.getuser()``'s rule without importing getpass."""
    from vtctl.local.audit import USER_VARIABLES, os_user

    for name in USER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in names:
        monkeypatch.setenv(name, f"from-{name.lower()}")
    assert os_user() == getpass.getuser()
    monkeypatch.setenv(USER_VARIABLES[-1], "")  # an empty variable names no one
    assert os_user() == getpass.getuser()


def test_os_user_without_a_passwd_entry_is_the_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import pwd

    from vtctl.local.audit import USER_VARIABLES, os_user

    for name in USER_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def missing(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", missing)
    assert os_user() == f"uid {os.getuid()}"
