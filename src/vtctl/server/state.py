"""What every request of ``vtctl serve`` needs, built once per process.

The store connection, the engine, the Twilio credentials and the JWT
authority.  The read connection caches rows until ``PRAGMA data_version``
says the database changed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import anyio
from starlette.requests import Request

from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import TokenGenerationError
from vtctl.domain.models import Appointment, User
from vtctl.local.engine import TokenEngine
from vtctl.local.store import AppointmentStore
from vtctl.server.audit_sink import BatchingAuditWriter
from vtctl.server.auth import AuthFailed, JwtAuthority
from vtctl.server.limits import ServeLimits

TWO_AUTHORIZATION_HEADERS = "Authorization header must be sent only once"

_MISSING = object()
Row = TypeVar("Row", Appointment, User)
#: cached rows (appointments + users, found or not) before the cache is emptied
CACHE_LIMIT = 50_000


#: how long one look at ``PRAGMA data_version`` holds: another process's write (an
#: import) is served within this.  Looking on every read cost ``serve`` a third of its
#: requests/s at 32 connections (p99 20 ms, 13 ms without): each statement lets go of the
#: GIL, and the request then waited while the audit writer's thread held it
FRESH_SECONDS = 0.05


class CachedStore(AppointmentStore):
    """The server's read connection, with rows cached until the database changes.

    ``PRAGMA data_version`` (one cheap statement) changes whenever another
    connection commits: the server's own writer, ``vtctl appointment import``
    in another process.  Until it does, appointments and users are served from
    memory, saving the engine two queries per token.  It is read at most once per
    ``fresh_seconds`` (``clock``: monotonic seconds).  Never used to write.
    Open with ``CachedStore.open(path)``; one thread only (the event loop).
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        super().__init__(connection, path)
        self.clock: Callable[[], float] = time.monotonic
        self.fresh_seconds = FRESH_SECONDS
        self._looked_at: float | None = None
        self._version: int | None = None
        self._appointments: dict[int, Appointment | None] = {}
        self._users: dict[int, User | None] = {}

    def _check_version(self) -> None:
        if len(self._appointments) + len(self._users) > CACHE_LIMIT:
            self._forget()
        now = self.clock()
        if self._looked_at is not None and 0 <= now - self._looked_at < self.fresh_seconds:
            return
        self._looked_at = now
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._version = version
            self._forget()

    def expire(self) -> None:
        """Look at the database on the next read: the server's own write (a room) is
        served at once, not a window later."""
        self._looked_at = None

    def _forget(self) -> None:
        self._appointments.clear()
        self._users.clear()

    def get_appointment(self, appointment_id: int) -> Appointment | None:
        return self._cached(self._appointments, appointment_id, super().get_appointment)

    def get_user(self, user_id: int) -> User | None:
        return self._cached(self._users, user_id, super().get_user)

    def _cached(self, rows: dict[int, Row | None], key: int,
                read: Callable[[int], Row | None]) -> Row | None:
        """The row of ``key`` (None: not found) from memory, read once per database version."""
        self._check_version()
        found = rows.get(key, _MISSING)
        if found is _MISSING:
            found = rows[key] = read(key)
        return found  # type: ignore[return-value]


@dataclass
class ServerState:
    """Everything a request needs, built once per process."""

    store: CachedStore
    engine: TokenEngine
    writer: TokenEngine  # its own connection; used in a worker thread, one call at a time
    auth: JwtAuthority
    credentials: TwilioCredentials | None
    credentials_problem: str | None = None
    dev_login: bool = False
    audit: BatchingAuditWriter | None = None
    limits: ServeLimits = field(default_factory=ServeLimits)
    _write_limiter: anyio.CapacityLimiter | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        store: CachedStore,
        writer_store: AppointmentStore,
        auth: JwtAuthority,
        credentials: TwilioCredentials | None,
        credentials_problem: str | None = None,
        dev_login: bool = False,
        clock: Callable[[], float] = time.time,
        audit: BatchingAuditWriter | None = None,
        limits: ServeLimits | None = None,
    ) -> ServerState:
        def provide() -> TwilioCredentials:
            if credentials is None:
                raise TokenGenerationError.because(credentials_problem or "no Twilio credentials")
            return credentials

        return cls(
            store=store,
            engine=TokenEngine(store, provide, clock, audit=audit, command="serve"),
            writer=TokenEngine(writer_store, provide, clock),
            auth=auth,
            credentials=credentials,
            credentials_problem=credentials_problem,
            dev_login=dev_login,
            audit=audit,
            limits=limits or ServeLimits(),
        )

    def close(self) -> None:
        """Close the stores; ``AuditWriteError`` after that when queued records were lost."""
        lost = 0
        if self.audit is not None:
            lost = self.audit.close()  # every queued record lands before the process ends
        self.store.close()
        if self.writer.store is not self.store:
            self.writer.store.close()
        if lost:
            from vtctl.domain.errors import AuditWriteError

            raise AuditWriteError(
                f"{lost} token(s) handed out were not recorded in the audit trail "
                f"({self.audit.problem if self.audit else None})",
                hint="the server's log says why; run `vtctl audit verify` on its store")

    @property
    def write_limiter(self) -> anyio.CapacityLimiter:
        if self._write_limiter is None:  # created inside the event loop
            self._write_limiter = anyio.CapacityLimiter(1)
        return self._write_limiter

    # -- per request --------------------------------------------------------

    def user_of(self, request: Request) -> int:
        """The authenticated user id, or ``AuthFailed`` (401)."""
        values = request.headers.getlist("authorization")
        if len(values) > 1:  # which one counts would depend on the code path: neither
            raise AuthFailed(TWO_AUTHORIZATION_HEADERS, code="bad_authorization_header")
        return self.user_of_header(values[0] if values else None)

    def user_of_header(self, authorization: str | None) -> int:
        user_id = self.auth.authenticate(authorization)
        # the store's read cache (CachedStore) is emptied when the database changes, so a
        # user deleted by another process stops authenticating within FRESH_SECONDS
        if self.store.get_user(user_id) is None:
            raise AuthFailed("User not found", code="user_not_found")
        return user_id

    def participant_appointment(self, appointment_id: int, user_id: int) -> Appointment:
        """The engine's 404 then 403, for endpoints that need no room."""
        appointment, _ = self.engine.check_participant(appointment_id, user_id)
        return appointment


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.vtctl
    return state
