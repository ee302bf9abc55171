"""``vtctl config show``: every profile of the config file, or one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import typer

from vtctl.cli.config.shared import ConfigOptions, base_options
from vtctl.cli.framework import options as o
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.profiles import Config, load_config, validate_profile_name
from vtctl.domain.models import JsonFields
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit_json, output_format


@dataclass(frozen=True, slots=True)
class ConfigView(JsonFields):
    """``config show --json``: the file, its default profile and each profile's settings
    (with --profile NAME only that one, none when it has no settings)."""

    path: str
    default_profile: str | None
    profiles: dict[str, dict[str, str]]


@dataclass(kw_only=True)
class ShowOptions(ConfigOptions):
    fmt: OutputFormat = field(default_factory=OutputFormat)


def run_show(opts: ShowOptions) -> None:
    config = load_config(opts.path)
    if opts.profile is not None:
        name = validate_profile_name(opts.profile)
        profiles = {name: config.profiles[name].settings()} if name in config.profiles else {}
    else:
        profiles = {n: p.settings() for n, p in sorted(config.profiles.items())}
    if opts.fmt.json:
        emit_json(opts.io, opts.fmt,
                  ConfigView(str(opts.path), config.default_profile, profiles).to_json())
        return
    if opts.profile is not None and not profiles:
        profiles = {validate_profile_name(opts.profile): {}}
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


def show_command(
    ctx: typer.Context,
    json: Annotated[str | None, json_option(ConfigView.json_fields())] = None,
    jq: Jq = None,
    profile: o.Profile = None,
) -> None:
    """Show every profile of the config file, or only --profile NAME."""
    run_show(ShowOptions(**base_options(ctx, profile), fmt=output_format(json, jq)))


def register(group: typer.Typer) -> None:
    group.command("show", cls=JsonCommand)(show_command)
