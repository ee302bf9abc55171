"""The audit trail of minted tokens: one record per token, hash-chained.

A record's hash is SHA-256 over its canonical serialisation: the fields
``seq, at, os_user, host, profile, command, appointment_id, identity,
room_name, ttl_seconds, jti, prev_hash`` (``prev_hash``: the hash of the
record before it, 64 zeros for the first) in that order, each written as
``s<length>:<text>`` (a string; length in characters), ``i<digits>;`` (an
integer) or ``n;`` (null), concatenated and encoded as UTF-8.  Length
prefixes make it unambiguous without escaping, and it is cheap enough for
``vtctl serve`` to hash thousands of records a second.  Changing a field breaks
that record's own hash; removing or reordering records breaks the next
record's ``prev_hash``.  (Removing the newest records leaves a shorter intact
chain: only a copy of the last hash kept elsewhere can tell.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from vtctl.domain.models import JsonFields

GENESIS_HASH = "0" * 64

#: The contract's keys of ``vtctl audit list --json``, in order.
AUDIT_FIELDS: tuple[str, ...] = (
    "at", "os_user", "host", "profile", "command", "appointment_id", "identity",
    "room_name", "ttl_seconds", "jti",
)


@dataclass(frozen=True, slots=True)
class AuditRecord(JsonFields):
    """One minted token: who, where, what for. Never the token itself."""

    JSON_FIELDS = AUDIT_FIELDS

    at: str  # ISO 8601 UTC ending in Z
    os_user: str
    host: str
    profile: str
    command: str  # token | refresh | mint | serve
    appointment_id: int | None  # None for `mint`
    identity: str
    room_name: str
    ttl_seconds: int
    jti: str


@dataclass(frozen=True, slots=True)
class ChainedRecord:
    """A stored record with its place in the chain."""

    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str


def canonical_bytes(seq: int, record: AuditRecord, prev_hash: str) -> bytes:
    """What a record's hash covers (see the module docstring).

    One f-string rather than a loop: serve's writer runs this per token.  A
    field of the wrong type (a record edited in the file) raises ``TypeError``.
    """
    r = record
    appointment = "n;" if r.appointment_id is None else f"i{r.appointment_id:d};"
    return (
        f"i{seq:d};s{len(r.at)}:{r.at}s{len(r.os_user)}:{r.os_user}"
        f"s{len(r.host)}:{r.host}s{len(r.profile)}:{r.profile}"
        f"s{len(r.command)}:{r.command}{appointment}s{len(r.identity)}:{r.identity}"
        f"s{len(r.room_name)}:{r.room_name}i{r.ttl_seconds:d};s{len(r.jti)}:{r.jti}"
        f"s{len(prev_hash)}:{prev_hash}"
    ).encode()


def record_hash(seq: int, record: AuditRecord, prev_hash: str) -> str:
    return hashlib.sha256(canonical_bytes(seq, record, prev_hash)).hexdigest()


def chain(records: Iterable[AuditRecord], last_seq: int, last_hash: str) -> list[ChainedRecord]:
    """Link new records after the chain's last one (``0`` / ``GENESIS_HASH`` when empty)."""
    linked = []
    for record in records:
        last_seq += 1
        digest = record_hash(last_seq, record, last_hash)
        linked.append(ChainedRecord(last_seq, record, last_hash, digest))
        last_hash = digest
    return linked


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first record that does not verify, and why."""

    position: int  # 1-based place in the stored order
    stored: ChainedRecord
    reason: str

    def describe(self) -> str:
        entry = self.stored.record
        return (
            f"audit record #{self.position} (seq {self.stored.seq}, {entry.at}, "
            f"{entry.command} {entry.identity}) {self.reason}"
        )


def verify_chain(records: Iterable[ChainedRecord]) -> tuple[int, ChainBreak | None]:
    """(records checked, the first break or None)."""
    expected_prev = GENESIS_HASH
    count = 0
    for stored in records:
        count += 1
        if stored.prev_hash != expected_prev:
            why = "does not follow the record before it: a record was removed or reordered"
            return count, ChainBreak(count, stored, why)
        try:
            intact = record_hash(stored.seq, stored.record, stored.prev_hash) == stored.hash
        except (TypeError, ValueError):  # e.g. a number where text belongs
            intact = False
        if not intact:
            return count, ChainBreak(count, stored, "does not match its hash: it was changed")
        expected_prev = stored.hash
    return count, None
