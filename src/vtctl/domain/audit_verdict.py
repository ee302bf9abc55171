"""Verifying an audit trail (``vtctl.domain.audit``): every record's hash chain and MAC,
then the anchor, then an ``Expectation`` kept elsewhere; the first break found.

Apart from ``audit`` so that minting a token, which only appends, does not create
these records (``audit verify``, ``audit list`` and keying a trail use them)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from vtctl.domain.audit import GENESIS_HASH, Anchor, ChainedRecord, record_hash, record_mac, shown
from vtctl.util.text import printable


@dataclass(frozen=True, slots=True)
class Expectation:
    """``SEQ:MAC`` from ``vtctl audit head``, kept elsewhere: the trail must still hold it."""

    seq: int
    mac: str

    @classmethod
    def parse(cls, text: str) -> Expectation | None:
        """None unless ``text`` is ``<seq>:<64 hex digits>``."""
        seq, colon, mac = text.strip().partition(":")
        if not (colon and seq.isascii() and seq.isdigit() and len(seq) <= 19
                and len(mac) == 64 and mac.isascii() and mac.isalnum()):
            return None
        try:  # 64 characters, all letters or digits: 32 bytes unless one is not hex
            bytes.fromhex(mac)
        except ValueError:
            return None
        return cls(int(seq), mac.lower())

    def __str__(self) -> str:
        return f"{self.seq}:{self.mac}"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first thing that does not verify: a record (``stored``) or the trail as a whole."""

    reason: str
    position: int = 0  # 1-based place in the stored order; 0: not one record
    stored: ChainedRecord | None = None

    def describe(self) -> str:
        """One printable line (stored text may hold terminal escapes)."""
        if self.stored is None:
            return printable(self.reason)
        entry = self.stored.record
        return printable(
            f"audit record #{self.position} (seq {shown(self.stored.seq)}, {shown(entry.at)}, "
            f"{shown(entry.command)} {shown(entry.identity)}) {self.reason}"
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``verify_trail`` found: ``count`` records read, the first ``broken`` or None."""

    count: int
    broken: ChainBreak | None
    head: ChainedRecord | None = None  # the newest record (None: no records)


def verify_trail(
    records: Iterable[ChainedRecord],
    anchor: Anchor,
    key: bytes | None,
    expect: Expectation | None = None,
) -> Verdict:
    """Check every record's hash chain and (with ``key``) its MAC, then the anchor, then
    ``expect``; ``key`` None: the trail is not keyed yet, only its hash chain is checked."""
    expected_prev = GENESIS_HASH
    count = 0
    head: ChainedRecord | None = None
    expected_found = expect is None or (expect.seq == 0 and expect.mac == GENESIS_HASH)
    for stored in records:
        count += 1
        why = _record_problem(stored, expected_prev, key)
        if why is not None:
            return Verdict(count, ChainBreak(why, count, stored), head)
        if expect is not None and stored.seq == expect.seq:
            if not hmac.compare_digest(str(stored.mac), expect.mac):
                return Verdict(count, ChainBreak(
                    f"is not the record seq {expect.seq} of the expected head {expect}: "
                    "the trail was rewritten", count, stored), head)
            expected_found = True
        expected_prev = stored.hash
        head = stored
    broken = _anchor_problem(anchor, key, head)
    if broken is None and not expected_found:
        assert expect is not None
        last = head.seq if head is not None else 0
        broken = ChainBreak(
            f"the trail has no record seq {expect.seq} (the expected head {expect}); it ends at "
            f"seq {last}: records were removed, or the file was replaced")
    return Verdict(count, broken, head)


def _record_problem(stored: ChainedRecord, expected_prev: str, key: bytes | None) -> str | None:
    wrong = stored.record.wrong_type()
    if wrong is not None or type(stored.seq) is not int:
        return f"was changed: {wrong or 'its seq is not a number'}"
    if stored.prev_hash != expected_prev:
        return "does not follow the record before it: a record was removed or reordered"
    if record_hash(stored.seq, stored.record, stored.prev_hash) != stored.hash:
        return "does not match its hash: it was changed"
    if key is None:
        if stored.mac is not None:
            return "has a MAC although the trail's anchor says it was never keyed"
        return None
    mac = record_mac(key, stored.seq, stored.record, stored.prev_hash)
    if not isinstance(stored.mac, str) or not hmac.compare_digest(stored.mac, mac):
        return ("does not match its MAC: it was written or rewritten outside vtctl "
                "(the hashes can be recomputed, the MAC needs the trail's key)")
    return None


def _anchor_problem(anchor: Anchor, key: bytes | None, head: ChainedRecord | None) -> (
    ChainBreak | None
):
    if key is not None and not anchor.tag_matches(key):
        return ChainBreak("the trail's anchor (its newest record and key) was changed "
                          "outside vtctl")
    last_seq = head.seq if head is not None else 0
    if anchor.head_seq > last_seq:
        return ChainBreak(
            f"the trail ends at seq {last_seq} but vtctl last wrote seq "
            f"{anchor.head_seq}: the newest records were removed")
    if anchor.head_seq < last_seq:
        return ChainBreak(
            f"the trail ends at seq {last_seq} but vtctl last wrote seq {anchor.head_seq}: "
            "records were added outside vtctl")
    if key is not None and head is not None and anchor.head_mac != head.mac:
        return ChainBreak("the trail's newest record is not the one vtctl last wrote: "
                          "it was replaced")
    return None
