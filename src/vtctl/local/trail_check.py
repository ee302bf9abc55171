"""Verifying the store's audit trail (``vtctl audit verify``, ``head`` and ``list``): which key,
what the verdict means, and the messages; the checks themselves are
``vtctl.domain.audit_verdict.verify_trail``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vtctl.domain.audit import Anchor, ChainedRecord
from vtctl.domain.audit_verdict import ChainBreak, Expectation, Verdict, verify_trail
from vtctl.domain.errors import AuditKeyError, AuditTrailError
from vtctl.local.store import AppointmentStore
from vtctl.local.trail_key import KEYRING, TrailKeys

if TYPE_CHECKING:
    from vtctl.domain.history import TrailDoubt


@dataclass(frozen=True, slots=True)
class TrailCheck:
    """A verified trail: its anchor, the verdict, and whether its MACs were checked."""

    anchor: Anchor
    verdict: Verdict
    keyed: bool

    def key_description(self) -> str:
        source = self.anchor.key_source
        if source is None:
            return "not keyed yet"
        if source == KEYRING:
            return "MACs under a key in the OS keyring"
        from vtctl.config.trail_key_files import trail_key_file

        return f"MACs under a key in {trail_key_file(self.anchor.trail_id)} (no OS keyring)"


def check_trail(store: AppointmentStore, keys: TrailKeys,
                expect: Expectation | None = None,
                records: list[ChainedRecord] | None = None) -> TrailCheck:
    """Read and check the whole trail (``records``: all of it, read already); the verdict
    may name a break (see ``verified``)."""
    anchor = store.read_anchor()
    if records is None:
        records = store.read_audit()
    key = None
    if anchor.key_source is not None:
        key = keys.key_for(anchor, store.afresh)
    elif keys.holds_key(anchor.trail_id):
        return TrailCheck(anchor, Verdict(len(records), ChainBreak(
            f"the store says its audit trail {anchor.trail_id} was never keyed, but its key is "
            "kept here: the trail was reset outside vtctl")), keyed=False)
    return TrailCheck(anchor, verify_trail(records, anchor, key, expect), key is not None)


def verified(store: AppointmentStore, keys: TrailKeys, path: Path,
             expect: Expectation | None = None,
             records: list[ChainedRecord] | None = None) -> TrailCheck:
    """``check_trail``, raising ``AuditTrailError`` (exit 9) on a break, and
    ``AuditKeyError`` (exit 3) when records exist whose MACs could not be checked."""
    checked = check_trail(store, keys, expect, records)
    broken = checked.verdict.broken
    if broken is not None:
        raise AuditTrailError(
            broken.describe(),
            hint=f"the trail in {path} was changed outside vtctl; "
            "keep a copy of the file for investigation",
        )
    if not checked.keyed and checked.verdict.count:
        raise AuditKeyError(
            f"the hash chain of {checked.verdict.count} record(s) is intact, but the trail "
            "is not keyed yet, so a rewrite that recomputed the hashes cannot be ruled out",
            hint="it is keyed when vtctl next mints a token with this store",
        )
    return checked


def doubt_of(store: AppointmentStore, records: list[ChainedRecord]) -> TrailDoubt | None:
    """Why ``records`` (the whole trail, read already) are not verified fact: the trail
    failed verification (``AuditTrailError``) or its key is not here (``AuditKeyError``);
    None when it verified (``audit list`` and ``history`` show them either way)."""
    try:
        verified(store, TrailKeys(), store.path, records=records)
    except (AuditTrailError, AuditKeyError) as exc:
        return exc
    return None


def not_verified(doubt: TrailDoubt, what: str, then: str = "") -> TrailDoubt:
    """The one line (no hint) saying that ``what`` (shown already) is not verified, and
    why: exit 9 when the trail failed verification, 3 when its key is not here."""
    from vtctl.util.text import printable

    failed = "the audit trail failed verification: " if isinstance(doubt, AuditTrailError) else ""
    return type(doubt)(f"{what} not verified: {failed}{printable(doubt.message)}{then}")
