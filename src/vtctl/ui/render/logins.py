"""Renderables for ``auth status``: the active login, and every profile's (like gh)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from vtctl.util.timefmt import humanize_duration


def storage_label(data: dict[str, Any]) -> str:
    """Where a token is: the environment, a keyring backend, or a plain file (insecure)."""
    storage = data.get("storage")
    if storage is None:
        return "-"
    if storage == "environment":
        return "VTCTL_JWT (environment)"
    # a backend by its last two names: SecretService.Keyring, macOS.Keyring, file.PlaintextKeyring
    where = storage if storage == "plain file" else "keyring " + ".".join(storage.split(".")[-2:])
    return f"{where} (insecure)" if data.get("insecure") else where


def expiry_label(data: dict[str, Any]) -> str:
    if not data["logged_in"]:
        return "not logged in"
    if data["expires_at"] is None:
        return "no expiry in the token"
    if data["expired"]:
        return f"{data['expires_at']}  (expired" + (
            "; will be refreshed)" if data.get("refresh_token") else ")"
        )
    return f"{data['expires_at']}  (in {humanize_duration(data['expires_in'])})"


def expiry_short(data: dict[str, Any]) -> str:
    """Relative expiry for the one-row-per-profile table (the time itself is in --json)."""
    if not data["logged_in"]:
        return "not logged in"
    if data["expires_at"] is None:
        return "never"
    return "expired" if data["expired"] else f"in {humanize_duration(data['expires_in'])}"


def login_table(data: dict[str, Any]) -> Table:
    """The active profile's login, field by field."""
    table = Table(title=f"Login of profile {data['profile']}", show_header=False,
                  title_justify="left", expand=False)
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    for field, value in (
        ("profile", data["profile"]),
        ("base URL", data["base_url"]),
        ("backend", data["backend"]),
        ("token from", storage_label(data)),
        ("user id", data["user_id"] or "(not in the token)"),
        ("expires", expiry_label(data)),
        ("refresh token", "stored" if data["refresh_token"] else "none"),
    ):
        table.add_row(field, str(value))
    return table


def profiles_table(profiles: Sequence[dict[str, Any]]) -> Table:
    """One row per profile: its user, expiry and where its token is stored."""
    table = Table(title="Profiles", title_justify="left", expand=False)
    table.add_column("profile", style="bold cyan", no_wrap=True)
    table.add_column("user", no_wrap=True)
    table.add_column("expires")
    table.add_column("stored in", overflow="fold")
    for entry in profiles:
        name = f"{entry['profile']} (active)" if entry.get("active") else entry["profile"]
        if entry.get("error"):
            table.add_row(name, "?", entry["error"], "-")
            continue
        table.add_row(name, entry["user_id"] or "-", expiry_short(entry), storage_label(entry))
    return table
