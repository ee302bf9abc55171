"""The README's Quick tour, run as written: every statement between the tour
markers, in order, with the real ``vtctl`` in an empty HOME, the shipped
``examples/appointments.json`` and the tour's own ``vtctl serve`` on loopback.

Only the tour's port is replaced by a free one (tests run side by side), and
the environment holds test Twilio credentials, as the tour's comment asks.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve_fixtures import (
    TWILIO_ENV,
    RunningServer,
    clean_env,
    free_port,
    wait_until_answering,
)

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- tour:begin -->", "<!-- tour:end -->"
TOUR_PORT = "8765"
_COMMENT = re.compile(r"\s+#.*$")


def tour_statements(readme: str) -> list[str]:
    """The tour's shell statements: one per line, a ``for ... done`` loop as one."""
    block = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    lines = [line for line in block.splitlines() if not line.startswith("```")]
    statements: list[str] = []
    loop: list[str] = []
    for line in lines:
        text = _COMMENT.sub("", line).rstrip()
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if loop or text.startswith("for "):
            loop.append(text)
            if text.strip() == "done":
                statements.append("\n".join(loop))
                loop = []
            continue
        statements.append(text)
    assert not loop, "unterminated loop in the tour"
    return statements


def test_the_tour_is_found_and_starts_with_an_import() -> None:
    statements = tour_statements((REPO / "README.md").read_text())
    assert len(statements) >= 20
    assert any(s.startswith("vtctl appointment import examples/appointments.json")
               for s in statements)
    assert "../" not in (REPO / "README.md").read_text().split(BEGIN)[1].split(END)[0]


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    work = tmp_path / "checkout"
    shutil.copytree(REPO / "examples", work / "examples")
    yield work


def test_the_readme_tour_works_as_written(workdir: Path, tmp_path: Path) -> None:
    port = str(free_port())
    readme = (REPO / "README.md").read_text().replace(TOUR_PORT, port)
    bin_dir = str(Path(sys.executable).parent)
    env = clean_env(tmp_path / "home", **TWILIO_ENV)
    env["PATH"] = bin_dir + ":" + env.get("PATH", "")
    servers: list[RunningServer] = []
    log = (tmp_path / "serve.log").open("wb")
    try:
        for statement in tour_statements(readme):
            if statement.startswith("export "):
                name = statement.removeprefix("export ").split("=", 1)[0]
                done = _bash(f'{statement}; printf %s "${name}"', env, workdir)
                env[name] = done.stdout
            elif statement.endswith("&"):
                process = subprocess.Popen(
                    ["bash", "-c", "exec " + statement.removesuffix("&")], cwd=workdir, env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=log,
                )
                server = RunningServer(f"http://127.0.0.1:{port}", process, workdir,
                                       tmp_path / "serve.log")
                servers.append(server)
                wait_until_answering(server)
            else:
                _bash(statement, env, workdir)
    finally:
        for server in servers:
            assert server.stop(signal.SIGTERM) == 0, server.stderr()
        log.close()


def _bash(statement: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["bash", "-o", "pipefail", "-c", statement], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{statement}\nexit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


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
