"""``vtctl config path|show|set|unset|use|remove-profile``: the TOML profiles file, one
module per verb (what they share: ``shared``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from vtctl.cli.config import path, remove_profile, show, unset, use
    from vtctl.cli.config import set as set_
    from vtctl.cli.config.shared import PRECEDENCE

    group = typer.Typer(
        name="config",
        help="Show and edit the config file of named profiles.\n\n" + PRECEDENCE,
        no_args_is_help=True,
    )
    for verb in (path, show, set_, unset, use, remove_profile):
        verb.register(group)
    app.add_typer(group)
