"""``vtctl.launch.fastrun`` runs plain ``token``/``refresh`` command lines exactly as Typer would.

The conformance tests run each command line through both paths with
``token_command`` replaced by a recorder, and compare what the command was
given (its values and the resolved backend settings), the exit code and stderr.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOM_47, appointment, make_store
from vtctl.launch import fastrun
from vtctl.ui.iostreams import IOStreams

#: Command lines the fast path must take (and must agree with Typer on).
PLAIN = [
    ["token", "47"],
    ["refresh", "47"],
    ["token", "47", "--local", "--json"],
    ["token", "--local", "47", "--raw"],
    ["token", "47", "--as", "2", "--local"],
    ["token", "47", "--as=jane.doe@example.com", "--local"],
    ["token", "47", "--as", " spaced ", "--local"],
    ["token", "47", "--profile", "demo"],
    ["token", "47", "-p", "demo", "--json"],
    ["token", "47", "-pdemo"],
    ["--debug", "token", "47", "--local"],
    ["token", "47", "--debug", "--local", "--json"],
    ["token", "0047", "--local"],
    ["token", "abc", "--local"],
    ["token", "0", "--local"],
    ["token", "99999999999999999999999", "--local"],
    ["token", "47", "--json", "--raw", "--local"],
    ["token", "47", "--timeout", "2.5"],
    ["token", "47", "--timeout", "5."],
    ["token", "47", "--timeout", "0"],
    ["token", "47", "--base-url", "http://127.0.0.1:9"],
    ["token", "47", "--base-url", "ftp://example"],
    ["token", "47", "--base-url="],
    ["token", "47", "--store", ""],
    ["token", "47", "--store", "relative/store.sqlite3", "--local"],
    ["token", "47", "--ca-bundle", "/nonexistent.pem"],
    ["token", "47", "--profile", "no such profile!"],
    ["token", "47", "--local", "--local"],
    ["token", "47", "--as", "2", "--as", "5", "--local"],
    ["token", "--", "47"],
    ["token", "--local", "--", "47"],
    ["refresh", "47", "--local", "--as", "5", "--json"],
    ["token", "47", "--json", "room_name"],
    ["token", "--json", "room_name", "47", "--local"],
    ["token", "47", "--json=room_name", "--local"],
    ["token", "47", "--json=", "--local"],
    ["token", "47", "--jq", ".room_name", "--local"],
    ["token", "47", "--local", "--jq"],
    ["token", "47", "--json", "--profile", "demo"],
]

#: Command lines left to Typer (its messages, its help, its argv handling).
NOT_PLAIN = [
    [],
    ["token"],
    ["token", "--help"],
    ["token", "47", "-h"],
    ["--help", "token", "47"],
    ["--version", "token", "47"],
    ["token", "47", "48"],
    ["token", "47", "--bogus"],
    ["token", "47", "--as"],
    ["token", "47", "--local=yes"],
    ["token", "47", "--timeout", "1e3"],
    ["token", "47", "--timeout", "-1"],
    ["token", "47", "--timeout", "nan"],
    ["status", "47"],
    ["appointment", "show", "47"],
    ["tokens", "47"],
]


def _run_recording(monkeypatch: pytest.MonkeyPatch, path: str, args: list[str]) -> tuple:
    calls: list[dict[str, Any]] = []

    def record(io: IOStreams, *, backend: Any, **values: Any) -> None:
        calls.append({**values, "settings": backend.settings})

    err = io.StringIO()
    streams = IOStreams(out=io.StringIO(), err=err, stdin=io.StringIO(), force_terminal=False)
    with monkeypatch.context() as patch:
        if path == "fast":
            patch.setattr("vtctl.cli.token_run.token_command", record)
            code = fastrun.try_run(list(args), io=streams)
            assert code is not None, f"the fast path declined {args}"
        else:
            from vtctl.cli.app import run

            patch.setattr("vtctl.cli.token.token_command", record)
            code = run(list(args), io=streams)
    return code, err.getvalue(), calls


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_fast_path_gives_the_command_what_typer_gives_it(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _run_recording(monkeypatch, "fast", args)
    typer = _run_recording(monkeypatch, "typer", args)
    assert fast == typer
    code, stderr, calls = fast
    assert calls or (code != 0 and stderr.startswith("error: "))


def test_most_of_the_corpus_reaches_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """So the comparison above is of values, not only of the same early error."""
    reached = [args for args in PLAIN if _run_recording(monkeypatch, "fast", args)[2]]
    assert len(reached) >= len(PLAIN) - 6, [a for a in PLAIN if a not in reached]


@pytest.mark.parametrize("args", NOT_PLAIN, ids=lambda a: " ".join(a) or "(nothing)")
def test_everything_else_is_left_to_typer(args: list[str]) -> None:
    assert fastrun.parse(args) is None
    assert fastrun.try_run(args) is None


def test_parse_reads_values_as_typer_converts_them() -> None:
    plan = fastrun.parse(["--debug", "refresh", "9", "-p", "demo", "--raw", "--timeout", "2.5"])
    assert plan == (
        "refresh",
        {"appointment_id": "9", "as_user": None, "json": None, "jq": None, "raw": True,
         "local": False, "profile": "demo", "store": None, "base_url": None,
         "timeout": 2.5, "ca_bundle": None},
        True,
    )


def _tree_with(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> dict[str, Any]:
    """The command tree regenerated after ``vtctl.cli.options`` is changed."""
    from tests.test_completions import gen
    from vtctl.cli import options
    from vtctl.launch import cmdtree

    for name, value in changes.items():
        monkeypatch.setattr(options, name, value)
    tree: dict[str, Any] = gen.build_tree()
    monkeypatch.setattr(cmdtree, "load_tree", lambda: tree)
    return tree


def test_an_envvar_added_to_a_declaration_gives_the_same_value_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The issue's case: ``envvar="VTCTL_AS"`` on ``--as``, regenerated: user 5 on both."""
    from typing import Annotated

    import typer

    with_envvar = Annotated[str | None, typer.Option("--as", envvar=["VTCTL_AS_X", "VTCTL_AS"])]
    _tree_with(monkeypatch, AsUser=with_envvar)
    monkeypatch.setenv("VTCTL_AS", "5")
    monkeypatch.setenv("VTCTL_AS_X", "")  # empty: not set, as click reads it
    for args in (["token", "47", "-p", "demo"], ["token", "47", "-p", "demo", "--as", "2"]):
        fast = _run_recording(monkeypatch, "fast", args)
        assert fast == _run_recording(monkeypatch, "typer", args)
        assert fast[2][0]["as_user"] == ("2" if "--as" in args else "5")


