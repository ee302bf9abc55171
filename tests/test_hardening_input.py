"""Bad input everywhere: one clear error line (plus an optional hint) on stderr and
the contract's exit code, never a traceback, never a secret quoted back.

Every command that takes an appointment id is fed the ids a tired on-call
engineer or an attacker would type; then profiles, base URLs, JWTs, import
files, config files and store paths.  Driven in-process (``cli``) and, for a
handful, through the real executable (``vtctl``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import Result
from tests.helpers import appointment, import_document, make_store
from tests.remote_helpers import b64, make_jwt

Cli = Callable[..., Any]

#: appointment ids that must all be refused with exit 2
BAD_IDS = [
    "0", "000", "-1", "-0", "47abc", "abc", "٤٧", "\uff14\uff17", "²", "4" * 5000,
    str(2**63), str(2**80), "", "   ", "1.5", "1e3", "0x2f", "+47", "4 7", "47/", "../47",
    "47%00", "NaN", "∞",
]

#: every command that takes an appointment id: (argv before the id, argv after it)
ID_COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "token": (["token"], ["--local", "--as", "2"]),
    "token-remote": (["token"], ["--base-url", "http://127.0.0.1:9"]),
    "refresh": (["refresh"], ["--local", "--as", "2"]),
    "status": (["status"], ["--local"]),
    "room create": (["room", "create"], ["--local"]),
    "appointment show": (["appointment", "show"], ["--local"]),
    "smoke": (["smoke"], ["--patient-jwt-env", "P_JWT", "--psychologist-jwt-env", "S_JWT"]),
}


def assert_one_clear_error(result: Any, code: int, *, not_in: tuple[str, ...] = ()) -> None:
    """Exit ``code``; stdout empty; stderr is ``error: ...`` and at most a ``hint: ...``."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr  # exit 1's wording: a crash (a bug), not a message
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("error: ") and len(lines[0]) > len("error: ") + 5
    assert all(line.startswith("hint: ") for line in lines[1:])
    assert len(result.stderr) < 600, "a huge input must not be echoed whole"
    for secret in not_in:
        assert secret not in result.stderr


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = make_store(tmp_path / "store.sqlite3", appointment(47), appointment(48, room=None))
    monkeypatch.setenv("VTCTL_STORE", str(path))
    return path


# -- appointment ids ----------------------------------------------------------------


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=lambda v: repr(v[:12]))
@pytest.mark.parametrize("command", list(ID_COMMANDS))
def test_bad_ids_are_usage_errors_for_every_id_command(
    cli: Cli, store: Path, twilio_env: dict[str, str], command: str, bad_id: str
) -> None:
    before, after = ID_COMMANDS[command]
    result = cli(*before, *after, "--", bad_id)  # `--`: even "-1" reaches the id parser
    assert_one_clear_error(result, 2)
    assert "appointment id" in result.stderr


@pytest.mark.parametrize("command", list(ID_COMMANDS))
def test_a_negative_id_without_double_dash_says_ids_are_positive(
    cli: Cli, store: Path, command: str
) -> None:
    before, after = ID_COMMANDS[command]
    result = cli(*before, "-1", *after)
    assert_one_clear_error(result, 2)
    assert "positive integer" in result.stderr


@pytest.mark.parametrize("command", list(ID_COMMANDS))
def test_a_missing_id_is_one_line(cli: Cli, store: Path, command: str) -> None:
    before, after = ID_COMMANDS[command]
    result = cli(*before, *after)
    assert_one_clear_error(result, 2)
    assert "Missing argument" in result.stderr


