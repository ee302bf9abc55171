"""CONTRACT "The local store": readers never create a store, foreign files are left
untouched (exit 2), a damaged store is exit 6 with one line."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_store, write_import

Cli = Callable[..., Any]

READERS = [
    ["appointment", "list"],
    ["appointment", "show", "47", "--local"],
    ["token", "47", "--local", "--as", "2"],
    ["refresh", "47", "--local", "--as", "2"],
    ["room", "create", "47", "--local"],
    ["appointment", "add", "--patient", "2", "--psychologist", "5"],
    ["serve", "--issue-jwt", "2"],
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_missing_store_is_not_created_by_a_reader(
    cli: Cli, tmp_path: Path, twilio_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.setenv("VTCTL_SERVE_SECRET", "s" * 40)
    path = tmp_path / "typo" / "deeper" / "store.sqlite3"
    result = cli(*command, "--store", str(path))
    assert result.exit_code == 2, result.stderr
    assert f"the store {path} does not exist" in result.stderr
    assert "`vtctl appointment import" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_the_default_store_is_not_created_by_a_reader(cli: Cli, isolated_env: Path) -> None:
    result = cli("appointment", "list")
    assert result.exit_code == 2
    assert "vtctl appointment import" in result.stderr
    assert not (isolated_env / "data" / "vtctl").exists()


def test_import_still_creates_the_store_and_its_folders(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "new" / "store.sqlite3"
    result = cli("appointment", "import", str(write_import(tmp_path / "a.json")),
                 "--store", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.is_file()


def _foreign_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.execute("INSERT INTO notes (body) VALUES ('keep me')")
    return path


def _users_table_of_another_app(path: Path) -> Path:
    with sqlite3.connect(path) as db:  # same table name, other columns
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT)")
    return path


def _text_file(path: Path) -> Path:
    path.write_text("shopping list\nmilk\n")
    return path


@pytest.mark.parametrize("make", [_foreign_sqlite, _users_table_of_another_app, _text_file],
                         ids=["another app's SQLite", "another app's users table", "text"])
@pytest.mark.parametrize("command", [*READERS, ["appointment", "import", "IMPORT"]],
                         ids=" ".join)
def test_a_file_that_is_not_a_store_is_refused_unchanged(
    cli: Cli, tmp_path: Path, twilio_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], Path], command: list[str],
) -> None:
    monkeypatch.setenv("VTCTL_SERVE_SECRET", "s" * 40)
    path = make(tmp_path / "other.db")
    before = _digest(path)
    source = str(write_import(tmp_path / "a.json"))
    result = cli(*[source if a == "IMPORT" else a for a in command], "--store", str(path))
    assert result.exit_code == 2, result.stderr
    assert f"{path} is not a vtctl store" in result.stderr
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "other.db"]


@pytest.mark.parametrize("command", [["appointment", "list"], ["token", "47", "--local",
                                                                "--as", "2"]], ids=" ".join)
def test_a_damaged_store_is_exit_6_with_one_line(
    cli: Cli, tmp_path: Path, twilio_env: dict[str, str], command: list[str]
) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    with path.open("r+b") as handle:  # keep the SQLite header, ruin the schema page
        handle.seek(100)
        handle.write(b"\xff" * 400)
    result = cli(*command, "--store", str(path))
    assert result.exit_code == 6
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: the store {path} is damaged")


def test_not_found_in_an_empty_store_says_which_store_and_that_it_is_empty(
    cli: Cli, tmp_path: Path, twilio_env: dict[str, str]
) -> None:
    path = tmp_path / "s.sqlite3"
    cli("appointment", "import", "-", "--store", str(path), stdin='{"users": [], '
        '"appointments": []}')
    result = cli("token", "47", "--local", "--as", "2", "--store", str(path))
    assert result.exit_code == 5
    assert "Appointment not found" in result.stderr
    assert f"the store {path} is empty" in result.stderr


def test_not_found_in_a_filled_store_names_it(cli: Cli, tmp_path: Path) -> None:
    path = make_store(tmp_path / "s.sqlite3")
    result = cli("appointment", "show", "48", "--local", "--store", str(path))
    assert result.exit_code == 5
    assert f"read the store {path} (1 appointment)" in result.stderr
