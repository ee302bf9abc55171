"""``vtctl config show``: every profile of the config file, or one."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from vtctl.cli.config.shared import ConfigOptions, base_options
from vtctl.cli.framework import options as o
from vtctl.config.profiles import Config, load_config, validate_profile_name
from vtctl.ui.iostreams import IOStreams


@dataclass(kw_only=True)
class ShowOptions(ConfigOptions):
    json: bool = False


def run_show(opts: ShowOptions) -> None:
    config = load_config(opts.path)
    if opts.profile is not None:
        name = validate_profile_name(opts.profile)
        settings = config.profiles[name].settings() if name in config.profiles else {}
        if opts.json:
            opts.io.print_json({
                "path": str(opts.path), "profile": name,
                "default": name == (config.default_profile or "default"),
                "exists": name in config.profiles, "settings": settings,
            })
            return
        profiles = {name: settings}
    else:
        profiles = {n: p.settings() for n, p in sorted(config.profiles.items())}
        if opts.json:
            opts.io.print_json({
                "path": str(opts.path), "default_profile": config.default_profile,
                "profiles": profiles,
            })
            return
    _render(opts.io, config, profiles)


def _render(io: IOStreams, config: Config, profiles: dict[str, dict[str, str]]) -> None:
    exists = config.path.exists()
    io.info(f"config file: {config.path}" + ("" if exists else " (not created yet)"))
    if profiles:
        from vtctl.ui.render.profiles import profiles_sheet
        from vtctl.ui.sheet import show

        show(io, profiles_sheet(profiles, default=config.default_profile or "default"))
    else:
        io.info("no profiles yet: add one with `vtctl config set KEY VALUE [--profile NAME]`")
    if config.default_profile:
        io.info(f"default profile: {config.default_profile}")


def show_command(ctx: typer.Context, json: o.Json = False, profile: o.Profile = None) -> None:
    """Show every profile of the config file, or only --profile NAME."""
    run_show(ShowOptions(**base_options(ctx, profile), json=json))


def register(group: typer.Typer) -> None:
    group.command("show")(show_command)
