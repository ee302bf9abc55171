"""Secrets in the OS keyring, one entry per profile and kind (or, with
``--insecure-storage`` on a machine without a keyring, in a 0600 plain file).

The only module that imports ``keyring`` (slow to import: done lazily).
Keyring failures become ``KeyringUnavailableError`` with the fix named.

Finding the keyring backend is most of a keyring read's cost (keyring
imports every backend it knows and asks each whether it works: ~170 ms on
Linux).  So the backend that stored a secret is remembered (its class path,
in ``keyring-backend`` beside the config file) and later reads import only
that class.  When it cannot be loaded or no longer works, or
``PYTHON_KEYRING_BACKEND`` names another, keyring's full detection runs as
before: the record can be out of date but never wrong.

vtctl never picks a file keyring by itself: when keyring's detection (nobody
chose a backend) lands on one below keyring's own "recommended" bar (priority
< 1: keyrings.alt's PlaintextKeyring and EncryptedKeyring, files under the
data dir), it is treated as no keyring, and ``--insecure-storage`` is the
asked-for plain file.  A backend chosen with ``PYTHON_KEYRING_BACKEND`` or
keyring's config file (keyringrc.cfg) is used as chosen.
"""

import os
from pathlib import Path
from typing import Any, Literal

from vtctl.domain.errors import KeyringUnavailableError, NoKeyringError
from vtctl.util.record import Record

SERVICE = "vtctl"
SecretKind = Literal["jwt", "refresh", "twilio"]

INSECURE_LOGIN = "vtctl auth login --insecure-storage"


def _no_keyring_hint() -> str:
    """What to do without a keyring: the environment, or gh's plain-file login."""
    return (f"set VTCTL_JWT (or TWILIO_* variables) in the environment, or store the JWT "
            f"in a plain 0600 file (readable by anyone with your account): `{INSECURE_LOGIN}`")


def _username(profile: str, kind: SecretKind) -> str:
    return f"{profile}:{kind}"


BACKEND_RECORD = "keyring-backend"


def backend_record_path() -> Path:
    from vtctl.config.paths import config_path

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
        backend = cls()
    except Exception:  # gone, renamed, or unusable here: detect as keyring would
        return None
    # a file keyring only while it is still chosen (else keyring's config or a refusal)
    return backend if wanted is not None or _recommended(backend) else None


def _remember(backend: Any) -> None:
    """Record the backend that just stored a secret (only when it changed).  For
    keyring's chainer, the backend it writes to: loading the chainer detects again."""
    from keyring.backends.chainer import ChainerBackend

    from vtctl.util.fsutil import atomic_write_bytes

    if isinstance(backend, ChainerBackend) and backend.backends:
        backend = backend.backends[0]
    name = _class_path(backend)
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
    from keyring.backends import fail, null

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # e.g. PYTHON_KEYRING_BACKEND names no importable class
        raise KeyringUnavailableError(
            "the keyring backend cannot be loaded (check PYTHON_KEYRING_BACKEND and "
            "keyring's own configuration file)", hint=_no_keyring_hint()
        ) from exc
    if isinstance(backend, fail.Keyring | null.Keyring):  # null: `keyring --disable`
        raise NoKeyringError("no OS keyring is available", hint=_no_keyring_hint())
    if not _recommended(backend) and not _chosen_explicitly():
        raise NoKeyringError(
            f"no OS keyring is available (only {_class_path(backend)}, a file keyring "
            "vtctl does not pick by itself)",
            hint=_no_keyring_hint(),
        )
    return backend


def _recommended(backend: Any) -> bool:
    """keyring's own bar (``keyring.core.recommended``: priority >= 1), which the OS
    keyrings meet and file keyrings do not.  A chainer writes to its first backend."""
    from keyring.backends.chainer import ChainerBackend
    from keyring.core import recommended

    try:
        if isinstance(backend, ChainerBackend):
            chained = backend.backends
            return bool(chained) and recommended(chained[0])
        return recommended(backend)
    except Exception:  # a priority that raises: the backend does not work here
        return False


def _chosen_explicitly() -> bool:
    """The user named the backend: ``PYTHON_KEYRING_BACKEND`` or keyring's config file."""
    if "PYTHON_KEYRING_BACKEND" in os.environ:
        return True
    from keyring.core import load_config

    try:
        return load_config() is not None
    except Exception:  # a config naming a broken backend chose nothing usable
        return False


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
        # configparser errors quoting its lines): never their text, which may hold secrets
        raise KeyringUnavailableError(
            f"keyring {action} failed: the keyring may be damaged",
            hint=_no_keyring_hint(),
        ) from exc


