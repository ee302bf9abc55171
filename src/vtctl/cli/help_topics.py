"""``vtctl help environment|exit-codes|man``: the reference tables of CONTRACT.md, printed,
and the man pages.

One row a line, tab-separated in a pipe (for grep), a table on a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from vtctl.cli.context import streams
from vtctl.ui.iostreams import IOStreams

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("VTCTL_BASE_URL", "remote base URL, e.g. http://localhost:8000"),
    ("VTCTL_JWT", "Bearer JWT; wins over the keyring (for CI)"),
    ("VTCTL_PROFILE", "profile name"),
    ("VTCTL_BACKEND", "remote or local"),
    ("VTCTL_STORE", "path of the local SQLite store"),
    ("VTCTL_CONFIG", "path of the config file (TOML)"),
    ("TWILIO_ACCOUNT_SID", "Twilio account SID, for the local engine"),
    ("TWILIO_API_KEY", "Twilio API key SID, for the local engine"),
    ("TWILIO_API_SECRET", "Twilio API key secret, for the local engine"),
    ("VTCTL_TWILIO_API_URL", "replaces https://video.twilio.com for Twilio's Video REST API "
     "(a proxy or a mock); plain http:// only for loopback hosts"),
    ("VTCTL_TWILIO_INSIGHTS_URL", "replaces https://insights.twilio.com for Twilio's Video "
     "Insights API (`vtctl history`); the same rules as VTCTL_TWILIO_API_URL"),
    ("VTCTL_SERVE_SECRET", "secret `vtctl serve` signs and checks its dev JWTs with"),
    ("VTCTL_NO_HELP_CACHE", "1: render --help every time instead of from the cache"),
    ("NO_COLOR", "set: no colour in tables"),
    ("SSL_CERT_FILE", "CA bundle for TLS (as --ca-bundle)"),
)

EXIT_CODES: tuple[tuple[str, str], ...] = (
    ("0", "success (also when a reader of the output leaves early: `vtctl ... | head -1`)"),
    ("1", "unexpected error"),
    ("2", "usage error (bad flag, argument, input file, or a file that is not a vtctl store)"),
    ("3", "not authenticated (no JWT, HTTP 401, missing Twilio credentials)"),
    ("4", "permission denied (HTTP 403)"),
    ("5", "not found (HTTP 404: appointment, room or user)"),
    ("6", "server error (HTTP 5xx, token generation failed, malformed response, "
          "a damaged store)"),
    ("7", "network error or timeout"),
    ("8", "a `smoke` or `diagnose` check failed (7 when no check could reach the server)"),
    ("9", "the audit trail failed verification"),
)

group = typer.Typer(name="help",
                    help="Reference pages: environment variables, exit codes, man pages.",
                    no_args_is_help=True)


def print_topic(io: IOStreams, title: str, header: tuple[str, str],
                rows: tuple[tuple[str, str], ...]) -> None:
    if not io.is_stdout_tty:
        for name, meaning in rows:
            io.out.write(f"{name}\t{meaning}\n")
        return
    from vtctl.ui.render.reference import reference_table

    io.render(reference_table(title, header, rows))


@group.command("environment")
def environment_command(ctx: typer.Context) -> None:
    """The environment variables vtctl reads."""
    print_topic(streams(ctx), "Environment", ("variable", "meaning"), ENVIRONMENT)


@group.command("exit-codes")
def exit_codes_command(ctx: typer.Context) -> None:
    """What each exit status means."""
    print_topic(streams(ctx), "Exit codes", ("code", "meaning"), EXIT_CODES)


@dataclass(frozen=True)
class ManOptions:
    command: tuple[str, ...]  #: the command's words after ``vtctl``; () for vtctl(1)


def run_man(opts: ManOptions) -> str:
    """The troff source of the command's man page, rendered from the whole app's help."""
    import typer.main

    from vtctl.cli.app import build_app
    from vtctl.cli.manpage import render_page, walk
    from vtctl.domain.errors import UsageError

    for path, command, ctx in walk(typer.main.get_command(build_app())):
        if path == opts.command:
            return render_page(path, command, ctx)
    raise UsageError(f"no command `vtctl {' '.join(opts.command)}`",
                     hint="`vtctl --help` lists the commands")


def man_dir() -> Path | None:
    """The generated ``man/`` (pages in ``man/man1``) of the checkout vtctl runs from, if any."""
    import vtctl

    found = Path(vtctl.__file__).resolve().parents[2] / "man"
    return found if (found / "man1" / "vtctl.1").is_file() else None


@group.command("man")
def man_command(
    ctx: typer.Context,
    command: Annotated[list[str] | None, typer.Argument(
        help="A command, e.g. `room participants`; none: vtctl(1).", metavar="COMMAND...",
        show_default=False)] = None,
) -> None:
    """Print the man page of vtctl or of a command, in troff.

    Read it with `vtctl help man | man -l -` or `vtctl help man room participants | man -l -`.
    The pages of every command are generated into man/man1/ of the repository:
    `MANPATH=$PWD/man man vtctl-token` in a checkout (where they are is said on stderr).
    """
    io = streams(ctx)
    io.out.write(run_man(ManOptions(command=tuple(command or ()))))
    where = man_dir()
    if where is not None:
        io.info(f"Every page is in {where}: MANPATH={where} man vtctl")


def register(app: typer.Typer) -> None:
    app.add_typer(group)
