"""Secrets in the OS keyring, one entry per profile and kind.

The only module that imports ``keyring`` (slow to import: done lazily).
Keyring failures become ``KeyringUnavailableError`` with the fix named.

Finding the keyring backend is most of a keyring read's cost (keyring
imports every backend it knows and asks each whether it works: ~170 ms on
Linux).  So the backend that stored a secret is remembered (its class path,
in ``keyring-backend`` beside the config file) and later reads import only
that class.  When it cannot be loaded or no longer works, or
``PYTHON_KEYRING_BACKEND`` names another, keyring's full detection runs as
before: the record can be out of date but never wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from vtctl.domain.errors import KeyringUnavailableError

SERVICE = "vtctl"
SecretKind = Literal["jwt", "refresh", "twilio"]

def _no_keyring_hint() -> str:
    """What to do without a keyring; a plain-file backend is suggested only when it
    is installed (following a hint to a missing package gives the same error)."""
    from importlib.util import find_spec

    hint = "set VTCTL_JWT (or TWILIO_* variables) in the environment"
    try:
        alt = find_spec("keyrings.alt") is not None
    except (ImportError, ValueError):
        alt = False
    if alt:
        return hint + (", or store secrets in a plain file (readable by anyone with your "
                       "account): PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring")
    return hint + ", or install and unlock an OS keyring (Secret Service, KWallet, Keychain)"


def _username(profile: str, kind: SecretKind) -> str:
    return f"{profile}:{kind}"


BACKEND_RECORD = "keyring-backend"


def backend_record_path() -> Path:
    from vtctl.config.profiles import config_path

    return config_path().with_name(BACKEND_RECORD)


def _recorded_backend() -> Any | None:
    """An instance of the remembered backend class, or None (then: full detection)."""
    try:
        name = backend_record_path().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    wanted = os.environ.get("PYTHON_KEYRING_BACKEND")
    if not name or (wanted is not None and wanted.strip() != name):
        return None
    module_name, _, class_name = name.rpartition(".")
    try:
        import importlib

        cls = getattr(importlib.import_module(module_name), class_name)
        from keyring.backend import KeyringBackend

        # priority raises when the backend does not work here; fail/null are <= 0
        if not (isinstance(cls, type) and issubclass(cls, KeyringBackend) and cls.priority > 0):
            return None
        return cls()
    except Exception:  # gone, renamed, or unusable here: detect as keyring would
        return None


def _remember(backend: Any) -> None:
    """Record the backend that just stored a secret (only when it changed)."""
    from vtctl.util.fsutil import atomic_write_bytes

    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    path = backend_record_path()
    try:
        if path.read_text(encoding="utf-8").strip() == name:
            return
    except (OSError, UnicodeDecodeError):
        pass
    import contextlib

    with contextlib.suppress(OSError):  # only a speed-up: without it, detection runs
        atomic_write_bytes(path, (name + "\n").encode())


def _keyring() -> Any:
    """The keyring backend: the remembered one, else keyring's own detection."""
    recorded = _recorded_backend()
    if recorded is not None:
        return recorded
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # e.g. PYTHON_KEYRING_BACKEND names no importable class
        raise KeyringUnavailableError(
            f"the keyring backend cannot be loaded ({type(exc).__name__})", hint=_no_keyring_hint()
        ) from exc
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailableError("no OS keyring is available", hint=_no_keyring_hint())
    return backend


def _call(action: str, fn: Any, *args: str) -> Any:
    from keyring.errors import KeyringError

    try:
        return fn(*args)
    except KeyringError as exc:
        raise KeyringUnavailableError(
            f"keyring {action} failed: {exc}", hint=_no_keyring_hint()
        ) from exc
    except Exception as exc:
        # backends raise what they like (a corrupt keyring file: UnicodeDecodeError,
        # configparser errors quoting its lines): name the kind, never the text
        raise KeyringUnavailableError(
            f"keyring {action} failed ({type(exc).__name__}): the keyring may be damaged",
            hint=_no_keyring_hint(),
        ) from exc


def get_secret(profile: str, kind: SecretKind) -> str | None:
    keyring = _keyring()
    value = _call("read", keyring.get_password, SERVICE, _username(profile, kind))
    return value if isinstance(value, str) else None


def set_secret(profile: str, kind: SecretKind, value: str) -> None:
    keyring = _keyring()
    _call("write", keyring.set_password, SERVICE, _username(profile, kind), value)
    _remember(keyring)


def delete_secret(profile: str, kind: SecretKind) -> bool:
    """Remove a secret; False when there was none."""
    from keyring.errors import PasswordDeleteError

    keyring = _keyring()
    try:
        _call("delete", keyring.delete_password, SERVICE, _username(profile, kind))
    except KeyringUnavailableError as exc:
        if isinstance(exc.__cause__, PasswordDeleteError):
            return False
        raise
    return True
