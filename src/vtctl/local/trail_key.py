"""Where the MAC key of a store's audit trail is kept (``vtctl.domain.audit``).

The key must not be in the store file, or whoever has the file could forge
records.  A trail is keyed once, when the store is created (or upgraded), with a
random 32-byte key kept

* in the OS keyring, under ``audit-trail:<trail id>`` (``key_source`` ``"keyring"``);
* where there is no keyring, in a 0600 file ``audit-keys/<trail id>`` in a 0700
  folder of the user config dir (``"file"``; per user, like the keyring it stands in
  for, whatever ``VTCTL_CONFIG`` names), as ``auth login --insecure-storage`` keeps a
  JWT: whoever can read your files can read it.

Later the trail needs the same key: a keyring or folder that lacks it (another
machine or account) is ``AuditKeyError`` (exit 3), never "intact".  Its hint says
where the key is kept; for a store that can be made again (the demo's), the caller's
``afresh`` hint says how instead.
"""

from __future__ import annotations

from vtctl.domain.audit import Anchor
from vtctl.domain.errors import (
    AuditKeyError,
    AuditTrailError,
    KeyringUnavailableError,
)

KEYRING = "keyring"
FILE = "file"


class TrailKeys:
    """Finds (and for a new trail makes) a trail's key; each found key is kept for reuse."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], bytes] = {}

    def key_for(self, anchor: Anchor, afresh: str | None = None) -> bytes:
        """The key of a keyed trail (``AuditKeyError`` when it is not available here;
        its hint ``afresh`` when given: how to start the store anew)."""
        source = anchor.key_source
        assert source is not None
        cached = self._found.get((anchor.trail_id, source))
        if cached is not None:
            return cached
        hint = afresh or _ELSEWHERE
        if source == KEYRING:
            stored = self._from_keyring(anchor.trail_id, hint)
        elif source == FILE:
            stored = self._from_file(anchor.trail_id, hint)
        else:
            raise AuditTrailError(
                "the trail's anchor names no known key source: it was changed outside vtctl")
        key = _key(stored, anchor.trail_id, hint)
        self._found[(anchor.trail_id, source)] = key
        return key

    def new_key(self, trail_id: str) -> tuple[str, bytes]:
        """(key source, a new random key) for a trail being keyed: the keyring if there is
        one, else the key file; ``save`` keeps it there.  A key already kept for this
        trail means the store's "not keyed" was written by someone else."""
        from vtctl.config.secrets_store import get_trail_key

        try:
            source = KEYRING
            existing = get_trail_key(trail_id)
        except KeyringUnavailableError:
            source = FILE
            existing = None
        if existing is not None or self._file_holds(trail_id):
            from vtctl.domain.commands import VERIFY_TRAIL  # only when broken

            raise AuditTrailError(
                f"the store says its audit trail {trail_id} was never keyed, but its key is "
                "kept here: the trail was reset outside vtctl",
                suggests=VERIFY_TRAIL)
        import secrets  # only a trail being keyed needs a new key

        key = secrets.token_bytes(32)
        self._found[(trail_id, source)] = key
        return source, key

    def save(self, trail_id: str, source: str, key: bytes) -> None:
        """Keep a new key (the last step of keying: the store is written first, so a
        refused write leaves no trace there)."""
        from vtctl.config.secrets_store import set_trail_key
        from vtctl.config.trail_key_files import trail_key_file, write_trail_key_file

        if source == KEYRING:
            set_trail_key(trail_id, key.hex())
            return
        try:  # no home directory: AuditKeyError already
            write_trail_key_file(trail_id, key.hex())
        except OSError as exc:
            folder = trail_key_file(trail_id).parent
            raise AuditKeyError(
                f"no OS keyring, and the audit trail's key file cannot be written "
                f"({exc.strerror})",
                hint=f"make {folder} writable, set XDG_CONFIG_HOME to a writable folder, "
                "or use an OS keyring",
            ) from exc

    def holds_key(self, trail_id: str) -> bool:
        """Whether a key for ``trail_id`` is kept here (keyring or key file)."""
        from vtctl.config.secrets_store import get_trail_key

        try:
            if get_trail_key(trail_id) is not None:
                return True
        except KeyringUnavailableError:
            pass
        return self._file_holds(trail_id)

    def _file_holds(self, trail_id: str) -> bool:
        from vtctl.config.trail_key_files import trail_key_file

        try:
            return trail_key_file(trail_id).exists()
        except AuditKeyError:  # no home directory: no key file either
            return False

    def _from_keyring(self, trail_id: str, hint: str) -> str:
        from vtctl.config.secrets_store import get_trail_key

        try:
            stored = get_trail_key(trail_id)
        except KeyringUnavailableError as exc:
            raise AuditKeyError(
                f"the audit trail's key is in an OS keyring, and none is available here "
                f"({exc.message})", hint=hint) from exc
        if stored is None:
            raise AuditKeyError(
                f"this keyring holds no key for the store's audit trail {trail_id}",
                hint=hint)
        return stored

    def _from_file(self, trail_id: str, hint: str) -> str:
        from vtctl.config.trail_key_files import read_trail_key_file, trail_key_file

        try:
            stored = read_trail_key_file(trail_id)
        except OSError as exc:
            raise AuditKeyError(
                f"the audit trail's key file {trail_key_file(trail_id)} cannot be read "
                f"({exc.strerror})", hint=hint) from exc
        if stored is None:
            raise AuditKeyError(
                f"there is no key file {trail_key_file(trail_id)} for the store's audit "
                f"trail {trail_id}", hint=hint)
        return stored


def _key(stored: str, trail_id: str, hint: str) -> bytes:
    try:
        key = bytes.fromhex(stored)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise AuditKeyError(f"the kept key of the audit trail {trail_id} is damaged",
                            hint=hint)
    return key


_ELSEWHERE = (
    "run vtctl as the user, on the machine, that keeps the key (where the store was "
    "created); a store file alone cannot be checked or continued"
)
