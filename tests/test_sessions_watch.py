"""``vtctl sessions --watch``: one line per state change in a pipe; on a real
pseudo-terminal a full-screen view whose changed rows are marked, and Ctrl-C exits 0
with the terminal restored.  Refreshes are driven by the test (an injected sleep and
clock), never by waiting."""

from __future__ import annotations

import contextlib
import io
import os
import re
import select
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from tests.sessions_fakes import JANE, NOW, SARAH, apt, live, person
from vtctl.cli.sessions import SessionsOptions, run_sessions
from vtctl.domain.errors import NetworkError
from vtctl.domain.sessions import SessionEvidence, TwilioView
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")

#: refresh 1: 42 is upcoming, 43 has Jane waiting; refresh 2: Jane is in 42, Sarah joined 43
FIRST = SessionEvidence((apt(42, 5), apt(43, -2)),
                        TwilioView(live=(live(43, person(JANE, 4)),), completed=()))
SECOND = SessionEvidence((apt(42, 5), apt(43, -2)), TwilioView(
    live=(live(42, person(JANE, 0)), live(43, person(JANE, 4), person(SARAH, 0))),
    completed=()))
DOWN = SessionEvidence((apt(42, 5), apt(43, -2)),
                       TwilioView(failure=NetworkError("cannot reach Twilio")))


@dataclass
class ScriptedBackend:
    """A local backend whose refreshes return the given evidence in turn."""

    script: list[SessionEvidence]
    name: str = "local"
    calls: list[tuple[datetime, datetime]] = field(default_factory=list)
    closed: bool = False

    def check_room_operations(self, command: str) -> None:
        assert command == "sessions"

    def session_evidence(self, start: datetime, end: datetime, user: str | None,
                         now: datetime) -> SessionEvidence:
        self.calls.append((start, end))
        return self.script[min(len(self.calls), len(self.script)) - 1]

    def close(self) -> None:
        self.closed = True


