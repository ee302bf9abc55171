#!/usr/bin/env python3
"""``vtctl token 47 --local --json --profile demo`` against its floor (issue 20).

The floor is what no command built on vtctl's libraries can start below: the
interpreter importing them,
``python -c "import typer; from twilio.jwt.access_token import AccessToken; import sqlite3"``.
Both run as real processes, alternating (who goes first alternates too); the
figure is the child's CPU time (user + system, from ``wait4``), steadier than
wall time on a shared machine.  Medians; goal <= 1.15x.

    .venv/bin/python benchmarks/bench_floor.py [--runs 41] [--json]

``--importtime`` prints, instead, what the command imports beyond the floor's
modules (``python -X importtime``, self time, the median of several runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_serve  # noqa: E402  (benchmarks/ is not a package)

FLOOR_CODE = "import typer; from twilio.jwt.access_token import AccessToken; import sqlite3"
TOKEN_ARGS = ["token", "47", "--local", "--json", "--profile", "demo"]
GOAL = 1.15


def cpu_run(command: list[str], env: dict[str, str]) -> float:
    """The child's CPU seconds (user + system); it must exit 0."""
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} exited {process.returncode}: {err[-300:]!r}")
    return usage.ru_utime + usage.ru_stime


def commands() -> tuple[list[str], list[str]]:
    return [*bench_serve.vtctl_command(), *TOKEN_ARGS], [sys.executable, "-c", FLOOR_CODE]


def measure(env: dict[str, str], runs: int) -> dict[str, float]:
    subject, floor = commands()
    subprocess.run(subject, env=env, check=True, stdout=subprocess.DEVNULL)  # seeds the store
    s_values: list[float] = []
    f_values: list[float] = []
    for i in range(runs):
        pair = [(subject, s_values), (floor, f_values)]
        for command, values in pair if i % 2 == 0 else pair[::-1]:
            values.append(cpu_run(command, env))
    s_med, f_med = statistics.median(s_values), statistics.median(f_values)
    paired = statistics.median(s / f for s, f in zip(s_values, f_values, strict=True))
    return {"subject_cpu_ms": s_med * 1000, "floor_cpu_ms": f_med * 1000,
            "ratio": s_med / f_med, "paired_ratio_median": paired, "runs": runs}


_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _importtime(command: list[str], env: dict[str, str]) -> dict[str, int]:
    result = subprocess.run(command, env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            check=True)
    return {m.group(4): int(m.group(1)) for m in map(_LINE.match, result.stderr.splitlines())
            if m}


def extra_imports(env: dict[str, str], runs: int) -> list[tuple[str, float]]:
    """Modules the command imports that the floor does not, by median self time (us)."""
    subject, floor = commands()
    floor_modules = set(_importtime(floor, env))
    times: dict[str, list[int]] = defaultdict(list)
    for _ in range(runs):
        for name, us in _importtime(subject, env).items():
            if name not in floor_modules:
                times[name].append(us)
    return sorted(((n, statistics.median(v)) for n, v in times.items()), key=lambda x: -x[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--importtime", action="store_true")
    opts = parser.parse_args(argv)
    # measured as installed: with bytecode caches (as benchmarks/run does)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "vtctl")],
                   check=False, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory(prefix="vtctl-floor-") as tmp:
        env = bench_serve.bench_env(Path(tmp))
        if opts.importtime:
            subprocess.run(commands()[0], env=env, check=True, stdout=subprocess.DEVNULL)
            rows = extra_imports(env, opts.runs)
            for name, us in rows:
                print(f"{us / 1000:8.2f} ms  {name}")
            print(f"{sum(us for _, us in rows) / 1000:8.2f} ms  total ({len(rows)} modules)")
            return 0
        r = measure(env, opts.runs)
    if opts.json:
        print(json.dumps(r))
    else:
        print(f"vtctl token --local --json: {r['subject_cpu_ms']:.1f} ms CPU; floor "
              f"{r['floor_cpu_ms']:.1f} ms; {r['ratio']:.3f}x (paired median "
              f"{r['paired_ratio_median']:.3f}x; goal <= {GOAL}x); {r['runs']} runs each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
