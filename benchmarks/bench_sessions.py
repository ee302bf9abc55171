#!/usr/bin/env python3
"""`vtctl sessions` over a 500-appointment window with 40 live rooms (issue 22).

A local mock of Twilio's Video Rooms and Participants list endpoints (on 127.0.0.1,
``VTCTL_TWILIO_API_URL``) serves 40 live rooms of the window's appointments plus 3 of
no appointment, and 200 completed rooms; the real executable runs
``vtctl sessions --local --json`` against a real store.  Each run's requests are
counted by the mock: the budget is 1 + 40 plus paging (the live list, the live rooms'
participants, and the completed list because past appointments must be told ended or
missed).  The peer is the naive design the issue rules out: one request per
appointment (``GET /v1/Rooms/{name}``, sequential, in-process httpx) against the same
mock.

    .venv/bin/python benchmarks/bench_sessions.py [--appointments 500] [--live 40]
                                                  [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

VTCTL = str(Path(sys.executable).with_name("vtctl"))
PAGE = 50
CREDENTIALS = {
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_API_KEY": "SK" + "fedcba9876543210" * 2,
    "TWILIO_API_SECRET": "bench-only-secret",
}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def room_name(i: int) -> str:
    return f"apt-{i}-1763280000-{i:08x}"


class Twilio:
    """The mock's data: live and completed rooms, and who is connected."""

    def __init__(self, now: datetime, appointments: int, live: int) -> None:
        self.base = ""
        self.requests = 0
        self.lock = threading.Lock()
        self.live = [(f"RM{i:032x}", room_name(i), now - timedelta(minutes=20))
                     for i in range(1, live + 1)]
        self.live += [(f"RM{10**6 + i:032x}", f"lobby-{i}", now) for i in range(3)]
        past = range(live + 1, min(appointments, live + 200) + 1)
        self.completed = [(f"RM{i:032x}", room_name(i), now - timedelta(minutes=90))
                          for i in past]

    def count(self) -> None:
        with self.lock:
            self.requests += 1

    def rooms(self, query: dict[str, list[str]]) -> dict[str, Any]:
        status = query.get("Status", ["in-progress"])[0]
        number = int(query.get("Page", ["0"])[0])
        found = self.live if status == "in-progress" else self.completed
        chunk = found[number * PAGE:(number + 1) * PAGE]
        records = [{"sid": sid, "unique_name": name, "status": status, "type": "group",
                    "date_created": iso(created),
                    "end_time": iso(created + timedelta(minutes=50))
                    if status == "completed" else None,
                    "duration": 3000 if status == "completed" else None}
                   for sid, name, created in chunk]
        url = f"{self.base}/v1/Rooms?Status={status}&PageSize={PAGE}"
        more = (number + 1) * PAGE < len(found)
        return self._page("rooms", url, records, number,
                          f"{url}&Page={number + 1}&PageToken=PT{number + 1}" if more else None)

    def participants(self, sid: str) -> dict[str, Any]:
        joined = iso(datetime.now(UTC) - timedelta(minutes=4))
        records = [{"sid": f"PA{n:032x}", "room_sid": sid, "identity": who,
                    "status": "connected", "start_time": joined, "date_created": joined}
                   for n, who in enumerate(("2-jane.doe@example.com", "5-sarah@example.com"))]
        url = f"{self.base}/v1/Rooms/{sid}/Participants?Status=connected&PageSize={PAGE}"
        return self._page("participants", url, records, 0, None)

    @staticmethod
    def _page(key: str, url: str, records: list[dict[str, Any]], number: int,
              following: str | None) -> dict[str, Any]:
        return {key: records, "meta": {"page": number, "page_size": PAGE, "key": key,
                                       "first_page_url": url, "previous_page_url": None,
                                       "url": url, "next_page_url": following}}


