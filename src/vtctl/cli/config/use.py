"""``vtctl config use PROFILE``: the default profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from vtctl.cli.config.shared import ConfigOptions, base_options
from vtctl.config.profiles import (
    complete_profile,
    load_config,
    require_profile,
    save_config,
    validate_profile_name,
)


@dataclass(kw_only=True)
class UseOptions(ConfigOptions):
    name: str


def run_use(opts: UseOptions) -> None:
    name = validate_profile_name(opts.name)
    config = load_config(opts.path)
    require_profile(config._replace(default_profile=None), name)
    save_config(config._replace(default_profile=name))
    opts.io.info(f"default profile is now {name!r}")


def use_command(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="PROFILE", help="The profile used when none is named.",
            autocompletion=complete_profile, show_default=False,
        ),
    ],
) -> None:
    """Make PROFILE the default (used when neither --profile nor VTCTL_PROFILE is given)."""
    run_use(UseOptions(**base_options(ctx), name=name))


def register(group: typer.Typer) -> None:
    group.command("use")(use_command)
