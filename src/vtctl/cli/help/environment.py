"""``vtctl help environment``: the environment variables vtctl reads."""

from __future__ import annotations

import typer

from vtctl.cli.framework.context import streams
from vtctl.cli.help.topics import ENVIRONMENT, print_topic


def environment_command(ctx: typer.Context) -> None:
    """The environment variables vtctl reads."""
    print_topic(streams(ctx), "Environment", ("variable", "meaning"), ENVIRONMENT)


def register(group: typer.Typer) -> None:
    group.command("environment")(environment_command)
