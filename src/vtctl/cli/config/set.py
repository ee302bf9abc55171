"""``vtctl config set KEY VALUE``: one setting of a profile, checked before it is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.cli.config.shared import (
    PRECEDENCE,
    SETTING_HELP,
    ConfigOptions,
    Key,
    base_options,
    check_key,
    target_profile,
)
from vtctl.cli.framework import options as o
from vtctl.config.profiles import load_config, save_config
from vtctl.domain.errors import ConfigError

_JWT_VALUE = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


@dataclass(kw_only=True)
class SetOptions(ConfigOptions):
    key: str
    value: str


def check_value(key: str, value: str) -> str:
    """Validate and normalise one setting's value."""
    from vtctl.config.settings import normalize_base_url

    if _JWT_VALUE.match(value.strip()):
        raise ConfigError(
            f"the value for {key} looks like a token: the config file never holds secrets",
            hint="use `vtctl auth login` or VTCTL_JWT",
        )
    if not value.strip():
        raise ConfigError(
            f"{key} cannot be empty", hint=f"remove it with `vtctl config unset {key}`"
        )
    if key == "backend":
        if value not in ("remote", "local"):
            raise ConfigError(f"backend must be 'remote' or 'local', not {value!r}")
        return value
    if key == "base_url":
        return normalize_base_url(value)
    if key in ("token_path", "refresh_path"):
        if not value.startswith("/") or any(c.isspace() for c in value) or "://" in value:
            raise ConfigError(
                f"{key} must be a path on the API host starting with '/', not {value!r}",
                hint="e.g. /api/token/",
            )
        return value
    return value.strip()


def run_set(opts: SetOptions) -> None:
    key = check_key(opts.key)
    value = check_value(key, opts.value)
    config = load_config(opts.path)
    name = target_profile(opts, config)
    changed: dict[str, Any] = {key: value}
    profile = config.profile(name)._replace(**changed)
    save_config(config.with_profile(profile))
    opts.io.info(f"set {key} = {value} in profile {name!r} ({opts.path})")


def set_command(
    ctx: typer.Context,
    key: Key,
    value: Annotated[
        str, typer.Argument(metavar="VALUE", help="The new value.", show_default=False)
    ],
    profile: o.Profile = None,
) -> None:
    run_set(SetOptions(**base_options(ctx, profile), key=key, value=value))


def register(group: typer.Typer) -> None:
    group.command("set", help="Set KEY to VALUE in a profile.\n\nSettings: " + "; ".join(
    f"{k}: {v}" for k, v in SETTING_HELP.items()) + ".\n\n" + PRECEDENCE)(set_command)
