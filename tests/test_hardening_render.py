"""Stored and server text reaches a terminal as plain text (issue 23, items 6 and 7).

- rich markup in a name (``[link=...]``, ``[/bold]``) is printed as the characters
  it is: no hyperlink to another site, no MarkupError (the consoles of ``IOStreams``
  parse no markup: the one rendering boundary);
- a store edited by hand (escapes, C1 and bidi controls, BLOBs, text in an INTEGER
  column) is read through ``store.py``'s one rows-to-models boundary: printable text,
  or a damaged-store error (exit 6), on a terminal, in a pipe and in ``--json``.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Result
from tests.helpers import JANE, SARAH, appointment, store_from_document
from tests.hostile_api import hostile_api

LINK = "[link=http://evil.example/reset]Jane Doe[/link]"
CLOSE = "[/bold]"
#: what must never reach the output raw (colour codes are ESC [ ... m, so ESC alone is not)
HOSTILE_SEQUENCES = ("\x1b]", "\x1b[2J", "\x07", "\x9b", "\u202e", "\u2066", "\x08")


def terminal(*args: str, stdin: str = "") -> Result:
    """vtctl in-process with stdout and stderr on a (colour) terminal."""
    from vtctl.cli.framework.app import run
    from vtctl.ui.iostreams import IOStreams

    out, err = io.StringIO(), io.StringIO()
    streams = IOStreams(out=out, err=err, stdin=io.StringIO(stdin), force_terminal=True,
                        width=200)
    code = run(list(args), io=streams)
    return Result(code, out.getvalue(), err.getvalue())


def assert_clean(result: Result, code: int = 0) -> None:
    assert result.exit_code == code, result.stderr
    for text in (result.stdout, result.stderr):
        assert [s for s in HOSTILE_SEQUENCES if s in text] == [], text
        text.encode("utf-8")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.fixture
def markup_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = store_from_document(tmp_path / "store.sqlite3", {
        "users": [{**JANE, "name": LINK}, {**SARAH, "name": CLOSE}],
        "appointments": [appointment(47)],
    })
    monkeypatch.setenv("VTCTL_STORE", str(path))
    return path


MARKUP_COMMANDS: dict[str, list[str]] = {
    "appointment show": ["appointment", "show", "47", "--local"],
    "appointment list": ["appointment", "list"],
}


@pytest.mark.parametrize("args", MARKUP_COMMANDS.values(), ids=list(MARKUP_COMMANDS))
def test_markup_in_stored_names_is_printed_as_text(markup_store: Path, args: list[str]
                                                   ) -> None:
    result = terminal(*args)
    assert_clean(result)
    assert "\x1b]8;" not in result.stdout  # no OSC 8 hyperlink to evil.example
    flat = "".join(result.stdout.split())
    assert "".join(LINK.split()) in flat or "[link=http://evil.example/reset]" in flat
    assert CLOSE in result.stdout


def test_markup_in_a_remote_appointment_is_printed_as_text(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    body = {
        "id": 47, "patient_id": 2, "psychologist_id": 5, "duration_minutes": 60,
        "video_room_id": None,
        "patient": {"id": 2, "email": JANE["email"], "name": LINK},
        "psychologist": {"id": 5, "email": SARAH["email"], "name": "Dr. \x1b]0;x\x07" + CLOSE},
    }
    with hostile_api({47: json.dumps(body)}) as env:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        shown = terminal("appointment", "show", "47")
        as_json = terminal("appointment", "show", "47", "--json")
        piped = terminal("appointment", "show", "47", "--jq", ".psychologist.name")
    assert_clean(shown)
    assert "\x1b]8;" not in shown.stdout and CLOSE in shown.stdout
    assert_clean(as_json)
    assert json.loads(as_json.stdout)["patient"]["name"] == LINK  # JSON keeps the data
    assert json.loads(as_json.stdout)["psychologist"]["name"].startswith("Dr. \x1b]0;x")
    assert_clean(piped)


def test_markup_in_a_token_table_is_printed_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twilio_env: dict[str, str]
) -> None:
    path = store_from_document(tmp_path / "store.sqlite3", {
        "users": [{**JANE, "email": "[/bold]@example.com"}, SARAH],
        "appointments": [appointment(47)],
    })
    monkeypatch.setenv("VTCTL_STORE", str(path))
    result = terminal("token", "47", "--local", "--as", "2")
    assert_clean(result)
    assert "2-[/bold]@example.com" in result.stdout


# -- a store edited by hand ---------------------------------------------------------


def edited_store(tmp_path: Path, *statements: tuple[str, tuple[object, ...]]) -> Path:
    path = store_from_document(tmp_path / "store.sqlite3", {
        "users": [JANE, SARAH], "appointments": [appointment(47)],
    })
    with sqlite3.connect(path) as db:
        for sql, params in statements:
            db.execute(sql, params)
    return path


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b\u202e\u2066"
HAND_EDITS = {
    "escapes in a name": ("UPDATE users SET name = ? WHERE id = 2", ("Jane" + ESCAPES,)),
    "escapes in an email": ("UPDATE users SET email = ? WHERE id = 5",
                            ("sarah" + ESCAPES + "@example.com",)),
    "escapes in a room": ("UPDATE appointments SET video_room_id = ? WHERE id = 47",
                          ("apt-47" + ESCAPES,)),
    "bytes that are not UTF-8": ("UPDATE users SET name = CAST(? AS TEXT) WHERE id = 2",
                                 (b"Jan\xe9 \xff",)),
}

READERS: dict[str, tuple[Callable[..., Result] | None, list[str]]] = {
    "show on a terminal": (terminal, ["appointment", "show", "47", "--local"]),
    "show piped": (None, ["appointment", "show", "47", "--local"]),
    "show --json": (None, ["appointment", "show", "47", "--local", "--json"]),
    "show --jq": (None, ["appointment", "show", "47", "--local", "--jq",
                         ".patient.name, .psychologist.email, .video_room_id"]),
    "list on a terminal": (terminal, ["appointment", "list"]),
    "list piped": (None, ["appointment", "list"]),
    "list --json": (None, ["appointment", "list", "--json"]),
    "export": (None, ["appointment", "export"]),
}


@pytest.mark.parametrize("edit", HAND_EDITS.values(), ids=list(HAND_EDITS))
@pytest.mark.parametrize("reader", READERS.values(), ids=list(READERS))
def test_text_read_from_an_edited_store_is_printable(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, tuple[object, ...]], reader: tuple[Callable[..., Result] | None, list[str]],
) -> None:
    monkeypatch.setenv("VTCTL_STORE", str(edited_store(tmp_path, edit)))
    run, args = reader
    assert_clean((run or cli)(*args))


def test_token_from_an_edited_store_is_printable(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twilio_env: dict[str, str]
) -> None:
    path = edited_store(tmp_path, HAND_EDITS["escapes in an email"],
                        HAND_EDITS["escapes in a room"])
    monkeypatch.setenv("VTCTL_STORE", str(path))
    for run in (terminal, cli):
        assert_clean(run("token", "47", "--local", "--as", "2"))
        assert_clean(run("token", "47", "--local", "--as", "5", "--json"))


@pytest.mark.parametrize("edit", [
    ("UPDATE appointments SET duration_minutes = 'sixty' WHERE id = 47", ()),
    ("UPDATE appointments SET starts_at = 'tomorrow' WHERE id = 47", ()),
    ("UPDATE users SET name = ? WHERE id = 2", (b"\x1b[2J",)),
    ("UPDATE users SET email = '' WHERE id = 2", ()),
], ids=["text duration", "bad time", "a BLOB name", "empty email"])
def test_a_damaged_row_is_a_one_line_error(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, tuple[object, ...]], twilio_env: dict[str, str],
) -> None:
    monkeypatch.setenv("VTCTL_STORE", str(edited_store(tmp_path, edit)))
    for args in (["appointment", "show", "47", "--local"], ["appointment", "list"],
                 ["token", "47", "--local", "--as", "2"]):
        result = cli(*args)
        if result.exit_code == 0:  # a BLOB name reads as its (printable) text
            assert_clean(result)
            continue
        assert_clean(result, 6)
        assert result.stderr.startswith("error: the store is damaged: "), result.stderr
        assert len(result.stderr.splitlines()) <= 2


def test_no_renderer_relies_on_markup() -> None:
    """The consoles parse no markup: a style written as ``[bold]...[/]`` in vtctl's
    own code would be printed as those characters (styles are ``Text(style=...)``)."""
    import ast
    import re

    import vtctl

    tag = re.compile(r"\[/?(?:bold|dim|italic|underline|reverse|red|green|yellow|blue|"
                     r"magenta|cyan|white|link)\b[^\]]*\]|\[/\]")
    found = []
    for path in Path(vtctl.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings and tag.search(node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value[:40]!r}")
    assert found == []


def test_smoke_verdicts_are_styled_text(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from vtctl.ui.iostreams import IOStreams
    from vtctl.ui.render.smoke import results_sheet
    from vtctl.ui.sheet import show

    out = io.StringIO()
    streams = IOStreams(out=out, err=io.StringIO(), force_terminal=True, width=120)
    checked = [SimpleNamespace(appointment_id=47, check="same_room", ok=True, detail="r",
                               ran=True),
               SimpleNamespace(appointment_id=48, check="patient_token", ok=False,
                               detail="[/bold] refused", ran=True)]
    show(streams, results_sheet(checked))  # type: ignore[arg-type]
    assert "FAIL" in out.getvalue() and "[bold red]" not in out.getvalue()
    assert "[/bold] refused" in out.getvalue()


# -- every command that reads the store, from the real click tree ---------------------

#: the command line of every command taking --store (the edited store has 47 and 48)
STORE_COMMANDS: dict[str, list[str]] = {
    "vtctl token": ["token", "47", "--local", "--as", "2"],
    "vtctl refresh": ["refresh", "47", "--local", "--as", "5"],
    "vtctl status": ["status", "47", "--local"],
    "vtctl diagnose": ["diagnose", "47", "--local"],
    "vtctl history": ["history", "47", "--local"],
    "vtctl room create": ["room", "create", "48", "--local"],
    "vtctl room participants": ["room", "participants", "47", "--local"],
    "vtctl room list": ["room", "list", "--local"],
    "vtctl room end": ["room", "end", "47", "--local", "--yes"],
    "vtctl room kick": ["room", "kick", "47", "2", "--local", "--yes"],
    "vtctl appointment show": ["appointment", "show", "47", "--local"],
    "vtctl appointment list": ["appointment", "list"],
    "vtctl appointment export": ["appointment", "export"],
    "vtctl appointment add": ["appointment", "add", "--patient", "2", "--psychologist", "5",
                              "--id", "60"],
    "vtctl appointment import": ["appointment", "import", "-"],
    "vtctl audit list": ["audit", "list"],
    "vtctl audit verify": ["audit", "verify"],
    "vtctl audit head": ["audit", "head"],
    "vtctl sessions": ["sessions", "--local", "--from", "2025-11-16", "--to", "2025-11-17",
                       "--user", "2"],
}
#: commands taking --store that are covered elsewhere, and where
STORE_COMMANDS_ELSEWHERE = {
    "vtctl serve": "its JSON replies are built from the same rows (test_server.py)",
    "vtctl appointment pull": "against a hostile API in test_hardening_pull.py",
}


def test_every_command_taking_a_store_is_fed_an_edited_one() -> None:
    from tests.cli_tree import commands, spelled

    taking = {spelled(path) for path, command in commands()
              if any(param.name == "store" for param in command.params)}
    assert taking == set(STORE_COMMANDS) | set(STORE_COMMANDS_ELSEWHERE)


def hostile_store(tmp_path: Path) -> Path:
    return edited_store(
        tmp_path,
        ("INSERT INTO appointments VALUES (48, 2, 5, 30, NULL, NULL)", ()),
        ("UPDATE users SET name = ? WHERE id = 2", (CLOSE + LINK + ESCAPES,)),
        ("UPDATE users SET email = ? WHERE id = 5", ("sarah" + ESCAPES + "@example.com",)),
        ("UPDATE appointments SET video_room_id = ? WHERE id = 47", ("apt-47" + ESCAPES,)),
    )


def twilio_answering_404(request: Any) -> Any:
    import httpx

    from tests.twilio_fakes import page, twilio_error

    if request.url.path == "/v1/Rooms":
        return httpx.Response(200, json=page("rooms", str(request.url), [], 50))
    return httpx.Response(404, json=twilio_error(404, 20404, "not found"))


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
@pytest.mark.parametrize("on_terminal", [True, False], ids=["terminal", "piped"])
@pytest.mark.parametrize("args", STORE_COMMANDS.values(), ids=list(STORE_COMMANDS))
def test_every_store_command_prints_an_edited_store_as_plain_text(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpx_mock: Any,
    twilio_env: dict[str, str], args: list[str], on_terminal: bool,
) -> None:
    monkeypatch.setenv("VTCTL_STORE", str(hostile_store(tmp_path)))
    httpx_mock.add_callback(twilio_answering_404, is_reusable=True)
    stdin = json.dumps({"users": [JANE], "appointments": []})
    result = (terminal if on_terminal else cli)(*args, stdin=stdin)
    assert result.exit_code != 1, result.stderr
    assert_clean(result, result.exit_code)
    assert "\x1b]8;" not in result.stdout
