"""One terminal-aware output object for every command (gh's IOStreams).

Commands never print directly: data goes to ``out`` (JSON, raw tokens,
tables), messages and errors go to ``err``.  Colour is used only on a
terminal and never when ``NO_COLOR`` is set; rich markup never (text from the
store, the API, Twilio or a pasted token is printed as text: ``ui.console``).
Rich is imported only when a table is actually rendered.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, TYPE_CHECKING, Any

from vtctl.util.text import json_printable, printable_lines

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


#: a token or secret read from stdin is at most this long (JWTs are a few KiB)
MAX_STDIN_SECRET = 64 * 1024


class IOStreams:
    """Where a command writes: stdout for data, stderr for messages, and what they are.

    An object with its own identity, not a value (so not a dataclass: creating one costs
    every command ~0.5 ms at import, issue 20)."""

    def __init__(self, out: IO[str] | None = None, err: IO[str] | None = None,
                 stdin: IO[str] | None = None, *, force_terminal: bool | None = None,
                 width: int | None = None, debug: bool = False) -> None:
        self.out: IO[str] = sys.stdout if out is None else out
        self.err: IO[str] = sys.stderr if err is None else err
        self.stdin: IO[str] = sys.stdin if stdin is None else stdin
        #: None: decide from the stream and the environment
        self.force_terminal = force_terminal
        self.width = width
        self.debug = debug
        self._console: Console | None = None
        self._err_console: Console | None = None

    # -- capabilities -------------------------------------------------------

    @property
    def is_stdout_tty(self) -> bool:
        return self.force_terminal if self.force_terminal is not None else _is_tty(self.out)

    @property
    def is_stderr_tty(self) -> bool:
        return self.force_terminal if self.force_terminal is not None else _is_tty(self.err)

    @property
    def is_stdin_tty(self) -> bool:
        return _is_tty(self.stdin)

    @property
    def color_enabled(self) -> bool:
        return self.is_stdout_tty and "NO_COLOR" not in os.environ

    # -- consoles -----------------------------------------------------------

    def _make_console(self, stream: IO[str], tty: bool) -> Console:
        from vtctl.ui.console import PlainTextConsole

        color = tty and "NO_COLOR" not in os.environ
        return PlainTextConsole(
            file=stream,
            force_terminal=tty,
            no_color=not color,
            color_system="auto" if color else None,
            width=self.width or (None if tty else 100),
            soft_wrap=False,
        )

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = self._make_console(self.out, self.is_stdout_tty)
        return self._console

    @property
    def err_console(self) -> Console:
        if self._err_console is None:
            self._err_console = self._make_console(self.err, self.is_stderr_tty)
        return self._err_console

    # -- output -------------------------------------------------------------

    def render(self, *renderables: RenderableType) -> None:
        """Print rich renderables (tables, panels) for people."""
        for renderable in renderables:
            self.console.print(renderable)

    def print_json(self, data: Any) -> None:
        """One JSON document on stdout, nothing else; controls and lone surrogates in
        its strings escaped (``json_printable``)."""
        self.out.write(json_printable(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")
        self.out.flush()

    def print_raw(self, text: str) -> None:
        """One plain line (a piped record, a ``--jq`` string, a token) on stdout, its
        control characters shown as ``?`` (tabs and line breaks kept)."""
        self.out.write(printable_lines(text) + "\n")
        self.out.flush()

    def info(self, message: str) -> None:
        """A human message on stderr (so stdout stays clean for pipes)."""
        self.err.write(message + "\n")
        self.err.flush()

    def error(self, message: str, hint: str | None = None) -> None:
        self.err.write(f"error: {message}\n")
        if hint:
            self.err.write(f"hint: {hint}\n")
        self.err.flush()

    def ask_yes_no(self, question: str) -> bool:
        """Ask on the terminal (stderr), default no; only call when stdin is a terminal."""
        self.err.write(f"{question} [y/N] ")
        self.err.flush()
        answer = self.stdin.readline(100).strip().lower()
        return answer in ("y", "yes")

    def read_secret(self, prompt: str) -> str:
        """A secret from a hidden prompt on a terminal, else one line of stdin."""
        if self.is_stdin_tty:
            import getpass

            return getpass.getpass(prompt, stream=self.err)  # type: ignore[arg-type]
        return self.stdin.readline(MAX_STDIN_SECRET).strip()

    def read_stdin(self, limit: int = MAX_STDIN_SECRET) -> str | None:
        """All of stdin, or None when it holds more than ``limit`` characters
        (``vtctl inspect - < /dev/zero`` must not read forever)."""
        text = self.stdin.read(limit + 1)
        return None if len(text) > limit else text
