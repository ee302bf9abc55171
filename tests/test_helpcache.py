"""``vtctl ... --help`` from the help cache (``vtctl.launch.helpcache``): what is cached,
that a hit is what Typer prints, and that a hit does not import Typer."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vtctl.launch import helpcache

Cli = Any
Vtctl = Any

PURE = [("--help",), ("token", "--help"), ("auth", "login", "--help"), ("room", "-h")]
NOT_PURE = [
    ("mint", "--identity", "--help"),  # --help is the identity: this mints a token
    ("nosuch", "--help"),
    ("token", "47", "--help"),
    ("--debug", "--help"),
    ("--help", "token"),
    ("token", "--help", "--help"),
    ("token", "login", "--help"),  # token has no subcommands
    ("auth", "nosuch", "--help"),
]


def help_dir(home: Path) -> Path:
    return home / "cache" / "vtctl" / "help"  # conftest: XDG_CACHE_HOME=$HOME/cache


def entries(home: Path) -> list[Path]:
    directory = help_dir(home)
    return sorted(directory.iterdir()) if directory.exists() else []


def run_bytes(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed ``vtctl`` script, stdout as bytes."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("vtctl")), *args], capture_output=True,
        stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})}, timeout=60,
    )


def typer_help(cli: Cli, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """What the in-process Typer path prints (Typer writes help to sys.stdout)."""
    capsys.readouterr()
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return capsys.readouterr().out + result.stdout


# -- through the real executable -----------------------------------------------


@pytest.mark.parametrize("args", PURE, ids=" ".join)
def test_the_first_run_stores_one_entry_and_the_second_prints_it_unchanged(
    args: tuple[str, ...], cli: Cli, capsys: pytest.CaptureFixture[str], isolated_env: Path
) -> None:
    first = run_bytes(*args)
    assert first.returncode == 0, first.stderr
    assert first.stderr == b""
    assert len(entries(isolated_env)) == 1
    [entry] = entries(isolated_env)
    assert helpcache.read_entry(str(entry)) == first.stdout.decode()

    second = run_bytes(*args)
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, b"")
    assert entries(isolated_env) == [entry]  # a hit writes nothing
    assert first.stdout.decode() == typer_help(cli, capsys, *args)


def test_another_width_is_another_entry(isolated_env: Path) -> None:
    """On a terminal rich fits the help to its width (piped help is never wrapped)."""
    from tests.terminal import run_on_terminal

    def shown(columns: int) -> str:
        screen = run_on_terminal(["token", "--help"], columns=columns, env=dict(os.environ))
        assert (screen.returncode, screen.stderr) == (0, "")
        return screen.text

    wide, narrow = shown(200), shown(60)
    assert len(entries(isolated_env)) == 2
    assert wide != narrow
    assert max(map(len, narrow.splitlines())) == 60
    assert max(map(len, wide.splitlines())) == 200
    assert shown(60) == narrow
    assert shown(200) == wide
    assert len(entries(isolated_env)) == 2


@pytest.mark.parametrize("args", NOT_PURE, ids=" ".join)
def test_a_command_line_that_is_not_only_a_help_request_is_not_cached(
    args: tuple[str, ...], vtctl: Vtctl, isolated_env: Path
) -> None:
    assert not helpcache.is_help_request(list(args))
    vtctl(*args, stdin="")
    assert entries(isolated_env) == []


def test_the_minted_token_is_printed_and_never_stored(
    vtctl: Vtctl, twilio_env: dict[str, str], isolated_env: Path
) -> None:
    for _ in range(2):
        minted = vtctl("mint", "--identity", "--help", "--room", "r1", stdin="")
        assert minted.returncode == 0, minted.stderr
        assert minted.stdout.count(".") >= 2  # a JWT, not help
        assert entries(isolated_env) == []


def test_a_damaged_entry_is_rendered_again_and_replaced(vtctl: Vtctl, isolated_env: Path) -> None:
    first = vtctl("--help")
    [entry] = entries(isolated_env)
    good = entry.read_bytes()
    for damage in (b"garbage", good[:-10], good.replace(b"Usage", b"Usaje"), b""):
        entry.write_bytes(damage)
        again = vtctl("--help")
        assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")
        assert entry.read_bytes() == good


def test_an_unusable_cache_directory_still_prints_the_help(
    vtctl: Vtctl, cli: Cli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = typer_help(cli, capsys, "auth", "--help")
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    blocked = tmp_path / "blocked"
    (blocked / "vtctl").mkdir(parents=True)
    (blocked / "vtctl" / "help").write_text("a file where the directory goes")
    for cache_home in (not_a_dir, not_a_dir / "below", blocked):
        for _ in range(2):
            proc = vtctl("auth", "--help", env={"XDG_CACHE_HOME": str(cache_home)})
            assert (proc.returncode, proc.stdout, proc.stderr) == (0, expected, "")


def test_an_entry_path_that_is_a_directory_is_ignored(vtctl: Vtctl, isolated_env: Path) -> None:
    first = vtctl("--help")
    [entry] = entries(isolated_env)
    entry.unlink()
    entry.mkdir()
    again = vtctl("--help")
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")


def test_the_variable_turns_the_cache_off(vtctl: Vtctl, isolated_env: Path) -> None:
    cached = vtctl("--help")
    [entry] = entries(isolated_env)
    entry.write_bytes(helpcache.MAGIC + b" wrong\nnot the help\n")
    for value in ("1", "yes"):
        proc = vtctl("--help", env={"VTCTL_NO_HELP_CACHE": value})
        assert (proc.returncode, proc.stdout) == (0, cached.stdout)
        assert entries(isolated_env) == [entry]
        assert entry.read_bytes().endswith(b"not the help\n")  # neither read nor written
    other = vtctl("token", "--help", env={"VTCTL_NO_HELP_CACHE": "1"})
    assert other.returncode == 0
    assert entries(isolated_env) == [entry]


def test_the_cache_is_private(vtctl: Vtctl, isolated_env: Path) -> None:
    vtctl("--help")
    [entry] = entries(isolated_env)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert help_dir(isolated_env).stat().st_mode & 0o777 == 0o700
    assert help_dir(isolated_env).parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in help_dir(isolated_env).iterdir()] == [entry.name]  # no temp left


def test_a_hit_does_not_import_typer_rich_or_pathlib(vtctl: Vtctl, isolated_env: Path) -> None:
    first = vtctl("auth", "login", "--help")
    assert first.returncode == 0
    code = (
        "import sys\n"
        "from vtctl.launch.entry import main\n"
        "sys.argv = ['vtctl', 'auth', 'login', '--help']\n"
        "status = main()\n"
        "heavy = sorted(m for m in ('typer', 'rich', 'click', 'pydantic', 'platformdirs',\n"
        "                           'pathlib', 'vtctl.cli.framework.app') if m in sys.modules)\n"
        "sys.stderr.write(repr((status, heavy)))\n"
    )
    proc = subprocess.run(  # env as the fixture passes it (readline may setenv LINES in C)
        [sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL,
        env=dict(os.environ), timeout=60,
    )
    assert proc.stderr == "(0, [])"
    assert proc.stdout == first.stdout
    assert len(entries(isolated_env)) == 1


def test_a_closed_pipe_is_quiet_as_without_the_cache(isolated_env: Path) -> None:
    assert run_bytes("--help").returncode == 0  # fills the cache
    results = []
    for env in ({}, {"VTCTL_NO_HELP_CACHE": "1"}):
        read, write = os.pipe()
        os.close(read)
        try:
            proc = subprocess.run(
                [str(Path(sys.executable).with_name("vtctl")), "--help"], stdout=write,
                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env={**os.environ, **env},
                timeout=60,
            )
        finally:
            os.close(write)
        results.append((proc.returncode, proc.stderr))
    assert results[0] == results[1]
    assert results[0][1] == b""


# -- the pieces ----------------------------------------------------------------


def test_every_command_of_the_tree_is_a_help_request() -> None:
    tree = helpcache._load_tree()

    def paths(node: dict[str, Any], prefix: list[str]) -> list[list[str]]:
        found = [prefix]
        for sub in node.get("commands", []):
            found += paths(sub, [*prefix, sub["name"]])
        return found

    chains = paths(tree["root"], [])
    assert ["auth", "login"] in chains and [] in chains
    for chain in chains:
        assert helpcache.is_help_request([*chain, "--help"]), chain
        assert helpcache.is_help_request([*chain, "-h"]), chain
        assert not helpcache.is_help_request(chain)
        assert not helpcache.is_help_request([*chain, "--hel"])


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_fingerprint_sees_every_source_change(tmp_path: Path) -> None:
    _write(tmp_path / "a.py", "a = 1\n")
    _write(tmp_path / "sub" / "tree.json", "{}")
    _write(tmp_path / "sub" / "deeper" / "b.py", "")
    before = helpcache.tree_fingerprint(str(tmp_path))
    assert [path for path, _, _ in before] == ["a.py", "sub/deeper/b.py", "sub/tree.json"]
    assert helpcache.tree_fingerprint(str(tmp_path)) == before

    # bytecode, other files: no change
    _write(tmp_path / "__pycache__" / "a.cpython-311.pyc", "x")
    _write(tmp_path / "sub" / "__pycache__" / "c.py", "x")
    _write(tmp_path / "notes.txt", "x")
    assert helpcache.tree_fingerprint(str(tmp_path)) == before

    json_file = tmp_path / "sub" / "tree.json"
    stat = json_file.stat()
    os.utime(json_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    touched = helpcache.tree_fingerprint(str(tmp_path))
    assert touched != before

    deep = tmp_path / "sub" / "deeper" / "b.py"
    stat = deep.stat()
    deep.write_text("b = 2\n")  # another size, the same mtime
    os.utime(deep, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    resized = helpcache.tree_fingerprint(str(tmp_path))
    assert resized != touched

    _write(tmp_path / "sub" / "new.py", "")
    assert helpcache.tree_fingerprint(str(tmp_path)) != resized


class _Stream(io.StringIO):
    def __init__(self, tty: bool = False, encoding: str = "utf-8") -> None:
        super().__init__()
        self._tty, self._encoding = tty, encoding

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def test_the_key_changes_with_whatever_changes_the_rendering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {"PATH": "/usr/bin", "HOME": "/home/x"}
    args = ["token", "--help"]
    base = helpcache.cache_key(args, _Stream(), env)
    assert base is not None and re.fullmatch(r"[0-9a-f]{64}", base)
    assert helpcache.cache_key(list(args), _Stream(), dict(env)) == base

    keys = {base}
    variants = [
        *({**env, name: "1"} for name in helpcache.RENDER_VARIABLES),
        {**env, "VTCTL_PROFILE": "demo"},
        {**env, "COLUMNS": "80"},
    ]
    for variant in variants:
        keys.add(helpcache.cache_key(args, _Stream(), variant))  # type: ignore[arg-type]
    keys.add(helpcache.cache_key(["token", "-h"], _Stream(), env))
    keys.add(helpcache.cache_key(["--help"], _Stream(), env))
    keys.add(helpcache.cache_key(args, _Stream(tty=True), env))
    keys.add(helpcache.cache_key(args, _Stream(encoding="ascii"), env))
    assert len(keys) == 1 + len(variants) + 4

    # what does not change the rendering does not change the key
    for unrelated in ({**env, "EDITOR": "vi"}, {**env, "TWILIO_ACCOUNT_SID": "AC1"}, {}):
        assert helpcache.cache_key(args, _Stream(), unrelated) == base

    seen: list[str] = []
    real = helpcache.tree_fingerprint

    def edited(root: str) -> list[tuple[str, int, int]]:
        seen.append(root)
        return [*real(root), ("cli/token.py", 1, 1)]

    monkeypatch.setattr(helpcache, "tree_fingerprint", edited)
    assert helpcache.cache_key(args, _Stream(), env) != base
    assert seen == [str(Path(helpcache.__file__).resolve().parent.parent)]


def test_the_key_follows_where_typer_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    env: dict[str, str] = {}
    base = helpcache.cache_key(["--help"], _Stream(), env)
    typer_init = Path(__import__("typer").__file__)
    stat = typer_init.stat()
    assert helpcache._renderer_fingerprint("typer") == (
        str(typer_init.parent),
        (stat.st_ino, stat.st_mtime_ns, stat.st_size),
        (typer_init.parent.stat().st_ino, typer_init.parent.stat().st_mtime_ns),
        typer_init.parent.parent.stat().st_mtime_ns,
    )
    monkeypatch.setattr(helpcache, "RENDERERS", ("typer", "rich", "no_such_package_here"))
    assert helpcache.cache_key(["--help"], _Stream(), env) is None  # no cache then
    monkeypatch.setattr(helpcache, "RENDERERS", ("typer",))
    assert helpcache.cache_key(["--help"], _Stream(), env) not in (None, base)


#: variables Typer and rich read that do not change how help looks
NOT_RENDERING = {
    "COMP_CWORD", "COMP_WORDS", "_TYPER_COMPLETE_ARGS", "_TYPER_COMPLETE_FISH_ACTION",
    "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "_TYPER_COMPLETE_WORD_TO_COMPLETE",
    "TYPER_STANDARD_TRACEBACK", "_TYPER_STANDARD_TRACEBACK",  # tracebacks
    "PYDANTIC_DISABLE_PLUGINS",  # set by Typer itself
    "XDG_CONFIG_HOME",  # click.get_app_dir
}


def test_every_variable_typer_and_rich_read_is_in_the_key() -> None:
    import rich
    import typer

    read = re.compile(r"""(?:getenv|environ\.get|environ\[)\(?\s*["']([A-Za-z_]\w*)["']""")
    found: set[str] = set()
    for package in (typer, rich):
        for source in Path(package.__file__).parent.rglob("*.py"):
            found.update(read.findall(source.read_text(encoding="utf-8")))
    assert {"COLUMNS", "TERMINAL_WIDTH", "TYPER_USE_RICH"} <= found  # the scan works
    assert found - NOT_RENDERING <= set(helpcache.RENDER_VARIABLES)


def test_the_directory_is_platformdirs_user_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    for value in (str(tmp_path / "xdg"), None, "relative/cache", ""):
        if value is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", value)
        expected = platformdirs.user_cache_path("vtctl") / "help"
        assert helpcache.cache_dir() == str(expected), value


# -- a miss, in process ----------------------------------------------------------


def test_a_miss_stores_only_a_clean_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import vtctl.cli.framework.app

    real_stdout = sys.stdout
    outcomes: list[tuple[bool, str, str | None]] = []

    def fake_main(stderr: str = "", status: int = 0, stdout: str = "Usage: x\n") -> Any:
        def main(argv: list[str]) -> int:
            # the stand-in is the real stream for everything but write
            outcomes.append((sys.stdout.isatty(), sys.stdout.encoding, sys.stdout.errors))
            assert helpcache.cache_dir() is not None
            assert helpcache.cached_help(argv) is None  # no recursion
            sys.stdout.write(stdout)
            sys.stderr.write(stderr)
            return status

        return main

    cases = [
        ("clean", fake_main(), True),
        ("warned", fake_main(stderr="DeprecationWarning\n"), False),
        ("failed", fake_main(status=2), False),
        ("silent", fake_main(stdout=""), False),
    ]
    for name, main, stored in cases:
        monkeypatch.setattr(vtctl.cli.framework.app, "run", main)
        path = tmp_path / name / "vtctl" / "help" / "key"
        helpcache._render_and_store(["--help"], str(path))
        assert path.exists() is stored, name
        assert sys.stdout is real_stdout
    assert helpcache.read_entry(str(tmp_path / "clean" / "vtctl" / "help" / "key")) == "Usage: x\n"
    assert set(outcomes) == {(real_stdout.isatty(), real_stdout.encoding, real_stdout.errors)}


def test_old_entries_are_pruned(tmp_path: Path) -> None:
    directory = tmp_path / "vtctl" / "help"
    directory.mkdir(parents=True)
    for i in range(helpcache.MAX_ENTRIES):
        old = directory / f"old{i:03}"
        old.write_bytes(b"x")
        os.utime(old, ns=(i, i))
    helpcache.write_entry(str(directory / "new"), "text\n")
    left = sorted(p.name for p in directory.iterdir())
    assert len(left) == helpcache.MAX_ENTRIES // 2
    assert "new" in left and "old000" not in left
    assert helpcache.read_entry(str(directory / "new")) == "text\n"
