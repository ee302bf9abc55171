#!/usr/bin/env python3
"""The headline command at its floor (issue 15): ``vtctl token 47`` against ``vtctl serve``.

One run, the same GET to the same loopback server, rows alternating:

- ``vtctl token 47 --json`` logged in through the keyring (``vtctl auth login``:
  the backend remembered, only it imported);
- the same with the remembered backend removed (keyring's full detection:
  what every command paid before);
- ``vtctl token 47 --json`` with ``VTCTL_JWT``;
- httpie (``http GET URL Authorization:...``), from ``benchmarks/.peers/httpie-venv``
  (built from PyPI on first use);
- curl.

Goals: keyring login <= 1.25x VTCTL_JWT; both <= 0.5x httpie.

    .venv/bin/python benchmarks/bench_headline.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import bench_serve  # noqa: E402  (benchmarks/ is not a package)

HTTPIE_VENV = BENCH / ".peers" / "httpie-venv"


def ensure_httpie() -> Path:
    http = HTTPIE_VENV / "bin" / "http"
    if not http.exists():
        subprocess.run([sys.executable, "-m", "venv", str(HTTPIE_VENV)], check=True)
        subprocess.run([str(HTTPIE_VENV / "bin" / "pip"), "install", "-q", "httpie"], check=True)
    return http


STANDIN = """\
from keyrings.alt.file import PlaintextKeyring


class Keyring(PlaintextKeyring):
    \"\"\"An OS keyring's stand-in (none on a headless machine): recommended priority.\"\"\"

    priority = 1
"""


def install_keyring_standin(directory: Path) -> Path:
    """A keyring plugin (entry point ``keyring.backends``) that detection finds and
    prefers: vtctl picks no file keyring by itself, and a benchmark machine has no OS
    keyring.  Returns the directory to put on PYTHONPATH."""
    directory.mkdir(parents=True)
    (directory / "vtctl_bench_keyring.py").write_text(STANDIN)
    info = directory / "vtctl_bench_keyring-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vtctl-bench-keyring\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text("[keyring.backends]\nstandin = vtctl_bench_keyring\n")
    return directory


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                            check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or b'"access_token"' not in result.stdout:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.decode()[-300:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args(argv)
    http = ensure_httpie()
    curl = shutil.which("curl")
    with tempfile.TemporaryDirectory(prefix="vtctl-bench-headline-") as tmp:
        home = Path(tmp)
        store = bench_serve.make_store(home / "store.sqlite3", 200)
        with bench_serve.serve(store, home / "server") as server:
            url = f"{server.url}/api/appointments/video-token/47/"
            jwt = bench_serve.dev_jwt(bench_serve.PATIENT)
            base = {k: v for k, v in bench_serve.bench_env(home).items()
                    if k != "PYTHON_KEYRING_BACKEND"}
            base["VTCTL_BASE_URL"] = server.url
            base["PYTHONPATH"] = str(install_keyring_standin(home / "keyring-standin"))
            vtctl = [*bench_serve.vtctl_command(), "token", "47", "--json"]
            login = subprocess.run(
                [*bench_serve.vtctl_command(), "auth", "login", "--with-token"],
                input=jwt + "\n", env=base, capture_output=True, text=True, check=False,
            )
            if login.returncode != 0:
                raise RuntimeError(f"auth login failed: {login.stderr}")
            record = home / "config" / "vtctl" / "keyring-backend"
            recorded = record.read_text().strip()
            detect_home = home / "detect"
            shutil.copytree(home / "data", detect_home / "data")  # same keyring, no record
            detect = {**base, "HOME": str(detect_home),
                      "XDG_CONFIG_HOME": str(detect_home / "config"),
                      "XDG_DATA_HOME": str(detect_home / "data"),
                      "XDG_CACHE_HOME": str(detect_home / "cache")}
            rows: list[tuple[str, Callable[[], float]]] = [
                (f"`vtctl token 47` via keyring login ({recorded})",
                 lambda: timed(vtctl, base)),
                ("`vtctl token 47` via keyring, full detection (no record)",
                 lambda: timed(vtctl, detect)),
                ("`vtctl token 47` via `VTCTL_JWT`",
                 lambda: timed(vtctl, {**base, "VTCTL_JWT": jwt})),
                ("httpie: `http GET URL Authorization:Bearer ...`",
                 lambda: timed([str(http), "--ignore-stdin", "--body", "GET", url,
                                f"Authorization:Bearer {jwt}"], base)),
            ]
            if curl:
                rows.append(("curl", lambda: timed(
                    [curl, "-sf", "-H", f"Authorization: Bearer {jwt}", url], base)))
            for _, run in rows:
                run()  # warm-up (and a correctness check)
            samples: list[list[float]] = [[] for _ in rows]
            for i in range(args.runs):
                order = list(range(len(rows)))
                for index in order if i % 2 == 0 else order[::-1]:
                    samples[index].append(rows[index][1]())
    medians = [statistics.median(s) * 1000 for s in samples]
    jwt_ms, httpie_ms = medians[2], medians[3]
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the end; "
          f"{args.runs} runs per row, alternating.\n")
    print("| command | median | vs `VTCTL_JWT` | vs httpie |")
    print("|---|---|---|---|")
    for (name, _), ms in zip(rows, medians, strict=True):
        print(f"| {name} | {ms:.1f} ms | {ms / jwt_ms:.2f}x | {ms / httpie_ms:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
