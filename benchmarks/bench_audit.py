#!/usr/bin/env python3
"""What the audit trail costs (issue 15): minting with the trail vs without.

Rows:

- ``vtctl token 47 --local --json`` (a seeded store) with the trail vs the same
  process with the trail's append replaced by a no-op (goal: <= 1.05x);
- ``vtctl serve`` token endpoint req/s, 32 connections, with the batching
  writer vs with its ``minted`` a no-op (goal: >= 0.9x), and the server
  process's CPU time per token (steadier than req/s on a shared machine).

The "without" side exists only here: the product has no switch to turn the
trail off.  Both sides run the same launcher (``python -c``), alternating.

    .venv/bin/python benchmarks/bench_audit.py [--runs 21] [--seconds 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_serve  # noqa: E402  (benchmarks/ is not a package)

LAUNCH = """\
import sys
from vtctl.local import audit
from vtctl.server import audit_sink
if sys.argv[1] == "off":
    audit.AuditTrail.minted = lambda *a, **k: None
    audit_sink.BatchingAuditWriter.minted = lambda *a, **k: None
sys.argv = ["vtctl", *sys.argv[2:]]
from vtctl.launch.entry import main
sys.exit(main())
"""
LAUNCH_CLI = LAUNCH.replace("from vtctl.server import audit_sink\n", "").replace(
    "    audit_sink.BatchingAuditWriter.minted = lambda *a, **k: None\n", ""
)


def launcher(trail: bool, *args: str, server: bool = False) -> list[str]:
    return [sys.executable, "-c", LAUNCH if server else LAUNCH_CLI,
            "on" if trail else "off", *args]


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - started


def token_row(home: Path, store: Path, runs: int) -> dict[str, float]:
    env = bench_serve.bench_env(home)
    args = ("token", "47", "--local", "--as", "2", "--json", "--store", str(store))
    for trail in (True, False):
        timed(launcher(trail, *args), env)  # warm-up
    on: list[float] = []
    off: list[float] = []
    for i in range(runs):
        order = [(True, on), (False, off)]
        for trail, values in order if i % 2 == 0 else order[::-1]:
            values.append(timed(launcher(trail, *args), env))
    return {"with_ms": statistics.median(on) * 1000, "without_ms": statistics.median(off) * 1000}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_rps(home: Path, store: Path, trail: bool, seconds: float) -> tuple[float, float]:
    """(requests/s, server CPU microseconds per request)."""
    port = bench_serve._free_port()
    process = subprocess.Popen(
        launcher(trail, "serve", "--store", str(store), "--port", str(port), "--no-access-log",
                 server=True),
        env=bench_serve.bench_env(home), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        bench_serve.wait_for_port(port, process, "vtctl serve")
        jwt = bench_serve.dev_jwt(2)
        bench_serve.bench_token_endpoint(port, jwt, seconds=0.5, warmup=0)
        cpu = cpu_seconds(process.pid)
        result = bench_serve.bench_token_endpoint(port, jwt, seconds=seconds, warmup=0)
        cpu = cpu_seconds(process.pid) - cpu
        if result["errors"]:
            raise RuntimeError(f"{result['errors']:.0f} failed requests")
        return result["rps"], cpu / result["requests"] * 1e6
    finally:
        bench_serve.stop(process)


def serve_row(home: Path, store: Path, seconds: float, rounds: int) -> dict[str, float]:
    on: list[tuple[float, float]] = []
    off: list[tuple[float, float]] = []
    for i in range(rounds):
        order = [(True, on), (False, off)]
        for trail, values in order if i % 2 == 0 else order[::-1]:
            values.append(serve_rps(home, store, trail, seconds))
    return {
        "with_rps": statistics.median(r for r, _ in on),
        "without_rps": statistics.median(r for r, _ in off),
        "with_cpu_us": statistics.median(c for _, c in on),
        "without_cpu_us": statistics.median(c for _, c in off),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vtctl-bench-audit-") as tmp:
        home = Path(tmp)
        store = bench_serve.make_store(home / "store.sqlite3", 200)
        token = token_row(home, store, args.runs)
        print(f"| `vtctl token 47 --local --json` | with the trail: {token['with_ms']:.1f} ms "
              f"| without: {token['without_ms']:.1f} ms "
              f"| {token['with_ms'] / token['without_ms']:.2f}x | <= 1.05x |")
        if not args.skip_serve:
            serve = serve_row(home, store, args.seconds, args.rounds)
            print(f"| `vtctl serve` token endpoint, 32 connections | with the trail: "
                  f"{serve['with_rps']:,.0f} req/s | without: {serve['without_rps']:,.0f} req/s "
                  f"| {serve['with_rps'] / serve['without_rps']:.2f}x | >= 0.9x |")
            print(f"| `vtctl serve` CPU per token (server process) | with the trail: "
                  f"{serve['with_cpu_us']:.0f} us | without: {serve['without_cpu_us']:.0f} us "
                  f"| {serve['without_cpu_us'] / serve['with_cpu_us']:.2f}x | >= 0.9x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
