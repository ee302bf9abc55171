"""A real ``vtctl serve`` subprocess on a free 127.0.0.1 port, for e2e tests.

``start_server`` imports a JSON file into a temp store with the real
executable, starts ``vtctl serve`` on it, polls until it answers (bounded
deadline, no fixed sleep) and ``stop()`` sends SIGTERM and returns the exit
code.  ``serve_server`` (session scope, re-exported by conftest) is the one
server most e2e tests share.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    SECRET_ENV_PREFIXES,
    TEST_ACCOUNT_SID,
    TEST_API_KEY,
    TEST_API_SECRET,
)
from tests.helpers import appointment, import_document

SERVE_SECRET = "e2e-serve-secret-7f3a9c1d5e2b8f4a6c0d9e1f3a5b7c9d"
ROOM_49 = "apt-49-1763300000-0a1b2c3d"
ROOM_50 = "apt-50-1763300000-00000000"
STORE_DOCUMENT = import_document(
    appointment(47),
    appointment(48, duration=45, room=None, starts_at="2025-11-16T11:00:00Z"),
    appointment(49, duration=240, room=ROOM_49, starts_at="2025-11-17T09:00:00Z"),
    appointment(50, duration=10, room=ROOM_50, starts_at="2025-11-17T10:00:00Z"),
    appointment(51, duration=30, room=None, starts_at="2025-11-18T10:00:00Z"),
)
TWILIO_ENV = {
    "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
    "TWILIO_API_KEY": TEST_API_KEY,
    "TWILIO_API_SECRET": TEST_API_SECRET,
}
START_DEADLINE = 30.0


def vtctl_command() -> list[str]:
    exe = Path(sys.executable).with_name("vtctl")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vtctl"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The process environment without VTCTL_*/TWILIO_*, HOME and XDG dirs under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SECRET_ENV_PREFIXES)}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")
    env.update(extra)
    return env


def make_store(directory: Path, document: dict[str, object] | None = None) -> Path:
    """A store imported from a JSON file by the real ``vtctl appointment import``."""
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "appointments.json"
    source.write_text(json.dumps(document or STORE_DOCUMENT, indent=1))
    store = directory / "store.sqlite3"
    result = subprocess.run(
        [*vtctl_command(), "appointment", "import", str(source), "--store", str(store)],
        env=clean_env(directory), capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    return store


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    store: Path
    log: Path
    secret: str = SERVE_SECRET
    stopped: int | None = field(default=None)

    def jwt(self, user_id: int, **claims: object) -> str:
        """A dev JWT for ``user_id`` signed with the server's secret (in-process)."""
        from vtctl.server.auth import JwtAuthority

        token = JwtAuthority(self.secret).issue(user_id)
        if not claims:
            return token
        import jwt as pyjwt

        payload = pyjwt.decode(token, self.secret, algorithms=["HS256"])
        payload.update(claims)
        return pyjwt.encode(payload, self.secret, algorithm="HS256")

    def jwt_env(self, **users: int) -> dict[str, str]:
        return {name: self.jwt(user) for name, user in users.items()}

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.stopped is None:
            if self.process.poll() is None:
                self.process.send_signal(sig)
            try:
                self.stopped = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"vtctl serve ignored signal {sig}:\n{self.stderr()}") from exc
        return self.stopped


def start_server(directory: Path, *, store: Path | None = None, twilio: bool = True,
                 extra_env: dict[str, str] | None = None, args: tuple[str, ...] = (),
                 use_store: bool = True) -> RunningServer:
    """Start ``vtctl serve`` (on a new store unless given one) and wait until it answers."""
    if use_store:
        store = store or make_store(directory)
        args = ("--store", str(store), *args)
    port = free_port()
    env = clean_env(directory, **{"VTCTL_SERVE_SECRET": SERVE_SECRET,
                                  **(TWILIO_ENV if twilio else {}), **(extra_env or {})})
    log = directory / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*vtctl_command(), "serve", "--port", str(port), *args],
            stdin=subprocess.DEVNULL, stdout=sink, stderr=sink, env=env,
        )
    server = RunningServer(f"http://127.0.0.1:{port}", process, store or directory, log)
    wait_until_answering(server)
    return server


def wait_until_answering(server: RunningServer, deadline_seconds: float = START_DEADLINE
                         ) -> None:
    deadline = time.monotonic() + deadline_seconds
    while True:
        if server.process.poll() is not None:
            raise AssertionError(f"vtctl serve exited with {server.process.returncode}:\n"
                                 f"{server.stderr()}")
        try:
            httpx.get(server.url + "/api/appointments/1/", timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                server.stop(signal.SIGKILL)
                raise AssertionError(f"vtctl serve did not answer:\n{server.stderr()}") from None
            time.sleep(0.02)  # poll interval, bounded by the deadline above


@pytest.fixture(scope="session")
def serve_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("serve"))
    yield server
    assert server.stop() == 0, server.stderr()
