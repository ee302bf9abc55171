"""``vtctl.domain.audit`` and ``audit_verdict`` on their own: the documented record format
pinned by known-answer vectors, and every way ``verify_trail`` finds a trail broken, named.

Existing trails were written in this format: a change to it (a field left out,
another order, a different first ``prev_hash``) would make every stored trail fail
verification, so the bytes, hashes, MACs and tags are pinned to literal values.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import string

import pytest

from vtctl.domain.audit import (
    ANCHOR_DOMAIN,
    AUDIT_FIELDS,
    CHAIN_FIELDS,
    GENESIS_HASH,
    Anchor,
    AuditRecord,
    ChainedRecord,
    anchor_from_row,
    canonical_bytes,
    chain,
    record_hash,
    record_mac,
    shown,
    stored_json,
)
from vtctl.domain.audit_verdict import ChainBreak, Expectation, Verdict, verify_trail

KEY = bytes(range(32))
OTHER_KEY = bytes(32)
TRAIL = "00112233445566778899aabbccddeeff"
R1 = AuditRecord("2025-11-16T09:00:00Z", "alice", "host1", "default", "token", 47,
                 "2-jane.doe@example.com", "apt-47-1763138954-46eb915c", 5400, "SK0-1763283600")
R2 = AuditRecord("2025-11-16T09:01:00Z", "zoë", "host1", "work", "mint", None, "bob", "r1", 600,
                 "")
R3 = R1._replace(at="2025-11-16T09:02:00Z", command="refresh", identity="5-sarah@example.com")

#: the documented serialisation of R1 as the first record, and of R2 after it
BYTES_1 = (b"i1;s20:2025-11-16T09:00:00Zs5:alices5:host1s7:defaults5:tokeni47;"
           b"s22:2-jane.doe@example.coms26:apt-47-1763138954-46eb915ci5400;s14:SK0-1763283600"
           b"s64:" + b"0" * 64)
HASH_1 = "0af6ed9a8a266061747aacba877a43eabb7a5a6542a48db008b96b6da7b6136e"
MAC_1 = "e2c01586baee9fff67a9f8fa0761ca0ad5fb60208de10fdce8788385a9db34fe"
BYTES_2 = (b"i2;s20:2025-11-16T09:01:00Zs3:zo\xc3\xabs5:host1s4:works4:mintn;s3:bobs2:r1i600;s0:"
           b"s64:" + HASH_1.encode())
HASH_2 = "81e84d82e24bd92e6d7b1cb7f08d710e63243e5285a3d496c519b4bc1c663dfe"
MAC_2 = "4c15fe855d6c6f441225eed6123f568d3cf169576614fbccf80ceabb8bcc917d"
ANCHOR_BYTES = (b"vtctl audit anchor v1\x00s32:" + TRAIL.encode() + b"s20:2025-11-16T08:00:00Z"
                b"s7:keyringi0;i2;s64:" + MAC_2.encode())
TAG = "23d284b2b9932a3daa9316c72e7ff28554f2f0c73b33fa401f396409023e27d1"


# -- known-answer vectors ---------------------------------------------------------------


def test_the_first_record_starts_from_64_zeros() -> None:
    assert GENESIS_HASH == "0" * 64


def test_record_bytes_hash_and_mac_are_the_documented_ones() -> None:
    assert canonical_bytes(1, R1, GENESIS_HASH) == BYTES_1
    assert canonical_bytes(2, R2, HASH_1) == BYTES_2  # null appointment, length in characters
    # the literal values, checked against hashlib/hmac directly (not only against audit.py)
    assert hashlib.sha256(BYTES_1).hexdigest() == HASH_1
    assert hmac.new(KEY, BYTES_1, "sha256").hexdigest() == MAC_1
    assert hashlib.sha256(BYTES_2).hexdigest() == HASH_2
    assert hmac.new(KEY, BYTES_2, "sha256").hexdigest() == MAC_2
    assert record_hash(1, R1, GENESIS_HASH) == HASH_1
    assert record_mac(KEY, 1, R1, GENESIS_HASH) == MAC_1


def test_chain_links_hashes_and_macs_from_genesis() -> None:
    linked = chain([R1, R2], 0, GENESIS_HASH, KEY)
    assert linked == [
        ChainedRecord(1, R1, GENESIS_HASH, HASH_1, MAC_1),
        ChainedRecord(2, R2, HASH_1, HASH_2, MAC_2),
    ]
    assert chain([R2], 1, HASH_1, KEY) == linked[1:]  # continuing a chain
    assert chain([], 5, HASH_1, KEY) == []


def test_the_anchor_tag_is_the_documented_one() -> None:
    anchor = Anchor(TRAIL, "2025-11-16T08:00:00Z", "keyring", 0, 2, MAC_2)
    assert ANCHOR_DOMAIN == b"vtctl audit anchor v1\x00"
    assert anchor.tag_bytes() == ANCHOR_BYTES
    assert hmac.new(KEY, ANCHOR_BYTES, "sha256").hexdigest() == TAG
    assert anchor.signed(KEY).tag == TAG
    assert anchor.tag is None  # signed() returns a new anchor
    unkeyed = Anchor(TRAIL, "2025-11-16T08:00:00Z")
    assert unkeyed.tag_bytes() == (b"vtctl audit anchor v1\x00s32:" + TRAIL.encode()
                                   + b"s20:2025-11-16T08:00:00Zn;i0;i0;n;")


@pytest.mark.parametrize("field", AUDIT_FIELDS)
def test_every_field_is_covered_by_hash_and_mac(field: str) -> None:
    value = getattr(R1, field)
    changed = R1._replace(**{field: None if field == "appointment_id" else (
        value + 1 if isinstance(value, int) else value + "x")})
    assert record_hash(1, changed, GENESIS_HASH) != HASH_1
    assert record_mac(KEY, 1, changed, GENESIS_HASH) != MAC_1
    assert record_hash(2, R1, GENESIS_HASH) != HASH_1  # the seq too
    assert record_hash(1, R1, HASH_2) != HASH_1  # and the record before it


MAC_MISMATCH = ("does not match its MAC: it was written or rewritten outside vtctl "
                "(the hashes can be recomputed, the MAC needs the trail's key)")
ANCHOR_CHANGED = "the trail's anchor (its newest record and key) was changed outside vtctl"


# -- verify_trail -------------------------------------------------------------------------


def trail(*records: AuditRecord, key: bytes = KEY) -> tuple[list[ChainedRecord], Anchor]:
    linked = chain(records, 0, GENESIS_HASH, key)
    anchor = Anchor(TRAIL, "2025-11-16T08:00:00Z", "keyring")
    anchor = anchor.advanced(linked[-1], key) if linked else anchor.signed(key)
    return linked, anchor


def test_an_intact_trail_verifies() -> None:
    records, anchor = trail(R1, R2, R3)
    verdict = verify_trail(records, anchor, KEY)
    assert (verdict.count, verdict.broken, verdict.head) == (3, None, records[-1])
    empty, empty_anchor = trail()
    assert verify_trail(empty, empty_anchor, KEY).broken is None
    assert verify_trail(empty, empty_anchor, KEY).head is None


def broken(records: list[ChainedRecord], anchor: Anchor, key: bytes | None = KEY,
           expect: Expectation | None = None) -> ChainBreak:
    found = verify_trail(records, anchor, key, expect).broken
    assert found is not None
    return found


def test_a_changed_appointment_id_fails() -> None:
    records, anchor = trail(R1, R2)
    records[0] = records[0]._replace(record=R1._replace(appointment_id=48))
    found = broken(records, anchor)
    assert (found.position, found.reason) == (1, "does not match its hash: it was changed")
    records[0] = records[0]._replace(record=R1._replace(appointment_id=None))
    assert broken(records, anchor).position == 1


def test_a_rewrite_with_hashes_recomputed_fails_on_its_mac() -> None:
    _records, anchor = trail(R1, R2, R3)
    forged = chain([R1, R2._replace(identity="mallory")], 0, GENESIS_HASH, OTHER_KEY)
    forged.append(chain([R3], 2, forged[1].hash, OTHER_KEY)[0])
    found = broken(forged, anchor)
    assert found.position == 1 and found.stored == forged[0]
    assert found.reason == MAC_MISMATCH
    assert "#1 (seq 1, 2025-11-16T09:00:00Z, token 2-jane.doe@example.com)" in found.describe()


def test_a_record_without_a_mac_in_a_keyed_trail_fails() -> None:
    records, anchor = trail(R1, R2)
    records[1] = records[1]._replace(mac=None)
    found = broken(records, anchor)
    assert found.position == 2 and found.reason == MAC_MISMATCH


def test_removed_and_reordered_records_fail() -> None:
    records, anchor = trail(R1, R2, R3)
    found = broken([records[0], records[2]], anchor)
    assert found.position == 2 and found.reason == (
        "does not follow the record before it: a record was removed or reordered")
    assert broken([records[1], records[0], records[2]], anchor).position == 1


def test_records_removed_from_the_end_fail_against_the_anchor() -> None:
    records, anchor = trail(R1, R2, R3)
    found = broken(records[:1], anchor)
    assert found.stored is None and found.position == 0
    assert found.reason == ("the trail ends at seq 1 but vtctl last wrote seq 3: "
                            "the newest records were removed")
    assert broken([], anchor).reason.startswith("the trail ends at seq 0 but vtctl last wrote")


def test_a_record_added_past_the_anchor_fails() -> None:
    records, anchor = trail(R1, R2)
    extra = chain([R3], 2, records[-1].hash, KEY)  # even with the right key
    found = broken(records + extra, anchor)
    assert found.reason == ("the trail ends at seq 3 but vtctl last wrote seq 2: "
                            "records were added outside vtctl")


def test_a_changed_anchor_fails() -> None:
    records, anchor = trail(R1, R2)
    for changed in (anchor._replace(head_seq=1), anchor._replace(key_source="file"),
                    anchor._replace(tag="0" * 64), anchor._replace(tag=None),
                    anchor._replace(created_at="2020-01-01T00:00:00Z"),
                    anchor._replace(keyed_seq=1), anchor._replace(trail_id="f" * 32)):
        assert broken(records, changed).reason == ANCHOR_CHANGED, changed


def test_an_anchor_with_another_head_mac_fails() -> None:
    records, anchor = trail(R1, R2)
    found = broken(records, anchor._replace(head_mac=records[0].mac).signed(KEY))
    assert found.reason == ("the trail's newest record is not the one vtctl last wrote: "
                            "it was replaced")


def test_an_unkeyed_trail_checks_only_the_hash_chain() -> None:
    records = [c._replace(mac=None) for c in chain([R1, R2], 0, GENESIS_HASH, KEY)]
    anchor = Anchor(TRAIL, "2025-11-16T08:00:00Z", head_seq=2)
    assert verify_trail(records, anchor, None).broken is None
    records[1] = records[1]._replace(mac="0" * 64)
    assert broken(records, anchor, None).reason == (
        "has a MAC although the trail's anchor says it was never keyed")
    assert broken(records[:1], anchor, None).reason.startswith("the trail ends at seq 1")


def test_expect_proves_nothing_before_it_was_removed_or_rewritten() -> None:
    records, anchor = trail(R1, R2, R3)
    head = Expectation(2, str(records[1].mac))
    assert verify_trail(records, anchor, KEY, head).broken is None
    assert verify_trail(records[:2], anchor.advanced(records[1], KEY), KEY, head).broken is None
    # everything from seq 2 removed and the anchor rolled back (an older copy of the file)
    rolled_back = anchor.advanced(records[0], KEY)
    found = broken(records[:1], rolled_back, expect=head)
    assert found.reason.startswith("the trail has no record seq 2 (the expected head 2:")
    assert "it ends at seq 1" in found.reason
    assert broken([], trail()[1], expect=head).reason == (
        f"the trail has no record seq 2 (the expected head {head}); it ends at seq 0: "
        "records were removed, or the file was replaced")
    # another trail (a new store) with a record 2
    other, other_anchor = trail(R1, R3, key=OTHER_KEY)
    found = broken(other, other_anchor, OTHER_KEY, head)
    assert found.position == 2 and found.reason == (
        f"is not the record seq 2 of the expected head {head}: the trail was rewritten")
    assert verify_trail([], trail()[1], KEY, Expectation(0, GENESIS_HASH)).broken is None
    assert broken([], trail()[1], expect=Expectation(0, "1" * 64)).stored is None


def test_expectation_parses_only_seq_colon_64_hex() -> None:
    assert Expectation.parse(f" 12:{MAC_1.upper()} ") == Expectation(12, MAC_1)
    assert str(Expectation(12, MAC_1)) == f"12:{MAC_1}"
    assert Expectation.parse(f"0:{GENESIS_HASH}") == Expectation(0, GENESIS_HASH)
    for bad in ("", "12", f"12{MAC_1}", f"-1:{MAC_1}", f"x:{MAC_1}", f"12:{MAC_1[:-1]}",
                f"12:{MAC_1}0", f"12:{'g' * 64}", f"١٢:{MAC_1}", f"{'9' * 20}:{MAC_1}",
                f":{MAC_1}"):
        assert Expectation.parse(bad) is None, bad
    assert Expectation.parse(f"{'9' * 19}:{MAC_1}") == Expectation(int("9" * 19), MAC_1)
    for letter in "gxzGXZ -_":
        assert Expectation.parse(f"1:{MAC_1[:-1]}{letter}") is None, letter


def test_records_and_verdicts_are_read_only() -> None:
    import dataclasses

    records, anchor = trail(R1)
    found = ChainBreak("x")
    for obj in (Expectation(1, MAC_1), found, Verdict(1, found)):
        assert not hasattr(obj, "__dict__"), type(obj)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, dataclasses.fields(obj)[0].name, None)
    for record in (R1, records[0], anchor):  # Records
        first = record._fields[0]
        with pytest.raises(AttributeError, match="read-only"):
            setattr(record, first, None)
        assert getattr(record, first) is not None


def test_defaults() -> None:
    assert ChainedRecord(1, R1, GENESIS_HASH, HASH_1).mac is None
    assert Verdict(0, None).head is None
    assert (ChainBreak("x").position, ChainBreak("x").stored) == (0, None)
    assert Anchor(TRAIL, "t") == Anchor(TRAIL, "t", None, 0, 0, None, None)


# -- fields of any stored type ------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("identity", b"\x1b[2J", "a BLOB"), ("at", 5, "a number"), ("jti", None, "nothing"),
    ("ttl_seconds", "x", "text"), ("ttl_seconds", 1.5, "a number"),
    ("ttl_seconds", None, "nothing"), ("appointment_id", b"1", "a BLOB"),
    ("appointment_id", "47", "text"), ("ttl_seconds", True, "nothing"),
])
def test_a_field_of_the_wrong_type_is_named(field: str, value: object, kind: str) -> None:
    record = R1._replace(**{field: value})
    assert record.wrong_type() == f"its {field} holds {kind}"
    records, anchor = trail(R1)
    records[0] = records[0]._replace(record=record)
    found = broken(records, anchor)
    assert (found.position, found.reason) == (1, f"was changed: its {field} holds {kind}")


def test_the_right_types_pass() -> None:
    assert R1.wrong_type() is None and R2.wrong_type() is None


def test_a_seq_that_is_not_a_number_is_found() -> None:
    records, anchor = trail(R1)
    records[0] = records[0]._replace(seq="1")  # type: ignore[arg-type]
    assert broken(records, anchor).reason == "was changed: its seq is not a number"


def test_describe_makes_every_field_printable() -> None:
    evil = R1._replace(identity="x\x1b]0;t\x07\u202e\r\nintact", command="tok\x9ben",
                   at=b"\x1b[2J")  # type: ignore[arg-type]
    found = ChainBreak("does not match its hash: it was changed", 1,
                       ChainedRecord(1, evil, GENESIS_HASH, HASH_1))
    assert found.describe() == (
        "audit record #1 (seq 1, x'1b5b324a', tok?en x?]0;t????intact) does not match its "
        "hash: it was changed")
    assert ChainBreak("a\x1bb").describe() == "a?b"


def test_json_and_shown_values() -> None:
    assert stored_json(b"\x00\xff") == "x'00ff'"
    assert stored_json(math.inf) == "inf" and stored_json(-math.inf) == "-inf"
    assert stored_json(1.5) == 1.5 and stored_json("é") == "é" and stored_json(None) is None
    assert stored_json(1e308) == 1e308 and stored_json(math.nan) == "nan"
    assert shown(None) == "-" and shown("a\x1bb") == "a?b" and shown(7) == "7"
    assert shown(b"\x1b") == "x'1b'"
    record = ChainedRecord(1, R1._replace(jti=b"\x01"), GENESIS_HASH, HASH_1, MAC_1)  # type: ignore[arg-type]
    document = record.to_json()
    assert list(document) == [*AUDIT_FIELDS, *CHAIN_FIELDS]
    assert document["jti"] == "x'01'"
    assert (document["seq"], document["prev_hash"], document["hash"], document["mac"]) == (
        1, GENESIS_HASH, HASH_1, MAC_1)
    assert CHAIN_FIELDS == ("seq", "prev_hash", "hash", "mac")


def test_json_fields_asked_of_the_class_are_the_documents_keys() -> None:
    """``audit list --json`` declares its fields from the class (no record at hand yet),
    and a document carries exactly those keys, in that order."""
    assert AuditRecord.json_fields() == AUDIT_FIELDS == tuple(R2.to_json())
    assert R2.to_json() == {name: getattr(R2, name) for name in AUDIT_FIELDS}
    chained = chain([R1], 0, GENESIS_HASH, KEY)[0]
    assert ChainedRecord.json_fields() == (*AUDIT_FIELDS, *CHAIN_FIELDS)
    assert tuple(chained.to_json()) == ChainedRecord.json_fields()


# -- an anchor read from a file ------------------------------------------------------------

ROW = (TRAIL, "2025-11-16T08:00:00Z", "keyring", 1, 2, MAC_2, TAG)


def test_an_anchor_row_of_the_form_vtctl_writes_is_read() -> None:
    assert anchor_from_row(ROW) == Anchor(*ROW)
    unkeyed = (TRAIL, "2025-11-16T08:00:00Z", None, 0, 0, None, None)
    assert anchor_from_row(unkeyed) == Anchor(TRAIL, "2025-11-16T08:00:00Z")
    in_a_file = (TRAIL, "2025-11-16T08:00:00Z", "file", 2, 2, MAC_2, TAG)
    assert anchor_from_row(in_a_file) == Anchor(*in_a_file)


@pytest.mark.parametrize(("index", "value"), [
    (0, "F" * 32), (0, "0" * 31), (0, "0" * 33), (0, b"0" * 32), (0, None), (0, "\x1b" * 32),
    (1, "2025-11-16 08:00:00Z"), (1, "2025-11-16T08:00:00"), (1, "٢025-11-16T08:00:00Z"),
    (1, None), (1, "2025-11-16T08:00:00Z\n"),
    (2, "Keyring"), (2, "keyring\x1b"), (2, "files"), (2, " file"), (2, "twilio:SK" + "0" * 32),
    (2, 1), (2, ""),
    (3, -1), (3, 3), (3, "1"), (3, None), (3, True), (3, 1.0),
    (4, "2"), (4, None), (4, 2.0),
    (5, "A" * 64), (5, "0" * 63), (5, b"0" * 64), (5, 7),
    (6, "0" * 65), (6, "x" * 64), (6, 7),
])
def test_an_anchor_row_of_another_form_is_refused(index: int, value: object) -> None:
    row = list(ROW)
    row[index] = value
    assert anchor_from_row(tuple(row)) is None, (index, value)


def test_an_anchor_field_with_one_character_out_of_its_class_is_refused() -> None:
    """Each position of a hex field takes only ``0-9a-f`` and each digit of the time only
    ``0-9``: any other printable character (an uppercase hex digit, an ``X``, a space) is
    refused at either end of a hex field and in the time's first and last digit."""
    hex_digits, digits = set("0123456789abcdef"), set("0123456789")
    for char in sorted(set(string.printable) - hex_digits):
        for index, value in ((0, char + TRAIL[1:]), (0, TRAIL[:-1] + char),
                             (5, MAC_2[:-1] + char), (6, char + TAG[1:])):
            row = list(ROW)
            row[index] = value
            assert anchor_from_row(tuple(row)) is None, (index, value)
    for char in sorted(set(string.printable) - digits):
        for value in (char + ROW[1][1:], ROW[1][:-2] + char + "Z"):
            assert anchor_from_row((TRAIL, value, *ROW[2:])) is None, value