class Clock:
    """Time that moves only when the watch sleeps."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.now = NOW
        self.sleeps: list[float] = []
        self.stop_after = stop_after

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.stop_after is not None and len(self.sleeps) >= self.stop_after:
            raise KeyboardInterrupt  # Ctrl-C while waiting for the next refresh
        self.now += timedelta(seconds=seconds)


def options(backend: ScriptedBackend, clock: Clock, terminal: bool
            ) -> tuple[SessionsOptions, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    opts = SessionsOptions(
        io=IOStreams(out=out, err=err, force_terminal=terminal, width=160),
        open_backend=lambda: backend,  # type: ignore[arg-type,return-value]
        fmt=OutputFormat(), watch=True, interval=5.0, clock=clock, sleep=clock.sleep,
    )
    return opts, out, err


def test_piped_watch_prints_one_line_per_state_change() -> None:
    backend = ScriptedBackend([FIRST, SECOND, SECOND, DOWN, SECOND])
    clock = Clock(stop_after=5)
    opts, out, err = options(backend, clock, terminal=False)
    assert run_sessions(opts) is None  # Ctrl-C: a normal end (exit 0)
    assert backend.closed and len(backend.calls) == 5
    assert clock.sleeps == [5.0] * 5
    assert out.getvalue().splitlines() == [
        # the first refresh: every appointment's state
        "2025-11-16T10:00:00Z\t43\t-\twaiting\tthe patient (Jane Doe) has been waiting 4 min "
        "for the psychologist\tcontact the psychologist (Dr. Sarah)",
        "2025-11-16T10:00:00Z\t42\t-\tupcoming\tstarts in 5 min; room ready\t-",
        # the second: both changed; the third: nothing did
        "2025-11-16T10:00:05Z\t42\tupcoming\twaiting\tthe patient (Jane Doe) has been waiting "
        "5 s for the psychologist\tcontact the psychologist (Dr. Sarah)",
        "2025-11-16T10:00:05Z\t43\twaiting\tin session\t0 / 50 min\t-",
        # Twilio unreachable: both unknown, then back
        "2025-11-16T10:00:15Z\t43\tin session\tunknown\tcannot reach Twilio\t-",
        "2025-11-16T10:00:15Z\t42\twaiting\tunknown\tcannot reach Twilio\t-",
        "2025-11-16T10:00:20Z\t42\tunknown\twaiting\tthe patient (Jane Doe) has been waiting "
        "20 s for the psychologist\tcontact the psychologist (Dr. Sarah)",
        "2025-11-16T10:00:20Z\t43\tunknown\tin session\t0 / 50 min\t-",
    ]
    assert err.getvalue() == ("Twilio: 2 of 2 sessions are unknown: cannot reach Twilio "
                              "(rows unknown); retrying in 5 s\n")


#: refresh 3 of the tests below: 43 is no longer in the window (the window moved on)
ONLY_42 = SessionEvidence((apt(42, 5),), TwilioView(live=(live(42, person(JANE, 0)),),
                                                    completed=()))


def test_piped_watch_says_when_a_row_leaves_the_window() -> None:
    backend = ScriptedBackend([FIRST, SECOND, ONLY_42, ONLY_42])
    clock = Clock(stop_after=4)
    opts, out, _ = options(backend, clock, terminal=False)
    run_sessions(opts)
    lines = out.getvalue().splitlines()
    gone = [line for line in lines if "\tgone\t" in line]
    assert gone == ["2025-11-16T10:00:10Z\t43\tin session\tgone\tno longer in the window\t-"]
    assert lines[-1] == gone[0]  # said once, on the refresh that dropped it


def test_live_view_names_the_rows_that_left_the_window() -> None:
    backend = ScriptedBackend([FIRST, SECOND, ONLY_42, ONLY_42])
    clock = Clock(stop_after=4)
    opts, out, _ = options(backend, clock, terminal=True)
    run_sessions(opts)
    frames = ANSI.sub("", out.getvalue())
    _, _, third = frames.partition("refreshed 10:00:10")
    third, _, fourth = third.partition("refreshed 10:00:15")
    assert "left the window: 43 (in session)" in third
    assert "left the window" not in fourth  # only on the refresh that dropped it



def test_a_watch_without_twilio_credentials_does_not_promise_a_retry() -> None:
    """On the demo profile Twilio is never asked: asking again cannot help, so the note
    says what would (a network fault, above, is retried)."""
    from vtctl.domain.errors import MissingCredentialsError

    fake = SessionEvidence((apt(42, 5), apt(43, -2)), TwilioView(
        failure=MissingCredentialsError.demo("the demo profile's Twilio credentials are fake")))
    backend = ScriptedBackend([fake])
    clock = Clock(stop_after=2)
    opts, _, err = options(backend, clock, terminal=False)
    run_sessions(opts)
    assert "retrying" not in err.getvalue()
    assert err.getvalue().count("they stay unknown until Twilio credentials are set") == 1

def test_a_relative_window_moves_with_the_clock() -> None:
    backend = ScriptedBackend([FIRST])
    clock = Clock(stop_after=2)
    opts, _, _ = options(backend, clock, terminal=False)
    run_sessions(opts)
    (start1, end1), (start2, end2) = backend.calls
    assert (start1, end1) == (NOW - timedelta(hours=2), NOW + timedelta(hours=2))
    assert (start2 - start1, end2 - end1) == (timedelta(seconds=5), timedelta(seconds=5))


def test_live_view_marks_changed_rows_and_restores_the_terminal() -> None:
    backend = ScriptedBackend([FIRST, SECOND])
    clock = Clock(stop_after=2)
    opts, out, _ = options(backend, clock, terminal=True)
    run_sessions(opts)
    raw = out.getvalue()
    assert "\x1b[?1049h" in raw and raw.rindex("\x1b[?1049l") > raw.rindex("\x1b[?1049h")
    assert raw.rindex("\x1b[?25h") > raw.rindex("\x1b[?25l")
    first, _, second = ANSI.sub("", raw).partition("refreshed 10:00:05")
    assert "● " not in first.replace("● changed", "")  # the first refresh marks nothing
    assert "● waiting" in second and "● in session" in second


# -- a real pseudo-terminal ------------------------------------------------------------------


def _read_until(fd: int, buffer: bytearray, wanted: str, start: int = 0,
                deadline_seconds: float = 20.0) -> str:
    """Read the child's terminal until ``wanted`` shows up after ``start``."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        screen = ANSI.sub("", buffer[start:].decode("utf-8", "replace"))
        if wanted in screen:
            return screen
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"{wanted!r} never appeared on the terminal:\n{screen[-2000:]}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                pytest.fail(f"the terminal closed before {wanted!r}:\n{screen[-2000:]}")
            buffer += chunk


