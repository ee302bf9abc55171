"""Issue 19 rule 5, over the real click tree: no flag is silently ignored.

A flag that does not apply to the backend in use is exit 2 with one line saying
why and what to do. Each data command (``with_backend_flags``) declares what it
reaches on each backend and each flag where it applies (``config.settings.Applies``);
this walks every leaf command and runs each such flag on a backend that would
ignore it, and each local-only command on the remote backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli_tree import leaves
from tests.serve_fixtures import RunningServer
from vtctl.cli.framework.backend_flags import BackendUse

Cli = Callable[..., Any]

#: a value for each flag that applies only somewhere (a new one gets a row)
VALUES = {"--as": "5", "--store": "/nonexistent/store.sqlite3",
          "--base-url": "http://127.0.0.1:9", "--timeout": "5", "--ca-bundle": "/nonexistent.pem"}
BACKEND_ARGS = {"remote": [], "local": ["--local"]}


def positional(command: Any) -> list[str]:
    """Words for the command's arguments (an appointment/ROOM id, an identity)."""
    return ["2" if p.name == "identity" else "47"
            for p in command.params if p.param_type_name == "argument"]


DATA_COMMANDS: dict[tuple[str, ...], tuple[Any, BackendUse]] = {
    path: (command, command.callback.backend_use)
    for path, command in leaves() if hasattr(command.callback, "backend_use")
}
FLAG_CASES = [
    (path, option, backend)
    for path, (_, use) in DATA_COMMANDS.items()
    for option, applies in use.flags.values()
    for backend in ("remote", "local")
    if use.reached(backend) is not None  # type: ignore[arg-type]
    and not set(applies.reaches) & set(use.reached(backend) or ())  # type: ignore[arg-type]
]
#: the same flag on the other backend, where the command runs and the flag applies
APPLY_CASES = [(path, option, "local" if backend == "remote" else "remote")
               for path, option, backend in FLAG_CASES
               if DATA_COMMANDS[path][1].reached("local" if backend == "remote" else "remote")
               is not None]
#: every flag the demo profile's runs would ignore: its Twilio credentials are fake, so
#: nothing it runs asks Twilio (``--timeout`` there bounds no request)
DEMO_CASES = [
    (path, option)
    for path, (_, use) in DATA_COMMANDS.items()
    for option, applies in use.flags.values()
    if use.reached("local", demo=True) is not None
    and not set(applies.reaches) & set(use.reached("local", demo=True) or ())
]
LOCAL_ONLY = [path for path, (_, use) in DATA_COMMANDS.items() if use.remote is None]


def _one_line_error(result: Any) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return str(lines[0])


def test_every_command_taking_local_declares_where_it_runs() -> None:
    takes_local = {path for path, command in leaves()
                   if any("--local" in getattr(p, "opts", ()) for p in command.params)}
    assert takes_local and takes_local <= set(DATA_COMMANDS), (
        "a command with the backend flags gets them from with_backend_flags")
    assert {("token",), ("refresh",), ("status",)} <= set(DATA_COMMANDS)


def test_the_walk_finds_the_flags_of_the_issue() -> None:
    cases = {(" ".join(path), option, backend) for path, option, backend in FLAG_CASES}
    assert ("token", "--as", "remote") in cases
    assert ("token", "--store", "remote") in cases
    assert ("token", "--base-url", "local") in cases and ("token", "--timeout", "local") in cases
    assert ("status", "--timeout", "local") not in cases  # local status asks Twilio
    assert {("room", "list"), ("room", "end"), ("room", "kick")} <= set(LOCAL_ONLY)


@pytest.mark.parametrize(("path", "option", "backend"), FLAG_CASES,
                         ids=[f"{' '.join(p)} {o} {b}" for p, o, b in FLAG_CASES])
def test_a_flag_the_backend_would_ignore_is_exit_2_in_one_line(
    cli: Cli, path: tuple[str, ...], option: str, backend: str
) -> None:
    command, _ = DATA_COMMANDS[path]
    args = [*path, *positional(command), *BACKEND_ARGS[backend], option, VALUES[option]]
    line = _one_line_error(cli(*args, *_yes(command)))
    assert f"{option} is for" in line and f"{backend} backend" in line
    assert "add --local" in line or f"leave out {option}" in line  # what to do


