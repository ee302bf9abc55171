"""Recording minted tokens in the store's audit trail (``vtctl.domain.audit``).

``AuditTrail`` appends each record at once, in its own transaction: what a
command that mints one token uses.  ``vtctl serve`` batches instead
(``vtctl.server.audit_sink``); both build records with ``AuditContext``.
"""

import base64
import binascii
import functools
import json
import time
from typing import Protocol

from vtctl.domain.audit import AuditRecord
from vtctl.local.store import AppointmentStore
from vtctl.local.trail_key import TrailKeys
from vtctl.util.record import Record


class Minted(Record):
    """What the engine tells a sink about one token (the token itself never leaves it)."""

    command: str  # token | refresh | mint | serve
    appointment_id: int | None
    identity: str
    room_name: str
    ttl: int
    issued_at: int
    access_token: str

    _hidden = frozenset({"access_token"})


class AuditSink(Protocol):
    """Where the engine reports each token it minted (before handing it out)."""

    def minted(self, minted: Minted) -> None: ...


class AuditContext(Record):
    """Who mints and where: the same for every token of one process."""

    os_user: str
    host: str
    profile: str

    @classmethod
    def current(cls, profile: str) -> "AuditContext":
        return cls(os_user(), host_name(), profile)

    def record(self, m: Minted) -> AuditRecord:
        return AuditRecord(
            _utc_text(m.issued_at), self.os_user, self.host, self.profile, m.command,
            m.appointment_id, m.identity, m.room_name, m.ttl, token_jti(m.access_token),
        )


@functools.lru_cache(maxsize=4)
def _utc_text(seconds: int) -> str:
    """``2025-11-16T09:00:00Z`` (cached: serve's writer stamps many tokens per second)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class AuditTrail:
    """Append every record at once (one transaction each); ``keys`` finds the trail's key."""

    def __init__(self, store: AppointmentStore, context: AuditContext,
                 keys: TrailKeys | None = None) -> None:
        self.store = store
        self.context = context
        self.keys = keys or TrailKeys()

    def minted(self, minted: Minted) -> None:
        self.store.append_audit([self.context.record(minted)], self.keys)


_JTI_PREFIX = b'{"jti":"'


def token_jti(access_token: str) -> str:
    """The ``jti`` claim of a JWT we just signed (its payload, not verified again).

    Twilio writes ``jti`` first: decoding the payload's first 96 characters
    finds it without parsing the rest (serve's writer does this per token);
    anything else is parsed whole.
    """
    try:
        payload = access_token.split(".", 2)[1]
        head = binascii.a2b_base64(  # urlsafe_b64decode without its two input checks
            payload[:96].replace("-", "+").replace("_", "/") + "=" * (-min(len(payload), 96) % 4)
        )
        end = head.find(b'"', len(_JTI_PREFIX))
        if head.startswith(_JTI_PREFIX) and end > 0 and b"\\" not in head[:end]:
            return head[len(_JTI_PREFIX):end].decode()
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["jti"])
    except (IndexError, ValueError, KeyError, TypeError):
        return ""


#: Where ``getpass.getuser()`` looks first, in its order.
USER_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")


def os_user() -> str:
    """Who ran the command, by ``getpass.getuser()``'s rule: its variables, then the
    password database; ``uid N`` when neither names them (containers).

    Its rule, not the module: importing ``getpass`` imports ``termios`` too, which
    every mint would pay for one lookup (``tests/test_audit.py`` compares the two).
    """
    import os

    for name in USER_VARIABLES:
        if user := os.environ.get(name):
            return user
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no pwd (Windows), no passwd entry (containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def host_name() -> str:
    import socket

    return socket.gethostname()
