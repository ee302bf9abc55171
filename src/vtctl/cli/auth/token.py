"""``vtctl auth token``: print the profile's stored JWT (for scripts)."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.config.settings import Settings
from vtctl.ui.iostreams import IOStreams


@dataclass
class TokenOptions:
    io: IOStreams
    settings: Settings
    env: dict[str, str] | None = None


def run_token(opts: TokenOptions) -> None:
    from vtctl.backends.remote import JwtProvider
    from vtctl.remote.client import RestClient

    provider = JwtProvider(opts.settings, opts.env)
    with RestClient(opts.settings.base_url, None, timeout=opts.settings.timeout,
                    ca_bundle=opts.settings.ca_bundle) as client:
        provider.client = client  # refreshes an expired keyring token when it can
        token = provider()  # an expired one that cannot be refreshed: exit 3, what to do
    opts.io.print_raw(token)


def token_command(
    ctx: typer.Context,
    raw: o.Raw = False,
    profile: o.Profile = None,
    base_url: o.BaseUrl = None,
) -> None:
    """Print the profile's JWT and a newline, for scripts.

    VTCTL_JWT wins over the keyring; --raw is accepted (same output).
    Example: curl -H "Authorization: Bearer $(vtctl auth token)" ...
    """
    settings = settings_from(profile=profile, base_url=base_url)
    run_token(TokenOptions(io=streams(ctx), settings=settings))


def register(group: typer.Typer) -> None:
    group.command("token")(token_command)