def test_timeout_help_names_everything_it_bounds() -> None:
    """It said "Remote request timeout", though it bounds Twilio requests as well."""
    helps = {param.help for path, command in leaves() for param in command.params
             if "--timeout" in getattr(param, "opts", ())}
    assert helps and all("the remote API or Twilio" in str(h) for h in helps), helps


def test_the_walk_finds_the_demo_cases_of_the_review() -> None:
    cases = {(" ".join(path), option) for path, option in DEMO_CASES}
    assert {("status", "--timeout"), ("room participants", "--timeout"),
            ("token", "--timeout"), ("token", "--base-url")} <= cases
    assert ("status", "--as") not in cases  # the demo store answers it


@pytest.mark.parametrize("args", [("status", "47"), ("room", "participants", "47")])
def test_timeout_on_the_demo_profile_is_exit_2_not_ignored(cli: Cli, args: tuple[str, ...]
                                                           ) -> None:
    """The review's cases: both were exit 0, the room state "unknown", Twilio never asked."""
    line = _one_line_error(cli(*args, "--profile", "demo", "--timeout", "5"))
    assert "--timeout: the demo profile sends no request" in line
    assert cli(*args, "--profile", "demo").exit_code == 0  # without it the run is as before


@pytest.mark.parametrize(("path", "option"), DEMO_CASES,
                         ids=[f"{' '.join(p)} {o}" for p, o in DEMO_CASES])
def test_a_flag_the_demo_profile_would_ignore_is_exit_2_in_one_line(
    cli: Cli, path: tuple[str, ...], option: str
) -> None:
    """`vtctl status 47 --profile demo --timeout 5` was exit 0: Twilio is never asked."""
    command, use = DATA_COMMANDS[path]
    args = [*path, *positional(command), "--profile", "demo", option, VALUES[option]]
    line = _one_line_error(cli(*args, *_yes(command)))
    assert f"leave out {option}" in line
    applies = next(a for o, a in use.flags.values() if o == option)
    if set(applies.reaches) & set(use.reached("local") or ()):  # Twilio, but for the demo
        assert f"{option}: the demo profile sends no request" in line
    else:
        assert f"{option} is for" in line and "set by profile 'demo'" in line


#: every command that takes --store, data command or not (``appointment``, ``audit``,
#: ``serve`` resolve their settings without ``with_backend_flags``)
STORE_COMMANDS = [(path, command) for path, command in leaves()
                  if any("--store" in getattr(p, "opts", ()) for p in command.params)]


def test_the_walk_finds_every_command_taking_store() -> None:
    found = {" ".join(path) for path, _ in STORE_COMMANDS}
    assert {"token", "status", "serve", "appointment import", "appointment list",
            "audit verify", "room end"} <= found


@pytest.mark.parametrize(("path", "command"), STORE_COMMANDS,
                         ids=[" ".join(p) for p, _ in STORE_COMMANDS])
def test_store_on_the_demo_profile_is_exit_2_and_creates_nothing(
    cli: Cli, tmp_path: Path, path: tuple[str, ...], command: Any
) -> None:
    """`vtctl token 47 --profile demo --store /tmp/x.sqlite3` made and seeded that file
    (a command that only reads never creates a store): the demo keeps its own store."""
    store = tmp_path / "folder" / "x.sqlite3"
    required = [word for p in command.params if p.required and p.param_type_name == "option"
                for word in (p.opts[0], "2")]  # appointment add's --patient, --psychologist
    # a serve that got past the check fails at once (a bad port), rather than serve
    stop = ["--port", "70000"] if path == ("serve",) else []
    args = [*path, *positional(command), *required, *stop, "--profile", "demo",
            "--store", str(store)]
    line = _one_line_error(cli(*args, *_yes(command)))
    assert "--store: the demo profile keeps its own store" in line
    assert "leave out --store" in line
    assert not (tmp_path / "folder").exists()


@pytest.mark.parametrize(("path", "option", "backend"), APPLY_CASES,
                         ids=[f"{' '.join(p)} {o} {b}" for p, o, b in APPLY_CASES])
