"""Where the MAC key of a store's audit trail comes from (``vtctl.domain.audit``).

The key must not be in the store file, or whoever has the file could forge
records.  A trail is keyed once, when the store is created (or upgraded), or at
the latest when its first token is minted:

* with an OS keyring: a random 32-byte key, kept in the keyring under
  ``audit-trail:<trail id>`` (``key_source`` ``"keyring"``);
* without one: a key derived from the Twilio API secret that mints the tokens
  (``"twilio:<API key SID>"``).  Whoever holds that secret can forge records,
  but can also mint tokens at Twilio directly, with no record at all.

Later the trail needs the same key: a keyring that lacks it (another machine or
account) or another Twilio API key is ``AuditKeyError`` (exit 3), never "intact".
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from vtctl.domain.audit import Anchor, derived_key
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import AuditKeyError, AuditTrailError, KeyringUnavailableError

KEYRING = "keyring"
TWILIO = "twilio:"


class TrailKeys:
    """Finds (and for a new trail makes) a trail's key; each found key is kept for reuse."""

    def __init__(self, credentials: Callable[[], TwilioCredentials] | None = None) -> None:
        self._credentials = credentials
        self._found: dict[tuple[str, str], bytes] = {}

    def key_for(self, anchor: Anchor) -> bytes:
        """The key of a keyed trail (``AuditKeyError`` when it is not available here)."""
        source = anchor.key_source
        assert source is not None
        cached = self._found.get((anchor.trail_id, source))
        if cached is not None:
            return cached
        if source == KEYRING:
            key = self._from_keyring(anchor.trail_id)
        elif source.startswith(TWILIO):
            key = self._from_twilio(anchor.trail_id, source.removeprefix(TWILIO))
        else:
            raise AuditTrailError(
                "the trail's anchor names no known key source: it was changed outside vtctl")
        self._found[(anchor.trail_id, source)] = key
        return key

    def new_key(self, trail_id: str, *, fallback: bool) -> tuple[str, bytes]:
        """(key source, key) for a trail being keyed: a random key when there is a keyring
        (``save`` puts it there), else with ``fallback`` one derived from the Twilio API
        secret; else ``KeyringUnavailableError``."""
        from vtctl.config.secrets_store import get_trail_key

        try:
            existing = get_trail_key(trail_id)
        except KeyringUnavailableError:
            if not fallback or self._credentials is None:
                raise
            credentials = self._credentials()
            source, key = TWILIO + credentials.api_key, derived_key(credentials.api_secret,
                                                                     trail_id)
        else:
            if existing is not None:
                raise AuditTrailError(
                    f"the store says its audit trail {trail_id} was never keyed, but its key "
                    "is in this keyring: the trail was reset outside vtctl",
                    hint="run `vtctl audit verify`; keep a copy of the file for investigation")
            source, key = KEYRING, secrets.token_bytes(32)
        self._found[(trail_id, source)] = key
        return source, key

    def save(self, trail_id: str, source: str, key: bytes) -> None:
        """Keep a new keyring key (the last step of keying: the file is written first,
        so a refused write leaves no trace there)."""
        if source == KEYRING:
            from vtctl.config.secrets_store import set_trail_key

            set_trail_key(trail_id, key.hex())

    def keyring_holds(self, trail_id: str) -> bool:
        """Whether this keyring holds a key for ``trail_id`` (False without a keyring)."""
        from vtctl.config.secrets_store import get_trail_key

        try:
            return get_trail_key(trail_id) is not None
        except KeyringUnavailableError:
            return False

    def _from_keyring(self, trail_id: str) -> bytes:
        from vtctl.config.secrets_store import get_trail_key

        try:
            stored = get_trail_key(trail_id)
        except KeyringUnavailableError as exc:
            raise AuditKeyError(
                f"the audit trail's key is in an OS keyring, and none is available here "
                f"({exc.message})", hint=_ELSEWHERE) from exc
        if stored is None:
            raise AuditKeyError(
                f"this keyring holds no key for the store's audit trail {trail_id}",
                hint=_ELSEWHERE)
        try:
            key = bytes.fromhex(stored)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise AuditKeyError(f"the keyring's key for the audit trail {trail_id} is damaged",
                                hint=_ELSEWHERE)
        return key

    def _from_twilio(self, trail_id: str, api_key: str) -> bytes:
        if self._credentials is None:
            raise AuditKeyError(
                f"the audit trail's key derives from the secret of Twilio API key {api_key}, "
                "and no Twilio credentials were given")
        credentials = self._credentials()
        if credentials.api_key != api_key:
            raise AuditKeyError(
                f"the audit trail's key derives from the secret of Twilio API key {api_key}, "
                f"not of {credentials.api_key} (the credentials of this profile)",
                hint="set TWILIO_API_KEY and TWILIO_API_SECRET to that key's "
                "(or use the profile that holds it)")
        return derived_key(credentials.api_secret, trail_id)


_ELSEWHERE = (
    "run vtctl as the user, on the machine, whose keyring holds the key (the store was "
    "created there); a store file alone cannot be checked or continued"
)
