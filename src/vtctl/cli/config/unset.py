"""``vtctl config unset KEY``: remove one setting from a profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer

from vtctl.cli.config.shared import ConfigOptions, Key, base_options, check_key, target_profile
from vtctl.cli.framework import options as o
from vtctl.config.profiles import load_config, save_config


@dataclass(kw_only=True)
class UnsetOptions(ConfigOptions):
    key: str


def run_unset(opts: UnsetOptions) -> None:
    key = check_key(opts.key)
    config = load_config(opts.path)
    name = target_profile(opts, config)
    profile = config.profiles.get(name)
    if profile is None or getattr(profile, key) is None:
        opts.io.info(f"{key} was not set in profile {name!r}; nothing changed")
        return
    cleared: dict[str, Any] = {key: None}
    updated = profile._replace(**cleared)
    profiles = dict(config.profiles)
    if updated.settings():
        profiles[name] = updated
    else:
        del profiles[name]
    save_config(config._replace(profiles=profiles))
    opts.io.info(f"unset {key} in profile {name!r}")


def unset_command(ctx: typer.Context, key: Key, profile: o.Profile = None) -> None:
    """Remove KEY from a profile (the environment or the default applies again)."""
    run_unset(UnsetOptions(**base_options(ctx, profile), key=key))


def register(group: typer.Typer) -> None:
    group.command("unset")(unset_command)
