"""``vtctl serve``'s audit writer appends at most ``flush_records`` per transaction, however
many records wait (a store that was busy can leave up to ``MAX_PENDING``): one transaction
over all of them would hold the GIL the event loop needs for as long as they take to hash
and MAC. Real store; the store's own ``append_audit`` is wrapped only to see the batches."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.helpers import make_store
from vtctl.domain.audit import AuditRecord
from vtctl.local.audit import AuditContext, Minted
from vtctl.local.store import AppointmentStore
from vtctl.local.trail_key import TrailKeys
from vtctl.server.audit_sink import BatchingAuditWriter

WITHIN = 10.0  # seconds the test waits for the writer's thread, never reached when it works


def _minted(n: int) -> Minted:
    return Minted("serve", n, "2-jane.doe@example.com", "room", 60, 1_763_300_000, "x.e30.y")


@pytest.mark.parametrize("fail_once", [False, True], ids=["all written", "a batch fails"])
def test_a_long_queue_is_written_a_few_records_per_transaction(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_once: bool) -> None:
    """The first 3 records wake the writer; while their transaction is held, 7 more queue
    up. They go in batches of at most 3, in order; a failed batch goes back in front and
    is written on the next try, nothing lost."""
    path = make_store(tmp_path / "s.sqlite3")
    original = AppointmentStore.append_audit
    batches: list[list[int | None]] = []
    entered, release = threading.Event(), threading.Event()

    def watched(store: AppointmentStore, records: Sequence[AuditRecord], keys: TrailKeys
                ) -> None:
        batches.append([r.appointment_id for r in records])
        if len(batches) == 1:
            entered.set()
            assert release.wait(WITHIN)
        if fail_once and len(batches) == 2:
            raise sqlite3.OperationalError("database is locked")
        original(store, records, keys)

    monkeypatch.setattr(AppointmentStore, "append_audit", watched)
    writer = BatchingAuditWriter(path, AuditContext("u", "h", "default"), TrailKeys(),
                                 flush_records=3, flush_seconds=3600)
    try:
        for n in range(3):
            writer.minted(_minted(n))
        assert entered.wait(WITHIN)
        for n in range(3, 10):
            writer.minted(_minted(n))
        release.set()
    finally:
        assert writer.close() == 0
    assert writer.problem is None
    retried = [[3, 4, 5]] if fail_once else []
    assert batches == [[0, 1, 2], [3, 4, 5], *retried, [6, 7, 8], [9]]
    db = sqlite3.connect(path)
    try:
        written = [row[0] for row in db.execute("SELECT appointment_id FROM audit ORDER BY seq")]
    finally:
        db.close()
    assert written == list(range(10))
