"""The output rules of the README ("Output and exit codes"), held by EVERY command.

The commands are the leaves of the real click tree, not a list kept by hand; each one
needs an entry in ``INVOCATIONS`` (a new command fails ``test_every_command_has_an
_invocation`` until it gets one).  Each entry runs the real executable on fixture data:
a store imported from examples/appointments.json with tokens minted into its audit
trail, the built-in demo profile, profiles logged in to a real ``vtctl serve``, and a
stand-in for Twilio's Video API on 127.0.0.1 (``tests/twilio_server.py``).  Every run
gets its own copy of that home directory, so commands that change things (``room end``,
``config set``, ``auth logout``...) print the same each time.  Where a command takes an
identifier, or lists stored ones, the walk gives it one wider than the narrowest terminal
(``LONG_IDENTITY``, ``LONG_ROOM``, appointment 50): a short one fits anywhere and proves
nothing about splitting.

For each invocation:
- piped (stdout not a terminal), ``COLUMNS=40`` and ``COLUMNS=300`` print the same
  lines, with no box-drawing character on stdout or stderr;
- on a real pseudo-terminal of 50, 80 and 120 columns, every identifier the pipe shows
  (room names, emails and identities, SIDs, JTIs, tokens) is either whole on one line or
  not shown at all (a dropped column), never split or cut; no column is zero-width; a
  line wider than the terminal is only plain text the pipe prints too (a script, a
  token), which the terminal wraps as one line;
- a command to paste (``vtctl ...``: an action, a hint in a detail, between backticks or
  as a whole field of the pipe) is whole on one line of the screen, at every width, or not
  shown: a copy that spans two lines puts a newline in the shell, which runs its first
  half (``vtctl room kick 106`` without whom to kick);
- piped, no field of a tab-separated line is empty (a missing value is ``-``);
- ``--json`` (where the command has it) prints one JSON document.

Where a command suggests commands to paste (``sessions``, ``diagnose``), the walk gives it
an appointment that needs one (51: starts in three hours, no room yet): the action
``vtctl room create 51 --local --store PATH`` is wider than the narrowest terminal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.cli_tree import leaves
from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.serve_fixtures import SERVE_SECRET, RunningServer, clean_env, vtctl_command
from tests.terminal import run_on_terminal
from tests.twilio_server import fake_twilio

ROOT = Path(__file__).resolve().parent.parent
ROOM_47 = "apt-47-1763138954-46eb915c"
#: identifiers wider than the narrowest terminal less a block's indent: where a command
#: takes an identifier, or lists stored ones, the walk gives it these (a short one fits
#: anywhere and proves nothing)
LONG_IDENTITY = "support-agent-with-a-very-long-identity@example.com"
LONG_ROOM = "apt-50-1763400000-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
#: as long as a stored room name gets for appointment 50 (the store takes only
#: ``apt-ID-SECONDS-8HEX``)
LONG_STORED_ROOM = "apt-50-1763400000000000000-0a1b2c3d"
#: a user and an appointment with long identifiers, imported beside the examples
LONG_DATA = {
    "users": [{"id": 11, "email": LONG_IDENTITY, "name": "Support Agent",
               "role": "psychologist"}],
    "appointments": [{"id": 50, "patient_id": 2, "psychologist_id": 11,
                      "duration_minutes": 30, "starts_at": "2025-11-18T09:00:00Z",
                      "video_room_id": LONG_STORED_ROOM}],
}
TERMINAL_WIDTHS = (50, 80, 120)
PIPE_COLUMNS = ("40", "300")
BOX = re.compile(r"[─━│┃┏┓┗┛┌┐└┘╭╮╰╯├┤┬┴┼╇╈┡┩]")
#: a zero-width column in a boxed table: two rules with only its padding between them
ZERO_WIDTH = re.compile(r"[│┃|]\s{0,2}[│┃|]")
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
TOKEN_START = re.compile(r"(?<![\w.-])eyJ")
#: what may follow a piece of an identifier cut at the end of a line
END_OF_LINE = re.compile(r"[\s│┃|…)]+$")
#: the shortest piece of an identifier that counts as one
FRAGMENT = 6
#: what never changes from one run to the next (a token is minted anew: see ``JWT``)
IDENTIFIERS = re.compile(
    r"SK[0-9a-f]{32}-\d+"                               # a JTI
    r"|\b(?:RM|PA|SK|AC|MT)[0-9a-fA-F]{32}\b"            # a Twilio SID
    r"|\bapt-\d+-\d+-[0-9a-f]+\b"                       # a room name
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                    # an email or identity
)
#: what changes from one run to the next: masked before comparing two runs
VOLATILE = (
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+"), "<JWT>"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?Z?"), "<TIME>"),
    (re.compile(r"-\d{10}\b"), "-<EPOCH>"),
    (re.compile(r"\b\d+ (d|h|min|s)\b"), "<N \\1>"),
    # minutes in session so far, "(12 / 60 min)": a minute may turn between two runs
    (re.compile(r"\(\d+ / "), "(<N> / "),
    (re.compile(r"vtctl-[\w-]+|/tmp/\S+|/pytest-of-\S+"), "<PATH>"),
)


@dataclass(frozen=True)
class Run:
    """One invocation: ``{store}``, ``{url}``, ``{home}`` are filled in per run."""

    args: tuple[str, ...]
    #: what goes to stdin: a key of ``World.stdin`` (a token, a JWT, a secret)
    stdin: str | None = None
    codes: frozenset[int] = frozenset({0})
    #: Twilio credentials and the stand-in's URL (Video and Insights) in the environment
    twilio: bool = False
    env: dict[str, str] = field(default_factory=dict)


def run(*args: str, **kwargs: Any) -> Run:
    return Run(tuple(args), **kwargs)


LOCAL = ("--local", "--store", "{store}")
TWILIO = {"twilio": True}

#: every leaf command -> how to run it on the fixture data (one run or several)
INVOCATIONS: dict[str, tuple[Run, ...]] = {
    "token": (run("token", "47", *LOCAL, "--as", "2", **TWILIO),
              run("token", "47", "--profile", "demo")),
    "refresh": (run("refresh", "47", *LOCAL, "--as", "5", **TWILIO),),
    "inspect": (run("inspect", "-", stdin="token", **TWILIO),),
    "mint": (run("mint", "--identity", LONG_IDENTITY, "--room", LONG_ROOM, "--ttl", "900",
                 **TWILIO),),
    "serve": (run("serve", "--issue-jwt", "2", "--store", "{store}",
                  env={"VTCTL_SERVE_SECRET": SERVE_SECRET}),),
    "smoke": (run("smoke", "47", "49", "--base-url", "{url}", "--patient-jwt-env", "JWT_2",
                  "--psychologist-jwt-env", "JWT_5", "--outsider-jwt-env", "JWT_9"),),
    "status": (run("status", "47", *LOCAL, **TWILIO), run("status", "47", "--profile", "demo")),
    "diagnose": (run("diagnose", "47", *LOCAL, codes=frozenset({0, 8}), **TWILIO),
                 run("diagnose", "51", *LOCAL, codes=frozenset({8}), **TWILIO),
                 run("diagnose", "47", "--profile", "demo", codes=frozenset({0, 3, 6, 7, 8}))),
    "history": (run("history", "47", *LOCAL, **TWILIO),),
    "sessions": (run("sessions", "--from", "2025-11-16T08:00:00Z", "--to", "2025-11-17T12:00:00Z",
                     *LOCAL, **TWILIO),
                 run("sessions", "--from", "now", "--to", "+6h", *LOCAL, **TWILIO)),
    "completion": (run("completion", "bash"),),
    "room create": (run("room", "create", "47", *LOCAL),),
    "room participants": (run("room", "participants", "47", "--all", *LOCAL, **TWILIO),),
    "room list": (run("room", "list", *LOCAL, **TWILIO),),
    "room end": (run("room", "end", "47", "--yes", *LOCAL, **TWILIO),),
    "room kick": (run("room", "kick", "47", "2", "--yes", *LOCAL, **TWILIO),),
    "appointment show": (run("appointment", "show", "47", *LOCAL),
                         run("appointment", "show", "50", *LOCAL)),
    "appointment list": (run("appointment", "list", "--store", "{store}"),
                         run("appointment", "list", "--profile", "demo")),
    "appointment export": (run("appointment", "export", "--store", "{store}"),),
    "appointment add": (run("appointment", "add", "--patient", "2", "--psychologist",
                            LONG_IDENTITY, "--starts-at", "2025-11-20T09:00:00Z",
                            "--store", "{store}"),),
    "appointment import": (run("appointment", "import", "{home}/appointments.json",
                               "--store", "{store}"),),
    "appointment pull": (run("appointment", "pull", "47", "49", "--base-url", "{url}",
                             "--store", "{store}", env={"VTCTL_PROFILE": "jane"}),),
    "audit list": (run("audit", "list", "--store", "{store}"),),
    "audit verify": (run("audit", "verify", "--store", "{store}"),),
    "audit head": (run("audit", "head", "--store", "{store}"),),
    "auth login": (run("auth", "login", "--with-token", "--profile", "olly",
                       "--base-url", "{url}", stdin="jwt_9"),),
    "auth status": (run("auth", "status"),),
    "auth token": (run("auth", "token"),),
    "auth logout": (run("auth", "logout", "--profile", "sarah"),),
    "auth twilio": (run("auth", "twilio", "--account-sid", TEST_ACCOUNT_SID,
                        "--api-key", TEST_API_KEY, "--profile", "jane", stdin="secret"),),
    "config path": (run("config", "path"),),
    "config show": (run("config", "show"),),
    "config set": (run("config", "set", "as_user", "2", "--profile", "jane"),),
    "config unset": (run("config", "unset", "base_url", "--profile", "sarah"),),
    "config use": (run("config", "use", "sarah"),),
    "config remove-profile": (run("config", "remove-profile", "sarah"),),
    "help environment": (run("help", "environment"),),
    "help exit-codes": (run("help", "exit-codes"),),
    "help man": (run("help", "man", "token"),),
}

#: commands that cannot satisfy a rule, and why (keep this short)
EXCEPTIONS: dict[str, str] = {}


def leaf_commands() -> list[str]:
    """Every leaf of the real command tree, as ``group verb`` paths."""
    return [" ".join(path) for path, _ in leaves()]


def has_json_flag(path: str) -> bool:
    from vtctl.cli.framework.app import build_app

    command: Any = typer.main.get_command(build_app())
    for name in path.split():
        command = command.commands[name]
    return any("--json" in getattr(p, "opts", ()) for p in command.params)


LEAVES = leaf_commands()


def test_every_command_has_an_invocation() -> None:
    missing = [path for path in LEAVES if path not in INVOCATIONS]
    assert not missing, (
        f"new command(s) {missing}: add how to run them on the fixture data to INVOCATIONS "
        "so the output rules are checked for them too"
    )
    assert not set(INVOCATIONS) - set(LEAVES), "INVOCATIONS names a command that is gone"


# -- the fixture world ----------------------------------------------------------------------


@dataclass
class World:
    template: Path
    url: str  # the real `vtctl serve`
    twilio_url: str  # the stand-in for Twilio's Video API
    stdin: dict[str, str]
    jwts: dict[str, str]

    def home(self, tmp_path: Path) -> Path:
        home = tmp_path / "home"
        shutil.copytree(self.template, home, symlinks=True)
        return home

    def env(self, home: Path, invocation: Run) -> dict[str, str]:
        # no pager: nobody is there to page (`help man` runs man(1) on a terminal)
        env = clean_env(home, XDG_STATE_HOME=str(home / "state"), NO_COLOR="1",
                        VTCTL_NO_HELP_CACHE="1", MANPAGER="cat", PAGER="cat", **self.jwts,
                        **invocation.env)
        if invocation.twilio:
            env.update(TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID, TWILIO_API_KEY=TEST_API_KEY,
                       TWILIO_API_SECRET=TEST_API_SECRET, VTCTL_TWILIO_API_URL=self.twilio_url,
                       VTCTL_TWILIO_INSIGHTS_URL=self.twilio_url)
        return env

    def args(self, home: Path, invocation: Run) -> list[str]:
        values = {"store": str(home / "store.sqlite3"), "url": self.url, "home": str(home)}
        return [arg.format(**values) for arg in invocation.args]


def _setup(home: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([*vtctl_command(), *args], input=stdin, capture_output=True,
                            text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, serve_server: RunningServer
          ) -> Iterator[World]:
    home = tmp_path_factory.mktemp("output") / "home"
    home.mkdir()
    with fake_twilio() as twilio_url:
        twilio = {"TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID, "TWILIO_API_KEY": TEST_API_KEY,
                  "TWILIO_API_SECRET": TEST_API_SECRET, "VTCTL_TWILIO_API_URL": twilio_url}
        env = clean_env(home, XDG_STATE_HOME=str(home / "state"), **twilio)
        store = str(home / "store.sqlite3")
        shutil.copy(ROOT / "examples" / "appointments.json", home / "appointments.json")
        (home / "long.json").write_text(json.dumps(LONG_DATA))
        (home / "soon.json").write_text(json.dumps(soon()))
        for source in ("appointments.json", "long.json", "soon.json"):
            _setup(home, env, "appointment", "import", str(home / source), "--store", store)
        # the audit trail: tokens for both users of 47, one of 49, one with long identifiers
        for args in (("token", "47", "--as", "2"), ("refresh", "47", "--as", "5"),
                     ("token", "49", "--as", "jane.doe@example.com"),
                     ("token", "50", "--as", LONG_IDENTITY)):
            _setup(home, env, *args, "--local", "--store", store)
        token = _setup(home, env, "token", "47", "--local", "--store", store, "--as", "2",
                       "--raw").strip()
        jwts = {f"JWT_{user}": serve_server.jwt(user) for user in (2, 5, 9)}
        for profile, user in (("jane", 2), ("sarah", 5)):
            _setup(home, env, "auth", "login", "--with-token", "--profile", profile,
                   "--base-url", serve_server.url, stdin=jwts[f"JWT_{user}"])
        _setup(home, env, "config", "use", "jane")
        yield World(home, serve_server.url, twilio_url,
                    {"token": token, "jwt_9": jwts["JWT_9"], "secret": TEST_API_SECRET},
                    jwts)


def soon() -> dict[str, Any]:
    """Appointment 51: in three hours (made when the fixture runs: hours of margin), no
    room yet, so ``sessions`` and ``diagnose`` suggest the command that creates it."""
    starts = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"users": LONG_DATA["users"],
            "appointments": [{"id": 51, "patient_id": 2, "psychologist_id": 11,
                              "duration_minutes": 50, "starts_at": starts}]}


# -- the checks --------------------------------------------------------------------------


def _masked(text: str) -> list[str]:
    for pattern, placeholder in VOLATILE:
        text = pattern.sub(placeholder, text)
    return text.splitlines()


def _piped(world: World, invocation: Run, tmp_path: Path, columns: str,
           extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    home = world.home(tmp_path / f"pipe-{columns}-{len(extra)}")
    env = {**world.env(home, invocation), "COLUMNS": columns}
    stdin = world.stdin[invocation.stdin] if invocation.stdin else None
    return subprocess.run([*vtctl_command(), *world.args(home, invocation), *extra],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60,
                          check=False)


def identifiers(text: str) -> set[str]:
    return set(IDENTIFIERS.findall(text))


def check_identifiers(shown: str, screen_lines: list[str], width: int) -> list[str]:
    """What is wrong on the screen with the identifiers the pipe shows (empty: nothing).

    A token is minted anew by each run: the screen must show as many whole ones as the
    pipe, and no piece of one.
    """
    problems = []
    screen = "\n".join(screen_lines)
    tokens = len(JWT.findall(shown))
    if sum(len(JWT.findall(line)) for line in screen_lines) != tokens or (
            len(TOKEN_START.findall(screen)) > tokens):
        problems.append(f"a token split or cut at {width} columns")
    ends = [END_OF_LINE.sub("", line) for line in screen_lines]
    for identifier in sorted(identifiers(shown)):
        if any(identifier in line for line in screen_lines):
            continue
        if any(end.endswith(identifier[:size]) for end in ends
               for size in range(FRAGMENT, len(identifier))):
            problems.append(f"{identifier} split or cut at {width} columns")
    return problems


#: every command path of the real tree (``room kick``), longest first
COMMAND_PATHS = sorted((" ".join(path) for path, _ in leaves()), key=len, reverse=True)
#: a command to paste: between backticks, or a whole field of a piped line
PASTED = re.compile(r"`(vtctl [^`\n]+)`|(?:^|\t)(vtctl [^\t\n]+)", re.MULTILINE)
#: where a command's piece on a screen line ends: a backtick, a column gap, a rule
PIECE_END = re.compile(r"`|\s{2,}|[│┃|]")


def pasteable(piped: str) -> set[str]:
    """The commands to paste a pipe's lines show (``vtctl`` and a command of the tree:
    not prose that starts with the word, as ``vtctl minted no token``)."""
    found = {first or second for first, second in PASTED.findall(piped)}
    return {command.strip() for command in found
            if any(f"{command} ".startswith(f"vtctl {path} ") for path in COMMAND_PATHS)}


def check_commands(piped: str, screen_lines: list[str], width: int) -> list[str]:
    """A command to paste the pipe shows is whole on one screen line, or not shown: no
    screen line shows only its start (what a copy of two lines would run)."""
    problems = []
    commands = pasteable(piped)
    for command in sorted(commands):
        for line in screen_lines:
            for start in (m.start() for m in re.finditer(r"vtctl \S", line)):
                piece = PIECE_END.split(line[start:])[0].rstrip()
                if piece not in commands and command.startswith(piece):
                    problems.append(f"`{command}` split at {width} columns: {line!r}")
    return problems


def check_piped_fields(piped: str) -> list[str]:
    """No field of a tab-separated line is empty: a missing value is ``-`` everywhere."""
    return [f"an empty field in a piped line: {line!r}" for line in piped.splitlines()
            if "\t" in line and "" in line.split("\t")]


def check_columns(screen_lines: list[str], width: int) -> list[str]:
    """A zero-width column: rules with nothing between them, or a header standing on end."""
    problems = [f"zero-width column at {width}: {line!r}" for line in screen_lines
                if ZERO_WIDTH.search(line)]
    # a column too narrow for its header prints it one or two letters a line
    narrow = 0
    for line in screen_lines:
        cells = line.split()
        narrow = narrow + 1 if cells and all(len(c) <= 2 for c in cells) and len(cells) > 1 else 0
        if narrow >= 3:
            problems.append(f"text standing on end at {width} columns")
            break
    return problems


def check_line_widths(piped: str, screen_lines: list[str], width: int) -> list[str]:
    """A line wider than the terminal is only plain text the pipe prints too."""
    lines = _masked(piped)
    plain = {text.strip() for line in lines for text in (line, *line.split("\t"))}
    return [f"line of {len(line)} > {width} columns laid out: {line[:60]!r}..."
            for line in (line.rstrip() for line in screen_lines)
            if len(line) > width and _masked(line.strip())[0] not in plain]


@pytest.mark.parametrize("path", [p for p in LEAVES if p in INVOCATIONS])
def test_output_rules(path: str, world: World, tmp_path: Path) -> None:
    if path in EXCEPTIONS:
        pytest.xfail(EXCEPTIONS[path])
    for number, invocation in enumerate(INVOCATIONS[path]):
        where = tmp_path / str(number)
        narrow, wide = (_piped(world, invocation, where, columns) for columns in PIPE_COLUMNS)
        for result in (narrow, wide):
            assert result.returncode in invocation.codes, (invocation.args, result.stderr)
            assert not BOX.search(result.stdout + result.stderr), (
                f"box characters in a pipe: {invocation.args}\n{result.stdout}{result.stderr}")
        assert _masked(narrow.stdout) == _masked(wide.stdout), (
            f"piped output depends on COLUMNS: {invocation.args}\n{narrow.stdout}\n{wide.stdout}")
        assert not check_piped_fields(wide.stdout), check_piped_fields(wide.stdout)
        # each run has a home of its own: the commands name its store
        piped_home = str(where / "pipe-300-0" / "home")

        problems: list[str] = []
        for width in TERMINAL_WIDTHS:
            home = world.home(where / f"tty-{width}")
            stdin = world.stdin[invocation.stdin] if invocation.stdin else None
            screen = run_on_terminal(world.args(home, invocation), width,
                                     world.env(home, invocation), stdin=stdin)
            assert screen.returncode in invocation.codes, (invocation.args, screen.stderr)
            problems += check_identifiers(wide.stdout, screen.lines, width)
            problems += check_columns(screen.lines, width)
            problems += check_line_widths(wide.stdout, screen.lines, width)
            problems += check_commands(
                (wide.stdout + wide.stderr).replace(piped_home, "<HOME>"),
                [line.replace(str(home), "<HOME>") for line in screen.lines], width)
            if problems:
                problems.append(f"-- at {width} columns:\n{screen.text}")
                break
        assert not problems, f"{' '.join(invocation.args)}:\n" + "\n".join(problems)

        if has_json_flag(path):
            result = _piped(world, invocation, where, "80", extra=("--json",))
            assert result.returncode in invocation.codes, (invocation.args, result.stderr)
            json.loads(result.stdout)


def test_the_checks_see_what_they_look_for() -> None:
    """The checks above fail on the faults found in issue 19 (so passing means something)."""
    room_split = ["│ apt-47-176 │", "│ 3138954-46 │", "│ eb915c     │"]
    assert check_identifiers(ROOM_47, room_split, 50)
    assert check_identifiers(ROOM_47, ["room apt-47-176…"], 50)
    assert not check_identifiers(ROOM_47, [f"room {ROOM_47}"], 50)
    assert not check_identifiers("PA" + "1" * 32, ["identity  role"], 50)  # a dropped column
    assert check_columns(["│ 47 ││ apt │", "x"], 80)
    assert check_columns(["p  r  s", "a  o  t", "t  l  a"], 50)
    assert check_line_widths("a\tb", ["x" * 60], 50)
    assert not check_line_widths("token\t" + "x" * 60, ["x" * 60], 50)
    # the sessions action column of the first review: three lines for one command
    kick = "vtctl room kick 106 9-outsider@example.com --local --store /tmp/s.sqlite3"
    column = ["stranger  106  someone is connected   vtctl room kick 106",
              "                                       9-outsider@example.com --local",
              "                                       --store /tmp/s.sqlite3"]
    assert check_commands(f"106\tstranger\t{kick}", column, 120)
    assert check_commands(f"detail: `{kick}` tells", ["detail: `vtctl room kick 106",
                                                      "9-outsider@example.com`"], 50)
    assert not check_commands(f"106\t{kick}", ["  run room kick (below)", f"  {kick}"], 50)
    assert not check_commands("x\tvtctl minted no token for it", ["vtctl minted no", "token"],
                              50)
    assert check_commands(f"x\t{kick}", ["  vtctl room", "kick 106 9-outsider@example.com"], 50)
    assert check_piped_fields("47\t\tJane") and check_piped_fields("47\tJane\t")
    assert not check_piped_fields("47\t-\tJane\nplain line")


def test_piped_audit_list_is_one_record_a_line(world: World, tmp_path: Path) -> None:
    """``vtctl audit list | grep -c jane.doe@example.com`` counts the records."""
    invocation = INVOCATIONS["audit list"][0]
    listed = _piped(world, invocation, tmp_path, "80", extra=("--json",))
    records = json.loads(listed.stdout)
    jane = [r for r in records if "jane.doe@example.com" in r["identity"]]
    assert len(jane) >= 2
    piped = _piped(world, invocation, tmp_path / "plain", "40")
    lines = piped.stdout.splitlines()
    assert len(lines) == len(records)
    assert sum("jane.doe@example.com" in line for line in lines) == len(jane)
    assert all(line.count("\t") == 7 for line in lines)



# -- the README states the rules, and its examples do what it says ----------------------


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Output and exit codes")
    return text[start:text.index("\n## ", start + 1)]


def test_the_readme_states_the_rules() -> None:
    section = " ".join(_readme_section().split())
    for rule in ("1. **In a pipe**", "2. **On a terminal**", "3. **The token is copyable**",
                 "4. **For scripts**", "never split across lines", "no column is ever zero-width",
                 "tests/test_output_contract.py"):
        assert rule in section, rule


def _shell(world: World, tmp_path: Path, pipeline: str) -> str:
    home = world.home(tmp_path)
    env = world.env(home, Run(()))
    env["PATH"] = f"{Path(vtctl_command()[0]).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(["sh", "-c", pipeline.format(store=home / "store.sqlite3")],
                            capture_output=True, text=True, env=env, timeout=60, check=False)
    return result.stdout


def test_the_readme_pipelines_do_what_it_says(world: World, tmp_path: Path) -> None:
    section = _readme_section()
    assert "`vtctl audit list | grep -c jane.doe@example.com` counts her tokens" in " ".join(
        section.split())
    records = json.loads(_shell(world, tmp_path / "json",
                                "vtctl audit list --store {store} --json"))
    hers = sum("jane.doe@example.com" in r["identity"] for r in records)
    assert hers >= 2
    counted = _shell(world, tmp_path / "grep",
                     "COLUMNS=40 vtctl audit list --store {store} | grep -c jane.doe@example.com")
    assert int(counted) == hers

    assert "`vtctl token 47 | grep '^room'`" in section
    room = _shell(world, tmp_path / "room", "vtctl token 47 --profile demo | grep '^room'")
    assert room == f"room\t{ROOM_47}\n"


def _screen(world: World, tmp_path: Path, width: int, *args: str) -> list[str]:
    invocation = run(*args, *LOCAL, **TWILIO)
    home = world.home(tmp_path / f"{args[0]}-{width}")
    screen = run_on_terminal(world.args(home, invocation), width, world.env(home, invocation))
    assert screen.returncode == 0, screen.stderr
    return [line.rstrip() for line in screen.lines]


def test_the_readme_says_when_participants_become_blocks(world: World, tmp_path: Path
                                                         ) -> None:
    """It said "under 80 columns each participant is a block", which `status` never did:
    the layout (``ui.fit``) drops lesser columns first, blocks only when that is not enough."""
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "under 80 columns" not in text
    assert ("when the columns that remain still do not fit, each participant or room is a "
            "block of `field value` lines: at 50 columns `room participants` (whose tracks "
            "column stays) prints blocks, `status` a table of identity, role and status."
            ) in text
    status = _screen(world, tmp_path, 50, "status", "47")
    header = "identity                role          status"
    assert header in status, "\n".join(status)  # a table, its times dropped
    participants = _screen(world, tmp_path, 50, "room", "participants", "47", "--all")
    assert "identity  2-jane.doe@example.com" in participants, "\n".join(participants)
    assert not any(line.startswith("identity ") and "role" in line for line in participants)
    wide = _screen(world, tmp_path, 120, "status", "47")
    assert any(line.startswith("identity") and "duration" in line for line in wide)

