"""``vtctl config path``: where the config file is."""

from __future__ import annotations

import typer

from vtctl.cli.config.shared import ConfigOptions, base_options


def run_path(opts: ConfigOptions) -> None:
    opts.io.print_raw(str(opts.path))


def path_command(ctx: typer.Context) -> None:
    """Print the path of the config file (VTCTL_CONFIG overrides it)."""
    run_path(ConfigOptions(**base_options(ctx)))


def register(group: typer.Typer) -> None:
    group.command("path")(path_command)
