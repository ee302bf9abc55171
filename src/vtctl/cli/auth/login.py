"""``vtctl auth login``: a JWT (pasted, piped, or from a password login) into the keyring."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.backends.remote import ENV_JWT
from vtctl.cli.auth.argv import TAKES_NO_ARGUMENTS, refuse_argv_secret
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.validate import given_flags, refuse_ignored
from vtctl.config.settings import Settings
from vtctl.domain.errors import (
    AuthenticationError,
    KeyringUnavailableError,
    TokenFormatError,
    UsageError,
)
from vtctl.ui.iostreams import IOStreams
from vtctl.util.timefmt import humanize_duration

if TYPE_CHECKING:
    from vtctl.remote.client import RestClient


def _expiry_text(token: str, now: datetime | None = None) -> str:
    from vtctl.domain.models import format_utc
    from vtctl.remote.parse import jwt_expiry

    expiry = jwt_expiry(token)
    if expiry is None:
        return "no expiry in the token"
    left = (expiry - (now or datetime.now(UTC))).total_seconds()
    when = format_utc(expiry)
    return f"expires {when} (in {humanize_duration(left)})" if left > 0 else (
        f"expired {when} ({humanize_duration(left)} ago)"
    )


def _warn_env_wins(io: IOStreams, env: dict[str, str]) -> None:
    if env.get(ENV_JWT, "").strip():
        io.info("note: VTCTL_JWT is set in this environment and wins over the stored token")


@dataclass
class LoginOptions:
    io: IOStreams
    settings: Settings
    with_token: bool = False
    username: str | None = None
    insecure_storage: bool = False
    env: dict[str, str] | None = None
    open_client: Callable[[], RestClient] | None = None


def _read_token(opts: LoginOptions) -> str:
    if opts.with_token:
        text = opts.io.read_stdin()
        if text is None:
            raise TokenFormatError("stdin holds more than 64 KiB: that is not a JWT",
                                   hint="pipe only the token: `vtctl auth login --with-token "
                                   "< token.txt`")
    else:
        if opts.io.is_stdin_tty:
            opts.io.info("Paste the JWT of your API login (input is hidden).")
        text = opts.io.read_secret("JWT: ")
    token = text.strip()
    if token[:7].lower() == "bearer ":  # pasted from an Authorization header
        token = token[7:].strip()
    if not token:
        raise UsageError(
            "no token given",
            hint="pipe it: `vtctl auth login --with-token < token.txt`, or log in with "
            "--username NAME",
        )
    return token


def check_jwt(token: str) -> str:
    """A well-formed, unexpired JWT (read without verifying its signature)."""
    from vtctl.domain.models import format_utc
    from vtctl.remote.parse import jwt_claims, jwt_expired_at
    from vtctl.util.logsetup import register_secret

    register_secret(token)
    if jwt_claims(token) is None:
        raise TokenFormatError(
            "that is not a JWT (expected header.payload.signature in base64url)",
            hint="use the access token of your API login (SimpleJWT 'access')",
        )
    expired = jwt_expired_at(token)
    if expired is not None:
        raise AuthenticationError(
            f"that token already expired at {format_utc(expired)}",
            hint="get a fresh one, or log in with --username NAME",
        )
    return token


def run_login(opts: LoginOptions) -> None:
    from vtctl.config.secrets_store import delete_secret, set_secret
    from vtctl.remote.parse import jwt_user_id
    from vtctl.util.logsetup import register_secret

    env = dict(os.environ) if opts.env is None else opts.env
    profile = opts.settings.profile
    refresh: str | None = None
    if opts.username is not None:
        if opts.with_token:
            raise UsageError("--with-token and --username cannot be used together")
        username = opts.username.strip()
        if not username:
            raise UsageError("--username cannot be empty")
        password = opts.io.read_secret(f"Password for {username}: ")
        if not password:
            raise UsageError("no password given", hint="type it at the prompt or pipe it on stdin")
        register_secret(password)
        if opts.open_client is None:
            raise UsageError("no API client to log in with")  # pragma: no cover
        with opts.open_client() as client:
            access, refresh = client.login(opts.settings.token_path, username, password)
        token = check_jwt(access)
    else:
        token = check_jwt(_read_token(opts))
    insecure = opts.insecure_storage
    if insecure:
        from vtctl.config.secrets_store import plain_file_path

        opts.io.info(f"warning: storing the token in a plain file, {plain_file_path()} "
                     "(mode 0600: readable by anyone with your account, not encrypted)")
    set_secret(profile, "jwt", token, insecure=insecure)
    if refresh:
        set_secret(profile, "refresh", refresh, insecure=insecure)
    else:  # a refresh token of an earlier login must not revive another user's session
        try:
            delete_secret(profile, "refresh")
        except KeyringUnavailableError:
            if not insecure:  # no keyring, so no keyring refresh token either
                raise
    user = jwt_user_id(token)
    who = f" as user {user}" if user else ""
    opts.io.info(
        f"Logged in to profile {profile!r} ({opts.settings.base_url}){who}; "
        f"the token {_expiry_text(token)}."
    )
    _warn_env_wins(opts.io, env)


def login_command(
    ctx: typer.Context,
    with_token: Annotated[
        bool, typer.Option("--with-token", help="Read the JWT from stdin (for scripts).")
    ] = False,
    username: Annotated[
        str | None,
        typer.Option(
            "--username", "-u", metavar="USER",
            help="Log in with a password instead (read from a hidden prompt or stdin) at the "
            "profile's token_path (SimpleJWT, default /api/token/); stores access and refresh.",
            show_default=False,
        ),
    ] = None,
    insecure_storage: Annotated[
        bool, typer.Option("--insecure-storage",
                           help="Store the JWT in a plain 0600 file instead of the OS keyring "
                           "(for machines without one; not encrypted).")
    ] = False,
    profile: o.Profile = None,
    base_url: o.BaseUrl = None,
    timeout: o.Timeout = None,
    ca_bundle: o.CaBundle = None,
) -> None:
    """Store a JWT for the profile in the OS keyring.

    Paste it at the hidden prompt, pipe it with --with-token, or log in with
    --username (password prompt). Example: vtctl auth login --with-token < token.txt
    """
    refuse_argv_secret(ctx.args, "pipe it: `vtctl auth login --with-token < token.txt`")
    if username is None:
        refuse_ignored(given_flags(ctx, "timeout", "ca_bundle"), "applies to the request "
                       "a --username login sends, and a token login sends none")
    settings = settings_from(profile=profile, base_url=base_url, timeout=timeout,
                             ca_bundle=ca_bundle, new_profile=True)

    def open_client() -> RestClient:
        from vtctl.remote.client import RestClient

        return RestClient(settings.base_url, None, timeout=settings.timeout,
                          ca_bundle=settings.ca_bundle)

    io = streams(ctx)
    run_login(LoginOptions(io=io, settings=settings, with_token=with_token,
                           username=username, insecure_storage=insecure_storage,
                           open_client=open_client))
    remember_login(io, settings, url_given=base_url is not None
                   or bool(os.environ.get("VTCTL_BASE_URL", "").strip()))


def remember_login(io: IOStreams, settings: Settings, url_given: bool) -> None:
    """The profile of a login is kept in the config file (so `--profile NAME` knows it),
    and a login given its URL (--base-url / VTCTL_BASE_URL) keeps that URL: the next
    command goes where the login is valid."""
    from vtctl.config.profiles import load_config, save_config

    config = load_config()
    profile = config.profile(settings.profile)
    wanted = profile._replace(base_url=settings.base_url) if url_given else profile
    if settings.profile in config.profiles and wanted == profile:
        return
    path = save_config(config.with_profile(wanted))
    if wanted.base_url != profile.base_url:
        io.info(f"saved base_url = {settings.base_url} in profile {settings.profile!r} ({path})")


def register(group: typer.Typer) -> None:
    group.command("login", context_settings=TAKES_NO_ARGUMENTS)(login_command)
