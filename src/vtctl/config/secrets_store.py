"""Secrets in the OS keyring, one entry per profile and kind.

The only module that imports ``keyring`` (slow to import: done lazily).
Keyring failures become ``KeyringUnavailableError`` with the fix named.
"""

from __future__ import annotations

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


def _keyring() -> Any:
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
    return keyring


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
