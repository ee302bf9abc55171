"""``vtctl serve``'s audit trail: records batched off the request path.

Appending one record per request (a write transaction each) would cost the
server much of its throughput, so a request only queues what it minted; a
background thread appends what is queued on its own store connection every
``FLUSH_SECONDS`` or as soon as ``FLUSH_RECORDS`` are waiting, in one
transaction.  ``close()`` (the server's clean stop) appends the rest: a
SIGINT/SIGTERM loses nothing.  A crash can lose the last flush interval.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from pathlib import Path

from vtctl.domain.errors import VtctlError
from vtctl.local.audit import AuditContext, Minted
from vtctl.local.store import AppointmentStore

FLUSH_RECORDS = 1024
FLUSH_SECONDS = 0.5

log = logging.getLogger("vtctl.serve")


class BatchingAuditWriter:
    """An ``AuditSink`` whose appends happen in a background thread, in batches."""

    def __init__(self, store_path: Path, context: AuditContext,
                 flush_records: int = FLUSH_RECORDS, flush_seconds: float = FLUSH_SECONDS
                 ) -> None:
        self.context = context
        self._store = AppointmentStore.open(store_path)
        self._pending: deque[Minted] = deque()
        self._flush_records = flush_records
        self._flush_seconds = flush_seconds
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="vtctl-audit", daemon=True)
        self._thread.start()

    def minted(self, minted: Minted) -> None:
        self._pending.append(minted)
        if len(self._pending) >= self._flush_records:
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            self._flush()

    def _flush(self) -> None:
        minted = []
        while self._pending:
            minted.append(self._pending.popleft())
        if not minted:
            return
        record = self.context.record
        try:
            self._store.append_audit([record(m) for m in minted])
        except VtctlError as exc:
            # keep them for the next flush (and close()) rather than lose them
            self._pending.extendleft(reversed(minted))
            log.error("audit trail: %d record(s) not written yet: %s", len(minted), exc)

    def close(self) -> None:
        """Stop the thread and append everything still queued."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._flush()
        self._store.close()
