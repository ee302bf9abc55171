"""The README's Quick tour, run as written: every statement between the tour
markers, in order, typed into one bash as a person would, with the real
``vtctl`` and nothing set beforehand (``env -i`` with PATH and an empty HOME:
no TWILIO_*, no keyring choice, no XDG dirs).

Only the tour's port is replaced by a free one (tests run side by side).  The
tour runs from a copy of the checkout's ``examples/`` in a git repository, and
must leave it as it found it, ignored files included.
"""

from __future__ import annotations

import os
import re
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.serve_fixtures import START_DEADLINE, free_port

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- tour:begin -->", "<!-- tour:end -->"
TOUR_PORT = "8765"
STATEMENT_DEADLINE = 120.0
MKTEMP_PREFIX = "/tmp/tmp."  # `mktemp -d` without TMPDIR
PLAIN_FILE_WARNING = "warning: storing the token in a plain file"
_COMMENT = re.compile(r"\s+#.*$")


def tour_block(readme: str) -> str:
    return readme.split(BEGIN, 1)[1].split(END, 1)[0]


def tour_statements(readme: str) -> list[str]:
    """The tour's statements as written: one per line, a line ending in a backslash
    with the next, a ``for ... done`` loop as one; comment-only lines left out."""
    lines = [line for line in tour_block(readme).splitlines() if not line.startswith("```")]
    statements: list[str] = []
    pending: list[str] = []
    for line in lines:
        code = _COMMENT.sub("", line).rstrip()
        if not pending and (not code.strip() or code.lstrip().startswith("#")):
            continue
        pending.append(line)
        if code.endswith("\\") or (pending[0].startswith("for ") and code.strip() != "done"):
            continue
        statements.append("\n".join(pending))
        pending = []
    assert not pending, "unterminated statement at the end of the tour"
    return statements


def backgrounded(statement: str) -> bool:
    return _COMMENT.sub("", statement).rstrip().endswith("&")


def test_the_tour_is_found_and_starts_with_an_import() -> None:
    statements = tour_statements((REPO / "README.md").read_text())
    assert len(statements) >= 20
    assert any(s.startswith("vtctl appointment import examples/appointments.json")
               for s in statements)
    assert sum(map(backgrounded, statements)) == 1
    assert "../" not in tour_block((REPO / "README.md").read_text())


@dataclass
class Done:
    code: int
    stdout: str
    stderr: str


