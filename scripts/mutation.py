#!/usr/bin/env python3
"""Mutation testing of one module with mutmut 2.5.1, against only the tests that exercise it.

    .venv/bin/pip install -e '.[test,mutation]'
    .venv/bin/python scripts/mutation.py --list              # the modules and their tests
    .venv/bin/python scripts/mutation.py audit               # or several: audit rules ...
    .venv/bin/python scripts/mutation.py --report audit      # the last run again
    .venv/bin/python scripts/mutation.py --survivors audit   # after adding tests: retry those

The modules (a source path each) and their test files are in pyproject.toml,
``[tool.vtctl.mutation.modules.NAME]``: list the few test files that exercise the
module (a mutant costs one pytest run of them; the machine is shared).

mutmut rewrites the module on disk one mutant at a time and runs ``pytest -x`` on
those tests (pytest's plugin autoload off: list the plugins a module's tests need
under ``plugins``); the file is put back afterwards, also on Ctrl-C or SIGTERM. So
run it in a worktree where nothing else runs tests meanwhile.

The score leaves out two kinds of mutant, each listed in the report:
* a mutant that is not valid Python (it fails to compile, so no test had to notice);
* a mutant that changes only an annotation (``int | None`` -> ``int & None``): under
  ``from __future__ import annotations`` nothing evaluates it, so only a test that
  checks type hints could kill it, and such a kill says nothing about the code.
mutmut's "timeout" (the tests hung) and "suspicious" (they failed, but slowly) count as
killed.
Each module's mutmut cache is kept as ``.mutation/NAME.mutmut-cache`` (ignored by git);
benchmarks/MUTATION.md records the scores.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
BIN = Path(sys.executable).parent
CACHE = ROOT / ".mutmut-cache"
#: mutmut's result classes, and which count as killed
KILLED = ("killed", "timeout", "suspicious")
NOT_KILLED = ("survived",)
ALL = (*KILLED, *NOT_KILLED, "skipped", "untested")


@dataclass(frozen=True)
class Module:
    name: str
    path: str
    tests: list[str]
    #: pytest plugins the tests need (autoload is off), e.g. "pytest_httpx"
    plugins: list[str]

    def test_command(self) -> list[str]:
        """pytest on the module's tests; ``-B``: no bytecode written (see ``run_tests``)."""
        plugins = [arg for plugin in self.plugins for arg in ("-p", plugin)]
        return [sys.executable, "-B", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                *plugins, *self.tests]

    def runner(self) -> str:
        """What mutmut runs per mutant: this script's ``--run-tests``."""
        return shlex.join([sys.executable, str(Path(__file__).resolve()), "--run-tests",
                           self.name])


def run_tests(module: Module) -> int:
    """The module's tests on the mutant now on disk: exit 1 when they fail in any way.

    mutmut 2.5.1 counts only exit code 1 as "killed", but a mutant that breaks the
    import is pytest's exit 2 (a collection error): any failure becomes 1 here.  The
    module's cached bytecode is removed first: a mutant of the same size written within
    the same second as the original would otherwise run the original's bytecode.
    """
    import importlib.util

    Path(importlib.util.cache_from_source(str(ROOT / module.path))).unlink(missing_ok=True)
    return 0 if subprocess.run(module.test_command(), cwd=ROOT).returncode == 0 else 1


def load_settings() -> dict[str, Module]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        settings: dict[str, Any] = tomllib.load(f)["tool"]["vtctl"]["mutation"]
    return {
        name: Module(name, spec["path"], list(spec["tests"]), list(spec.get("plugins", [])))
        for name, spec in settings["modules"].items()
    }


def _terminated(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


def _mutmut(*args: str, capture: bool = False) -> str:
    done = subprocess.run([str(BIN / "mutmut"), *args], cwd=ROOT, text=True, check=False,
                          capture_output=capture)
    return done.stdout if capture else ""


def run(module: Module, survivors_only: bool = False) -> None:
    """A fresh run; or, with ``survivors_only``, the last run's cache, so that mutmut
    tries again only what was not killed (valid while the module is unchanged)."""
    WORK.mkdir(exist_ok=True)
    if subprocess.run(module.test_command(), cwd=ROOT).returncode != 0:
        sys.exit(f"{module.name}: the tests fail without any mutant; fix them first")
    saved = WORK / f"{module.name}.mutmut-cache"
    CACHE.unlink(missing_ok=True)
    if survivors_only and saved.exists():
        shutil.copyfile(saved, CACHE)
    source = ROOT / module.path
    original = source.read_bytes()
    try:
        _mutmut("run", "--paths-to-mutate", module.path, "--tests-dir", "tests",
                "--runner", module.runner(), "--no-progress",
                "--simple-output")
    finally:
        if source.read_bytes() != original:  # stopped in the middle of a mutant
            source.write_bytes(original)
        if CACHE.exists():
            shutil.move(CACHE, saved)
    summarize(module)


def _strip_annotations(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
    return ast.dump(tree)


def classify(module: Module, mutant: int, original: bytes) -> str:
    """"invalid", "annotation" or "scored", from the mutant's source (applied, read, undone)."""
    source = ROOT / module.path
    _mutmut("apply", str(mutant), capture=True)
    mutated = source.read_bytes()
    source.write_bytes(original)
    try:
        tree = ast.parse(mutated)
        compile(tree, module.path, "exec")
    except (SyntaxError, ValueError):
        return "invalid"
    if _strip_annotations(tree) == _strip_annotations(ast.parse(original)):
        return "annotation"
    return "scored"


def summarize(module: Module) -> None:
    """Each scored surviving mutant with its diff, then one JSON line of counts."""
    saved = WORK / f"{module.name}.mutmut-cache"
    if not saved.exists():
        sys.exit(f"{module.name}: no mutmut run yet")
    shutil.copyfile(saved, CACHE)
    source = ROOT / module.path
    original = source.read_bytes()
    counts = {status: 0 for status in ALL}
    left_out: dict[str, list[int]] = {"invalid": [], "annotation": []}
    survivors: list[int] = []
    try:
        for status in ALL:
            ids = [int(i) for i in _mutmut("result-ids", status, capture=True).split()]
            for mutant in ids:
                kind = classify(module, mutant, original)
                if kind != "scored":
                    left_out[kind].append(mutant)
                    continue
                counts[status] += 1
                if status in NOT_KILLED:
                    survivors.append(mutant)
        for mutant in survivors:
            print(f"--- survived: mutant {mutant}")
            print(_mutmut("show", str(mutant), capture=True).strip())
    finally:
        source.write_bytes(original)
        CACHE.unlink(missing_ok=True)
    killed = sum(counts[s] for s in KILLED)
    total = killed + sum(counts[s] for s in NOT_KILLED)
    print(json.dumps({
        "module": module.name, "path": module.path, "killed": killed, "total": total,
        "score": f"{100 * killed / total:.1f}%" if total else "n/a",
        "outcomes": counts, "left_out": {k: sorted(v) for k, v in left_out.items()},
        "survivors": survivors, "tests": module.tests,
    }))


def main() -> None:
    modules = load_settings()
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("module", nargs="*", help=f"one or more of: {', '.join(modules)}")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests")
    parser.add_argument("--report", action="store_true",
                        help="summarize the last run of each module without running")
    parser.add_argument("--survivors", action="store_true",
                        help="retry only the last run's mutants that were not killed")
    parser.add_argument("--run-tests", metavar="MODULE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_tests:
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        sys.exit(run_tests(modules[args.run_tests]))
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
            summarize(modules[name])
        else:
            run(modules[name], survivors_only=args.survivors)


if __name__ == "__main__":
    main()
