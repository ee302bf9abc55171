"""``vtctl auth twilio``: store Twilio credentials for the local engine in the keyring."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Annotated

import typer

from vtctl.cli.auth.argv import TAKES_NO_ARGUMENTS, refuse_argv_secret
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams


@dataclass
class TwilioOptions:
    io: IOStreams
    profile: str
    account_sid: str
    api_key: str
    env: dict[str, str] | None = None


def run_twilio(opts: TwilioOptions) -> None:
    from vtctl.config.secrets_store import set_secret
    from vtctl.domain.credentials import TwilioCredentials
    from vtctl.local.credentials import ENV_ACCOUNT_SID
    from vtctl.util.logsetup import register_secret

    env = dict(os.environ) if opts.env is None else opts.env
    secret = opts.io.read_secret("Twilio API secret (hidden): ").strip()
    if not secret:
        raise UsageError("no API secret given",
                         hint="type it at the hidden prompt or pipe it on stdin")
    register_secret(secret)
    creds = TwilioCredentials(opts.account_sid.strip(), opts.api_key.strip(), secret,
                              source="keyring")
    set_secret(opts.profile, "twilio", creds.to_json())
    opts.io.info(
        f"Stored Twilio credentials for profile {opts.profile!r} in the keyring "
        f"(account {creds.account_sid}, API key {creds.api_key})."
    )
    if env.get(ENV_ACCOUNT_SID):
        opts.io.info("note: TWILIO_* variables are set in this environment and win over them")


def twilio_command(
    ctx: typer.Context,
    account_sid: Annotated[
        str, typer.Option("--account-sid", metavar="AC...", help="Twilio account SID.",
                          show_default=False)
    ],
    api_key: Annotated[
        str, typer.Option("--api-key", metavar="SK...", help="Twilio API key SID.",
                          show_default=False)
    ],
    profile: o.Profile = None,
) -> None:
    """Store Twilio credentials for the local engine in the keyring.

    The API secret is read from a hidden prompt or stdin, never from the command line:
    vtctl auth twilio --account-sid AC... --api-key SK... < secret.txt
    """
    refuse_argv_secret(ctx.args, "pipe the API secret on stdin or type it at the hidden prompt")
    settings = settings_from(profile=profile, new_profile=True)
    run_twilio(TwilioOptions(io=streams(ctx), profile=settings.profile,
                             account_sid=account_sid, api_key=api_key))


def register(group: typer.Typer) -> None:
    group.command("twilio", context_settings=TAKES_NO_ARGUMENTS)(twilio_command)
