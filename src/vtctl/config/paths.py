"""Where the config file is (``VTCTL_CONFIG``, else the user config dir); the keyring
record (``secrets_store``) lives beside it."""

from __future__ import annotations

import os
from pathlib import Path


def config_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if explicit := env.get("VTCTL_CONFIG"):
        return Path(explicit).expanduser()
    import platformdirs

    return platformdirs.user_config_path("vtctl") / "config.toml"
