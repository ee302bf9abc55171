"""``vtctl serve``'s audit trail: records batched off the request path, failing closed.

Appending one record per request (a write transaction each) would cost the
server much of its throughput, so a request only queues what it minted; a
background thread appends what is queued on its own store connection every
``FLUSH_SECONDS`` or as soon as ``FLUSH_RECORDS`` are waiting, ``FLUSH_RECORDS``
per transaction.

While records cannot be written (the trail damaged or dropped, its key gone, the
disk full, the queue past ``MAX_PENDING``, the thread gone), ``minted`` raises
``AuditWriteError``: the token endpoints answer 503 and say why, and no token
leaves without its record.  Records queued when the failure was found (at most
one flush interval of tokens) stay queued and are tried again on each flush.
``close()`` (the server's clean stop) appends the rest, or reports how many
records were lost and why; a crash can lose the last flush interval.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from pathlib import Path

from vtctl.domain.errors import (
    AuditTrailError,
    AuditWriteError,
    AuthenticationError,
    VtctlError,
)
from vtctl.local.audit import AuditContext, Minted
from vtctl.local.store import AppointmentStore
from vtctl.local.trail_key import TrailKeys
from vtctl.util.text import printable

#: a flush's Python work (the records, their hashes and MACs) holds the GIL the event loop
#: needs: 128 records at a time keep each hold short (serve's p99 at 32 connections,
#: alternating rounds: 21-22 ms against 27-30 ms with 1,024; the same requests/s)
FLUSH_RECORDS = 128
FLUSH_SECONDS = 0.5
#: records waiting before new tokens are refused (the writer cannot keep up or write)
MAX_PENDING = 100_000

log = logging.getLogger("vtctl.serve")


def http_reason(exc: BaseException) -> str:
    """Why records cannot be written, for an API client: the kind, never a path."""
    if isinstance(exc, AuditTrailError):
        return "the audit trail is damaged (run `vtctl audit verify` on the server's store)"
    if isinstance(exc, AuthenticationError):  # the keyring, the key file
        return "the audit trail's key is not available to the server"
    return "the server's store cannot be written"


class BatchingAuditWriter:
    """An ``AuditSink`` whose appends happen in a background thread, in batches."""

    def __init__(self, store_path: Path, context: AuditContext, keys: TrailKeys | None = None,
                 flush_records: int = FLUSH_RECORDS, flush_seconds: float = FLUSH_SECONDS
                 ) -> None:
        self.context = context
        self._keys = keys or TrailKeys()
        self._store = AppointmentStore.open(store_path)
        self._pending: deque[Minted] = deque()
        self._flush_records = flush_records
        self._flush_seconds = flush_seconds
        self._wake = threading.Event()
        self._stopping = False
        #: why records cannot be written now (None: they can), for API clients and the log
        self.problem: str | None = None
        self._logged: str | None = None
        self._check_start()
        self._thread = threading.Thread(target=self._run, name="vtctl-audit", daemon=True)
        self._thread.start()

    def _check_start(self) -> None:
        """Key the trail if needed and check its newest record, before any token is minted."""
        try:
            self._store.prepare_audit(self._keys)
        except Exception as exc:
            self._failed(exc)

    def minted(self, minted: Minted) -> None:
        problem = self.problem
        if problem is None and not self._thread.is_alive() and not self._stopping:
            problem = self.problem = "the server's audit writer stopped"
        if problem is None and len(self._pending) >= MAX_PENDING:
            problem = f"{len(self._pending)} records are waiting to be written"
        if problem is not None:
            raise AuditWriteError(
                f"the token cannot be recorded in the audit trail: {problem}; "
                "no token is handed out until it can")
        self._pending.append(minted)
        if len(self._pending) >= self._flush_records:
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            self._flush()

    def _flush(self) -> None:
        """Append what is queued, ``flush_records`` per transaction (each hold of the GIL
        short, however much a recovered store left waiting); on failure put that batch
        back in front and refuse new tokens. Never raises: the thread must outlive any
        failure (a dead writer would record nothing)."""
        if not self._pending:
            if self.problem is not None:  # nothing queued to try: check again (a busy store)
                self._recheck()
            return
        while self._pending and self._append_batch():
            pass

    def _append_batch(self) -> bool:
        """Append the oldest ``flush_records`` queued in one transaction; False if it failed
        (they are queued again, in front, for the next flush and close())."""
        minted: list[Minted] = []
        while self._pending and len(minted) < self._flush_records:
            minted.append(self._pending.popleft())
        try:
            record = self.context.record
            self._store.append_audit([record(m) for m in minted], self._keys)
        except Exception as exc:
            self._pending.extendleft(reversed(minted))
            self._failed(exc)
            return False
        if self.problem is not None:
            log.warning("audit trail: records can be written again")
        self.problem = self._logged = None
        return True

    def _recheck(self) -> None:
        try:
            self._store.prepare_audit(self._keys)
        except Exception as exc:
            self._failed(exc)
        else:
            log.warning("audit trail: records can be written again")
            self.problem = self._logged = None

    def _failed(self, exc: Exception) -> None:
        self.problem = http_reason(exc)
        detail = exc.message if isinstance(exc, VtctlError) else (
            f"{type(exc).__name__}: {exc}")
        line = printable(f"audit trail: records cannot be written ({detail}); "
                         "token endpoints answer 503 until they can")
        if line != self._logged:  # once per cause, not every half second
            log.error("%s", line)
            self._logged = line

    def close(self) -> int:
        """Stop the thread and append everything still queued; the number of records
        that could not be written (reported in the log, and by the caller)."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._flush()
        lost = len(self._pending)
        if lost:
            log.error("audit trail: %d record(s) of tokens handed out were NOT written "
                      "(%s)", lost, self.problem)
        self._store.close()
        return lost
