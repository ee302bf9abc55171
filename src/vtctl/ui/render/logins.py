"""Renderables for ``auth status``: the active login, and every profile's (like gh)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from vtctl.ui.sheet import Column, Field, Fields, Rows, Sheet, sheet
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


def login_record(data: dict[str, Any]) -> Fields:
    """The active profile's login, field by field (the profile is in the title, and
    marked active in the profiles list)."""
    return Fields([
        Field("base URL", str(data["base_url"]), key=True),
        Field("backend", str(data["backend"])),
        Field("token from", storage_label(data)),
        Field("user id", str(data["user_id"] or "(not in the token)")),
        Field("expires", expiry_label(data)),
        Field("refresh token", "stored" if data["refresh_token"] else "none"),
    ], title=f"Login of profile {data['profile']}")


def _profile_name(entry: dict[str, Any]) -> Text:
    name = Text(str(entry["profile"]), style="bold cyan")
    if entry.get("active"):
        name.append(" (active)")
    return name


def _expires(entry: dict[str, Any]) -> str:
    return str(entry["error"]) if entry.get("error") else expiry_short(entry)


#: a pipe's line: ``profile<TAB>name<TAB>active|-<TAB>user<TAB>expires<TAB>stored in``
PROFILE_COLUMNS: list[Column[dict[str, Any]]] = [
    Column("profile", _profile_name, key=True, piped=lambda e: e["profile"]),
    Column("active", lambda e: "active" if e.get("active") else "-", on_terminal=False),
    Column("user", lambda e: "?" if e.get("error") else str(e["user_id"] or "-")),
    Column("expires", _expires),
    Column("stored in", lambda e: "-" if e.get("error") else storage_label(e)),
]


def login_sheet(data: dict[str, Any]) -> Sheet:
    """The active login (when there is one), then one row per profile: its user, expiry
    and where its token is stored (like ``gh auth status``)."""
    profiles = Rows(PROFILE_COLUMNS, data["profiles"], title="Profiles", prefix="profile")
    return sheet(login_record(data) if data["logged_in"] else None, profiles)
