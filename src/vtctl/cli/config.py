"""``vtctl config path|show|set|unset|use|remove-profile``: the TOML profiles file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import streams
from vtctl.config.profiles import (
    DEMO_PROFILE,
    Config,
    Profile,
    complete_profile,
    config_path,
    load_config,
    require_profile,
    save_config,
    validate_profile_name,
)
from vtctl.domain.errors import ConfigError
from vtctl.ui.iostreams import IOStreams

#: what each setting means, with the flag / variable that overrides it
SETTING_HELP: dict[str, str] = {
    "base_url": "remote API base URL, e.g. https://api.example.com  [--base-url, VTCTL_BASE_URL]",
    "backend": "remote or local  [--local, VTCTL_BACKEND]",
    "store": "SQLite store of the local backend  [--store, VTCTL_STORE]",
    "as_user": "local backend: default user to mint for (id or email)  [--as]",
    "token_path": "SimpleJWT login endpoint for `auth login --username` (default /api/token/)",
    "refresh_path": "SimpleJWT refresh endpoint (default /api/token/refresh/)",
}

PRECEDENCE = (
    "Every setting is resolved as flag > environment variable > profile > default: "
    "e.g. the base URL is --base-url, else VTCTL_BASE_URL, else the profile's base_url, "
    "else http://localhost:8000. The profile is --profile, else VTCTL_PROFILE, else "
    "default_profile of the file (`vtctl config use`), else 'default'. "
    "The file (VTCTL_CONFIG, else the user config dir) never holds a secret: JWTs and "
    "Twilio secrets live in the keyring (`vtctl auth login`, `vtctl auth twilio`) or the "
    "environment."
)

HELP = "Show and edit the config file of named profiles.\n\n" + PRECEDENCE

group = typer.Typer(name="config", help=HELP, no_args_is_help=True)

_SECRET_WORDS = ("jwt", "secret", "password", "passwd", "token", "refresh", "credential",
                 "api_key", "apikey", "auth", "bearer", "private")
_JWT_VALUE = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")

Key = Annotated[str, typer.Argument(metavar="KEY", help="A setting: " + ", ".join(SETTING_HELP),
                                    show_default=False)]


@dataclass(kw_only=True)
class ConfigOptions:
    io: IOStreams
    path: Path
    #: --profile as given (None: VTCTL_PROFILE, else default_profile, else "default")
    profile: str | None = None
    env: dict[str, str]


@dataclass(kw_only=True)
class ShowOptions(ConfigOptions):
    json: bool = False


@dataclass(kw_only=True)
class SetOptions(ConfigOptions):
    key: str
    value: str


@dataclass(kw_only=True)
class UnsetOptions(ConfigOptions):
    key: str


@dataclass(kw_only=True)
class UseOptions(ConfigOptions):
    name: str


@dataclass(kw_only=True)
class RemoveProfileOptions(ConfigOptions):
    name: str


# -- validation ---------------------------------------------------------------------


def check_key(key: str) -> str:
    """A known profile setting; secret-looking keys get a pointed refusal."""
    allowed = Profile.setting_names()
    if key in allowed:
        return key
    lowered = key.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        raise ConfigError(
            f"{key!r} looks like a secret: the config file never holds secrets",
            hint="store a JWT with `vtctl auth login` (or VTCTL_JWT), Twilio credentials "
            "with `vtctl auth twilio` (or TWILIO_* variables)",
        )
    raise ConfigError(f"unknown setting {key!r}", hint=f"known settings: {', '.join(allowed)}")


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


def _target_profile(opts: ConfigOptions, config: Config) -> str:
    from vtctl.config.settings import resolve_profile_name

    name = resolve_profile_name(opts.profile, opts.env, config.default_profile)
    if name == DEMO_PROFILE:
        raise ConfigError(
            "the built-in 'demo' profile cannot be edited",
            hint="create your own, e.g. --profile dev",
        )
    return name


# -- commands --------------------------------------------------------------------------


def run_path(opts: ConfigOptions) -> None:
    opts.io.print_raw(str(opts.path))


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
    from rich.table import Table

    exists = config.path.exists()
    io.info(f"config file: {config.path}" + ("" if exists else " (not created yet)"))
    default = config.default_profile or "default"
    table = Table(show_header=True, title_justify="left", expand=False)
    table.add_column("profile", style="bold cyan", no_wrap=True)
    table.add_column("setting", no_wrap=True)
    table.add_column("value")
    for name, settings in profiles.items():
        label = f"{name} (default)" if name == default else name
        if not settings:
            table.add_row(label, "-", "(no settings)")
        for index, (key, value) in enumerate(settings.items()):
            table.add_row(label if index == 0 else "", key, value)
    if profiles:
        io.render(table)
    else:
        io.info("no profiles yet: add one with `vtctl config set KEY VALUE [--profile NAME]`")
    if config.default_profile:
        io.info(f"default profile: {config.default_profile}")


def run_set(opts: SetOptions) -> None:
    key = check_key(opts.key)
    value = check_value(key, opts.value)
    config = load_config(opts.path)
    name = _target_profile(opts, config)
    changed: dict[str, Any] = {key: value}
    profile = replace(config.profile(name), **changed)
    save_config(config.with_profile(profile))
    opts.io.info(f"set {key} = {value} in profile {name!r} ({opts.path})")


def run_unset(opts: UnsetOptions) -> None:
    key = check_key(opts.key)
    config = load_config(opts.path)
    name = _target_profile(opts, config)
    profile = config.profiles.get(name)
    if profile is None or getattr(profile, key) is None:
        opts.io.info(f"{key} was not set in profile {name!r}; nothing changed")
        return
    cleared: dict[str, Any] = {key: None}
    updated = replace(profile, **cleared)
    profiles = dict(config.profiles)
    if updated.settings():
        profiles[name] = updated
    else:
        del profiles[name]
    save_config(replace(config, profiles=profiles))
    opts.io.info(f"unset {key} in profile {name!r}")


def run_use(opts: UseOptions) -> None:
    name = validate_profile_name(opts.name)
    config = load_config(opts.path)
    require_profile(replace(config, default_profile=None), name)
    save_config(replace(config, default_profile=name))
    opts.io.info(f"default profile is now {name!r}")


def run_remove_profile(opts: RemoveProfileOptions) -> None:
    """Remove a profile: its config section, its login and its Twilio credentials."""
    from vtctl.config.forget import forget_profile

    name = validate_profile_name(opts.name)
    if name == DEMO_PROFILE:
        raise ConfigError("the built-in 'demo' profile cannot be removed")
    gone = forget_profile(name, opts.path)
    if gone.secrets or gone.config_file:
        opts.io.info(f"removed profile {name!r}: {gone.describe()}")
    else:
        opts.io.info(f"no profile {name!r} in {opts.path} or in the secret storage; "
                     "nothing removed")
    if gone.keyring_error is not None:
        opts.io.info(f"note: the keyring could not be checked ({gone.keyring_error.message})")


# -- Typer wiring ---------------------------------------------------------------------


def _base(ctx: typer.Context, profile: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    return {"io": streams(ctx), "path": config_path(env), "profile": profile, "env": env}


@group.command("path")
def path_command(ctx: typer.Context) -> None:
    """Print the path of the config file (VTCTL_CONFIG overrides it)."""
    run_path(ConfigOptions(**_base(ctx)))


@group.command("show")
def show_command(ctx: typer.Context, json: o.Json = False, profile: o.Profile = None) -> None:
    """Show every profile of the config file, or only --profile NAME."""
    run_show(ShowOptions(**_base(ctx, profile), json=json))


@group.command("set", help="Set KEY to VALUE in a profile.\n\nSettings: " + "; ".join(
    f"{k}: {v}" for k, v in SETTING_HELP.items()) + ".\n\n" + PRECEDENCE)
def set_command(
    ctx: typer.Context,
    key: Key,
    value: Annotated[
        str, typer.Argument(metavar="VALUE", help="The new value.", show_default=False)
    ],
    profile: o.Profile = None,
) -> None:
    run_set(SetOptions(**_base(ctx, profile), key=key, value=value))


@group.command("unset")
def unset_command(ctx: typer.Context, key: Key, profile: o.Profile = None) -> None:
    """Remove KEY from a profile (the environment or the default applies again)."""
    run_unset(UnsetOptions(**_base(ctx, profile), key=key))


@group.command("use")
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
    run_use(UseOptions(**_base(ctx), name=name))


@group.command("remove-profile")
def remove_profile_command(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="PROFILE", help="The profile to remove.",
                            autocompletion=complete_profile, show_default=False)
    ],
) -> None:
    """Remove PROFILE: its section of the config file and its stored secrets.

    The login (token, refresh token) and Twilio credentials go from the keyring or the
    plain secrets file; `vtctl auth logout` removes only the login.
    """
    run_remove_profile(RemoveProfileOptions(**_base(ctx), name=name))


def register(app: typer.Typer) -> None:
    app.add_typer(group)