def test_what_the_generator_cannot_reproduce_is_left_to_typer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typing import Annotated

    import typer

    def shout(value: str | None) -> str | None:
        return value.upper() if value else value

    with_callback = Annotated[str | None, typer.Option("--as", callback=shout)]
    tree = _tree_with(monkeypatch, AsUser=with_callback)
    token = next(c for c in tree["root"]["commands"] if c["name"] == "token")
    assert next(p for p in token["params"] if p["name"] == "as_user")["value"] is None
    assert fastrun.parse(["token", "47"]) is None


def test_token_and_refresh_stay_fast() -> None:
    """Every parameter they declare today is reproduced (else the benchmark row is lost)."""
    for command in fastrun.FAST_COMMANDS:
        assert fastrun.parse([command, "47"]) is not None


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store.sqlite3", appointment(47), appointment(50, room=None))


@pytest.mark.parametrize(
    "args",
    [
        ["token", "999", "--as", "2"],
        ["token", "47", "--as", "9"],
        ["token", "50", "--as", "2"],
        ["token", "47"],
        ["token", "x47", "--as", "2"],
        ["token", "47", "--as", "2", "--json", "--raw"],
    ],
    ids=" ".join,
)
def test_errors_are_the_same_on_both_paths(
    args: list[str], store: Path, twilio_env: dict[str, str]
) -> None:
    from vtctl.cli.app import run

    full = [*args, "--local", "--store", str(store)]
    results = []
    for runner in (fastrun.try_run, run):
        out, err = io.StringIO(), io.StringIO()
        streams = IOStreams(out=out, err=err, stdin=io.StringIO(), force_terminal=False)
        results.append((runner(list(full), io=streams), out.getvalue(), err.getvalue()))
    assert results[0] == results[1]
    assert results[0][0] in (2, 4, 5) and results[0][2].startswith("error: ")


def test_the_executable_mints_without_importing_typer_rich_or_cryptography(
    store: Path, twilio_env: dict[str, str]
) -> None:
    """The whole point: the real entry point, a token, and none of the heavy imports."""
    args = ["token", "47", "--local", "--store", str(store), "--as", "2", "--json"]
    probe = (
        "import json, sys\n"
        "from vtctl.launch.entry import main\n"
        f"code = main({args!r})\n"
        "heavy = ['typer', 'rich', 'cryptography', 'urllib.request', 'httpx', 'keyring']\n"
        "print(json.dumps({'code': code, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    token_json, _, report = proc.stdout.rpartition("\n{\"code\"")
    assert json.loads(token_json)["room_name"] == ROOM_47
    assert json.loads('{"code"' + report) == {"code": 0, "loaded": []}


@pytest.mark.parametrize("fmt", ["--json", "--raw", "--json=room_name"])
def test_a_reader_that_leaves_early_gets_a_quiet_exit_1(fmt: str) -> None:
    """`vtctl token 47 --raw | head -c 20`: both paths (the last one is Typer's) as click does."""
    exe = Path(sys.executable).with_name("vtctl")
    proc = subprocess.Popen([str(exe), "token", "47", "--profile", "demo", fmt],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert (proc.wait(timeout=60), stderr) == (1, b"")
