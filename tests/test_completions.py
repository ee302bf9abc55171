"""Shell completion: generated files are current, and the fast path in
``vtctl.launch.fastcomplete`` answers exactly as Typer's own completion does."""

from __future__ import annotations

import contextlib
import enum
import importlib.util
import io
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vtctl.launch import fastcomplete

ROOT = Path(__file__).resolve().parent.parent
SHELL_ENV = ("COMP_WORDS", "COMP_CWORD", "_TYPER_COMPLETE_ARGS", "_TYPER_COMPLETE_FISH_ACTION")


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_completions.py"
    spec = importlib.util.spec_from_file_location("gen_completions", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return gen.render_all()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def tree(generated: dict[str, str]) -> dict[str, Any]:
    return json.loads(generated[gen.TREE_PATH])  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def cli() -> Any:
    from typer.completion import completion_init

    completion_init()
    return gen.click_command()


# -- the committed files are what the generator makes today ------------------


@pytest.mark.parametrize(
    "rel",
    ["completions/vtctl.bash", "completions/_vtctl", "completions/vtctl.fish",
     "completions/vtctl.ps1", gen.TREE_PATH],
)
def test_generated_file_is_current(rel: str, generated: dict[str, str]) -> None:
    committed = ROOT / rel
    assert committed.is_file(), f"{rel} is missing: run scripts/gen_completions.py"
    assert committed.read_text(encoding="utf-8") == generated[rel], (
        f"{rel} is out of date with the Typer app: run .venv/bin/python scripts/gen_completions.py"
    )


def test_tree_has_every_registered_command(tree: dict[str, Any], cli: Any) -> None:
    ctx = cli.make_context("vtctl", [], resilient_parsing=True)
    assert [c["name"] for c in tree["root"]["commands"]] == list(cli.list_commands(ctx))


def test_tree_ships_as_package_data() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"launch/completion_tree.json"' in text


def test_scripts_speak_the_protocol_entry_answers(generated: dict[str, str]) -> None:
    assert "_VTCTL_COMPLETE=complete_bash" in generated["completions/vtctl.bash"]
    assert generated["completions/_vtctl"].startswith("#compdef vtctl\n")
    assert "_VTCTL_COMPLETE=complete_zsh" in generated["completions/_vtctl"]
    assert "loadautofunc" in generated["completions/_vtctl"]
    assert "_VTCTL_COMPLETE=complete_fish" in generated["completions/vtctl.fish"]


# -- the fast path gives Typer's answers -------------------------------------


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in (*SHELL_ENV, *values)}
    for k in SHELL_ENV:
        os.environ.pop(k, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _request(shell: str, words: list[str], fish_action: str = "get-args") -> dict[str, str]:
    """The environment each generated script sets for ``vtctl <words...><TAB>``.

    ``words`` ends with the word being completed ("" after a space).
    """
    if shell == "bash":
        return {"COMP_WORDS": " ".join(["vtctl", *words]), "COMP_CWORD": str(len(words))}
    line = " ".join(["vtctl", *words])
    env = {"_TYPER_COMPLETE_ARGS": line}
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = fish_action
    return env


def typer_answer(cli: Any, shell: str, env: dict[str, str]) -> tuple[str, int]:
    from typer.completion import shell_complete

    out = io.StringIO()
    with _env(env), contextlib.redirect_stdout(out), gen.wide_help_text():
        try:
            status = shell_complete(
                cli, {}, "vtctl", fastcomplete.COMPLETE_VAR, f"complete_{shell}"
            )
        except SystemExit as exc:
            status = int(exc.code or 0)
    return out.getvalue(), status


def fast_answer(tree: dict[str, Any], shell: str, env: dict[str, str]) -> tuple[str, int]:
    with _env(env):
        text, status = fastcomplete.fast_complete(tree, shell)
    return ("" if text is None else text + "\n"), status


def answer(tree: dict[str, Any], cli: Any, shell: str, env: dict[str, str]) -> tuple[str, int]:
    """What ``vtctl`` prints: the fast path, or Typer where a parameter completes
    dynamically (an ``autocompletion=`` function a command may add)."""
    try:
        return fast_answer(tree, shell, env)
    except fastcomplete.Fallback:
        return typer_answer(cli, shell, env)


def _visible_leaves(node: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for cmd in node.get("commands", []):
        yield (*path, cmd["name"])
        yield from _visible_leaves(cmd, (*path, cmd["name"]))


CASES: list[list[str]] = [
    [""],
    ["t"],
    ["-"],
    ["--"],
    ["--d"],
    ["--debug", ""],
    ["--debug", "-"],
    ["nope", ""],
    ["token", ""],
    ["token", "-"],
    ["token", "--"],
    ["token", "47", "--"],
    ["token", "47", "--json", "--"],
    ["token", "47", "--profile", ""],
    ["token", "47", "--profile", "de"],
    ["token", "47", "-p", ""],
    ["token", "47", "-pdemo", "--"],
    ["token", "--profile=", ""],
    ["token", "--profile="],
    ["token", "--profile=de"],
    ["token", "--profile", "=", "de"],
    ["token", "--", "-"],
    ["token", "--bogus", "-"],
    ["token", "47", "extra", "-"],
    ["token", "-hp", ""],
    ["room", ""],
    ["room", "c"],
    ["room", "create", "-"],
    ["room", "create", "47", "--local", "--"],
    ["appointment", ""],
    ["appointment", "-"],
    ["appointment", "list", "--limit", ""],
    ["appointment", "list", "--"],
    ["appointment", "import", ""],
    ["--debug", "appointment", "show", "--json", "--"],
    ["token", "--json", "room_name", "4"],
    ["token", "--json", "room_name", "47", "--"],
    ["token", "47", "--json", ""],
    ["token", "47", "--json=room_name", "--j"],
    ["token", "47", "--jq", ""],
    ["token", "47", "--jq", ".x", "--"],
    ["appointment", "import", "--json", "data", "--"],
    ["'tok"],
    ['"token" ', "-"],
]


def _all_cases(tree: dict[str, Any]) -> list[list[str]]:
    cases = list(CASES)
    for path in _visible_leaves(tree["root"]):  # every command a colleague registers
        cases += [[*path, ""], [*path, "-"], [*path, "--"]]
    return cases


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_fast_path_matches_typer(shell: str, tree: dict[str, Any], cli: Any) -> None:
    mismatches = []
    for words in _all_cases(tree):
        env = _request(shell, words)
        fast, want = answer(tree, cli, shell, env), typer_answer(cli, shell, env)
        if fast != want:
            mismatches.append((words, fast, want))
    assert not mismatches


@pytest.mark.parametrize("words", [["token", "-"], ["token", "47", "--profile", ""], ["zzz"]])
def test_fish_is_args_matches_typer(words: list[str], tree: dict[str, Any], cli: Any) -> None:
    env = _request("fish", words, fish_action="is-args")
    assert answer(tree, cli, "fish", env) == typer_answer(cli, "fish", env)


def test_bash_examples(tree: dict[str, Any]) -> None:
    def bash(*words: str) -> list[str]:
        return fast_answer(tree, "bash", _request("bash", list(words)))[0].split()

    assert bash("tok") == ["token"]
    assert "token" in bash("") and "appointment" in bash("")
    assert bash("room", "") == ["create", "participants", "list", "end", "kick"]
    assert "--json" in bash("token", "47", "--")
    assert "--json" not in bash("token", "47", "--json", "--")  # given once already
    assert bash("token", "47", "--profile", "") == ["default", "demo"]  # names, not options


def _vocabulary(tree: dict[str, Any]) -> list[str]:
    words = {"", "-", "--", "=", "47", "demo", "x", "--profile=", "--as=2", "-pdemo", "-hx"}

    def walk(node: dict[str, Any]) -> None:
        for param in node["params"]:
            if param["kind"] == "option" and param["name"] != "version":
                words.update(param["opts"])
                words.update(param["secondary_opts"])
        for cmd in node.get("commands", []):
            words.add(cmd["name"])
            walk(cmd)

    walk(tree["root"])
    return sorted(words)


_TREE_FOR_STRATEGY = json.loads(gen.render_tree(gen.build_tree()))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(st.sampled_from(_vocabulary(_TREE_FOR_STRATEGY)), min_size=1, max_size=6),
    shell=st.sampled_from(["bash", "zsh", "fish"]),
)
def test_fast_path_matches_typer_on_any_command_line(
    words: list[str], shell: str, tree: dict[str, Any], cli: Any
) -> None:
    env = _request(shell, [shlex.quote(w) if w else w for w in words])
    assert answer(tree, cli, shell, env) == typer_answer(cli, shell, env)


def test_version_callback_does_not_leak_into_candidates(tree: dict[str, Any]) -> None:
    # Typer runs --version's callback while resolving (it prints the version as a
    # "candidate"); the fast path only parses, so candidates stay options.
    out, status = fast_answer(tree, "bash", _request("bash", ["-V", "-"]))
    assert status == 0
    assert out.splitlines() == ["--debug", "-h", "--help"]


def test_profile_names_complete_from_the_config_file(tree: dict[str, Any], cli: Any,
                                                    isolated_env: Path) -> None:
    """--profile <TAB> (and `config use`) lists profiles, in the fast path as in Typer."""
    from vtctl.config.profiles import Profile, load_config, save_config

    config = load_config()
    save_config(config.with_profile(Profile("staging", base_url="https://s.test"))
                .with_profile(Profile("prod", base_url="https://p.test")))
    for words, want in (
        (["token", "47", "--profile", ""], ["default", "demo", "prod", "staging"]),
        (["token", "47", "-p", "st"], ["staging"]),
        (["auth", "logout", "--profile=pr"], ["prod"]),
        (["config", "use", "d"], ["default", "demo"]),
        (["config", "remove-profile", "s"], ["staging"]),
    ):
        env = _request("bash", words)
        assert fast_answer(tree, "bash", env)[0].split() == want, words
        assert typer_answer(cli, "bash", env)[0].split() == want, words


def test_executable_completes_profiles_without_importing_typer(isolated_env: Path) -> None:
    from vtctl.config.profiles import Profile, load_config, save_config

    save_config(load_config().with_profile(Profile("staging", base_url="https://s.test")))
    code = (
        "import sys\n"
        "from vtctl.launch.entry import main\n"
        "status = main([])\n"
        "print('HEAVY', sorted(m for m in ('typer', 'keyring', 'rich') if m in sys.modules))\n"
        "sys.exit(status)\n"
    )
    env = {fastcomplete.COMPLETE_VAR: "complete_bash",
           **_request("bash", ["token", "47", "--profile", "s"])}
    proc = _run(env, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "staging\nHEAVY []\n"


def test_dynamic_parameters_fall_back_to_typer(tree: dict[str, Any]) -> None:
    patched = json.loads(json.dumps(tree))
    token = next(c for c in patched["root"]["commands"] if c["name"] == "token")
    argument = next(p for p in token["params"] if p["kind"] == "argument")
    argument["complete"] = {"type": "dynamic"}
    with _env(_request("bash", ["token", ""])), pytest.raises(fastcomplete.Fallback):
        fastcomplete.fast_complete(patched, "bash")


# -- the real executable ----------------------------------------------------


def _run(env: dict[str, str], code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "vtctl"]
    clean = {k: v for k, v in os.environ.items() if k not in SHELL_ENV}
    return subprocess.run(command, env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("instruction", ["bash_complete", "complete_bash"])
def test_executable_answers_without_importing_typer(instruction: str) -> None:
    code = (
        "import sys\n"
        "from vtctl.launch.entry import main\n"
        "status = main([])\n"
        "heavy = sorted(m for m in ('typer', 'rich', 'httpx', 'twilio') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(status)\n"
    )
    env = {fastcomplete.COMPLETE_VAR: instruction, **_request("bash", ["tok"])}
    proc = _run(env, code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "token\nHEAVY []\n"


def test_executable_fish_is_args_exit_status() -> None:
    base = {fastcomplete.COMPLETE_VAR: "complete_fish"}
    assert _run({**base, **_request("fish", ["token", "-"], "is-args")}).returncode == 0
    no_candidates = _request("fish", ["token", "47", "--base-url", ""], "is-args")
    assert _run({**base, **no_candidates}).returncode == 1


def test_source_instruction_prints_the_script(generated: dict[str, str]) -> None:
    proc = _run({fastcomplete.COMPLETE_VAR: "source_fish"})
    assert proc.returncode == 0
    assert proc.stdout.strip() in generated["completions/vtctl.fish"]


def test_broken_tree_falls_back_to_typer(monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    monkeypatch.setattr(fastcomplete, "load_tree", lambda: {"version": 1, "root": {"params": 3}})
    env = {fastcomplete.COMPLETE_VAR: "complete_bash", **_request("bash", ["room", ""])}
    out = io.StringIO()
    with _env(env), contextlib.redirect_stdout(out):
        status = fastcomplete.complete("bash_complete")
    room_verbs = "create\nparticipants\nlist\nend\nkick\n"
    assert (out.getvalue(), status) == typer_answer(cli, "bash", env) == (room_verbs, 0)


def test_bad_instruction_is_typers_error() -> None:
    proc = _run({fastcomplete.COMPLETE_VAR: "nonsense"})
    assert proc.returncode == 1
    assert "Invalid completion instruction" in proc.stderr


def test_generated_bash_script_completes_in_bash(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("vtctl")
    if not exe.exists():  # an install without console scripts: use a shim
        exe = tmp_path / "vtctl"
        exe.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m vtctl "$@"\n')
        exe.chmod(0o755)
    script = (
        f"source {shlex.quote(str(ROOT / 'completions' / 'vtctl.bash'))}\n"
        "COMP_WORDS=(vtctl room c); COMP_CWORD=2\n"
        f"_vtctl_completion {shlex.quote(str(exe))}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "COMP_WORDS=(vtctl token 47 --js); COMP_CWORD=3\n"
        f"_vtctl_completion {shlex.quote(str(exe))}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        "complete -p vtctl\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in SHELL_ENV}
    proc = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True,
                          env=clean, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "create", "--json", "complete -o default -F _vtctl_completion vtctl",
    ]


class Color(enum.Enum):
    red = "red"
    green = "green"


def test_the_generator_classifies_completion_by_what_typer_answers() -> None:
    from vtctl.config.profiles import complete_profile

    """Choices and files are replayed by the fast path; a completion function is not."""
    app = typer.Typer()

    @app.command()
    def paint(
        color: Color = Color.red,
        src: typer.FileText = typer.Option(None),
        who: str = typer.Option("", autocompletion=lambda: ["ann", "bob"]),
        profile: str = typer.Option("", autocompletion=complete_profile),
        plain: str = "",
    ) -> None: ...

    command = typer.main.get_command(app)
    ctx = command.make_context("paint", [], resilient_parsing=True)
    found = {p.name: gen._complete(p, ctx) for p in command.get_params(ctx)}
    assert found["color"] == {"type": "choices", "choices": ["red", "green"],
                              "case_sensitive": True}
    assert found["src"] == {"type": "file"}
    assert found["who"] == {"type": "dynamic"}
    assert found["profile"] == {"type": "profiles"}  # the fast path lists them itself
    assert found["plain"] == {"type": "none"}


def _json_commands(tree: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """Every command of the tree with ``--json``, and the field names it completes."""
    def walk(node: dict[str, Any], path: tuple[str, ...]) -> Iterator[Any]:
        for param in node["params"]:
            if param["kind"] == "option" and "--json" in param["opts"]:
                yield path, param["complete"].get("fields")
        for cmd in node.get("commands", []):
            yield from walk(cmd, (*path, cmd["name"]))

    yield from walk(tree["root"], ())


def test_json_field_names_complete_in_the_fast_path_as_in_typer(
    tree: dict[str, Any], cli: Any
) -> None:
    """``--json <TAB>`` lists the command's fields and ``a,b<TAB>`` goes on, as gh does;
    the fast path answers itself (no fallback to Typer) and as Typer would."""
    commands = dict(_json_commands(tree))
    assert ("token",) in commands and ("room", "list") in commands
    for path, fields in commands.items():
        assert fields, f"{' '.join(path)}: --json does not complete its field names"
        first, second = fields[0], fields[1] if len(fields) > 1 else fields[0]
        for words in ([*path, "--json", ""], [*path, "--json", f"{first},{second[:1]}"],
                      [*path, f"--json={first[:2]}"]):
            for shell in ("bash", "zsh", "fish"):
                env = _request(shell, words)
                assert fast_answer(tree, shell, env) == typer_answer(cli, shell, env), words
        bash = fast_answer(tree, "bash", _request("bash", [*path, "--json", ""]))[0]
        assert bash.split() == fields, path


def test_json_fields_complete_after_a_comma_without_the_chosen_ones(tree: dict[str, Any]) -> None:
    def bash(*words: str) -> list[str]:
        return fast_answer(tree, "bash", _request("bash", list(words)))[0].split()

    assert bash("token", "47", "--json", "room_name,exp") == [
        "room_name,expires_in", "room_name,expires_at"]
    assert "room_name,room_name" not in bash("token", "47", "--json", "room_name,")
    assert bash("status", "47", "--json=unk") == ["unknown_reason"]
