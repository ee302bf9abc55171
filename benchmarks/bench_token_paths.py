#!/usr/bin/env python3
"""``vtctl token`` through the fast path vs through Typer (issue 11's question).

Runs, in turn with the order alternating, ``python -c pass``, the console
script's path (``entry.main``: the generated fast path) and Typer alone
(``cli.app.run``, which imports only the ``token`` command module), each as a
``python -c`` probe so all pay the same interpreter start.  Prints medians of
CPU time (steadier on a loaded machine) and wall time.

    .venv/bin/python benchmarks/bench_token_paths.py [RUNS]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

ARGS = ["token", "47", "--local", "--json", "--profile", "demo"]
VARIANTS = {
    "python -c pass": "pass",
    "fast path (entry.main)": f"import sys\nfrom vtctl.launch.entry import main\n"
    f"sys.exit(main({ARGS!r}))",
    "Typer, lazy commands": "import sys\nfrom vtctl.launch import lean_imports\n"
    f"lean_imports.install()\nfrom vtctl.cli.app import run\nsys.exit(run({ARGS!r}))",
}


def _run(code: str, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu * 1000, wall * 1000


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for code in VARIANTS.values():  # warm-up: bytecode, the demo store
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    wall: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for i in range(runs):
        order = list(VARIANTS.items())
        for name, code in reversed(order) if i % 2 else order:
            c, w = _run(code, env)
            cpu[name].append(c)
            wall[name].append(w)
    base_cpu, base_wall = statistics.median(cpu["python -c pass"]), statistics.median(
        wall["python -c pass"])
    for name in VARIANTS:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        print(f"{name:24s} CPU {c:6.1f} ms ({c / base_cpu:4.1f}x)  "
              f"wall {w:6.1f} ms ({w / base_wall:4.1f}x)")
    print(f"{runs} runs each; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