@contextmanager
def mock(twilio: Twilio) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server calls it by this name
            twilio.count()
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")
            if segments == ["v1", "Rooms"]:
                body: dict[str, Any] | None = twilio.rooms(parse_qs(parts.query))
            elif len(segments) == 4 and segments[3] == "Participants":
                body = twilio.participants(segments[2])
            elif len(segments) == 3:  # the naive peer: GET /v1/Rooms/{name}
                body = {"sid": "RM" + "0" * 32, "unique_name": segments[2],
                        "status": "in-progress"}
            else:
                body = None
            data = json.dumps(body or {"code": 20404, "status": 404}).encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    twilio.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield twilio.base
    finally:
        server.shutdown()
        server.server_close()


def build_store(path: Path, now: datetime, appointments: int, live: int) -> None:
    from vtctl.domain.models import Appointment, User
    from vtctl.local.store import AppointmentStore

    users = [User(2, "jane.doe@example.com", "Jane Doe", "patient"),
             User(5, "sarah@example.com", "Dr. Sarah", "psychologist")]
    rows = []
    for i in range(1, appointments + 1):
        if i <= live:
            starts = now - timedelta(minutes=10)          # in session now
        elif i <= live + 200:
            starts = now - timedelta(minutes=100)         # over: ended or missed
        else:
            starts = now + timedelta(minutes=5 + i % 110)  # later in the window
        rows.append(Appointment(i, 2, 5, 50, starts, room_name(i)))
    with AppointmentStore.open(path) as store:
        store.import_records(users, rows)


def run_sessions(base: str, store: Path, home: Path) -> tuple[float, str]:
    env = {**os.environ, **CREDENTIALS, "VTCTL_TWILIO_API_URL": base, "VTCTL_STORE": str(store),
           "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config")}
    started = time.perf_counter()
    result = subprocess.run([VTCTL, "sessions", "--local", "--json"], capture_output=True,
                            text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"vtctl sessions exited {result.returncode}: {result.stderr[-500:]}")
    return elapsed, result.stdout


def naive_peer(base: str, names: list[str]) -> float:
    import httpx

    auth = (CREDENTIALS["TWILIO_API_KEY"], CREDENTIALS["TWILIO_API_SECRET"])
    started = time.perf_counter()
    with httpx.Client(base_url=base, auth=auth) as client:
        for name in names:
            client.get(f"/v1/Rooms/{name}").raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=500)
    parser.add_argument("--live", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    now = datetime.now(UTC)
    twilio = Twilio(now, options.appointments, options.live)
    with tempfile.TemporaryDirectory() as tmp, mock(twilio) as base:
        home = Path(tmp)
        store = home / "store.sqlite3"
        build_store(store, now, options.appointments, options.live)
        times, counts = [], []
        states: dict[str, int] = {}
        for _ in range(options.runs):
            before = twilio.requests
            elapsed, out = run_sessions(base, store, home)
            times.append(elapsed)
            counts.append(twilio.requests - before)
            rows = json.loads(out)
            states = {}
            for row in rows:
                states[row["state"]] = states.get(row["state"], 0) + 1
        if sum(states.values()) != options.appointments:
            raise SystemExit(f"expected {options.appointments} rows, got {states}")
        before = twilio.requests
        peer = statistics.median(
            naive_peer(base, [room_name(i) for i in range(1, options.appointments + 1)])
            for _ in range(options.runs))
        peer_requests = (twilio.requests - before) // options.runs
    live_pages = -(-(options.live + 3) // PAGE)
    completed_pages = -(-min(options.appointments - options.live, 200) // PAGE)
    result = {
        "appointments": options.appointments, "live_rooms": options.live,
        "median_s": round(statistics.median(times), 3),
        "requests": max(counts), "budget": 1 + options.live,
        "paging": (live_pages - 1) + completed_pages,
        "peer_median_s": round(peer, 3), "peer_requests": peer_requests,
        "states": states,
    }
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print(f"`vtctl sessions --json`, {options.appointments} appointments, {options.live} live "
          f"rooms: {result['median_s']:.2f} s median of {options.runs}, "
          f"{result['requests']} requests (1 + {options.live} + {result['paging']} paging); "
          f"one request per appointment: {peer:.2f} s, {peer_requests} requests; "
          f"states {states}")


if __name__ == "__main__":
    main()
