"""``vtctl auth status``: who is logged in, per profile, and until when (never the token)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from vtctl.backends.remote import NOT_LOGGED_IN
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.settings import Settings
from vtctl.domain.errors import AuthenticationError, KeyringUnavailableError
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit_json, output_format

#: the fields of ``auth status --json``, in order: the document is built from them
FIELDS = ("profile", "base_url", "backend", "logged_in", "source", "storage", "insecure",
          "user_id", "expires_at", "expires_in", "expired", "refresh_token", "token_type",
          "profiles")


@dataclass
class StatusOptions:
    io: IOStreams
    settings: Settings
    fmt: OutputFormat = field(default_factory=OutputFormat)
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

    data: dict[str, Any] = dict.fromkeys(FIELDS)
    data.update(profile=settings.profile, base_url=settings.base_url, backend=settings.backend,
                logged_in=False, insecure=False, refresh_token=False, profiles=[])
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
    if opts.fmt.json:
        emit_json(opts.io, opts.fmt, data)
    else:
        from vtctl.ui.render.logins import login_sheet
        from vtctl.ui.sheet import show

        show(opts.io, login_sheet(data))
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


def status_command(
    ctx: typer.Context,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    base_url: o.BaseUrl = None,
) -> None:
    """Show who you are logged in as and when the token expires (never the token).

    Lists every profile too: its user, expiry and where its token is stored (keyring
    backend, or a plain file marked insecure).
    Exit code 3 when not logged in or the token has expired.
    """
    settings = settings_from(profile=profile, base_url=base_url)
    run_status(StatusOptions(io=streams(ctx), settings=settings, fmt=output_format(json, jq)))


def register(group: typer.Typer) -> None:
    group.command("status", cls=JsonCommand)(status_command)
