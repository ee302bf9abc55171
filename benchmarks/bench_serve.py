#!/usr/bin/env python3
"""``vtctl serve`` and ``vtctl smoke`` speed (issue 4).

1. Token endpoint throughput: a real ``vtctl serve`` subprocess on a free
   127.0.0.1 port; 32 keep-alive connections (a minimal asyncio HTTP/1.1
   client, so the load generator is not the bottleneck) hammer
   ``GET /api/appointments/video-token/47/`` for a bounded time; requests/s,
   p50 and p99 latency.  Measured with the request log on (the default) and
   off (``--no-access-log``).
2. ``vtctl smoke`` over N appointments (one process, concurrent, keep-alive)
   vs N sequential ``vtctl token ID`` subprocesses against the same server.

Importable (``bench_token_endpoint``, ``bench_smoke``, ``run`` return
numbers) and runnable:

    .venv/bin/python benchmarks/bench_serve.py [--seconds 5] [--connections 32]
        [--appointments 200] [--sequential 200] [--json]

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECRET = "bench-serve-secret-3b9f1c7a5e2d8b4f6a0c9e1d3b5f7a9c"
TWILIO_ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_API_KEY": "SK" + "fedcba9876543210" * 2,
    "TWILIO_API_SECRET": "bench-api-secret-not-real",
}
PATIENT, PSYCHOLOGIST = 2, 5


def vtctl_command() -> list[str]:
    exe = Path(sys.executable).with_name("vtctl")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vtctl"]


def bench_env(home: Path, **extra: str) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE dropped: the first run writes the bytecode caches the
    # measured runs read, as an installed tool's do (a stale cache compiles every run)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VTCTL_", "TWILIO_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               VTCTL_SERVE_SECRET=SECRET, NO_COLOR="1", **TWILIO_ENV)
    env.update(extra)
    return env


def bench_document(appointments: int) -> dict[str, Any]:
    """Two users and ``appointments`` appointments (ids 1..N), each with a room."""
    return {
        "users": [
            {"id": PATIENT, "email": "jane.doe@example.com", "name": "Jane", "role": "patient"},
            {"id": PSYCHOLOGIST, "email": "sarah@example.com", "name": "Sarah",
             "role": "psychologist"},
        ],
        "appointments": [
            {"id": i, "patient_id": PATIENT, "psychologist_id": PSYCHOLOGIST,
             "duration_minutes": 15 * (i % 16 + 1), "starts_at": "2025-11-16T09:00:00Z",
             "video_room_id": f"apt-{i}-1763138954-{i:08x}"}
            for i in range(1, appointments + 1)
        ],
    }


def make_store(path: Path, appointments: int) -> Path:
    """A store with ``appointments`` appointments (ids 1..N), each with a room, made by
    ``vtctl appointment import`` in the benchmark's environment (its home: the store's
    folder), so that the audit trail's key is where ``serve``, run in that same
    environment, looks for it (made in this process, the key went to this user's
    config, and ``serve`` refused every token with a 503)."""
    home = path.parent
    source = home / "bench-appointments.json"
    source.write_text(json.dumps(bench_document(appointments)))
    subprocess.run(
        [*vtctl_command(), "appointment", "import", str(source), "--store", str(path)],
        env=bench_env(home), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, check=True,
    )
    return path


def dev_jwt(user_id: int) -> str:
    from vtctl.server.auth import JwtAuthority

    return JwtAuthority(SECRET).issue(user_id)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str,
                  deadline: float = 30.0) -> None:
    """Poll until ``process`` listens on the loopback ``port`` (bounded by ``deadline``)."""
    end = time.monotonic() + deadline
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > end:
                raise RuntimeError(f"{what} did not start listening") from None
            time.sleep(0.02)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it is still running after 15 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def serve(store: Path, home: Path, *args: str, deadline: float = 30.0) -> Iterator[Server]:
    """``vtctl serve`` on a free loopback port until the block ends (SIGTERM)."""
    port = _free_port()
    process = subprocess.Popen(
        [*vtctl_command(), "serve", "--store", str(store), "--port", str(port), *args],
        env=bench_env(home), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(f"http://127.0.0.1:{port}", port, process)
    try:
        wait_for_port(port, process, "vtctl serve", deadline)
        yield server
    finally:
        stop(process)


# -- 1. token endpoint throughput ------------------------------------------------


async def _connection(port: int, request: bytes, until: float,
                      latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    clock = time.perf_counter
    try:
        while clock() < until:
            started = clock()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(clock() - started)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def bench_token_endpoint(port: int, jwt: str, *, connections: int = 32, seconds: float = 5.0,
                         appointment_id: int = 47, warmup: float = 0.5) -> dict[str, float]:
    """Requests/s and latency percentiles (ms) of GET video-token/ID/ on 127.0.0.1:port."""
    request = (
        f"GET /api/appointments/video-token/{appointment_id}/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {jwt}\r\n"
        "Content-Type: application/json\r\nAccept: application/json\r\n\r\n"
    ).encode()

    async def load(duration: float) -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        until = started + duration
        await asyncio.gather(*(
            _connection(port, request, until, latencies, errors) for _ in range(connections)
        ))
        return latencies, errors, time.perf_counter() - started

    if warmup > 0:
        asyncio.run(load(warmup))
    latencies, errors, elapsed = asyncio.run(load(seconds))
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

    return {
        "requests": float(len(latencies)),
        "errors": float(len(errors)),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0.0,
    }


# -- 1b. the token endpoint with many idle connections open ---------------------------


@contextmanager
def idle_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections to 127.0.0.1:port that never send a byte (slow clients)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < count + 256:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(count + 256, hard), hard))
    except ImportError:
        pass
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            opened.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        yield opened
    finally:
        for sock in opened:
            sock.close()


def still_open(sockets: list[socket.socket]) -> int:
    """How many of ``sockets`` the server has not closed (nothing to read, no EOF)."""
    alive = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            alive += sock.recv(1) != b""  # data would be odd; b"" is the server's close
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    return alive


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process ``pid`` has used; None where /proc is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_with_idle_connections(port: int, jwt: str, *, idle: int = 1000,
                                connections: int = 32, seconds: float = 5.0,
                                rounds: int = 3, pid: int | None = None) -> dict[str, Any]:
    """The token endpoint's load figures alone and with ``idle`` idle connections open,
    in alternating rounds (the server must run with a header timeout longer than a round).

    With the server's ``pid``, also its CPU time per request in each round: what an idle
    connection costs each request, without the scheduling noise of latency figures."""
    alone: list[dict[str, float]] = []
    crowded: list[dict[str, float]] = []
    survivors: list[int] = []

    def measured() -> dict[str, float]:
        bench_token_endpoint(port, jwt, connections=connections, seconds=0.5, warmup=0)
        before = server_cpu_seconds(pid) if pid is not None else None
        result = bench_token_endpoint(port, jwt, connections=connections, seconds=seconds,
                                      warmup=0)
        after = server_cpu_seconds(pid) if pid is not None else None
        if before is not None and after is not None and result["requests"]:
            result["cpu_us_per_request"] = (after - before) / result["requests"] * 1e6
        return result

    for i in range(rounds):
        for with_idle in ((False, True) if i % 2 == 0 else (True, False)):
            if not with_idle:
                alone.append(measured())
                continue
            with idle_connections(port, idle) as sockets:
                crowded.append(measured())
                survivors.append(still_open(sockets))

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    # each round against its neighbour, run at (nearly) the same moment: a busy machine
    # moves both p99s of a pair alike, and a round's p99 alone moves by 20% or more
    paired = [c["p99_ms"] / a["p99_ms"] for a, c in zip(alone, crowded, strict=True)]
    return {
        "idle": idle, "rounds": rounds,
        "alone_rps": median(alone, "rps"), "alone_p99_ms": median(alone, "p99_ms"),
        "idle_rps": median(crowded, "rps"), "idle_p99_ms": median(crowded, "p99_ms"),
        "paired_p99_ratio_median": statistics.median(paired),
        "p99_ratios": paired,
        "alone_cpu_us": median(alone, "cpu_us_per_request") if pid is not None else None,
        "idle_cpu_us": median(crowded, "cpu_us_per_request") if pid is not None else None,
        "errors": sum(r["errors"] for r in alone + crowded),
        "idle_still_open": min(survivors),
    }


# -- 2. smoke vs sequential token calls --------------------------------------------


def bench_smoke(url: str, home: Path, appointments: int, sequential: int,
                concurrency: int = 8) -> dict[str, float]:
    """Wall time of one ``vtctl smoke 1..N`` vs ``sequential`` ``vtctl token`` processes."""
    env = bench_env(home, PAT=dev_jwt(PATIENT), PSY=dev_jwt(PSYCHOLOGIST))
    ids = [str(i) for i in range(1, appointments + 1)]
    started = time.perf_counter()
    smoke = subprocess.run(
        [*vtctl_command(), "smoke", *ids, "--base-url", url, "--json",
         "--concurrency", str(concurrency),
         "--patient-jwt-env", "PAT", "--psychologist-jwt-env", "PSY"],
        env=env, capture_output=True, text=True, check=False,
    )
    smoke_seconds = time.perf_counter() - started
    if smoke.returncode != 0:
        raise RuntimeError(f"vtctl smoke failed ({smoke.returncode}): {smoke.stderr[-500:]}")
    checks = len(json.loads(smoke.stdout))

    token_env = {**env, "VTCTL_JWT": env["PAT"]}
    started = time.perf_counter()
    for appointment_id in ids[:sequential]:
        result = subprocess.run(
            [*vtctl_command(), "token", appointment_id, "--base-url", url, "--json"],
            env=token_env, capture_output=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"vtctl token {appointment_id} failed: {result.stderr[-300:]!r}")
    sequential_seconds = time.perf_counter() - started
    return {
        "appointments": float(appointments),
        "checks": float(checks),
        "smoke_seconds": smoke_seconds,
        "smoke_tokens_per_s": 2 * appointments / smoke_seconds,
        "sequential_calls": float(sequential),
        "sequential_seconds": sequential_seconds,
        "sequential_tokens_per_s": sequential / sequential_seconds if sequential else 0.0,
        "speedup_per_token": (
            (2 * appointments / smoke_seconds) / (sequential / sequential_seconds)
            if sequential else 0.0
        ),
    }


# -- all of it ---------------------------------------------------------------------


def run(seconds: float = 5.0, connections: int = 32, appointments: int = 200,
        sequential: int = 200) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vtctl-bench-serve-") as tmp:
        home = Path(tmp)
        store = make_store(home / "store.sqlite3", max(appointments, 47))
        jwt = dev_jwt(PATIENT)
        result: dict[str, Any] = {}
        with serve(store, home, "--no-access-log") as server:
            result["token_endpoint_no_log"] = bench_token_endpoint(
                server.port, jwt, connections=connections, seconds=seconds)
            result["smoke"] = bench_smoke(server.url, home, appointments, sequential)
        with serve(store, home) as server:
            result["token_endpoint"] = bench_token_endpoint(
                server.port, jwt, connections=connections, seconds=seconds)
        result["config"] = {"seconds": seconds, "connections": connections,
                            "cpus": os.cpu_count() or 0}
        return result


def format_table(result: dict[str, Any]) -> str:
    rows = []
    for key, label in (("token_endpoint", "video-token/ID/ (request log on)"),
                       ("token_endpoint_no_log", "video-token/ID/ (--no-access-log)")):
        r = result[key]
        rows.append(f"{label:<38} {r['rps']:>9.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                    f"p99 {r['p99_ms']:6.2f} ms  errors {r['errors']:.0f}")
    s = result["smoke"]
    rows.append(f"{'vtctl smoke, ' + str(int(s['appointments'])) + ' appointments':<38} "
                f"{s['smoke_seconds']:>9.2f} s      {s['smoke_tokens_per_s']:8.0f} tokens/s "
                f"({s['checks']:.0f} checks)")
    rows.append(f"{str(int(s['sequential_calls'])) + ' sequential vtctl token calls':<38} "
                f"{s['sequential_seconds']:>9.2f} s      "
                f"{s['sequential_tokens_per_s']:8.1f} tokens/s")
    rows.append(f"{'smoke speedup per token':<38} {s['speedup_per_token']:>9.1f}x")
    config = result["config"]
    header = (f"vtctl serve benchmark ({config['connections']} connections, "
              f"{config['seconds']} s, {config['cpus']} CPUs, 127.0.0.1)")
    return "\n".join([header, "-" * len(header), *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--appointments", type=int, default=200)
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    result = run(opts.seconds, opts.connections, opts.appointments, opts.sequential)
    print(json.dumps(result, indent=2) if opts.json else format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
