"""Removing a profile: its stored secrets and its section of the config file.

Shared by ``auth logout`` (the login) and ``config remove-profile`` (everything).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vtctl.config.secrets_store import SecretKind
from vtctl.domain.errors import KeyringUnavailableError


@dataclass
class Forgotten:
    """What was removed, to say so."""

    profile: str
    secrets: list[SecretKind] = field(default_factory=list)
    config_file: Path | None = None  # the file whose [profiles.NAME] was removed
    keyring_error: KeyringUnavailableError | None = None

    def describe(self) -> str:
        parts = []
        if self.secrets:
            parts.append("the stored " + ", ".join(
                {"jwt": "token", "refresh": "refresh token", "twilio": "Twilio credentials"}[k]
                for k in self.secrets))
        if self.config_file is not None:
            parts.append(f"[profiles.{self.profile}] from {self.config_file}")
        return " and ".join(parts)


def forget_secrets(name: str, kinds: tuple[SecretKind, ...], gone: Forgotten) -> None:
    """Delete each secret; without a keyring, what the plain file held is still removed."""
    from vtctl.config.secrets_store import delete_secret

    for kind in kinds:
        try:
            if delete_secret(name, kind):
                gone.secrets.append(kind)
        except KeyringUnavailableError as exc:
            gone.keyring_error = exc


def forget_section(name: str, gone: Forgotten, path: Path | None = None) -> None:
    """Drop ``[profiles.NAME]`` (and ``default_profile`` when it names it)."""
    from vtctl.config.profiles import load_config, save_config

    config = load_config(path)
    if name not in config.profiles and config.default_profile != name:
        return
    profiles = {key: value for key, value in config.profiles.items() if key != name}
    default = None if config.default_profile == name else config.default_profile
    gone.config_file = save_config(config._replace(profiles=profiles, default_profile=default))


def forget_profile(name: str, path: Path | None = None) -> Forgotten:
    """Everything of a profile: its section and all its secrets (login and Twilio)."""
    gone = Forgotten(name)
    forget_secrets(name, ("jwt", "refresh", "twilio"), gone)
    forget_section(name, gone, path)
    return gone
