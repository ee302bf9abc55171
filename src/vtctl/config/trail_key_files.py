"""The audit trail's key files, where there is no OS keyring (``vtctl.local.trail_key``
chooses; the keyring side is ``vtctl.config.secrets_store``).

Apart from the keyring's module: every ``token --local`` reads its trail's key, and on a
machine without a keyring it needs this file only, not the keyring's code.
"""

from __future__ import annotations

from pathlib import Path

from vtctl.config.paths import config_dir
from vtctl.domain.errors import AuditKeyError, ConfigError

#: the folder of key files, in the user config dir
TRAIL_KEY_DIR = "audit-keys"


def trail_key_file(trail_id: str) -> Path:
    """Where a trail's key is kept where there is no keyring: a 0600 file in a 0700
    folder of the user config dir (never beside the store).  Not beside the config
    file: these files stand in for the keyring, which is the user's whatever
    ``VTCTL_CONFIG`` names (a config in a folder deleted later took the keys of the
    stores it had seen with it, the demo's too).  No home directory is ``AuditKeyError``
    (exit 3) wherever the file is kept, read or named: the key is not here."""
    try:
        folder = config_dir("XDG_CONFIG_HOME to a writable folder, or use an OS keyring")
    except ConfigError as exc:
        raise AuditKeyError(f"no OS keyring, and no place for the audit trail's key file: "
                            f"{exc.message}", hint=exc.hint) from exc
    return folder / TRAIL_KEY_DIR / trail_id


def read_trail_key_file(trail_id: str) -> str | None:
    """The key in ``trail_key_file``, or None when there is none (``OSError`` when it
    cannot be read)."""
    try:
        # bytes decoded here: a text-mode open would import the ascii codec's module
        return trail_key_file(trail_id).read_bytes().decode("ascii").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return ""  # not a key: the caller says it is damaged


def write_trail_key_file(trail_id: str, value: str) -> None:
    from vtctl.util.fsutil import atomic_write_bytes

    atomic_write_bytes(trail_key_file(trail_id), (value + "\n").encode())
