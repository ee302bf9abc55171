"""Recording minted tokens in the store's audit trail (``vtctl.domain.audit``).

``AuditTrail`` appends each record at once, in its own transaction: what a
command that mints one token uses.  ``vtctl serve`` batches instead
(``vtctl.server.audit_sink``); both build records with ``AuditContext``.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Protocol

from vtctl.domain.audit import AuditRecord
from vtctl.local.store import AppointmentStore


class AuditSink(Protocol):
    """Where the engine reports each token it minted (before handing it out)."""

    def minted(
        self, command: str, appointment_id: int | None, identity: str, room_name: str,
        ttl: int, issued_at: int, access_token: str,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who mints and where: the same for every token of one process."""

    os_user: str
    host: str
    profile: str

    @classmethod
    def current(cls, profile: str) -> AuditContext:
        return cls(os_user(), host_name(), profile)

    def record(
        self, command: str, appointment_id: int | None, identity: str, room_name: str,
        ttl: int, issued_at: int, access_token: str,
    ) -> AuditRecord:
        return AuditRecord(
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued_at)), self.os_user, self.host,
            self.profile, command, appointment_id, identity, room_name, ttl,
            token_jti(access_token),
        )


class AuditTrail:
    """Append every record at once (one transaction each)."""

    def __init__(self, store: AppointmentStore, context: AuditContext) -> None:
        self.store = store
        self.context = context

    def minted(
        self, command: str, appointment_id: int | None, identity: str, room_name: str,
        ttl: int, issued_at: int, access_token: str,
    ) -> None:
        self.store.append_audit([
            self.context.record(
                command, appointment_id, identity, room_name, ttl, issued_at, access_token
            )
        ])


def token_jti(access_token: str) -> str:
    """The ``jti`` claim of a JWT we just signed (its payload, not verified again)."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["jti"])
    except (IndexError, ValueError, KeyError, TypeError):
        return ""


def os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (containers)
        import os

        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def host_name() -> str:
    import socket

    return socket.gethostname()
