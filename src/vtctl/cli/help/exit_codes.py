"""``vtctl help exit-codes``: what each exit status means."""

from __future__ import annotations

import typer

from vtctl.cli.framework.context import streams
from vtctl.cli.help.topics import EXIT_CODES, print_topic


def exit_codes_command(ctx: typer.Context) -> None:
    """What each exit status means."""
    print_topic(streams(ctx), "Exit codes", ("code", "meaning"), EXIT_CODES)


def register(group: typer.Typer) -> None:
    group.command("exit-codes")(exit_codes_command)