class Shell:
    """One bash, fed the tour a statement at a time as a person types it: variables,
    the working directory and background jobs carry over from line to line."""

    def __init__(self, cwd: Path, env: dict[str, str], logs: Path) -> None:
        self.logs = logs
        self.count = 0
        self.process = subprocess.Popen(
            [shutil.which("bash") or "bash", "--norc", "--noprofile"], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.buffer = b""
        # what a careful person sees: a failure before a pipe is a failure
        assert self.answer("set -o pipefail; echo 0") == "0"

    def answer(self, script: str) -> str:
        """Send ``script``; the one line the shell prints back."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(script.encode() + b"\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + STATEMENT_DEADLINE
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise AssertionError(f"no answer within {STATEMENT_DEADLINE:.0f} s: {script}")
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                raise AssertionError(f"bash exited while running: {script}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()

    def run(self, statement: str) -> Done:
        """The statement exactly as written, its output kept in files."""
        self.count += 1
        out, err = (self.logs / f"{self.count}.{kind}" for kind in ("out", "err"))
        code = self.answer(f"{{ {statement}\n}} >{shlex.quote(str(out))} "
                           f"2>{shlex.quote(str(err))} </dev/null; echo $?")
        return Done(int(code), out.read_text(errors="replace"), err.read_text(errors="replace"))

    def value(self, name: str) -> str:
        return self.answer(f'printf "%s\\n" "${name}"')

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.selector.close()


def wait_until_answering(url: str, shell: Shell, pid: int, err: Path) -> None:
    """What the reader does after `vtctl serve ... &`: wait until it serves."""
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            httpx.get(url + "/api/appointments/1/", timeout=1.0)
            return
        except httpx.TransportError:
            if shell.answer(f"kill -0 {pid} 2>/dev/null; echo $?") != "0":
                raise AssertionError(f"vtctl serve exited:\n{err.read_text()}") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"vtctl serve did not answer:\n{err.read_text()}") from None
            time.sleep(0.02)  # poll interval, bounded by the deadline above


def git_state(directory: Path) -> str:
    """Every file git sees as changed, new or ignored."""
    return subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=directory, capture_output=True, text=True, check=True,
    ).stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The part of a checkout the tour reads, as a git repository of its own."""
    work = tmp_path / "checkout"
    shutil.copytree(REPO / "examples", work / "examples")
    shutil.copy(REPO / ".gitignore", work / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    return work


def readme_env(home: Path) -> dict[str, str]:
    """What the README runs its commands under: ``env -i`` with PATH and an empty HOME."""
    return {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.defpath}", "HOME": str(home)}


def first_command(readme: str) -> str:
    """The README's first command, what it runs after installing: ``vtctl token 47
    --profile demo`` (its ``.venv/bin/`` is where the install put ``vtctl``; here it is
    on PATH, as in the tour)."""
    block = readme.split("<!-- ci:run -->", 1)[1].split("```", 2)[1]
    command = block.splitlines()[1].split("&&")[-1].strip()
    assert command.startswith(".venv/bin/vtctl "), command
    return command.removeprefix(".venv/bin/")


def run_tour(checkout: Path, home: Path, logs: Path) -> None:
    """The tour, every statement as written, in one bash under the README's env; each
    must succeed, and the tour must leave the checkout and nothing of its own behind."""
    port = str(free_port())
    readme = (REPO / "README.md").read_text().replace(TOUR_PORT, port)
    logs.mkdir()
    before = git_state(checkout)
    shell = Shell(checkout, readme_env(home), logs)
    servers: list[tuple[int, Path]] = []
    tour_dir = ""
    try:
        for statement in tour_statements(readme):
            done = shell.run(statement)
            assert done.code == 0, f"{statement}\nexit {done.code}\n{done.stderr}"
            assert "Traceback" not in done.stderr, done.stderr
            if "--insecure-storage" in statement:  # the README promises the warning
                assert PLAIN_FILE_WARNING in done.stderr, done.stderr
            tour_dir = tour_dir or shell.value("TOUR")
            if backgrounded(statement):
                pid = int(shell.value("!"))
                servers.append((pid, logs / f"{shell.count}.err"))
                wait_until_answering(f"http://127.0.0.1:{port}", shell, pid, servers[-1][1])
        for pid, err in servers:  # the tour stops its server: SIGTERM, a clean exit
            assert shell.answer(f"wait {pid}; echo $?") == "0", err.read_text()
    finally:
        for pid, _ in servers:
            if shell.answer(f"kill -0 {pid} 2>/dev/null; echo $?") == "0":
                os.kill(pid, signal.SIGKILL)
        shell.close()
        if tour_dir.startswith(MKTEMP_PREFIX):  # left behind by a failure
            shutil.rmtree(tour_dir, ignore_errors=True)
    assert git_state(checkout) == before, "the tour left files in the checkout"
    assert tour_dir and not Path(tour_dir).exists(), "the tour's last line removes its directory"


def test_the_readme_tour_works_as_written(checkout: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run_tour(checkout, home, tmp_path / "logs")
    # no secret landed in a keyring file nobody asked for (keyrings.alt is installed here)
    assert not [p for p in home.rglob("*") if "python_keyring" in p.parts]


def test_the_first_command_and_the_tour_work_in_either_order(checkout: Path,
                                                             tmp_path: Path) -> None:
    """One fresh home, as a new user has it: the tour (its demo line made the demo store,
    whose key went to the tour's own folder and was deleted with it, so the first
    command was exit 3 for good), the first command, the tour again (its demo line was
    exit 3: the key was beside the config the first command had, not the tour's), and
    the first command again. The key files are in the user config dir, as a keyring is
    the user's, whatever VTCTL_CONFIG names."""
    home = tmp_path / "home"
    home.mkdir()
    command = first_command((REPO / "README.md").read_text())
    assert command == "vtctl token 47 --profile demo"
    for step in range(4):
        if step % 2 == 0:
            run_tour(checkout, home, tmp_path / f"logs{step}")
            continue
        done = subprocess.run(["bash", "--norc", "--noprofile", "-c", command], cwd=checkout,
                              env=readme_env(home), capture_output=True, text=True,
                              timeout=STATEMENT_DEADLINE, check=False)
        assert done.returncode == 0, f"{command} (step {step})\n{done.stderr}"
        assert done.stdout.count(".") >= 2  # the token (a JWT) or its sheet


@pytest.mark.parametrize("page", ["README.md", "docs/api.md"])
def test_links_point_at_files_inside_the_repository(page: str) -> None:
    """A fresh clone has no ../shared: every relative link names a file in the repo."""
    path = REPO / page
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text())
    local = [t for t in targets if not t.startswith(("http://", "https://"))]
    assert local
    for target in local:
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(REPO), target
        assert resolved.exists(), target


@pytest.mark.parametrize("name", ["store.sqlite3", "examples/demo.sqlite3",
                                  "store.sqlite3-wal", "store.sqlite3-journal",
                                  "insecure-secrets.json"])
def test_what_vtctl_writes_is_never_committed(name: str) -> None:
    done = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=REPO,
                          check=False)
    assert done.returncode == 0, f"{name} is not in .gitignore"
