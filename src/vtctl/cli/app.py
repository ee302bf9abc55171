"""The Typer app and the single place where errors become exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click
from typer.exceptions import Abort

from vtctl import __version__
from vtctl.cli.runtime import exit_status, report_failure, split_debug, start_debug
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams

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


def _version_callback(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:  # not while the shell asks for completions
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


def _leaf_command(root: Any, args: list[str]) -> tuple[Any, int]:
    """The (sub)command ``args`` name and the index where its own arguments start."""
    current, i = root, 0
    while i < len(args) and hasattr(current, "commands"):
        token = args[i]
        if token.startswith("-"):
            i += 2 if _takes_value(current, token) else 1
        elif token in current.commands:
            current, i = current.commands[token], i + 1
        else:
            break
    return current, i


def _takes_value(command: Any, token: str) -> bool:
    for param in command.params:
        if param.param_type_name == "option" and token in (*param.opts, *param.secondary_opts):
            return not (param.is_flag or param.count)
    return False


def _split_json_fields(
    root: Any, args: list[str]
) -> tuple[list[str], tuple[str, ...] | None, str | None]:
    """``--json=FIELDS`` / ``--json FIELDS`` / ``--jq EXPR`` -> ``--json`` plus what was asked.

    The vendored click has no optional-value options, so the field list (and
    the jq expression, which implies ``--json``) is taken off the command line
    here, once, for every command that has ``--json``.  ``--json WORD`` reads
    WORD as fields only if it looks like ``a,b_c`` and the command's positional
    arguments are all given without it (``appointment import --json data``
    still reads ``data`` as the file).
    """
    from vtctl.ui.output import FIELDS_PATTERN, parse_fields

    end = args.index("--") if "--" in args else len(args)
    head, tail = args[:end], args[end:]
    if not any(a in ("--json", "--jq") or a.startswith(("--json=", "--jq=")) for a in head):
        return args, None, None
    leaf, start = _leaf_command(root, head)
    if hasattr(leaf, "commands") or not any(
        p.param_type_name == "option" and "--json" in p.opts for p in leaf.params
    ):
        return args, None, None
    slots = [p.nargs for p in leaf.params if p.param_type_name == "argument"]
    positional: list[int] = []
    i = start
    while i < len(head):
        token = head[i]
        if token.startswith("-") and token != "-":
            takes_value = token == "--jq" or ("=" not in token and _takes_value(leaf, token))
            i += 2 if takes_value else 1
            continue
        positional.append(i)
        i += 1
    fields: tuple[str, ...] | None = None
    jq: str | None = None
    out: list[str] = head[:start]
    i = start
    while i < len(head):
        token = head[i]
        if token.startswith("--json="):
            fields = parse_fields(token.removeprefix("--json="))
            out.append("--json")
        elif token == "--json":
            out.append(token)
            nxt = head[i + 1] if i + 1 < len(head) else None
            if (
                nxt is not None
                and i + 1 in positional
                and FIELDS_PATTERN.match(nxt)
                and -1 not in slots
                and len(positional) - 1 >= sum(slots)
            ):
                fields = parse_fields(nxt)
                positional.remove(i + 1)
                i += 1
        elif token == "--jq" or token.startswith("--jq="):
            if token == "--jq":
                if i + 1 >= len(head):
                    raise UsageError("--jq needs a jq expression, e.g. --jq .room_name")
                jq, i = head[i + 1], i + 1
            else:
                jq = token.removeprefix("--jq=")
            if not jq.strip():
                raise UsageError("--jq needs a jq expression, e.g. --jq .room_name")
        else:
            out.append(token)
        i += 1
    if jq is not None and "--json" not in out[start:]:
        out.append("--json")
    return out + tail, fields, jq


def run(args: list[str], io: IOStreams | None = None) -> int:
    """Run the CLI and map every error to its contract exit code."""
    from vtctl.ui.output import requested_fields

    args, debug = split_debug(args)
    io = io or IOStreams()
    start_debug(io, debug)
    command = typer.main.get_command(app)
    try:
        args, fields, jq = _split_json_fields(command, args)
        asks_help = not {"-h", "--help"}.isdisjoint(args)
        with requested_fields(fields, jq, None if asks_help else io):
            # not standalone: Click's usage errors come here as exceptions, so they
            # are one line like every other error instead of a boxed panel
            result = command.main(
                args=args, prog_name="vtctl", standalone_mode=False, obj=AppContext(io=io)
            )
        return result if isinstance(result, int) and not isinstance(result, bool) else 0
    except SystemExit as exc:
        return exit_status(exc)
    except click.ClickException as exc:
        if isinstance(exc, click.exceptions.NoArgsIsHelpError):
            return exc.exit_code  # the help was printed already
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


def _usage_hint(exc: click.ClickException) -> str | None:
    ctx = getattr(exc, "ctx", None)
    hint = f"see `{ctx.command_path} --help`" if ctx is not None else None
    option = getattr(exc, "option_name", "") or ""
    if isinstance(exc, click.exceptions.NoSuchOption) and option.lstrip("-").isdigit():
        hint = "an appointment id is a positive integer" + (f"; {hint}" if hint else "")
    return hint