PLAIN_FILE = "insecure-secrets.json"


def plain_file_path() -> Path:
    """Secrets stored with ``--insecure-storage``: a 0600 JSON file beside the config."""
    return backend_record_path().with_name(PLAIN_FILE)


def _plain_read() -> dict[str, str]:
    import json

    try:
        data = json.loads(plain_file_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KeyringUnavailableError(
            f"the plain secrets file {plain_file_path()} cannot be read (unreadable, or not "
            "the JSON vtctl writes)",
            hint=f"remove it and log in again: `{INSECURE_LOGIN}`",
        ) from exc
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _plain_write(data: dict[str, str]) -> None:
    import json

    from vtctl.util.fsutil import atomic_write_bytes

    path = plain_file_path()
    if not data:
        path.unlink(missing_ok=True)
        return
    atomic_write_bytes(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


def plain_profiles() -> list[str]:
    """Profiles with a secret in the plain file (the keyring cannot list its entries)."""
    return sorted({key.rpartition(":")[0] for key in _plain_read()})


PLAIN_STORAGE = "plain file"


class StoredSecret(Record):
    """A secret and where it is: ``PLAIN_STORAGE`` or the keyring backend's class path."""

    value: str
    storage: str

    _hidden = frozenset({"value"})

    @property
    def insecure(self) -> bool:
        return is_insecure(self.storage)


def is_insecure(storage: str) -> bool:
    """Plain text on disk: our plain file, or keyrings.alt's PlaintextKeyring (base64)."""
    return storage == PLAIN_STORAGE or storage.endswith(".PlaintextKeyring")


def _class_path(backend: Any) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def find_secret(profile: str, kind: SecretKind) -> StoredSecret | None:
    """The plain file first (it needs no keyring), then the keyring; None when neither."""
    plain = _plain_read().get(_username(profile, kind))
    if plain is not None:
        return StoredSecret(plain, PLAIN_STORAGE)
    keyring = _keyring()
    value = _call("read", keyring.get_password, SERVICE, _username(profile, kind))
    return StoredSecret(value, _class_path(keyring)) if isinstance(value, str) else None


def get_secret(profile: str, kind: SecretKind) -> str | None:
    found = find_secret(profile, kind)
    return None if found is None else found.value


def set_secret(profile: str, kind: SecretKind, value: str, *,
               insecure: bool | None = None) -> None:
    """Store in the keyring, or with ``insecure`` in the 0600 plain file; None keeps a
    secret where it is (a refreshed plain-file JWT stays there).  A secret of the same
    name in the other place is dropped (one place per secret)."""
    data = _plain_read()
    key = _username(profile, kind)
    if insecure is None:
        insecure = key in data
    if insecure:
        data[key] = value
        _plain_write(data)
        return
    keyring = _keyring()
    _call("write", keyring.set_password, SERVICE, key, value)
    _remember(keyring)
    if data.pop(key, None) is not None:
        _plain_write(data)


def delete_secret(profile: str, kind: SecretKind) -> bool:
    """Remove a secret from the plain file and the keyring; False when there was none.
    Without a keyring nothing is stored in one: only the plain file counts.  A keyring
    that fails raises ``KeyringUnavailableError`` (it may hold the secret), unless the
    secret was found, and removed, in the plain file."""
    from keyring.errors import PasswordDeleteError

    data = _plain_read()
    in_file = data.pop(_username(profile, kind), None) is not None
    if in_file:
        _plain_write(data)
    try:
        keyring = _keyring()
        _call("delete", keyring.delete_password, SERVICE, _username(profile, kind))
    except NoKeyringError:
        return in_file
    except KeyringUnavailableError as exc:
        if in_file or isinstance(exc.__cause__, PasswordDeleteError):
            return in_file
        raise
    return True


# -- the audit trail's MAC key in the keyring (vtctl.local.trail_key; without a keyring it
#    is in a key file: vtctl.config.trail_key_files) -----------------------------------

TRAIL_KEY_PREFIX = "audit-trail:"


def get_trail_key(trail_id: str) -> str | None:
    """The MAC key of the audit trail ``trail_id``, from the keyring."""
    keyring = _keyring()
    value = _call("read", keyring.get_password, SERVICE, TRAIL_KEY_PREFIX + trail_id)
    return value if isinstance(value, str) else None


def set_trail_key(trail_id: str, value: str) -> None:
    """Keep a new trail's key in the keyring."""
    keyring = _keyring()
    _call("write", keyring.set_password, SERVICE, TRAIL_KEY_PREFIX + trail_id, value)
    _remember(keyring)
