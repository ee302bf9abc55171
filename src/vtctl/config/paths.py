"""Where vtctl's files are: the config file (``VTCTL_CONFIG``, else in the user config
dir; the keyring record, ``secrets_store``, lives beside it), the user config dir itself
(the audit trails' key files, per user like a keyring, whatever ``VTCTL_CONFIG`` says)
and the data dir (the stores). The directories themselves come from ``util.dirs``."""

from __future__ import annotations

import os
from pathlib import Path

from vtctl.domain.errors import ConfigError
from vtctl.util import dirs


def config_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if explicit := env.get("VTCTL_CONFIG"):
        return Path(explicit).expanduser()
    return _found(dirs.config_dir(), "VTCTL_CONFIG to the config file") / "config.toml"


def config_dir(instead: str) -> Path:
    """The user config dir (``instead``: what to do when there is no home directory)."""
    return _found(dirs.config_dir(), instead)


def data_dir() -> Path:
    return _found(dirs.data_dir(), "--store to the store's file")


def _found(directory: str | None, instead: str) -> Path:
    if directory is None:
        hint = f"set HOME (LOCALAPPDATA on Windows), or {instead}"
        raise ConfigError("could not find your home directory", hint=hint)
    return Path(directory)
