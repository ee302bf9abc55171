#!/usr/bin/env python3
"""Every vtctl benchmark of issue 7 (and issue 2's speed section) in one table.

Run it through ``benchmarks/run`` (it picks the project's venv).  Each row
alternates runs of the subject and its peer (who goes first alternates too),
takes medians, and never retries: a failing run fails the row.

Rows (subject | peer | goal):

- ``vtctl --version``, ``vtctl --help`` | ``python -c pass`` | <= 4x
- ``vtctl token 47 --local --json --profile demo`` (seeded store), CPU time | its floor,
  ``python -c "import typer; from twilio.jwt.access_token import AccessToken; import sqlite3"``
  | <= 1.15x
- ``vtctl token 47 --json`` against ``vtctl serve`` | ``curl`` of that URL | <= 10x
- Tab completion (``_VTCTL_COMPLETE=bash_complete ...``) | ``python -c pass`` | <= 4x
- ``TokenEngine.mint_for`` tokens per CPU second | raw twilio AccessToken loop | >= 0.9x
- ``vtctl serve`` token endpoint req/s, 32 connections | Django + DRF + SimpleJWT on
  gunicorn (2 gthread workers) | >= 3x and p99 <= 20 ms
- ``vtctl smoke`` over 200 appointments | 200 sequential ``vtctl token`` | >= 20x
- ``vtctl sessions`` over 500 appointments with 40 live rooms (local Twilio mock) | one
  request per appointment | <= 1 + 40 requests plus paging

Peers are built on first use: ``benchmarks/.peers/django-venv`` from
``benchmarks/peers/requirements-django.txt`` (PyPI), ``curl`` from the system.
Only 127.0.0.1 is contacted; every load is bounded in time and count.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEERS_DIR = BENCH / ".peers"
DJANGO_VENV = PEERS_DIR / "django-venv"
DJANGO_PROJECT = BENCH / "peers" / "django_peer"
DJANGO_REQUIREMENTS = BENCH / "peers" / "requirements-django.txt"
RESULTS_MD = BENCH / "RESULTS.md"
README_MD = ROOT / "README.md"
LATEST_DIR = BENCH / "results"  # git-ignored
TABLE_BEGIN = "<!-- benchmarks/run --write: table begin -->"
TABLE_END = "<!-- benchmarks/run --write: table end -->"

sys.path.insert(0, str(BENCH))
import bench_floor  # noqa: E402  (benchmarks/ is not a package)
import bench_serve  # noqa: E402

GUIDE_FIELDS = {
    "access_token", "room_name", "user_identity", "expires_in", "expires_at",
    "appointment_id", "appointment_duration_minutes", "token_valid_until",
}


class BenchError(RuntimeError):
    """A run failed: the row is reported as failed (no retries)."""


@dataclass
class Row:
    name: str
    subject: str
    subject_value: float
    peer: str
    peer_value: float
    unit: str
    ratio: float
    ratio_text: str
    goal: str
    met: bool
    note: str = ""


@dataclass
class Config:
    runs: int = 21  # per side, for the process-start rows
    remote_runs: int = 15
    engine_blocks: int = 21
    load_seconds: float = 5.0
    load_rounds: int = 3
    smoke_rounds: int = 3
    sessions_runs: int = 7
    #: the idle-connections row compares p99s, which move by 20% between identical rounds
    #: on a shared machine: many shorter alternating rounds, and the median
    idle_rounds: int = 9
    idle_seconds: float = 3.0
    appointments: int = 200
    connections: int = 32

    @classmethod
    def quick(cls) -> Config:
        return cls(runs=5, remote_runs=5, engine_blocks=5, load_seconds=2.0, load_rounds=1,
                   smoke_rounds=1, sessions_runs=2, appointments=40, idle_rounds=2,
                   idle_seconds=1.0)


# -- helpers ------------------------------------------------------------------------


def python_pass() -> list[str]:
    return [sys.executable, "-c", "pass"]


def timed_run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command[:4])}... exited {result.returncode}: "
                         f"{result.stderr.decode(errors='replace')[-300:]}")
    return elapsed


def alternate(subject: Callable[[], float], peer: Callable[[], float],
              runs: int) -> tuple[list[float], list[float]]:
    """``runs`` measurements of each, interleaved; who goes first alternates."""
    s_values: list[float] = []
    p_values: list[float] = []
    for i in range(runs):
        pair = [(subject, s_values), (peer, p_values)]
        for fn, values in pair if i % 2 == 0 else pair[::-1]:
            values.append(fn())
    return s_values, p_values


def check_output(command: list[str], env: dict[str, str],
                 check: Callable[[str], bool], what: str) -> None:
    """Run once (a warm-up, not timed) and make sure the answer is right."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not check(result.stdout):
        raise BenchError(f"{what}: unexpected answer (exit {result.returncode}): "
                         f"{(result.stdout + result.stderr)[-300:]!r}")


