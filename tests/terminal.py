"""Run the real ``vtctl`` with stdout on a pseudo-terminal of a given size, as a person
at a terminal would see it (stdin and stderr stay pipes, so nothing prompts)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from dataclasses import dataclass

from tests.serve_fixtures import vtctl_command

#: an escape sequence (colour, cursor): what a person does not see
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
#: a character struck over (bold or underlined, as man prints without a pager)
OVERSTRIKE = re.compile(r".\x08")
#: a run never takes longer; only a guard against a hang, not a timing assertion
DEADLINE = 60.0


@dataclass(frozen=True)
class Screen:
    returncode: int
    raw: str  # what the terminal received, escape sequences included
    stderr: str

    @property
    def text(self) -> str:
        """What a person sees: escape sequences and man's overstrikes (``N\\bN`` for a
        bold N) removed, ``\\r\\n`` as ``\\n``."""
        plain = OVERSTRIKE.sub("", ANSI.sub("", self.raw))
        return plain.replace("\r\n", "\n").replace("\r", "")

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def run_on_terminal(args: list[str], columns: int, env: dict[str, str],
                    stdin: str | None = None, rows: int = 50) -> Screen:
    """``vtctl ARGS`` with stdout on a ``columns`` x ``rows`` pseudo-terminal.

    ``COLUMNS``/``LINES`` are removed from the environment: the size is the terminal's.
    """
    controller, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    clean = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    clean.setdefault("TERM", "xterm-256color")
    try:
        process = subprocess.Popen(
            [*vtctl_command(), *args], stdout=terminal, stderr=subprocess.PIPE,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            env=clean, start_new_session=True,
        )
    finally:
        os.close(terminal)
    try:
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin.encode())
            process.stdin.close()
        raw = _read_all(controller)
        assert process.stderr is not None
        stderr = process.stderr.read().decode(errors="replace")
        returncode = process.wait(timeout=DEADLINE)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
            process.wait()
    return Screen(returncode, raw.decode(errors="replace"), stderr)


def _read_all(controller: int) -> bytes:
    """Everything written to the terminal until the program closes it."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError as exc:  # EIO: every writer closed the terminal
            if exc.errno == errno.EIO:
                break
            raise
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
