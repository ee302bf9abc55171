"""``vtctl auth login|status|token|logout|twilio``: credentials in the OS keyring.

Secrets are never taken from argv: a JWT comes from stdin (``--with-token``)
or a hidden prompt, a password and the Twilio API secret from a hidden prompt
or stdin.  ``VTCTL_JWT`` in the environment wins over the keyring (for CI).
httpx and keyring are imported lazily (inside the functions that use them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vtctl.backends.remote import ENV_JWT, NOT_LOGGED_IN
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
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

HELP = (
    "Log in to the remote API and store credentials in the OS keyring.\n\n"
    "The JWT is stored per profile; VTCTL_JWT in the environment wins over it (for CI). "
    "Secrets are read from stdin or a hidden prompt, never from the command line."
)

group = typer.Typer(name="auth", help=HELP, no_args_is_help=True)

_NO_ARGV_SECRET = (
    "secrets are never taken from the command line (they would land in your shell "
    "history and the process list)"
)

#: ``vtctl auth login eyJ...``: Click keeps extra arguments in ``ctx.args`` instead of
#: echoing the token in its error, and the usage line shows no argument
TAKES_NO_ARGUMENTS = {"allow_extra_args": True}


def _refuse_argv_secret(stray: list[str] | None, how: str) -> None:
    if stray:
        raise UsageError(_NO_ARGV_SECRET, hint=how)


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


# -- login ----------------------------------------------------------------------------


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


@group.command("login", context_settings=TAKES_NO_ARGUMENTS)
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
    _refuse_argv_secret(ctx.args, "pipe it: `vtctl auth login --with-token < token.txt`")
    settings = settings_from(False, profile, None, base_url, timeout, ca_bundle,
                             new_profile=True)

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
    from dataclasses import replace

    from vtctl.config.profiles import load_config, save_config

    config = load_config()
    profile = config.profile(settings.profile)
    wanted = replace(profile, base_url=settings.base_url) if url_given else profile
    if settings.profile in config.profiles and wanted == profile:
        return
    path = save_config(config.with_profile(wanted))
    if wanted.base_url != profile.base_url:
        io.info(f"saved base_url = {settings.base_url} in profile {settings.profile!r} ({path})")


# -- status ----------------------------------------------------------------------------


@dataclass
class StatusOptions:
    io: IOStreams
    settings: Settings
    json: bool = False
    env: dict[str, str] | None = None
    now: datetime | None = None


def _token_facts(token: str, now: datetime) -> dict[str, Any]:
    """User and expiry of a JWT (read without verifying it); never the token."""
    from vtctl.domain.models import format_utc
    from vtctl.remote.parse import jwt_expiry, jwt_user_id

    facts: dict[str, Any] = {"logged_in": True, "user_id": jwt_user_id(token),
                             "expires_at": None, "expires_in": None, "expired": None}
    expiry = jwt_expiry(token)
    if expiry is not None:
        left = int((expiry - now).total_seconds())
        facts.update(expires_at=format_utc(expiry), expires_in=max(left, 0), expired=left <= 0)
    return facts


def _stored_facts(name: str, now: datetime) -> dict[str, Any]:
    """Another profile's stored login (``VTCTL_JWT`` belongs to the active one only)."""
    from vtctl.config.secrets_store import find_secret

    entry: dict[str, Any] = {"profile": name, "active": False, "logged_in": False,
                             "user_id": None, "expires_at": None, "expires_in": None,
                             "expired": None, "storage": None, "insecure": False}
    try:
        found = find_secret(name, "jwt")
    except KeyringUnavailableError as exc:
        return {**entry, "error": exc.message}
    if found is None or not found.value.strip():
        return entry
    return {**entry, **_token_facts(found.value.strip(), now), "storage": found.storage,
            "insecure": found.insecure}


