"""Prism (``@stoplight/prism-cli``) serving Twilio's Video v1 (or Insights v1) OpenAPI
description on 127.0.0.1.

``scripts/setup_prism.sh`` installs the pinned Prism and extracts the specs into
``$VTCTL_NPM_CACHE`` (default ``~/.cache/vtctl-npm``; CI runs it from ``.ci/run``).
Under ``CI=true`` a missing Prism fails the tests loudly; elsewhere the tests are
skipped only when node/npm are not installed at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import STARTING_ENV
from tests.serve_fixtures import free_port

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "scripts" / "setup_prism.sh"
READY_DEADLINE = 60.0
#: the two lines Prism logs for a request that does not match Twilio's spec
VIOLATIONS = ("Request did not pass the validation rules", "Request terminated with error")


#: named by the environment the run started with: the fixtures run in a private HOME
#: without VTCTL_ variables (conftest's isolation)
NPM_CACHE = Path(STARTING_ENV.get("VTCTL_NPM_CACHE")
                 or Path(STARTING_ENV.get("HOME") or Path.home()) / ".cache" / "vtctl-npm")


def npm_cache() -> Path:
    return NPM_CACHE


def setup_prism(cache: Path) -> dict[str, str]:
    """PRISM_JS, PRISM_SPEC (Video) and PRISM_INSIGHTS_SPEC, installing them if needed;
    fails loudly in CI."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not in_ci and (shutil.which("node") is None or shutil.which("npm") is None):
        pytest.skip("node and npm are not installed (CI=true makes this a failure)")
    result = subprocess.run([str(SETUP), str(cache)], capture_output=True, text=True,
                            timeout=300, check=False)
    if result.returncode != 0:
        pytest.fail(f"scripts/setup_prism.sh failed (exit {result.returncode}):\n"
                    f"{result.stderr[-3000:]}", pytrace=False)
    return dict(re.findall(r"^(PRISM_JS|PRISM_SPEC|PRISM_INSIGHTS_SPEC)=(.+)$", result.stdout,
                           re.M))


@dataclass
class Prism:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def settled_log(self, deadline_seconds: float = 10.0) -> str:
        """The log once every received request has its outcome logged (Prism logs late)."""
        deadline = time.monotonic() + deadline_seconds
        while True:
            text = self.text()
            received = text.count("Request received")
            done = text.count("> Responding with") + text.count("Request terminated with error")
            if done >= received or time.monotonic() > deadline:
                return text
            time.sleep(0.02)  # poll interval, bounded by the deadline above

    def violations(self) -> list[str]:
        return [line for line in self.settled_log().splitlines()
                if any(v in line for v in VIOLATIONS)]

    def requests(self) -> list[str]:
        """``get /v1/Rooms``-style lines, one per request received."""
        return re.findall(r"\[HTTP SERVER\] (\w+ \S+) .*Request received", self.settled_log())


#: the seed of Prism's random replies (``--seed``): the same replies in every run
DYNAMIC_SEED = "vtctl"


@contextmanager
def running_prism(directory: Path, *, dynamic: bool = False, spec: str = "PRISM_SPEC",
                  edit_spec: Callable[[dict[str, Any]], None] | None = None) -> Iterator[Prism]:
    """Prism on a free port serving one of Twilio's descriptions (``spec``: PRISM_SPEC,
    Video; PRISM_INSIGHTS_SPEC, Insights); ``edit_spec`` may change a copy of it first
    (e.g. put examples of its own first: static Prism answers with the first).

    ``dynamic``: random spec-valid replies, from a fixed seed (``DYNAMIC_SEED``), so a
    run gives the same replies every time: a test over them cannot flake."""
    installed = setup_prism(npm_cache())
    prism_js, served = installed["PRISM_JS"], installed[spec]
    if edit_spec is not None:
        import json

        document = json.loads(Path(served).read_text())
        edit_spec(document)
        served = str(directory / f"{Path(served).stem}.edited.json")
        Path(served).write_text(json.dumps(document))
    port = free_port()
    log = directory / f"prism-{port}.log"
    mode = ["-d", "--seed", DYNAMIC_SEED] if dynamic else []
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["node", prism_js, "mock", *mode, "-h", "127.0.0.1", "-p", str(port), served],
            stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    prism = Prism(f"http://127.0.0.1:{port}", process, log)
    ready = f"Prism is listening on http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_DEADLINE
    try:
        while ready not in prism.text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prism did not start:\n{prism.text()[-3000:]}", pytrace=False)
            time.sleep(0.05)  # poll interval, bounded by the deadline above
        yield prism
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
