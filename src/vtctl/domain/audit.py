"""The audit trail of minted tokens: one record per token, hash-chained and keyed.

Each record is serialised canonically as the fields ``seq, at, os_user, host,
profile, command, appointment_id, identity, room_name, ttl_seconds, jti,
prev_hash`` in that order, each written as ``s<length>:<text>`` (a string;
length in characters), ``i<digits>;`` (an integer) or ``n;`` (null),
concatenated and encoded as UTF-8 (length prefixes make it unambiguous
without escaping).  Over those bytes a record holds:

* ``hash``: their SHA-256 (hex).  ``prev_hash`` is the hash of the record
  before it, ``GENESIS_HASH`` (64 zeros) for the first: changing, removing or
  reordering a record breaks the chain.  Anyone can recompute these.
* ``mac``: their HMAC-SHA256 (hex) under the trail's 32-byte key, which the
  store file does not hold.  Through ``prev_hash`` a record's MAC covers every
  record before it; without the key no one can forge or rewrite a record.

The trail's *anchor* (one row beside the records) names the trail, where its
key comes from, and the newest record's ``seq`` and MAC, under its own MAC
(``tag``) over ``ANCHOR_DOMAIN`` and the fields ``trail_id, created_at,
key_source, keyed_seq, head_seq, head_mac`` serialised the same way.  Records
removed from the end no longer reach the anchor's head.  What the file alone
cannot show (the file replaced by an older copy of itself, or by a new store)
an anchor kept elsewhere shows: ``Expectation`` (``audit verify --expect``).

Verifying a trail (``verify_trail``, its ``Verdict``) is in ``audit_verdict``: only
``audit verify``, ``audit list`` and keying a trail need it, not every command that
mints a token.
"""

import hashlib
import hmac
import math
from collections.abc import Iterable
from typing import Any

from vtctl.domain.models import JsonFields
from vtctl.util.record import Record
from vtctl.util.text import printable

GENESIS_HASH = "0" * 64
#: what the anchor's tag covers first: never the start of a record's bytes
ANCHOR_DOMAIN = b"vtctl audit anchor v1\x00"

#: The contract's keys of ``vtctl audit list --json``, in order.
AUDIT_FIELDS: tuple[str, ...] = (
    "at", "os_user", "host", "profile", "command", "appointment_id", "identity",
    "room_name", "ttl_seconds", "jti",
)
#: The keys ``audit list --json`` adds after the contract's: the record's place in the chain.
CHAIN_FIELDS: tuple[str, ...] = ("seq", "prev_hash", "hash", "mac")

_TEXT_FIELDS = frozenset(AUDIT_FIELDS) - {"appointment_id", "ttl_seconds"}


class AuditRecord(Record, JsonFields):
    """One minted token: who, where, what for. Never the token itself.

    Read back from a file, a field may hold anything SQLite stores (an edit
    behind vtctl's back): ``wrong_type`` names such a field.  A ``Record``, as
    ``domain.models``' records are (why: there), so read-only as a record of the
    trail should be.
    """

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

    def json_attr(self, name: str) -> Any:
        return stored_json(getattr(self, name))

    def wrong_type(self) -> str | None:
        """The first field whose value is not of its declared type, described; or None."""
        for name in AUDIT_FIELDS:
            value = getattr(self, name)
            if name in _TEXT_FIELDS:
                fits = isinstance(value, str)
            else:
                fits = type(value) is int or (value is None and name == "appointment_id")
            if not fits:
                return f"its {name} holds {_kind(value)}"
        return None


def _kind(value: object) -> str:
    kinds = {bytes: "a BLOB", str: "text", int: "a number", float: "a number"}
    return kinds.get(type(value), "nothing")


def stored_json(value: object) -> object:
    """A stored value as JSON can carry it: a BLOB as ``x'<hex>'``, a non-finite
    number as its text (``Infinity`` is not JSON)."""
    if isinstance(value, bytes):
        return f"x'{value.hex()}'"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def shown(value: object) -> str:
    """A stored value as one printable line (for tables and messages)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return printable(value)
    return printable(str(stored_json(value)))


class ChainedRecord(Record, JsonFields):
    """A stored record with its place in the chain (``mac`` None: not keyed).

    Its JSON: the record's (the contract's keys), then ``CHAIN_FIELDS``."""

    JSON_FIELDS = (*AUDIT_FIELDS, *CHAIN_FIELDS)

    seq: int
    record: AuditRecord
    prev_hash: str
    hash: str
    mac: str | None = None

    def json_attr(self, name: str) -> Any:
        return stored_json(getattr(self if name in CHAIN_FIELDS else self.record, name))


def _encode(*values: object) -> str:
    """The canonical serialisation of ``values`` (see the module docstring)."""
    parts = []
    for value in values:
        if value is None:
            parts.append("n;")
        elif isinstance(value, int):
            parts.append(f"i{value:d};")
        else:
            assert isinstance(value, str)
            parts.append(f"s{len(value)}:{value}")
    return "".join(parts)


def canonical_bytes(seq: int, record: AuditRecord, prev_hash: str) -> bytes:
    """What a record's hash and MAC cover (see the module docstring).

    One f-string rather than ``_encode``: serve's writer runs this per token.
    A field of the wrong type (a record edited in the file) raises ``TypeError``.
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


