#!/usr/bin/env python3
"""`vtctl appointment list` over a 100,000-appointment store (issue 13).

Builds the store once (in-process, through the real importer and store), then
runs the real executable: the first page in a pipe, the first page as a table
on a (pseudo) terminal, `--all` in a pipe, `--all --json` and `export`. Each row
is the median wall time and the largest peak RSS of its runs (``wait4``'s
rusage of that one child), stdout read and thrown away.

    .venv/bin/python benchmarks/bench_list.py [--appointments 100000] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VTCTL = str(Path(sys.executable).with_name("vtctl"))


def build_store(path: Path, count: int) -> None:
    from vtctl.domain.models import Appointment, User
    from vtctl.local.store import AppointmentStore

    users = [User(i, f"user{i}@example.com", f"User {i}",
                  "patient" if i % 2 else "psychologist") for i in range(1, 201)]
    appointments = (
        Appointment(i, 1 + 2 * (i % 100), 2 + 2 * (i % 100), 60, None,
                    f"apt-{i}-1763138954-46eb915c" if i % 3 else None)
        for i in range(1, count + 1)
    )
    with AppointmentStore.open(path) as store:
        store.import_records(users, appointments)


def measure(args: list[str], tty: bool) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one run."""
    env = {**os.environ, "COLUMNS": "120"}
    started = time.perf_counter()
    if tty:
        import pty

        leader, follower = pty.openpty()
        process = subprocess.Popen([VTCTL, *args], stdout=follower, stderr=subprocess.DEVNULL,
                                   env=env)
        os.close(follower)
        try:
            while os.read(leader, 65536):
                pass
        except OSError:  # EIO: the child closed the terminal
            pass
        os.close(leader)
    else:
        process = subprocess.Popen([VTCTL, *args], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=env)
        assert process.stdout is not None
        while process.stdout.read(65536):
            pass
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"vtctl {' '.join(args)} exited {process.returncode}")
    return elapsed, int(usage.ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store.sqlite3"
        started = time.perf_counter()
        build_store(store, options.appointments)
        built = time.perf_counter() - started
        cases = [
            ("first page (30), pipe", ["appointment", "list"], False),
            ("first page (30), terminal table", ["appointment", "list"], True),
            ("--all, pipe (tab-separated)", ["appointment", "list", "--all"], False),
            ("--all --json", ["appointment", "list", "--all", "--json"], False),
            ("export", ["appointment", "export"], False),
        ]
        for name, args, tty in cases:
            runs = [measure([*args, "--store", str(store)], tty) for _ in range(options.runs)]
            rows.append({
                "case": name,
                "median_s": round(statistics.median(r[0] for r in runs), 3),
                "peak_rss_mib": round(max(r[1] for r in runs) / 1024, 1),
            })
    if options.json:
        print(json.dumps({"appointments": options.appointments, "build_s": round(built, 1),
                          "rows": rows}, indent=2))
        return
    print(f"{options.appointments:,} appointments (store built in {built:.1f} s), "
          f"{options.runs} runs each")
    print("| `vtctl appointment list` | median | peak RSS |\n|---|---|---|")
    for row in rows:
        print(f"| {row['case']} | {row['median_s']:.2f} s | {row['peak_rss_mib']} MiB |")


if __name__ == "__main__":
    main()
