"""What the ``vtctl config`` verbs share: the settings a profile has and how they
are resolved, the options every verb gets, and which profile and key a change is for."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from vtctl.cli.framework.context import streams
from vtctl.config.paths import config_path
from vtctl.config.profiles import DEMO_PROFILE, Config, Profile
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


_SECRET_WORDS = ("jwt", "secret", "password", "passwd", "token", "refresh", "credential",
                 "api_key", "apikey", "auth", "bearer", "private")


Key = Annotated[str, typer.Argument(metavar="KEY", help="A setting: " + ", ".join(SETTING_HELP),
                                    show_default=False)]


@dataclass(kw_only=True)
class ConfigOptions:
    io: IOStreams
    path: Path
    #: --profile as given (None: VTCTL_PROFILE, else default_profile, else "default")
    profile: str | None = None
    env: dict[str, str]


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


def target_profile(opts: ConfigOptions, config: Config) -> str:
    from vtctl.config.settings import resolve_profile_name

    name = resolve_profile_name(opts.profile, opts.env, config.default_profile)
    if name == DEMO_PROFILE:
        raise ConfigError(
            "the built-in 'demo' profile cannot be edited",
            hint="create your own, e.g. --profile dev",
        )
    return name


def base_options(ctx: typer.Context, profile: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    return {"io": streams(ctx), "path": config_path(env), "profile": profile, "env": env}