@pytest.mark.parametrize("good", ["47", " 47 ", "0047"])
def test_the_id_parser_still_accepts_plain_ids(
    cli: Cli, store: Path, twilio_env: dict[str, str], good: str
) -> None:
    result = cli("token", good, "--local", "--as", "2", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["appointment_id"] == 47


def test_the_largest_sqlite_id_is_not_found_not_a_crash(cli: Cli, store: Path) -> None:
    result = cli("appointment", "show", str(2**63 - 1), "--local")
    assert_one_clear_error(result, 5)


# -- flags with numbers -------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["token", "47", "--timeout", "nan"], "--timeout"),
    (["token", "47", "--timeout", "inf"], "--timeout"),
    (["token", "47", "--timeout", "0"], "--timeout"),
    (["token", "47", "--timeout", "-3"], "--timeout"),
    (["token", "47", "--timeout", "soon"], "--timeout"),
    (["status", "47", "--watch", "--interval", "nan"], "--interval"),
    (["status", "47", "--watch", "--interval", "inf"], "--interval"),
    (["status", "47", "--watch", "--interval", "0"], "--interval"),
    (["mint", "--identity", "a", "--room", "r", "--ttl", str(2**80)], "--ttl"),
    (["mint", "--identity", "a", "--room", "r", "--ttl", "0"], "--ttl"),
    (["mint", "--identity", " ", "--room", "r"], "--identity"),
    (["mint", "--identity", "x" * 5000, "--room", "r"], "--identity"),
    (["appointment", "list", "--limit", "0"], "--limit"),
    (["appointment", "add", "--patient", "2", "--psychologist", "5", "--id", str(2**80)],
     "appointment id"),
    (["appointment", "add", "--patient", "2", "--psychologist", "5", "--duration", "-1"],
     "--duration"),
    (["appointment", "add", "--patient", "2", "--psychologist", "5",
      "--starts-at", "0001-01-01T00:00:00+01:00"], "--starts-at"),
    (["appointment", "add", "--patient", "4" * 5000, "--psychologist", "5"], "no stored user"),
    (["smoke", "47", "--patient-jwt-env", "P", "--psychologist-jwt-env", "S",
      "--max-skew", "nan"], "--max-skew"),
    (["smoke", "47", "--patient-jwt-env", "P", "--psychologist-jwt-env", "S",
      "--concurrency", "0"], "--concurrency"),
    (["serve", "--port", "70000"], "--port"),
], ids=lambda v: v if isinstance(v, str) else " ".join(a[:10] for a in v[:5]))
def test_bad_numbers_and_names_in_flags(
    cli: Cli, store: Path, twilio_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    args: list[str], message: str,
) -> None:
    monkeypatch.setenv("P", make_jwt(2))
    monkeypatch.setenv("S", make_jwt(5))
    result = cli(*args)
    assert_one_clear_error(result, 2)
    assert message in result.stderr


# -- profiles -----------------------------------------------------------------------------

BAD_PROFILES = ["", " ", "  x", "x ", "a/b", "a\\b", "c:d", "x\ny", "\t"]
PROFILE_COMMANDS = [
    ["token", "47"], ["status", "47"], ["appointment", "list"], ["auth", "status"],
    ["auth", "token"], ["auth", "logout"], ["config", "show"], ["mint", "-i", "a", "-r", "b"],
]


@pytest.mark.parametrize("name", BAD_PROFILES, ids=repr)
@pytest.mark.parametrize("command", PROFILE_COMMANDS, ids=" ".join)
def test_bad_profile_flag(cli: Cli, command: list[str], name: str) -> None:
    result = cli(*command, "--profile", name)
    assert_one_clear_error(result, 2)
    assert "profile" in result.stderr


