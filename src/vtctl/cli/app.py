"""The Typer app and the single place where errors become exit codes."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import typer

from vtctl import __version__
from vtctl.errors import ExitCode, VtctlError
from vtctl.iostreams import IOStreams

HELP = """\
Administer the video sessions of the telehealth platform.

Get the Twilio Video token and room of an appointment, inspect rooms and
tokens, and smoke-test the video API, against the REST backend (default) or
the embedded local engine (--local, VTCTL_BACKEND=local or a profile).

Try it offline with the shipped demo data:  vtctl token 47 --profile demo
"""

EPILOG = (
    "Exit codes: 0 ok, 1 unexpected, 2 usage, 3 not authenticated, 4 permission denied, "
    "5 not found, 6 server error, 7 network, 8 smoke failed."
)

app = typer.Typer(
    name="vtctl",
    help=HELP,
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class AppContext:
    io: IOStreams


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"vtctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: bool = typer.Option(
        False, "--version", "-V", help="Print the version and exit.",
        callback=_version_callback, is_eager=True,
    ),
    debug: bool = typer.Option(
        False, "--debug",
        help="Log requests and show tracebacks on stderr (tokens stay redacted). "
        "Accepted anywhere on the command line.",
    ),
) -> None:
    """Administer telehealth video sessions."""


def _register_commands() -> None:
    from vtctl.cli import commands

    for register in commands.REGISTRY:
        register(app)


_register_commands()


def _split_debug(args: list[str]) -> tuple[list[str], bool]:
    """``--debug`` works anywhere before ``--``: move it out of the way."""
    end = args.index("--") if "--" in args else len(args)
    debug = "--debug" in args[:end]
    if debug:
        args = [a for a in args[:end] if a != "--debug"] + args[end:]
    return args, debug


def run(args: list[str], io: IOStreams | None = None) -> int:
    """Run the CLI and map every error to its contract exit code."""
    args, debug = _split_debug(args)
    io = io or IOStreams()
    io.debug = debug
    if debug:
        from vtctl.logsetup import enable_debug_logging

        enable_debug_logging()
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="vtctl", standalone_mode=True, obj=AppContext(io=io))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except VtctlError as exc:
        _show_traceback(debug)
        io.error(exc.message, exc.hint)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        io.error("interrupted")
        return 130
    except Exception as exc:  # the last line of defence: never a bare traceback
        _show_traceback(debug)
        from vtctl.logsetup import redact

        io.error(
            redact(f"unexpected {type(exc).__name__}: {exc}"),
            hint=None if debug else "run again with --debug for details",
        )
        return int(ExitCode.UNEXPECTED)
    return 0


def _show_traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)
