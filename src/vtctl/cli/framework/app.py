"""The Typer app, and ``run``: every command runs there, and every error it raises
goes to ``runtime.report_failure`` (click's own usage errors keep click's exit code 2).

No ``from __future__ import annotations``: Typer reads ``main_callback``'s annotations
four times per run, and would compile each string annotation every time (issue 20)."""

import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.exceptions import Abort

from vtctl import __version__
from vtctl.cli.framework.runtime import exit_status, report_failure, split_debug, start_debug
from vtctl.domain.errors import EXIT_CODES
from vtctl.ui.iostreams import IOStreams
from vtctl.util.prog import HELP_OPTIONS

HELP = """\
Administer the video sessions of the telehealth platform.

Get the Twilio Video token and room of an appointment, inspect rooms and
tokens, and smoke-test the video API, against the REST backend (default) or
the embedded local engine (--local, VTCTL_BACKEND=local or a profile).

Try it offline with the shipped demo data:  vtctl token 47 --profile demo
"""

EPILOG = "Exit codes: " + ", ".join(
    f"{int(code)} {meaning.short}" for code, meaning in EXIT_CODES.items()
) + " (vtctl help exit-codes)."


if TYPE_CHECKING:  # a Literal made at every start costs ~0.3 M instructions (issue 20)
    from typing import Literal

    #: how Typer draws ``--help``: "rich" panels, or None for click's plain lines
    HelpMarkup = Literal["rich"] | None


def help_markup() -> "HelpMarkup":
    """Rich panels on a terminal; click's plain lines when stdout is piped, as the
    contract wants of every piped output (no box characters; gh does the same).

    ``launch.helpcache`` keys its entries on whether stdout is a terminal, so a
    rendering of one kind is never printed for the other."""
    stdout = sys.stdout
    try:
        terminal = stdout is not None and stdout.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or odd stream: a pipe
        terminal = False
    return "rich" if terminal else None


#: click's plain help as wide as this: never wrapped, whatever ``COLUMNS`` says (the
#: contract's rule for piped output): an option and its help on one line, as gh prints
#: them, and no identifier (a JSON field, a URL) broken by a narrow ``COLUMNS``
UNWRAPPED = 1_000_000


def build_app(
    modules: tuple[str, ...] | None = None, markup: 'HelpMarkup | Literal["auto"]' = "auto"
) -> typer.Typer:
    """The Typer app with the commands of ``modules`` (default: all of them); its help
    drawn as ``markup`` says ("auto": :func:`help_markup`, decided now)."""
    from vtctl.cli.framework import commands

    mode = help_markup() if markup == "auto" else markup
    settings: dict[str, Any] = {"help_option_names": list(HELP_OPTIONS)}
    if mode is None:
        settings["terminal_width"] = UNWRAPPED  # inherited by every command's context
    app = typer.Typer(
        name="vtctl",
        help=HELP,
        epilog=EPILOG,
        no_args_is_help=True,
        add_completion=False,
        # sub-apps' commands take the root's mode (typer.main.get_group_from_info)
        rich_markup_mode=mode,
        pretty_exceptions_enable=False,
        context_settings=settings,
    )
    app.callback()(main_callback)
    commands.register(app, modules)
    return app


app: typer.Typer  # the whole app; set by __getattr__ on first use


def __getattr__(name: str) -> Any:
    """``app``: the whole app (help, completion, docs), built on first use."""
    if name == "app":
        global app
        app = build_app()
        return app
    raise AttributeError(name)


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command ``args`` runs, or every command (the root's help,
    an unknown name).  A help option before the name is the root's help (``vtctl --help
    token``), which lists every command."""
    from vtctl.cli.framework.commands import module_of

    at = next((i for i, a in enumerate(args) if not a.startswith("-")), None)
    if at is None or any(a in HELP_OPTIONS for a in args[:at]):
        return build_app()
    module = module_of(args[at])
    return build_app(None if module is None else (module,))


def click_command(args: list[str]) -> Any:
    """The click command tree that runs ``args``; built for a pipe, its help texts are
    plain when this run may print help (``cli.framework.plain_help``)."""
    command = typer.main.get_command(app_for(args))
    if help_markup() is None and _may_show_help(command, args):
        from vtctl.cli.framework.plain_help import plain_texts

        plain_texts(command)
    return command


def _may_show_help(command: Any, args: list[str]) -> bool:
    """A help option anywhere, or the names end at a group (``vtctl room``: its help)."""
    if any(arg in HELP_OPTIONS for arg in args):
        return True
    for name in (arg for arg in args if not arg.startswith("-")):
        subcommands = getattr(command, "commands", None)  # a group (Typer vendors click)
        if subcommands is None or name not in subcommands:
            return False  # a command runs, or an unknown name is an error
        command = subcommands[name]
    return getattr(command, "commands", None) is not None


def _version_callback(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # not while the shell asks for completions
        typer.echo(f"vtctl {__version__}")
        raise typer.Exit()


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


def run(args: list[str], io: IOStreams | None = None) -> int:
    """Run the CLI and map every error to its contract exit code."""
    args, debug = split_debug(args)
    io = io or IOStreams()
    start_debug(io, debug)
    command = click_command(args)
    try:
        # not standalone: Click's usage errors come here as exceptions, so they
        # are one line like every other error instead of a boxed panel
        result = command.main(
            args=args, prog_name="vtctl", standalone_mode=False, obj=io
        )
        return result if isinstance(result, int) and not isinstance(result, bool) else 0
    except SystemExit as exc:
        return exit_status(exc)
    except typer.TyperException as exc:  # every click error (usage errors included)
        if not exc.format_message():
            return exc.exit_code  # no_args_is_help on a terminal: Typer printed the help
        if _is_own_help(exc):  # no_args_is_help piped: the message is click's plain help
            typer.echo(exc.format_message())  # on stdout, as on a terminal
            return exc.exit_code
        from vtctl.util.logsetup import redact

        # "Got unexpected extra argument (eyJ...)": a token typed on argv is not echoed
        io.error(redact(exc.format_message()), _usage_hint(exc))
        return exc.exit_code
    except Abort:
        io.error("aborted")
        return 1
    except (KeyboardInterrupt, Exception) as exc:  # the last line of defence
        return report_failure(exc, io, debug)
    return 0


def _is_own_help(exc: typer.TyperException) -> bool:
    ctx = getattr(exc, "ctx", None)
    return ctx is not None and exc.format_message() == ctx.get_help()


def _usage_hint(exc: typer.TyperException) -> str | None:
    ctx = getattr(exc, "ctx", None)
    hint = f"see `{ctx.command_path} --help`" if ctx is not None else None
    option = getattr(exc, "option_name", "") or ""  # `vtctl token -5`: "No such option: -5"
    if option.startswith("-") and option.lstrip("-").isdigit():
        hint = "an appointment id is a positive integer" + (f"; {hint}" if hint else "")
    return hint