def test_the_same_flag_is_taken_where_it_applies(cli: Cli, path: tuple[str, ...], option: str,
                                                 backend: str) -> None:
    """The check refuses only where the flag would be ignored (the run may fail later
    for want of a server or a store, never with this check's message)."""
    command, _ = DATA_COMMANDS[path]
    args = [*path, *positional(command), *BACKEND_ARGS[backend], option, VALUES[option]]
    result = cli(*args, *_yes(command))
    assert f"{option} is for" not in result.stderr


@pytest.mark.parametrize("path", LOCAL_ONLY, ids=" ".join)
def test_a_local_only_command_on_the_remote_backend_is_exit_2_in_one_line(
    cli: Cli, path: tuple[str, ...]
) -> None:
    command, _ = DATA_COMMANDS[path]
    line = _one_line_error(cli(*path, *positional(command), *_yes(command)))
    assert "runs on the local backend only" in line and "add --local" in line


def _yes(command: Any) -> list[str]:
    """``--yes`` for a command that asks (so the run gets as far as it can without a tty)."""
    opts = {opt for p in command.params for opt in getattr(p, "opts", ())}
    return ["--yes"] if "--yes" in opts else []


# -- the case the issue found, against a real `vtctl serve` ---------------------------


@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "127.0.0.1")
def test_token_as_another_user_remotely_is_refused_not_the_callers_token(
    cli: Cli, serve_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`vtctl token 47 --as 5` on the remote backend printed the logged-in user's token
    with exit 0: an engineer could hand the wrong person's token on."""
    monkeypatch.setenv("VTCTL_JWT", serve_server.jwt(2))  # logged in as the patient
    mine = cli("token", "47", "--base-url", serve_server.url, "--json")
    assert mine.exit_code == 0, mine.stderr
    assert json.loads(mine.stdout)["user_identity"] == "2-jane.doe@example.com"
    result = cli("token", "47", "--as", "5", "--base-url", serve_server.url, "--json")
    line = _one_line_error(result)
    assert "--as is for the local engine" in line and "add --local" in line


def test_the_line_says_what_chose_the_backend(cli: Cli, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    demo = _one_line_error(cli("token", "47", "--profile", "demo", "--base-url",
                               "http://127.0.0.1:9"))
    assert "set by profile 'demo'" in demo and "choose a remote profile" in demo
    monkeypatch.setenv("VTCTL_BACKEND", "local")
    env = _one_line_error(cli("token", "47", "--timeout", "5"))
    assert "set by VTCTL_BACKEND=local" in env and "unset VTCTL_BACKEND" in env


# -- flags another flag makes pointless -----------------------------------------------


@pytest.mark.parametrize(("args", "flag"), [
    (("serve", "--issue-jwt", "2", "--port", "8001"), "--port"),
    (("serve", "--issue-jwt", "2", "--dev-login"), "--dev-login"),
    (("serve", "--issue-jwt", "2", "--max-connections", "5"), "--max-connections"),
    (("serve", "--jwt-minutes", "5"), "--jwt-minutes"),
    (("appointment", "list", "--all", "--limit", "3"), "--limit"),
    (("auth", "login", "--with-token", "--timeout", "5"), "--timeout"),
    (("auth", "login", "--with-token", "--ca-bundle", "/x.pem"), "--ca-bundle"),
])
def test_a_flag_another_flag_makes_pointless_is_exit_2(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], flag: str
) -> None:
    monkeypatch.setenv("VTCTL_SERVE_SECRET", "s" * 40)
    line = _one_line_error(cli(*args, "--profile", "demo", stdin="x.y.z\n"))
    assert line.startswith(f"error: {flag} ") and f"leave out {flag}" in line


def test_those_flags_still_work_where_they_apply(cli: Cli, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.setenv("VTCTL_SERVE_SECRET", "s" * 40)
    issued = cli("serve", "--issue-jwt", "2", "--jwt-minutes", "5", "--profile", "demo")
    assert issued.exit_code == 0, issued.stderr
    assert issued.stdout.count(".") == 2  # a JWT
    listed = cli("appointment", "list", "--limit", "1", "--profile", "demo", "--json")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 1
