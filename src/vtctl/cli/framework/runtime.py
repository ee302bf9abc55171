"""Typer-free parts of running a command: ``--debug`` anywhere on the line, and
:func:`report_failure`, the one place an error becomes a message and the
contract's exit code (called by ``app.run``, and by ``launch.entry`` for argv
that is not UTF-8, before Typer is imported)."""

from __future__ import annotations

import sys

from vtctl.domain.errors import ExitCode, VtctlError
from vtctl.ui.iostreams import IOStreams


def split_debug(args: list[str]) -> tuple[list[str], bool]:
    """``--debug`` works anywhere before ``--``: move it out of the way."""
    end = args.index("--") if "--" in args else len(args)
    debug = "--debug" in args[:end]
    if debug:
        args = [a for a in args[:end] if a != "--debug"] + args[end:]
    return args, debug


def start_debug(io: IOStreams, debug: bool) -> None:
    io.debug = debug
    if debug:
        from vtctl.util.logsetup import enable_debug_logging

        enable_debug_logging()


def exit_status(exc: SystemExit) -> int:
    """The status of a ``SystemExit``; 0 when it is Click's or rich's exit on a
    broken pipe (`vtctl --help | head -1`): the reader had what it wanted."""
    from vtctl.util.pipes import discard_stdout, reader_left

    if reader_left(exc):
        discard_stdout()
        return 0
    return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)


def report_failure(exc: BaseException, io: IOStreams, debug: bool) -> int:
    """Tell the user what failed; the exit code for it.

    Never a bare traceback: ``--debug`` adds one on stderr, with secrets redacted
    from the message.
    """
    if isinstance(exc, VtctlError):
        _show_traceback(debug)
        io.error(exc.message, exc.hint)
        return int(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        io.error("interrupted")
        return 130
    if isinstance(exc, BrokenPipeError):  # `vtctl token 47 --raw | head -c 20`: the reader left
        from vtctl.util.pipes import discard_stdout

        discard_stdout()
        return 0  # quietly: the reader had what it wanted (CONTRACT, last line)
    _show_traceback(debug)
    from vtctl.util.logsetup import redact

    # a bug, not bad input: the words say so; the class name is the traceback's (--debug)
    detail = str(exc).strip()
    io.error(
        redact(f"internal error (a bug in vtctl){': ' + detail if detail else ''}"),
        hint=None if debug else "run again with --debug for the traceback, and report it",
    )
    return int(ExitCode.UNEXPECTED)


def _show_traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)