def profile_logins(active: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Every profile of the config file or the plain secrets file, and the active one."""
    from vtctl.config.profiles import load_config
    from vtctl.config.secrets_store import plain_profiles

    names = sorted(set(load_config().profiles) | set(plain_profiles()) | {active["profile"]})
    keys = ("profile", "logged_in", "user_id", "expires_at", "expires_in", "expired",
            "storage", "insecure")
    return [
        {**{key: active[key] for key in keys}, "active": True} if name == active["profile"]
        else _stored_facts(name, now)
        for name in names
    ]


def auth_status(settings: Settings, env: dict[str, str], now: datetime) -> dict[str, Any]:
    """What ``auth status`` reports; never the token itself."""
    from vtctl.backends.remote import find_jwt
    from vtctl.config.secrets_store import is_insecure
    from vtctl.remote.parse import jwt_claims

    data: dict[str, Any] = {
        "profile": settings.profile,
        "base_url": settings.base_url,
        "backend": settings.backend,
        "logged_in": False,
        "source": None,
        "storage": None,
        "insecure": False,
        "user_id": None,
        "expires_at": None,
        "expires_in": None,
        "expired": None,
        "refresh_token": False,
    }
    found = find_jwt(settings.profile, env)
    if found is None:
        return data
    storage = found.storage or "environment"
    data.update(_token_facts(found.value, now), source=found.source, storage=storage,
                insecure=is_insecure(storage))
    claims = jwt_claims(found.value) or {}
    if isinstance(claims.get("token_type"), str):
        data["token_type"] = claims["token_type"]
    if found.source == "keyring":
        from vtctl.config.secrets_store import get_secret

        try:
            data["refresh_token"] = bool(get_secret(settings.profile, "refresh"))
        except KeyringUnavailableError:  # a plain-file login on a machine without a keyring
            data["refresh_token"] = False
    return data


def run_status(opts: StatusOptions) -> None:
    env = dict(os.environ) if opts.env is None else opts.env
    now = opts.now or datetime.now(UTC)
    try:
        data = auth_status(opts.settings, env, now)
    except KeyringUnavailableError as exc:
        raise KeyringUnavailableError(f"{NOT_LOGGED_IN} ({exc.message})", hint=exc.hint) from exc
    data["profiles"] = profile_logins(data, now)
    if opts.json:
        opts.io.print_json(data)
    else:
        from vtctl.ui.render.logins import login_table, profiles_table

        opts.io.render(*([login_table(data)] if data["logged_in"] else []),
                       profiles_table(data["profiles"]))
    if not data["logged_in"]:
        raise AuthenticationError(NOT_LOGGED_IN, hint=f"profile: {data['profile']}")
    if data["expired"] and not data["refresh_token"]:
        raise AuthenticationError(
            f"the token expired at {data['expires_at']}; log in again with "
            f"`vtctl auth login --profile {data['profile']}`"
            if data["source"] == "keyring" else
            f"the JWT in VTCTL_JWT expired at {data['expires_at']}; set it to a fresh token "
            "or unset it"
        )


@group.command("status")
def status_command(
    ctx: typer.Context,
    json: o.Json = False,
    profile: o.Profile = None,
    base_url: o.BaseUrl = None,
) -> None:
    """Show who you are logged in as and when the token expires (never the token).

    Lists every profile too: its user, expiry and where its token is stored (keyring
    backend, or a plain file marked insecure).
    Exit code 3 when not logged in or the token has expired.
    """
    settings = settings_from(False, profile, None, base_url)
    run_status(StatusOptions(io=streams(ctx), settings=settings, json=json))


# -- token -------------------------------------------------------------------------------


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


@group.command("token")
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
    settings = settings_from(False, profile, None, base_url)
    run_token(TokenOptions(io=streams(ctx), settings=settings))


# -- logout ------------------------------------------------------------------------------


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
    if gone.secrets or gone.config_file:
        opts.io.info(f"Logged out of profile {opts.profile!r}: removed {gone.describe()}.")
    else:
        opts.io.info(f"No token was stored for profile {opts.profile!r}; nothing to remove.")
    if env.get(ENV_JWT, "").strip():
        opts.io.info("note: VTCTL_JWT is still set in this environment; unset it too")


@group.command("logout")
def logout_command(ctx: typer.Context, profile: o.Profile = None) -> None:
    """Remove the profile's JWT (and refresh token) and its section of the config file.

    Twilio credentials stay; `vtctl config remove-profile NAME` removes those too.
    """
    settings = settings_from(False, profile)
    run_logout(LogoutOptions(io=streams(ctx), profile=settings.profile))


# -- twilio ------------------------------------------------------------------------------


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


@group.command("twilio", context_settings=TAKES_NO_ARGUMENTS)
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
    _refuse_argv_secret(ctx.args, "pipe the API secret on stdin or type it at the hidden prompt")
    settings = settings_from(False, profile, new_profile=True)
    run_twilio(TwilioOptions(io=streams(ctx), profile=settings.profile,
                             account_sid=account_sid, api_key=api_key))


def register(app: typer.Typer) -> None:
    app.add_typer(group)