def is_token_json(text: str) -> bool:
    try:
        return set(json.loads(text)) == GUIDE_FIELDS
    except (ValueError, TypeError):
        return False


def time_row(name: str, subject_label: str, subject_cmd: list[str], peer_label: str,
             peer_cmd: list[str], env: dict[str, str], runs: int, limit: float,
             note: str = "") -> Row:
    s, p = alternate(lambda: timed_run(subject_cmd, env), lambda: timed_run(peer_cmd, env), runs)
    s_med, p_med = statistics.median(s) * 1000, statistics.median(p) * 1000
    ratio = s_med / p_med
    return Row(name, subject_label, s_med, peer_label, p_med, "ms", ratio, f"{ratio:.1f}x",
               f"<= {limit:g}x", ratio <= limit, note)


def failed_row(name: str, goal: str, error: Exception) -> Row:
    return Row(name, "-", float("nan"), "-", float("nan"), "", float("nan"), "failed", goal,
               False, str(error)[:200])


# -- peers --------------------------------------------------------------------------


def ensure_django_venv(log: Callable[[str], None]) -> Path:
    """benchmarks/.peers/django-venv with the pinned requirements; rebuilt when they change."""
    python = DJANGO_VENV / "bin" / "python"
    marker = DJANGO_VENV / ".requirements.sha256"
    want = hashlib.sha256(DJANGO_REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and marker.is_file() and marker.read_text().strip() == want:
        return python
    log(f"building the Django peer in {DJANGO_VENV.relative_to(ROOT)} (PyPI) ...")
    shutil.rmtree(DJANGO_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(DJANGO_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(DJANGO_REQUIREMENTS)], check=True)
    marker.write_text(want + "\n")
    return python




@contextlib.contextmanager
def django_peer(python: Path, home: Path, appointments: int) -> Iterator[tuple[int, str]]:
    """gunicorn serving the Django peer on a free loopback port: (port, patient JWT)."""
    data = home / "peer-data.json"
    data.write_text(json.dumps(bench_serve.bench_document(appointments)), encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VTCTL_", "TWILIO_"))},
        **bench_serve.TWILIO_ENV,
        "PEER_DB": str(home / "peer.sqlite3"),
        "PEER_JWT_SECRET": bench_serve.SECRET,
        "DJANGO_SETTINGS_MODULE": "peer.settings",
    }
    manage = [str(python), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=DJANGO_PROJECT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    seeded = subprocess.run([*manage, "seed_peer", str(data)], cwd=DJANGO_PROJECT, env=env,
                            check=True, capture_output=True, text=True)
    jwt = json.loads(seeded.stdout)[str(bench_serve.PATIENT)]
    port = bench_serve._free_port()
    log_file = (home / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(python.with_name("gunicorn")), "peer.wsgi:application",
         "--workers", "2", "--worker-class", "gthread", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--keep-alive", "5", "--log-level", "warning"],
        cwd=DJANGO_PROJECT, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
        stderr=log_file,
    )
    try:
        bench_serve.wait_for_port(port, process, "gunicorn (Django peer)")
        yield port, jwt
    finally:
        bench_serve.stop(process)
        log_file.close()


def fetch_json(port: int, jwt: str, appointment_id: int = 47) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/appointments/video-token/{appointment_id}/",
        headers={"Authorization": f"Bearer {jwt}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return json.loads(response.read())


# -- rows ---------------------------------------------------------------------------


def startup_rows(cfg: Config, env: dict[str, str]) -> list[Row]:
    vtctl = bench_serve.vtctl_command()
    rows: list[Row] = []
    peer = "`python -c pass`"

    check_output([*vtctl, "--version"], env, lambda out: out.startswith("vtctl "), "--version")
    rows.append(time_row("`vtctl --version`", "`vtctl --version`", [*vtctl, "--version"], peer,
                         python_pass(), env, cfg.runs, 4))

    check_output([*vtctl, "--help"], env, lambda out: "Usage" in out, "--help (fills the cache)")
    uncached_env = {**env, "VTCTL_NO_HELP_CACHE": "1"}
    uncached = statistics.median(
        timed_run([*vtctl, "--help"], uncached_env) for _ in range(max(3, cfg.runs // 4))
    )
    rows.append(time_row("`vtctl --help`", "`vtctl --help`", [*vtctl, "--help"], peer,
                         python_pass(), env, cfg.runs, 4,
                         "served from the rendered-help cache that the warm-up run filled; "
                         f"uncached (the first --help after an install or upgrade): "
                         f"{uncached * 1000:.0f} ms"))

    local = [*vtctl, *bench_floor.TOKEN_ARGS]
    check_output(local, env, is_token_json, "token --local (seeds the demo store)")
    rows.append(floor_row(cfg, env))

    words = "vtctl token 47 --"
    complete_env = {**env, "_VTCTL_COMPLETE": "bash_complete", "COMP_WORDS": words,
                    "COMP_CWORD": "3"}
    check_output(vtctl, complete_env, lambda out: "--json" in out.split(), "completion")
    rows.append(time_row(f"Tab completion (`{words}<TAB>`, bash)", "completion", vtctl, peer,
                         python_pass(), complete_env, cfg.runs, 4,
                         "_VTCTL_COMPLETE=bash_complete COMP_WORDS=... COMP_CWORD=3 vtctl"))
    return rows


def floor_row(cfg: Config, env: dict[str, str]) -> Row:
    """``vtctl token 47 --local --json`` against its floor: the CPU time of Python importing
    the libraries it is built on (issue 20; bench_floor.py runs it alone, and lists what
    the command imports beyond the floor with --importtime)."""
    r = bench_floor.measure(env, max(cfg.runs, 21))
    ratio = r["ratio"]
    return Row(
        "`vtctl token 47 --local --json --profile demo`", "local token",
        r["subject_cpu_ms"], f"`python -c \"{bench_floor.FLOOR_CODE}\"`", r["floor_cpu_ms"],
        "ms", ratio, f"{ratio:.2f}x", f"<= {bench_floor.GOAL:g}x", ratio <= bench_floor.GOAL,
        f"CPU time (user + system), {r['runs']} alternating runs each; median of paired "
        f"runs {r['paired_ratio_median']:.2f}x; demo store seeded by a warm-up run",
    )


def remote_token_row(cfg: Config, env: dict[str, str], url: str, jwt: str) -> Row:
    vtctl = bench_serve.vtctl_command()
    curl = shutil.which("curl")
    if curl is None:
        raise BenchError("curl is not installed")
    token_env = {**env, "VTCTL_JWT": jwt}
    subject = [*vtctl, "token", "47", "--base-url", url, "--json"]
    peer = [curl, "-sS", "--fail", "-H", f"Authorization: Bearer {jwt}",
            "-H", "Content-Type: application/json", f"{url}/api/appointments/video-token/47/"]
    check_output(subject, token_env, is_token_json, "vtctl token (remote)")
    check_output(peer, token_env, is_token_json, "curl")
    # what no httpx-based client can go below: the interpreter plus `import httpx`
    floor_cmd = [sys.executable, "-c", "import httpx"]
    floor = statistics.median(timed_run(floor_cmd, env) for _ in range(cfg.remote_runs))
    row = time_row("`vtctl token 47 --json` against `vtctl serve`", "remote token", subject,
                   "`curl` same URL", peer, token_env, cfg.remote_runs, 10)
    row.note = (f"floor for an httpx client: `python -c 'import httpx'` alone takes "
                f"{floor * 1000:.0f} ms ({floor * 1000 / row.peer_value:.1f}x curl)")
    return row


def bench_script(script: str, *args: str) -> Any:
    """Run ``benchmarks/SCRIPT --json ARGS`` in its own process: the document it prints."""
    result = subprocess.run([sys.executable, str(BENCH / script), "--json", *args],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"{script} failed: {result.stderr[-300:]}")
    return json.loads(result.stdout)


def engine_row(cfg: Config) -> Row:
    r = bench_script("bench_engine.py", "--blocks", str(cfg.engine_blocks))
    ratio = r["ratio"]
    return Row("engine tokens/s (`TokenEngine.mint_for`)", "engine", r["subject_tokens_per_s"],
               "raw twilio AccessToken+VideoGrant loop", r["peer_tokens_per_s"], "tokens/s",
               ratio, f"{ratio:.2f}x", ">= 0.9x", ratio >= 0.9,
               f"{cfg.engine_blocks} alternating blocks per side, tokens per CPU second; "
               f"median of paired blocks {r['paired_ratio_median']:.2f}x")


def sessions_row(cfg: Config) -> Row:
    r = bench_script("bench_sessions.py", "--runs", str(cfg.sessions_runs))
    ratio = r["peer_median_s"] / r["median_s"]
    allowed = r["budget"] + r["paging"]
    return Row(
        f"`vtctl sessions` over {r['appointments']} appointments, {r['live_rooms']} live rooms "
        "(local Twilio mock)", "`vtctl sessions --json`", r["median_s"],
        f"one request per appointment ({r['peer_requests']})", r["peer_median_s"], "s",
        ratio, f"{ratio:.1f}x", f"<= {r['budget']} requests + paging",
        r["requests"] <= allowed,
        f"{r['requests']} requests: the live list, {r['live_rooms']} rooms' participants and "
        f"{r['paging']} more pages (the completed list, which tells ended from missed); "
        f"process start included; {cfg.sessions_runs} runs",
    )


def serve_vs_django_row(cfg: Config, vtctl_port: int, vtctl_jwt: str, django_port: int,
                        django_jwt: str) -> Row:
    def load(port: int, jwt: str) -> dict[str, float]:
        return bench_serve.bench_token_endpoint(port, jwt, connections=cfg.connections,
                                                seconds=cfg.load_seconds)

    subject_runs: list[dict[str, float]] = []
    peer_runs: list[dict[str, float]] = []
    for i in range(cfg.load_rounds):
        pair = [(vtctl_port, vtctl_jwt, subject_runs), (django_port, django_jwt, peer_runs)]
        for port, jwt, runs in pair if i % 2 == 0 else pair[::-1]:
            runs.append(load(port, jwt))
    for label, runs in (("vtctl serve", subject_runs), ("Django peer", peer_runs)):
        errors = sum(r["errors"] for r in runs)
        if errors:
            raise BenchError(f"{label}: {errors:.0f} non-200 answers under load")
    s_rps = statistics.median(r["rps"] for r in subject_runs)
    p_rps = statistics.median(r["rps"] for r in peer_runs)
    s_p99 = statistics.median(r["p99_ms"] for r in subject_runs)
    p_p99 = statistics.median(r["p99_ms"] for r in peer_runs)
    ratio = s_rps / p_rps
    return Row(
        f"token endpoint req/s, {cfg.connections} connections", "`vtctl serve`", s_rps,
        "Django+DRF+SimpleJWT, gunicorn 2 gthread workers", p_rps, "req/s", ratio,
        f"{ratio:.1f}x (p99 {s_p99:.1f} vs {p_p99:.1f} ms)", ">= 3x, p99 <= 20 ms",
        ratio >= 3 and s_p99 <= 20,
        f"{cfg.load_rounds} alternating {cfg.load_seconds:g} s rounds each; no access logs",
    )


#: slow clients held open during the idle-connections row (issue 14)
IDLE_CONNECTIONS = 1000


def idle_connections_row(cfg: Config, store: Path, home: Path, jwt: str) -> Row:
    """Req/s and p99 of the token endpoint with 1,000 idle connections open vs none."""
    # the idle connections must outlive a round: a header timeout longer than the whole row
    with bench_serve.serve(store, home, "--no-access-log", "--header-timeout", "600") as server:
        r = bench_serve.bench_with_idle_connections(
            server.port, jwt, idle=IDLE_CONNECTIONS, connections=cfg.connections,
            seconds=cfg.idle_seconds, rounds=cfg.idle_rounds, pid=server.process.pid)
    if r["errors"]:
        raise BenchError(f"{r['errors']:.0f} non-200 answers under load")
    if r["idle_still_open"] < IDLE_CONNECTIONS:
        raise BenchError(f"only {r['idle_still_open']} idle connections stayed open")
    ratio = r["idle_rps"] / r["alone_rps"]
    p99_ratio = r["idle_p99_ms"] / r["alone_p99_ms"]
    return Row(
        f"token endpoint with {IDLE_CONNECTIONS:,} idle connections open",
        f"{IDLE_CONNECTIONS:,} idle connections", r["idle_rps"], "no idle connections",
        r["alone_rps"], "req/s", ratio,
        f"{ratio:.2f}x (p99 {r['idle_p99_ms']:.1f} vs {r['alone_p99_ms']:.1f} ms)",
        ">= 0.9x, p99 <= 1.1x", ratio >= 0.9 and p99_ratio <= 1.1,
        f"{cfg.connections} load connections; {cfg.idle_rounds} alternating "
        f"{cfg.idle_seconds:g} s rounds each (medians); p99 {p99_ratio:.2f}x of the medians, "
        f"{r['paired_p99_ratio_median']:.2f}x the median of paired rounds (each "
        f"{min(r['p99_ratios']):.2f}-{max(r['p99_ratios']):.2f}x); "
        + (f"server CPU per request {r['idle_cpu_us']:.0f} vs {r['alone_cpu_us']:.0f} us "
           f"({r['idle_cpu_us'] / r['alone_cpu_us']:.2f}x); " if r["alone_cpu_us"] else "")
        + "`--no-access-log --header-timeout 600`",
    )


def smoke_row(cfg: Config, url: str, home: Path) -> Row:
    runs = [bench_serve.bench_smoke(url, home, cfg.appointments, cfg.appointments)
            for _ in range(cfg.smoke_rounds)]
    smoke_s = statistics.median(r["smoke_seconds"] for r in runs)
    seq_s = statistics.median(r["sequential_seconds"] for r in runs)
    ratio = seq_s / smoke_s
    n = cfg.appointments
    return Row(
        f"`vtctl smoke` over {n} appointments", "`vtctl smoke`", smoke_s,
        f"{n} sequential `vtctl token`", seq_s, "s", ratio, f"{ratio:.0f}x", ">= 20x",
        ratio >= 20,
        f"smoke fetches and checks both users' tokens ({2 * n}); "
        f"{cfg.smoke_rounds} round(s)",
    )


# -- report -------------------------------------------------------------------------


def _value(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "-"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def render_table(rows: list[Row]) -> str:
    lines = [
        "| benchmark | subject (median) | peer (median) | ratio | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {_value(r.subject_value, r.unit)} | {r.peer}: "
            f"{_value(r.peer_value, r.unit)} | {r.ratio_text} | {r.goal} | "
            f"{'yes' if r.met else '**no**'} |"
        )
    return "\n".join(lines)


def machine_line(cfg: Config, started: datetime, load_before: float) -> str:
    return (
        f"{started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average {load_before:.2f} at start; "
        f"{cfg.runs} runs per side for process rows, {cfg.remote_runs} for the remote row"
    )


def write_results(table: str, notes: list[str], machine: str) -> list[Path]:
    """Put the table between the markers of RESULTS.md and of README.md's Performance section."""
    block = "\n".join([TABLE_BEGIN, f"Measured {machine}.", "", table, "",
                       *[f"- {n}" for n in notes], TABLE_END])
    written = []
    for path in (RESULTS_MD, README_MD):
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if TABLE_BEGIN in text and TABLE_END in text:
            head, rest = text.split(TABLE_BEGIN, 1)
            text = head + block + rest.split(TABLE_END, 1)[1]
        elif path == RESULTS_MD:
            text = f"# Benchmark results\n\n{block}\n"
        else:
            continue
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run", description="Every vtctl benchmark in one table (issue 7).")
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a sanity check")
    parser.add_argument("--write", action="store_true",
                        help="also rewrite the table in benchmarks/RESULTS.md and README.md")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["startup", "remote", "engine", "serve", "idle", "smoke",
                                 "sessions"],
                        help="leave a group of rows out (repeatable)")
    opts = parser.parse_args(argv)
    cfg = Config.quick() if opts.quick else Config()

    def log(message: str) -> None:
        print(f"[bench] {message}", file=sys.stderr, flush=True)

    # Measure vtctl as installed: with bytecode caches.  (A PYTHONDONTWRITEBYTECODE
    # environment would make every run compile vtctl's modules from source.)
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        log("PYTHONDONTWRITEBYTECODE is unset for the benchmarked processes")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "vtctl")],
                   check=False, stdout=subprocess.DEVNULL)

    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    rows: list[Row] = []

    def attempt(name: str, goal: str, make: Callable[[], list[Row]]) -> None:
        log(f"{name} ...")
        try:
            rows.extend(make())
        except Exception as exc:  # a failed row is reported in the table, never retried
            log(f"{name} FAILED: {exc}")
            rows.append(failed_row(name, goal, exc))

    django_python: Path | None = None
    if "serve" not in opts.skip:
        try:
            django_python = ensure_django_venv(log)
        except (subprocess.CalledProcessError, OSError) as exc:
            log(f"could not build the Django peer: {exc}")
            rows.append(failed_row("token endpoint req/s (Django peer not built)",
                                   ">= 3x, p99 <= 20 ms", exc))

    with tempfile.TemporaryDirectory(prefix="vtctl-bench-") as tmp:
        home = Path(tmp)
        env = bench_serve.bench_env(home)
        if "startup" not in opts.skip:
            attempt("process start rows", "<= 4x / 1.15x", lambda: startup_rows(cfg, env))
        if "engine" not in opts.skip:
            attempt("engine tokens/s", ">= 0.9x", lambda: [engine_row(cfg)])
        if "sessions" not in opts.skip:
            attempt("sessions request budget", "<= 41 requests + paging",
                    lambda: [sessions_row(cfg)])
        needs_server = {"remote", "serve", "idle", "smoke"} - set(opts.skip)
        if needs_server:
            store = bench_serve.make_store(home / "store.sqlite3", max(cfg.appointments, 47))
            jwt = bench_serve.dev_jwt(bench_serve.PATIENT)
            if "idle" not in opts.skip:
                attempt("idle connections", ">= 0.9x, p99 <= 1.1x",
                        lambda: [idle_connections_row(cfg, store, home, jwt)])
            with bench_serve.serve(store, home, "--no-access-log") as server:
                if "remote" not in opts.skip:
                    attempt("remote token vs curl", "<= 10x",
                            lambda: [remote_token_row(cfg, env, server.url, jwt)])
                if "serve" not in opts.skip and django_python is not None:
                    python = django_python

                    def serve_rows() -> list[Row]:
                        with django_peer(python, home, max(cfg.appointments, 47)) as (port, dj):
                            mine, theirs = fetch_json(server.port, jwt), fetch_json(port, dj)
                            if set(mine) != GUIDE_FIELDS or set(theirs) != GUIDE_FIELDS:
                                raise BenchError("the two endpoints do not answer alike")
                            return [serve_vs_django_row(cfg, server.port, jwt, port, dj)]

                    attempt("serve vs Django peer", ">= 3x, p99 <= 20 ms", serve_rows)
                if "smoke" not in opts.skip:
                    attempt("smoke vs sequential token", ">= 20x",
                            lambda: [smoke_row(cfg, server.url, home)])

    table = render_table(rows)
    machine = machine_line(cfg, started, load_before)
    notes = [f"{r.name}: {r.note}" for r in rows if r.note]
    print(f"\nvtctl benchmarks, {machine}\n")
    print(table)
    for note in notes:
        print(f"  - {note}")
    LATEST_DIR.mkdir(exist_ok=True)
    (LATEST_DIR / "latest.md").write_text(f"Measured {machine}.\n\n{table}\n", encoding="utf-8")
    (LATEST_DIR / "latest.json").write_text(
        json.dumps({"machine": machine, "quick": opts.quick,
                    "rows": [asdict(r) for r in rows]}, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    if opts.write:
        for path in write_results(table, notes, machine):
            log(f"wrote {path.relative_to(ROOT)}")
    return 0 if all(r.ratio_text != "failed" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