@pytest.mark.parametrize("name", BAD_PROFILES, ids=repr)
def test_bad_profile_in_the_environment(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("VTCTL_PROFILE", name)
    result = cli("token", "47")
    assert_one_clear_error(result, 2)
    assert "invalid profile name" in result.stderr


# -- base URLs ------------------------------------------------------------------------------

PASSWORD = "hunter2-in-the-url"
BAD_BASE_URLS = [
    "localhost:8000", "127.0.0.1:8000", "api.example.com", "http://h/api", "http://h/api/",
    "http://h?x=1", "http://h#frag", f"http://admin:{PASSWORD}@h", f"https://:{PASSWORD}@h:443",
    "ftp://h", "file:///etc/passwd", "javascript:alert(1)", "http://[::1", "http://h:99999",
    "http://h:abc", "http://h:0", "https://", "http://", "http://h x", "http://h\nx", "", " ",
    "http://" + "h" * 3000,
]


@pytest.mark.parametrize("url", BAD_BASE_URLS, ids=lambda v: repr(v[:30]))
def test_bad_base_url_flag(cli: Cli, url: str) -> None:
    result = cli("token", "47", "--base-url", url)
    assert_one_clear_error(result, 2, not_in=(PASSWORD,))
    assert "base URL" in result.stderr or "--base-url" in result.stderr


@pytest.mark.parametrize("url", [u for u in BAD_BASE_URLS if u], ids=lambda v: repr(v[:30]))
def test_bad_base_url_in_the_environment_and_config(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> None:
    monkeypatch.setenv("VTCTL_BASE_URL", url)
    assert_one_clear_error(cli("auth", "status"), 2, not_in=(PASSWORD,))
    monkeypatch.delenv("VTCTL_BASE_URL")
    monkeypatch.setenv("VTCTL_CONFIG", str(tmp_path / "config.toml"))
    result = cli("config", "set", "base_url", url)
    assert_one_clear_error(result, 2, not_in=(PASSWORD,))
    assert not (tmp_path / "config.toml").exists()  # nothing bad was saved


# -- malformed JWTs -----------------------------------------------------------------------

_DEEP = b64({"alg": "HS256"}) + "." + __import__("base64").urlsafe_b64encode(
    b'{"exp":' + b"[" * 5000 + b"]" * 5000 + b"}").rstrip(b"=").decode() + ".c2ln"
MALFORMED_JWTS = {
    "word": "garbage",
    "two parts": "abc.def",
    "four parts": "a.b.c.d",
    "not base64": "a!.b.c",
    "not json": "YWJj.ZGVm.Z2hp",
    "array payload": b64({"alg": "HS256"}) + ".WzFd.c2ln",
    "deeply nested": _DEEP,
    "huge number": b64({"alg": "HS256"}) + "." + __import__("base64").urlsafe_b64encode(
        b'{"exp": ' + b"9" * 5000 + b"}").rstrip(b"=").decode() + ".c2ln",
    "empty signature": b64({"alg": "HS256"}) + "." + b64({"exp": 1}) + ".",
    "non-ascii": "é.b.c",
    "inner space": "eyJh bGc.eyJ.sig",
    "only dots": "..",
}


@pytest.mark.parametrize("token", MALFORMED_JWTS.values(), ids=list(MALFORMED_JWTS))
def test_inspect_refuses_malformed_tokens(cli: Cli, token: str) -> None:
    assert_one_clear_error(cli("inspect", token), 2)
    assert_one_clear_error(cli("inspect", "-", stdin=token + "\n"), 2)


@pytest.mark.parametrize("token", MALFORMED_JWTS.values(), ids=list(MALFORMED_JWTS))
def test_auth_login_refuses_malformed_tokens_and_stores_nothing(cli: Cli, token: str) -> None:
    result = cli("auth", "login", "--with-token", stdin=token + "\n")
    assert result.exit_code in (2, 3)  # 3: a readable JWT that already expired
    assert_one_clear_error(result, result.exit_code, not_in=(token,) if len(token) > 8 else ())
    assert cli("auth", "status").exit_code == 3  # still not logged in


@pytest.mark.parametrize("token", MALFORMED_JWTS.values(), ids=list(MALFORMED_JWTS))
def test_malformed_vtctl_jwt_is_refused_or_sent_and_refused(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, httpx_mock: HTTPXMock, token: str
) -> None:
    """Either vtctl refuses it before sending (exit 3) or the server's 401 is exit 3."""
    httpx_mock.add_response(status_code=401, json={"detail": "Given token not valid"},
                            is_optional=True)
    monkeypatch.setenv("VTCTL_JWT", token)
    result = cli("token", "47", "--base-url", "http://127.0.0.1:8765")
    assert_one_clear_error(result, 3, not_in=(token,) if len(token) > 8 else ())
    for request in httpx_mock.get_requests():
        assert request.headers["authorization"] == f"Bearer {token}"


def test_a_token_on_argv_is_refused_for_every_auth_command(cli: Cli) -> None:
    token = make_jwt()
    for args in (["auth", "login", token], ["auth", "twilio", "--account-sid", "AC" + "0" * 32,
                                            "--api-key", "SK" + "0" * 32, token]):
        assert_one_clear_error(cli(*args), 2, not_in=(token,))


# -- import files --------------------------------------------------------------------------


def _doc(**change: Any) -> bytes:
    document = import_document(appointment(47))
    document.update(change)
    return json.dumps(document, indent=1).encode()


BAD_IMPORTS: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \n\t\n",
    "not json": b"users: [jane]",
    "truncated": _doc()[:-10],
    "a list": b"[]",
    "null": b"null",
    "a string": b'"users"',
    "unknown top key": _doc(patients=[]),
    "users not a list": _doc(users={"id": 2}),
    "user not an object": _doc(users=[2]),
    "user id a string": _doc(users=[{"id": "2", "email": "j@x.org", "name": "J",
                                     "role": "patient"}]),
    "user id zero": _doc(users=[{"id": 0, "email": "j@x.org", "name": "J", "role": "patient"}]),
    "user id huge": _doc(users=[{"id": 2**80, "email": "j@x.org", "name": "J",
                                 "role": "patient"}]),
    "user id 5000 digits": b'{"users": [{"id": ' + b"9" * 5000 + b"}]}",
    "bad role": _doc(users=[{"id": 2, "email": "j@x.org", "name": "J", "role": "admin"}]),
    "bad email": _doc(users=[{"id": 2, "email": "jane", "name": "J", "role": "patient"}]),
    "duplicate user ids": _doc(users=[
        {"id": 2, "email": "a@x.org", "name": "A", "role": "patient"},
        {"id": 2, "email": "b@x.org", "name": "B", "role": "patient"}]),
    "duplicate emails": _doc(users=[
        {"id": 2, "email": "a@x.org", "name": "A", "role": "patient"},
        {"id": 3, "email": "A@x.org", "name": "B", "role": "patient"}]),
    "duplicate appointment ids": _doc(appointments=[appointment(47), appointment(47)]),
    "unknown user refs": _doc(users=[], appointments=[
        {**appointment(47), "patient_id": 700, "psychologist_id": 701}]),
    "patient is a psychologist": _doc(appointments=[
        {**appointment(47), "patient_id": 5, "psychologist_id": 2}]),
    "duration a string": _doc(appointments=[{**appointment(47), "duration_minutes": "60"}]),
    "duration negative": _doc(appointments=[{**appointment(47), "duration_minutes": -5}]),
    "duration a week": _doc(appointments=[{**appointment(47), "duration_minutes": 7 * 1440}]),
    "duration NaN": b'{"appointments": [{"id": 1, "duration_minutes": NaN}]}',
    "starts_at garbage": _doc(appointments=[{**appointment(47), "starts_at": "tomorrow"}]),
    "starts_at before year 1 in UTC": _doc(appointments=[
        {**appointment(47), "starts_at": "0001-01-01T00:00:00+01:00"}]),
    "room not a string": _doc(appointments=[{**appointment(47), "video_room_id": 5}]),
    "name with a newline": _doc(users=[{"id": 2, "email": "j@x.org", "name": "J\nK",
                                        "role": "patient"}]),
    "non-UTF-8": _doc().replace(b"Jane Doe", b"Jan\xe9 Doe"),
    "UTF-16": _doc().decode().encode("utf-16"),
    "deeply nested": b'{"users": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    # valid UTF-8 JSON whose escapes decode to lone surrogates: no text SQLite can store
    "a lone surrogate escape": _doc().replace(b"Jane Doe", b"Jane \\udcff Doe"),
    "a high surrogate alone": _doc().replace(b"jane.doe", b"jane\\ud800.doe"),
}


@pytest.mark.parametrize("raw", BAD_IMPORTS.values(), ids=list(BAD_IMPORTS))
def test_bad_import_files_are_refused_whole(cli: Cli, store: Path, tmp_path: Path,
                                            raw: bytes) -> None:
    before = cli("appointment", "list", "--json").stdout
    source = tmp_path / "bad.json"
    source.write_bytes(raw)
    result = cli("appointment", "import", str(source))
    assert_one_clear_error(result, 2)
    assert "bad.json" in result.stderr or "appointment 47" in result.stderr  # where
    assert cli("appointment", "list", "--json").stdout == before  # nothing written
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # stdin of the in-process runner is text; the file case covered the bytes
    piped = cli("appointment", "import", "-", stdin=text)
    assert_one_clear_error(piped, 2)
    assert cli("appointment", "list", "--json").stdout == before


def test_an_oversized_import_file_is_refused_before_parsing(cli: Cli, store: Path,
                                                            tmp_path: Path) -> None:
    from vtctl.local.importer import MAX_IMPORT_BYTES

    source = tmp_path / "huge.json"
    with source.open("wb") as handle:
        handle.write(b'{"users": [' + b" " * (MAX_IMPORT_BYTES + 16) + b"]}")
    result = cli("appointment", "import", str(source))
    assert_one_clear_error(result, 2)
    assert "limit" in result.stderr


@pytest.mark.parametrize("name", ["missing.json", "."], ids=["missing", "a directory"])
def test_import_source_that_cannot_be_read(cli: Cli, store: Path, tmp_path: Path,
                                           name: str) -> None:
    assert_one_clear_error(cli("appointment", "import", str(tmp_path / name)), 2)


def test_a_large_import_counts_line_numbers_only_for_the_failing_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting lines for every record was quadratic (a 6 MB file took 90 s)."""
    from vtctl.local import importer

    calls = 0
    original = importer._Located.line

    def counting(self: Any) -> int:
        nonlocal calls
        calls += 1
        return int(original.fget(self))  # type: ignore[attr-defined]

    monkeypatch.setattr(importer._Located, "line", property(counting))
    apps = [appointment(i, room=None) for i in range(1, 3001)]
    good = json.dumps(import_document(*apps), indent=1).encode()
    assert len(importer.parse_import(good).appointments) == 3000
    assert calls == 0
    apps[-1]["duration_minutes"] = -1
    bad = json.dumps(import_document(*apps), indent=1).encode()
    with pytest.raises(importer.ImportFileError, match=r"appointments\[2999\]"):
        importer.parse_import(bad)
    assert calls <= 2


# -- config files -----------------------------------------------------------------------------

BAD_CONFIGS: dict[str, bytes] = {
    "not TOML": b"base_url = http://x\n[",
    "not UTF-8": b"\xff\xfe[profiles]",
    "default_profile a number": b"default_profile = 3\n",
    "default_profile a bad name": b'default_profile = "a/b"\n',
    "default_profile blank": b'default_profile = "  "\n',
    "profiles not a table": b"profiles = 3\n",
    "profile not a table": b'[profiles]\ndefault = "x"\n',
    "profile bad name": b'[profiles."a/b"]\nbase_url = "http://x"\n',
    "setting a number": b"[profiles.default]\nbase_url = 3\n",
    "setting an array": b'[profiles.default]\nstore = ["a"]\n',
    "unknown setting": b'[profiles.default]\npassword = "x"\n',
    "bad backend": b'[profiles.default]\nbackend = "cloud"\n',
    "bad base_url": b'[profiles.default]\nbase_url = "ftp://x"\n',
}


#: values only the commands using them refuse: `config show` still shows them, to fix them
BAD_CONFIG_VALUES = ("bad backend", "bad base_url")


@pytest.mark.parametrize("raw", BAD_CONFIGS.values(), ids=list(BAD_CONFIGS))
@pytest.mark.parametrize("command", [["token", "47"], ["config", "show"], ["auth", "status"]],
                         ids=" ".join)
def test_bad_config_files(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          command: list[str], raw: bytes) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(raw)
    monkeypatch.setenv("VTCTL_CONFIG", str(path))
    result = cli(*command)
    if command == ["config", "show"] and raw in (BAD_CONFIGS[k] for k in BAD_CONFIG_VALUES):
        assert result.exit_code == 0 and "Traceback" not in result.stderr
    else:
        assert_one_clear_error(result, 2)
    assert path.read_bytes() == raw  # never rewritten


@pytest.mark.parametrize("where", ["a directory", "/dev/zero"])
def test_config_path_that_is_not_a_config_file(cli: Cli, tmp_path: Path, where: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_CONFIG", str(tmp_path) if where == "a directory" else where)
    assert_one_clear_error(cli("token", "47"), 2)  # /dev/zero: read 1 MiB, not forever
    assert_one_clear_error(cli("config", "set", "backend", "local"), 2)


# -- store paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["appointment", "list"], ["appointment", "show", "47", "--local"],
    ["token", "47", "--local", "--as", "2"], ["room", "create", "47", "--local"],
    ["appointment", "import", "IMPORT"], ["serve", "--issue-jwt", "2"],
], ids=" ".join)
@pytest.mark.parametrize("kind", ["directory", "parent is a file", "not sqlite", "newer schema",
                                  "under /proc"])
def test_bad_store_paths(cli: Cli, tmp_path: Path, twilio_env: dict[str, str],
                         monkeypatch: pytest.MonkeyPatch, command: list[str], kind: str) -> None:
    from vtctl.local.store import SCHEMA_VERSION

    monkeypatch.setenv("VTCTL_SERVE_SECRET", "s" * 40)
    source = tmp_path / "import.json"
    source.write_text(json.dumps(import_document()))
    path = {"directory": tmp_path, "parent is a file": source / "store.sqlite3",
            "not sqlite": tmp_path / "junk.sqlite3", "newer schema": tmp_path / "new.sqlite3",
            "under /proc": Path("/proc/vtctl-test/store.sqlite3")}[kind]
    if kind == "not sqlite":
        path.write_bytes(b"not a database, " * 200)
    if kind == "newer schema":
        make_store(path)
        with sqlite3.connect(path) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    args = [str(source) if a == "IMPORT" else a for a in command]
    result = cli(*args, "--store", str(path))
    # a path that cannot be created is a usage error for readers (no store there) and a
    # store error for the import that tries to create it
    creates = command[:2] == ["appointment", "import"]
    code = {"directory": 2, "not sqlite": 2, "newer schema": 6}.get(kind, 6 if creates else 2)
    assert_one_clear_error(result, code)
    assert "store" in result.stderr


def test_a_read_only_store_is_a_store_error(tmp_path: Path) -> None:
    """Writes that SQLite refuses after open (read-only file, full disk) are StoreError."""
    from vtctl.domain.errors import StoreError
    from vtctl.domain.models import Appointment
    from vtctl.local.store import AppointmentStore

    path = make_store(tmp_path / "s.sqlite3", appointment(48, room=None))
    with AppointmentStore.open(path) as store:
        store._db.execute("PRAGMA query_only = ON")  # as root, chmod cannot make it read-only
        with pytest.raises(StoreError, match="readonly"):
            store.set_room_if_absent(48, "apt-48-1-00000000")
        with pytest.raises(StoreError):
            store.add_appointment(Appointment(0, 2, 5, 30), next_id=True)
        assert store.get_appointment(48) is not None  # reads still work
    with AppointmentStore.open(path) as store:
        assert store.get_appointment(48).video_room_id is None  # type: ignore[union-attr]


# -- the real executable ----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "code", "needle"), [
    (["token", "0", "--local"], 2, "appointment id"),
    (["token", "-1"], 2, "positive integer"),
    (["status", "4" * 5000], 2, "appointment id"),
    (["room", "create", "٤٧"], 2, "appointment id"),
    (["token", "47", "--base-url", f"http://me:{PASSWORD}@h"], 2, "base URL"),
    (["token", "47", "--profile", " "], 2, "profile"),
    (["inspect", "a.b.c"], 2, "base64url"),
    (["appointment", "list", "--store", "/"], 2, "directory"),
    (["token", "47", "--timeout", "nan"], 2, "--timeout"),
], ids=lambda v: v if isinstance(v, str) else " ".join(a[:10] for a in v[:3]) if isinstance(
    v, list) else str(v))
def test_real_executable_bad_input(vtctl: Callable[..., Any], args: list[str], code: int,
                                   needle: str) -> None:
    result = vtctl(*args)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: ")
    assert needle in result.stderr


def test_real_executable_non_utf8_import(vtctl: Callable[..., Any], tmp_path: Path) -> None:
    source = tmp_path / "latin1.json"
    source.write_bytes(_doc().replace(b"Jane Doe", b"Jan\xe9 Doe"))
    result = vtctl("appointment", "import", str(source), "--store", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "what"), [
    (["token", "47", "-p", "demo", "--as", "2\udcff"], "the value of --as"),
    (["refresh", "47", "-p", "demo", "--as=2\udcff"], "the value of --as"),
    (["serve", "--issue-jwt", "\udcff"], "the value of --issue-jwt"),
    (["appointment", "add", "--patient", "jane\udcff@example.com", "--psychologist", "5"],
     "the value of --patient"),
    (["appointment", "import", "caf\udce9.json"], "argument 3"),
    (["mint", "--identity", "2-\udcff", "--room", "r", "-p", "demo"], "the value of --identity"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]))
def test_argv_that_is_not_utf8_is_a_usage_error(vtctl: Callable[..., Any], tmp_path: Path,
                                                args: list[str], what: str) -> None:
    """Bytes that are not UTF-8 on the command line (Python keeps them as lone surrogates):
    exit 2 where argv enters, before a command stores, signs or prints them."""
    result = vtctl(*args, "--store" if args[0] == "appointment" else "--debug",
                   *([str(tmp_path / "s.sqlite3")] if args[0] == "appointment" else []))
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {what} is not valid UTF-8 text: ")
    assert "\\xe9" in result.stderr or "\\xff" in result.stderr  # the bytes, shown escaped
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_mint_refuses_an_identity_with_a_lone_surrogate(cli: Cli,
                                                        twilio_env: dict[str, str]) -> None:
    result = cli("mint", "--identity", "2-jane\udcff@example.com", "--room", "r", "--raw")
    assert_one_clear_error(result, 2)
    assert "--identity is not valid Unicode text" in result.stderr


@pytest.mark.parametrize("args", [["inspect", "-"], ["auth", "login", "--with-token"]],
                         ids=" ".join)
def test_a_flood_on_stdin_is_refused_not_read_whole(cli: Cli, vtctl: Callable[..., Any],
                                                    args: list[str]) -> None:
    """`vtctl inspect - < /dev/zero` must not read forever: at most 64 KiB is read."""
    flood = "eyJ" + "A" * (8 * 1024 * 1024)
    assert_one_clear_error(cli(*args, stdin=flood), 2)
    result = vtctl(*args, stdin=flood)
    assert result.returncode == 2 and "64 KiB" in result.stderr
    assert "Traceback" not in result.stderr


# -- a damaged keyring -------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["not UTF-8", "not a keyring file", "no such backend"])
@pytest.mark.parametrize("args", [
    ["auth", "status"], ["token", "47"], ["auth", "token"], ["auth", "logout"],
    ["mint", "-i", "a", "-r", "b"], ["auth", "login", "--with-token"],
], ids=" ".join)
def test_a_damaged_keyring_is_exit_3_not_a_crash(
    cli: Cli, vtctl: Callable[..., Any], isolated_env: Path, damage: str, args: list[str],
) -> None:
    keyring_file = isolated_env / "data" / "python_keyring" / "keyring_pass.cfg"
    keyring_file.parent.mkdir(parents=True, exist_ok=True)
    if damage == "not UTF-8":
        keyring_file.write_bytes(b"\xff\xfe[[[\n=")
    elif damage == "not a keyring file":
        keyring_file.write_text("[vtctl]\ndefault%3ajwt = %%%\n[[broken\n")
    if damage == "no such backend":  # keyring loads it on first use: a process of its own
        done = vtctl(*args, stdin=make_jwt() + "\n",
                     env={"PYTHON_KEYRING_BACKEND": "no.such.Backend"})
        result = Result(done.returncode, done.stdout, done.stderr)
    else:
        result = cli(*args, stdin=make_jwt() + "\n")
    assert_one_clear_error(result, 3)
    assert "keyring" in result.stderr or "not logged in" in result.stderr


@pytest.mark.parametrize("host", ["", " "], ids=repr)
def test_an_empty_serve_host_is_refused_not_every_interface(
    vtctl: Callable[..., Any], store: Path, host: str
) -> None:
    """getaddrinfo("") is the wildcard address: `--host "$UNSET"` must not listen everywhere."""
    result = vtctl("serve", "--host", host, "--port", "0", "--store", str(store), timeout=30)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --host") and "Traceback" not in result.stderr


@pytest.mark.parametrize("flag", ["--store", "--base-url", "--ca-bundle"])
@pytest.mark.parametrize("value", ["", "  "], ids=repr)
def test_an_empty_path_flag_is_refused_not_the_default(cli: Cli, flag: str, value: str) -> None:
    """`--store "$UNSET"` must not quietly import into the default store."""
    result = cli("appointment", "show", "47", "--local", flag, value)
    assert_one_clear_error(result, 2)
    assert flag in result.stderr


def test_a_jwt_cannot_write_escapes_to_the_terminal_through_auth(cli: Cli) -> None:
    token = make_jwt(user_id="\x1b]0;pwned\x07\x1b[2J" + "9" * 500)
    login = cli("auth", "login", "--with-token", stdin=token + "\n")
    assert login.exit_code == 0, login.stderr
    status = cli("auth", "status", "--json")
    for text in (login.stderr, status.stdout, status.stderr):
        assert "\x1b" not in text and "\x07" not in text
    assert len(login.stderr) < 600