def record_mac(key: bytes, seq: int, record: AuditRecord, prev_hash: str) -> str:
    return hmac.new(key, canonical_bytes(seq, record, prev_hash), hashlib.sha256).hexdigest()


def chain(
    records: Iterable[AuditRecord], last_seq: int, last_hash: str, key: bytes
) -> list[ChainedRecord]:
    """Link new records after the chain's last one (``0`` / ``GENESIS_HASH`` when empty)."""
    linked = []
    for record in records:
        last_seq += 1
        data = canonical_bytes(last_seq, record, last_hash)
        digest = hashlib.sha256(data).hexdigest()
        mac = hmac.new(key, data, hashlib.sha256).hexdigest()
        linked.append(ChainedRecord(last_seq, record, last_hash, digest, mac))
        last_hash = digest
    return linked


class Anchor(Record):
    """The trail's identity, its key's source and its newest record, under ``tag``.

    ``key_source``: ``"keyring"`` (its random key is in the OS keyring), ``"file"`` (in a
    key file: no keyring), or None while the trail is not keyed yet.
    ``keyed_seq``: the records before the trail was keyed (they got their MACs then).
    """

    trail_id: str
    created_at: str
    key_source: str | None = None
    keyed_seq: int = 0
    head_seq: int = 0
    head_mac: str | None = None
    tag: str | None = None

    def tag_bytes(self) -> bytes:
        return ANCHOR_DOMAIN + _encode(
            self.trail_id, self.created_at, self.key_source, self.keyed_seq,
            self.head_seq, self.head_mac,
        ).encode()

    def signed(self, key: bytes) -> "Anchor":
        return self._replace(tag=hmac.new(key, self.tag_bytes(), hashlib.sha256).hexdigest())

    def advanced(self, head: ChainedRecord, key: bytes) -> "Anchor":
        """The anchor after ``head`` was appended."""
        return self._replace(head_seq=head.seq, head_mac=head.mac).signed(key)

    def tag_matches(self, key: bytes) -> bool:
        expected = self.signed(key).tag
        return isinstance(self.tag, str) and hmac.compare_digest(self.tag, str(expected))


#: the forms of an anchor's fields, one character each: ``d`` a digit, ``x`` a lowercase
#: hex digit, anything else itself (shapes, not regexes: every mint reads the anchor, and
#: compiling four patterns at each start cost more than the checks)
_TRAIL_ID = "x" * 32
_DIGEST = "x" * 64
_UTC = "dddd-dd-ddTdd:dd:ddZ"
_CLASSES = {"d": frozenset("0123456789"), "x": frozenset("0123456789abcdef")}


def _has_form(value: object, form: str, optional: bool = False) -> bool:
    if value is None:
        return optional
    if not isinstance(value, str) or len(value) != len(form):
        return False
    return all(c in _CLASSES[f] if f in _CLASSES else c == f
               for c, f in zip(value, form, strict=True))


def anchor_from_row(row: tuple[object, ...]) -> Anchor | None:
    """An anchor read from a file, if every field has the form vtctl writes (None
    otherwise: its text may hold anything, terminal escapes included)."""
    trail_id, created_at, key_source, keyed_seq, head_seq, head_mac, tag = row
    if not (_has_form(trail_id, _TRAIL_ID) and _has_form(created_at, _UTC)
            and key_source in (None, "keyring", "file")
            and type(keyed_seq) is int and type(head_seq) is int
            and 0 <= keyed_seq <= head_seq
            and _has_form(head_mac, _DIGEST, optional=True)
            and _has_form(tag, _DIGEST, optional=True)):
        return None
    return Anchor(trail_id, created_at, key_source, keyed_seq, head_seq,  # type: ignore[arg-type]
                  head_mac, tag)  # type: ignore[arg-type]
