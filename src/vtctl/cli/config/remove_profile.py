"""``vtctl config remove-profile PROFILE``: its config section and its stored secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from vtctl.cli.config.shared import ConfigOptions, base_options
from vtctl.config.profiles import DEMO_PROFILE, complete_profile, validate_profile_name
from vtctl.domain.errors import ConfigError


@dataclass(kw_only=True)
class RemoveProfileOptions(ConfigOptions):
    name: str


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
    run_remove_profile(RemoveProfileOptions(**base_options(ctx), name=name))


def register(group: typer.Typer) -> None:
    group.command("remove-profile")(remove_profile_command)
