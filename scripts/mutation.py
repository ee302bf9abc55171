#!/usr/bin/env python3
"""Mutation testing of one module with cosmic-ray, against only the tests that exercise it.

    .venv/bin/pip install -e '.[test,mutation]'
    .venv/bin/python scripts/mutation.py rules             # or several: rules engine ...
    .venv/bin/python scripts/mutation.py --list            # the modules and their tests
    .venv/bin/python scripts/mutation.py --report rules    # the last session again
    .venv/bin/python scripts/mutation.py --survivors rules # after adding tests: retry those

The modules and their test files are in pyproject.toml, ``[tool.vtctl.mutation]``.
cosmic-ray rewrites the module on disk one mutant at a time and runs
``pytest -x`` on those tests (pytest's plugin autoload off: the hypothesis plugin
alone costs ~2 s a run); the file is put back afterwards, also on Ctrl-C or
SIGTERM. So run it in a worktree where nothing else runs tests meanwhile.
Sessions go to ``.mutation/`` (ignored by git); benchmarks/MUTATION.md records
the scores. Slow on purpose and not part of CI: one pytest run per mutant.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Module:
    name: str
    path: str
    tests: list[str]
    #: pytest plugins the tests need (autoload is off), e.g. "pytest_httpx"
    plugins: list[str]

    def test_command(self) -> list[str]:
        plugins = [arg for plugin in self.plugins for arg in ("-p", plugin)]
        return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                *plugins, *self.tests]


def load_settings() -> tuple[float, dict[str, Module]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        settings: dict[str, Any] = tomllib.load(f)["tool"]["vtctl"]["mutation"]
    modules = {
        name: Module(name, spec["path"], list(spec["tests"]), list(spec.get("plugins", [])))
        for name, spec in settings["modules"].items()
    }
    return float(settings.get("timeout", 60)), modules


def write_config(module: Module, timeout: float) -> Path:
    config = WORK / f"{module.name}.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module.path)}\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(' '.join(module.test_command()))}\n"
        '\n[cosmic-ray.distributor]\nname = "local"\n',
        encoding="utf-8",
    )
    return config


def _terminated(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def run(module: Module, timeout: float, survivors_only: bool = False) -> None:
    """A fresh session; or, with ``survivors_only``, the last one's survivors tried again
    (valid while the module is unchanged: tests were only added, so the killed stay killed)."""
    WORK.mkdir(exist_ok=True)
    if subprocess.run(module.test_command(), cwd=ROOT).returncode != 0:
        sys.exit(f"{module.name}: the tests fail without any mutant; fix them first")
    config = write_config(module, timeout)
    session = WORK / f"{module.name}.sqlite"
    if survivors_only:
        with sqlite3.connect(session) as db:
            db.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
    else:
        session.unlink(missing_ok=True)
        subprocess.run([BIN / "cosmic-ray", "init", config, session], cwd=ROOT, check=True)
    source = ROOT / module.path
    original = source.read_bytes()
    worker = subprocess.Popen([BIN / "cosmic-ray", "exec", config, session], cwd=ROOT)
    try:
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait()
        if source.read_bytes() != original:  # stopped in the middle of a mutant
            source.write_bytes(original)
    summarize(module, session)


def summarize(module: Module, session: Path) -> None:
    """Each surviving mutant with its diff, then one JSON line of counts."""
    dump = subprocess.run([BIN / "cosmic-ray", "dump", session], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    outcomes: Counter[str] = Counter()
    for line in dump.splitlines():
        item, result = json.loads(line)
        outcome = (result or {}).get("test_outcome") or "pending"
        outcomes[outcome] += 1
        if outcome == "survived":
            mutation = item["mutations"][0]
            print(f"--- survived: {mutation['operator_name']} #{mutation['occurrence']}, "
                  f"line {mutation['start_pos'][0]}\n{result['diff']}")
    total, killed = sum(outcomes.values()), outcomes["killed"]
    print(json.dumps({
        "module": module.name, "path": module.path, "killed": killed, "total": total,
        "score": f"{100 * killed / total:.1f}%" if total else "n/a",
        "outcomes": dict(outcomes), "tests": module.tests,
    }))


def main() -> None:
    timeout, modules = load_settings()
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("module", nargs="*", help=f"one or more of: {', '.join(modules)}")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests")
    parser.add_argument("--report", action="store_true",
                        help="summarize the last session of each module without running")
    parser.add_argument("--survivors", action="store_true",
                        help="retry only the last session's surviving mutants")
    args = parser.parse_args()
    if args.list or not args.module:
        for module in modules.values():
            print(f"{module.name}: {module.path} <- {' '.join(module.tests)}")
        return
    unknown = [name for name in args.module if name not in modules]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; --list shows them")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    signal.signal(signal.SIGTERM, _terminated)
    for name in args.module:
        if args.report:
            summarize(modules[name], WORK / f"{name}.sqlite")
        else:
            run(modules[name], timeout, survivors_only=args.survivors)


if __name__ == "__main__":
    main()
