"""``vtctl auth logout``: remove the profile's JWT, refresh token and config section."""

from __future__ import annotations

import os
from dataclasses import dataclass

import typer

from vtctl.backends.remote import ENV_JWT
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.domain.errors import AuthenticationError
from vtctl.ui.iostreams import IOStreams


@dataclass
class LogoutOptions:
    io: IOStreams
    profile: str
    env: dict[str, str] | None = None


def run_logout(opts: LogoutOptions) -> None:
    """Remove the profile's login (token, refresh token) and its config section, like gh."""
    from vtctl.config.forget import Forgotten, forget_secrets, forget_section

    env = dict(os.environ) if opts.env is None else opts.env
    gone = Forgotten(opts.profile)
    forget_secrets(opts.profile, ("jwt", "refresh"), gone)
    if gone.keyring_error is not None and not gone.secrets:
        raise gone.keyring_error  # no keyring to ask and nothing in the plain file
    forget_section(opts.profile, gone)
    jwt_in_env = bool(env.get(ENV_JWT, "").strip())
    if not gone.secrets:  # a second logout: like gh, say so (not authenticated: exit 3)
        removed = f"; removed {gone.describe()}" if gone.config_file else ""
        raise AuthenticationError(
            f"not logged in to profile {opts.profile!r}: no token is stored{removed}",
            hint="VTCTL_JWT is set in this environment: unset it to log out of it"
            if jwt_in_env else "`vtctl auth status` shows the logins of every profile")
    opts.io.info(f"Logged out of profile {opts.profile!r}: removed {gone.describe()}.")
    if jwt_in_env:
        opts.io.info("note: VTCTL_JWT is still set in this environment; unset it too")


def logout_command(ctx: typer.Context, profile: o.Profile = None) -> None:
    """Remove the profile's JWT (and refresh token) and its section of the config file.

    Twilio credentials stay; `vtctl config remove-profile NAME` removes those too.
    Not logged in (a second logout): says so, exit 3.
    """
    settings = settings_from(profile=profile)
    run_logout(LogoutOptions(io=streams(ctx), profile=settings.profile))


def register(group: typer.Typer) -> None:
    group.command("logout")(logout_command)
