"""``vtctl auth logout``: remove the profile's JWT, refresh token and config section."""

from __future__ import annotations

import os
from dataclasses import dataclass

import typer

from vtctl.backends.remote import ENV_JWT
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.domain.errors import AuthenticationError, KeyringUnavailableError
from vtctl.ui.iostreams import IOStreams


@dataclass
class LogoutOptions:
    io: IOStreams
    profile: str
    env: dict[str, str] | None = None


def run_logout(opts: LogoutOptions) -> None:
    """Remove what is stored of the profile's login (token, refresh token: keyring, plain
    file) and its config section, like gh; exit 3 when there was nothing to remove, or
    when a keyring that fails may still hold the login."""
    from vtctl.config.forget import Forgotten, forget_secrets, forget_section

    env = dict(os.environ) if opts.env is None else opts.env
    name = opts.profile
    gone = Forgotten(name)
    forget_secrets(name, ("jwt", "refresh"), gone)
    if gone.keyring_error is not None:  # a keyring is there and fails: it may hold the login
        removed = f"; removed {gone.describe()}" if gone.secrets else ""
        raise KeyringUnavailableError(
            f"the login of profile {name!r} cannot be removed from the keyring: "
            f"{gone.keyring_error.message}{removed}",
            hint="repair the keyring (or name one that works in PYTHON_KEYRING_BACKEND), then "
            f"run `vtctl auth logout --profile {name}` again")
    forget_section(name, gone)
    jwt_in_env = bool(env.get(ENV_JWT, "").strip())
    if not gone.secrets and gone.config_file is None:  # a second logout: like gh, say so
        raise AuthenticationError(
            f"not logged in to profile {name!r}: no token is stored, and the config file "
            f"has no [profiles.{name}]",
            hint="VTCTL_JWT is set in this environment: unset it to log out of it"
            if jwt_in_env else "`vtctl auth status` shows the logins of every profile")
    no_login = "" if gone.secrets else " (no token was stored)"
    opts.io.info(f"Logged out of profile {name!r}: removed {gone.describe()}{no_login}.")
    if jwt_in_env:
        opts.io.info("note: VTCTL_JWT is still set in this environment; unset it too")


def logout_command(ctx: typer.Context, profile: o.Profile = None) -> None:
    """Remove the profile's JWT (and refresh token) and its section of the config file.

    Twilio credentials stay; `vtctl config remove-profile NAME` removes those too.
    Without an OS keyring, what is there (a plain-file login, the section) is removed.
    Nothing to remove (a second logout), or a keyring that fails: says so, exit 3.
    """
    settings = settings_from(profile=profile)
    run_logout(LogoutOptions(io=streams(ctx), profile=settings.profile))


def register(group: typer.Typer) -> None:
    group.command("logout")(logout_command)