def _drain(fd: int, buffer: bytearray) -> None:
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 5.0)
            chunk = os.read(fd, 65536) if ready else b""
        except OSError:
            return
        if not chunk:
            return
        buffer += chunk


def _child(ticks_fd: int) -> None:
    """In the forked child, on the pty: run the watch; each refresh waits for a byte."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.update({"COLUMNS": "150", "LINES": "40"})
    os.environ.pop("NO_COLOR", None)
    clock = Clock()

    def wait_for_tick(seconds: float) -> None:
        os.read(ticks_fd, 1)  # blocks until the test says "next refresh" (or Ctrl-C)
        clock.now += timedelta(seconds=seconds)

    backend = ScriptedBackend([FIRST, SECOND])
    # the terminal itself (pytest's capture replaced sys.stdout/stderr in this process)
    terminal = IOStreams(out=open(1, "w", encoding="utf-8", closefd=False),  # noqa: SIM115
                         err=open(2, "w", encoding="utf-8", closefd=False))  # noqa: SIM115
    opts = SessionsOptions(
        io=terminal, open_backend=lambda: backend,  # type: ignore[arg-type,return-value]
        fmt=OutputFormat(), watch=True, interval=5.0, clock=clock, sleep=wait_for_tick,
    )
    from vtctl.cli.framework.runtime import report_failure

    try:
        run_sessions(opts)
        code = 0
    except BaseException as exc:  # the exit code says what happened
        code = report_failure(exc, opts.io, False)
    os._exit(code)


@pytest.fixture
def ticks() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_watch_under_a_pseudo_terminal_shows_a_change_and_ctrl_c_exits_0(
    ticks: tuple[int, int],
) -> None:
    import pty
    import termios

    read_end, write_end = ticks
    pid, master = pty.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(write_end)
            _child(read_end)
        finally:
            os._exit(70)
    os.close(read_end)
    buffer = bytearray()
    try:
        before = termios.tcgetattr(master)
        first = _read_until(master, buffer, "room ready")  # the last row of the first view
        assert "Watching sessions" in first and "waiting" in first and "upcoming" in first
        assert "● waiting" not in first
        mark = len(buffer)
        os.write(write_end, b"x")  # the next refresh
        second = _read_until(master, buffer, "● in session", start=mark)
        assert "● waiting" in second  # 42: upcoming -> waiting, marked
        assert "refreshed 10:00:05 UTC" in second
        os.write(master, b"\x03")  # Ctrl-C, through the terminal's line discipline
        _drain(master, buffer)
        _, status = os.waitpid(pid, 0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, buffer[-2000:]
    raw = buffer.decode("utf-8", "replace")
    # the alternate screen was left and the cursor shown again, after the last refresh
    assert raw.rindex("\x1b[?1049l") > raw.rindex("\x1b[?1049h")
    assert raw.rindex("\x1b[?25h") > raw.rindex("\x1b[?25l")
    assert "Traceback" not in raw and "interrupted" not in raw
    with contextlib.suppress(termios.error):  # gone with its only process: nothing to restore
        assert termios.tcgetattr(master) == before
    os.close(master)
