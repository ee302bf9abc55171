"""The local appointment store: one SQLite file, schema-versioned.

``PRAGMA user_version`` records the schema; a file written by a newer
vtctl is refused rather than damaged.  WAL mode and a busy timeout let
several vtctl processes share the file; every write is one transaction.
sqlite3 errors become ``StoreError`` here and nowhere else.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from vtctl.domain.audit import (
    AUDIT_FIELDS,
    GENESIS_HASH,
    Anchor,
    AuditRecord,
    ChainedRecord,
    anchor_from_row,
    chain,
    record_mac,
)
from vtctl.domain.errors import AuditTrailError, StoreError, UsageError
from vtctl.domain.models import ROLES, Appointment, User, format_utc, parse_utc
from vtctl.domain.rules import MAX_ID
from vtctl.util.fsutil import ensure_private_dir
from vtctl.util.text import printable, quoted

if TYPE_CHECKING:
    from typing import Self

    from vtctl.local.appointment_query import AppointmentQuery
    from vtctl.local.importer import ImportCounts
    from vtctl.local.trail_key import TrailKeys

SCHEMA_VERSION = 3
#: the largest seq SQLite's INTEGER holds
MAX_SEQ = 2**63 - 1
#: SQLite's INTEGER range: ids beyond it cannot be stored
BUSY_TIMEOUT_MS = 10_000

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE users (
        id    INTEGER PRIMARY KEY CHECK (id > 0),
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name  TEXT NOT NULL,
        role  TEXT NOT NULL CHECK (role IN ('patient', 'psychologist'))
    );
    CREATE TABLE appointments (
        id               INTEGER PRIMARY KEY CHECK (id > 0),
        patient_id       INTEGER NOT NULL REFERENCES users(id),
        psychologist_id  INTEGER NOT NULL REFERENCES users(id),
        duration_minutes INTEGER NOT NULL CHECK (duration_minutes >= 0),
        starts_at        TEXT,
        video_room_id    TEXT
    );
    """,
    # 2: the audit trail of minted tokens (vtctl.domain.audit), append-only
    2: """
    CREATE TABLE audit (
        seq            INTEGER PRIMARY KEY,
        at             TEXT NOT NULL,
        os_user        TEXT NOT NULL,
        host           TEXT NOT NULL,
        profile        TEXT NOT NULL,
        command        TEXT NOT NULL,
        appointment_id INTEGER,
        identity       TEXT NOT NULL,
        room_name      TEXT NOT NULL,
        ttl_seconds    INTEGER NOT NULL,
        jti            TEXT NOT NULL,
        prev_hash      TEXT NOT NULL,
        hash           TEXT NOT NULL
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    """,
    # 3: records keyed with a MAC, and the trail's anchor (vtctl.domain.audit): records
    # before it get their MAC once (``mac`` may change only from NULL), the anchor only
    # moves forward
    3: """
    ALTER TABLE audit ADD COLUMN mac TEXT;
    DROP TRIGGER audit_no_update;
    CREATE TRIGGER audit_no_update BEFORE UPDATE OF seq, at, os_user, host, profile, command,
        appointment_id, identity, room_name, ttl_seconds, jti, prev_hash, hash ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_mac_once BEFORE UPDATE OF mac ON audit WHEN OLD.mac IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TABLE audit_anchor (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        trail_id   TEXT NOT NULL,
        created_at TEXT NOT NULL,
        key_source TEXT,
        keyed_seq  INTEGER NOT NULL,
        head_seq   INTEGER NOT NULL,
        head_mac   TEXT,
        tag        TEXT
    );
    INSERT INTO audit_anchor (id, trail_id, created_at, keyed_seq, head_seq)
    VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 0,
            (SELECT COALESCE(MAX(seq), 0) FROM audit));
    CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_anchor_forward BEFORE UPDATE ON audit_anchor
    WHEN NEW.trail_id IS NOT OLD.trail_id OR NEW.created_at IS NOT OLD.created_at
      OR NEW.head_seq < OLD.head_seq
      OR (OLD.key_source IS NOT NULL AND NEW.key_source IS NOT OLD.key_source)
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    """,
}
#: the tables of the audit trail (schema 3)
_TRAIL_TABLES = ("audit", "audit_anchor")


#: What makes an SQLite file a vtctl store (later schemas add tables, never remove these).
_REQUIRED_COLUMNS = {
    "users": {"id", "email", "name", "role"},
    "appointments": {"id", "patient_id", "psychologist_id", "duration_minutes", "starts_at",
                     "video_room_id"},
}
def _refuse_missing_file(path: Path, create: bool) -> None:
    """Without ``create``, a missing or empty file is refused before SQLite makes one."""
    if create:
        return
    if not path.exists():
        raise _missing_store(path, "does not exist")
    if path.stat().st_size == 0:
        raise _missing_store(path, "is empty")


def _open_failure(exc: BaseException, path: Path) -> BaseException:
    """What an open that raised ``exc`` tells the user: SQLite's and the OS's errors
    translated; vtctl's own (a refused file) and anything else as they are."""
    if isinstance(exc, sqlite3.DatabaseError):
        if _is_busy(exc):  # a lock held past the busy timeout is not damage
            return _busy(path)
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            return _not_a_store(path, "not an SQLite database")
        return StoreError(
            f"the store {path} is damaged ({exc}); restore it from a backup or "
            "import into a new --store"
        )
    if isinstance(exc, OSError):
        return StoreError(f"cannot create the store {path}: {exc.strerror}")
    return exc


def _missing_store(path: Path, why: str) -> UsageError:
    return UsageError(
        f"the store {path} {why}",
        hint=f"`vtctl appointment import FILE --store {path}` creates it; "
        "or point --store / VTCTL_STORE at an existing store",
    )


def _not_a_store(path: Path, what: str) -> UsageError:
    return UsageError(
        f"{path} is not a vtctl store ({what}); it was left untouched",
        hint="point --store / VTCTL_STORE at a vtctl store, or at a new file to import into",
    )


_F = TypeVar("_F", bound=Callable[..., Any])


def _sqlite_errors(method: _F) -> _F:
    """sqlite3 failures after open (read-only file, disk full, I/O error) -> StoreError."""

    @functools.wraps(method)
    def wrapper(self: AppointmentStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.DatabaseError) and _is_busy(exc):
                raise _busy(self.path) from exc
            raise StoreError(
                f"the store {self.path} failed: {exc}",
                hint="check that the file (--store / VTCTL_STORE) and its directory are "
                "writable and the disk is not full",
            ) from exc

    return wrapper  # type: ignore[return-value]


def _is_busy(exc: sqlite3.DatabaseError) -> bool:
    """SQLite's "database is locked" (or "table is locked"), by its error code: the
    primary code, the low byte of an extended one (``SQLITE_BUSY_SNAPSHOT`` is 517)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _busy(path: Path) -> StoreError:
    """A lock held past the busy timeout: never "damaged", never "check the disk"."""
    return StoreError(
        f"the store {path} is busy: another process held it for {BUSY_TIMEOUT_MS // 1000} s",
        hint="try again; if it stays busy, look for a stuck vtctl (or other program) "
        "using the file",
    )


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """WAL mode, which lets readers and a writer share the file.  The mode is kept in the
    file, so when another process holds a lock past the busy timeout (many creating one
    store at once) the switch is left to it or to the next open, rather than failing."""
    try:
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        if not _is_busy(exc):
            raise


class AppointmentStore:
    """Appointments and users in SQLite; open with ``AppointmentStore.open``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        #: how to start this store anew when its trail's key is gone (the demo's: delete
        #: it), the hint of that ``AuditKeyError``; None: the key must be found
        self.afresh: str | None = None

    # -- lifecycle ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool = True,
             afresh: str | None = None) -> Self:
        """Open the store at ``path``; only with ``create`` may the file (and its
        folders) be made.  A file that is not a vtctl store is refused untouched.
        ``afresh``: see ``AppointmentStore.afresh``."""
        if path.is_dir():
            raise UsageError(
                f"the store {path} is a directory",
                hint="--store / VTCTL_STORE takes the path of an SQLite file, "
                f"e.g. {path / 'store.sqlite3'}",
            )
        memory = str(path) == ":memory:"
        db: sqlite3.Connection | None = None
        try:
            if not memory:
                _refuse_missing_file(path, create)
                if create:
                    ensure_private_dir(path.parent)
                    if not path.exists():
                        path.touch(mode=0o600)
            db = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                check_same_thread=False,
            )
            # a hand-edited file can hold bytes that are not UTF-8: read, never crash
            db.text_factory = functools.partial(str, encoding="utf-8", errors="replace")
            store = cls(db, path)
            store.afresh = afresh
            if not memory:
                store._refuse_foreign_schema(create)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys = ON")
            store._migrate()
            if not memory:
                _switch_to_wal(db)
        except BaseException as exc:
            if db is not None:  # a refused or failed open leaves no connection behind
                db.close()
            failure = _open_failure(exc, path)
            if failure is exc:
                raise
            raise failure from exc
        return store

    def _refuse_foreign_schema(self, create: bool) -> None:
        """An SQLite file is a vtctl store if it holds vtctl's tables, or nothing yet."""
        tables = {
            name: {column for (column,) in self._db.execute(
                "SELECT name FROM pragma_table_info(?)", (name,))}
            for (name,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            if not create:
                raise _missing_store(self.path, "holds no vtctl store yet")
            return
        for table, columns in _REQUIRED_COLUMNS.items():
            if not columns <= tables.get(table, set()):
                raise _not_a_store(self.path, "an SQLite database of another application")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AppointmentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the store {self.path} was written by a newer vtctl (schema {version}, "
                f"this vtctl knows up to {SCHEMA_VERSION}); it was left untouched",
                hint="upgrade vtctl, or point --store at another file",
            )
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            # re-read under the write lock: another process may have migrated
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version < 3 and self._has_keyed_trail():
                raise AuditTrailError(
                    f"the store {self.path} says it is schema {version} but holds the keyed "
                    "audit trail of schema 3: it was set back outside vtctl (to drop the trail)",
                    hint="keep a copy of the file for investigation; `vtctl audit verify` "
                    "cannot check it")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _statements(_MIGRATIONS[target]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {target}")
            if version < 3 and str(self.path) != ":memory:":
                self._key_at_creation()

    def _has_keyed_trail(self) -> bool:
        """Whether schema 3's trail (its anchor, or the records' MAC column) is in the file."""
        tables = {name for (name,) in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {name for (name,) in self._db.execute(
            "SELECT name FROM pragma_table_info('audit')")}
        return "audit_anchor" in tables or "mac" in columns

    def _key_at_creation(self) -> None:
        """Key a new (or upgraded) trail with a random key in the OS keyring, if there is
        one; otherwise it is keyed when its first token is minted."""
        from vtctl.domain.errors import AuditKeyError, KeyringUnavailableError
        from vtctl.local.trail_key import TrailKeys

        # no place for the key, or records changed before the upgrade (verify says which)
        with contextlib.suppress(AuditKeyError, KeyringUnavailableError, AuditTrailError):
            self._key_trail(TrailKeys())

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise _busy(self.path) from exc
            raise StoreError(f"the store {self.path} failed: {exc}") from exc
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    # -- users --------------------------------------------------------------

    @_sqlite_errors
    def get_user(self, user_id: int) -> User | None:
        try:
            row = self._db.execute(
                "SELECT id, email, name, role FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        except OverflowError:  # beyond SQLite's INTEGER: no such user
            return None
        return _user(row) if row else None

    @_sqlite_errors
    def find_user(self, ref: str | int) -> User | None:
        """A user by id (``"2"``) or email (case-insensitive)."""
        if isinstance(ref, int):
            return self.get_user(ref)
        if ref.strip().isascii() and ref.strip().isdigit():
            digits = ref.strip()
            return self.get_user(int(digits)) if len(digits) <= 19 else None
        row = self._db.execute(
            "SELECT id, email, name, role FROM users WHERE email = ?", (ref.strip(),)
        ).fetchone()
        return _user(row) if row else None

    @_sqlite_errors
    def list_users(self) -> list[User]:
        rows = self._db.execute("SELECT id, email, name, role FROM users ORDER BY id")
        return [_user(r) for r in rows]

    # -- appointments -------------------------------------------------------

    _APPOINTMENT_SQL = """
        SELECT a.id, a.patient_id, a.psychologist_id, a.duration_minutes, a.starts_at,
               a.video_room_id,
               p.id, p.email, p.name, p.role, s.id, s.email, s.name, s.role
        FROM appointments a
        JOIN users p ON p.id = a.patient_id
        JOIN users s ON s.id = a.psychologist_id
    """

    @_sqlite_errors
    def get_appointment(self, appointment_id: int) -> Appointment | None:
        try:
            row = self._db.execute(
                self._APPOINTMENT_SQL + " WHERE a.id = ?", (appointment_id,)
            ).fetchone()
        except OverflowError:
            return None
        return _appointment(row) if row else None

    @_sqlite_errors
    def list_appointments(self, limit: int | None = None) -> list[Appointment]:
        sql = self._APPOINTMENT_SQL + " ORDER BY a.id"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [_appointment(r) for r in self._db.execute(sql, params)]

    def iter_appointments(self, limit: int | None = None) -> Iterator[Appointment]:
        """Appointments by id, read as they are consumed: a large store is never
        held in memory whole."""
        sql = self._APPOINTMENT_SQL + " ORDER BY a.id"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        try:
            for row in self._db.execute(sql, params):
                yield _appointment(row)
        except sqlite3.Error as exc:
            raise StoreError(f"the store {self.path} failed: {exc}") from exc

    def iter_matching(self, query: AppointmentQuery, limit: int | None = None
                      ) -> Iterator[Appointment]:
        """Appointments matching ``query``, read as they are consumed: by start time
        (then id) when the query has a time bound, else by id."""
        where, params = query.sql()
        order = "a.starts_at, a.id" if query.timed else "a.id"
        sql = f"{self._APPOINTMENT_SQL} WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params = (*params, limit)
        try:
            for row in self._db.execute(sql, params):
                yield _appointment(row)
        except sqlite3.Error as exc:
            raise StoreError(f"the store {self.path} failed: {exc}") from exc

    @_sqlite_errors
    def count_matching(self, query: AppointmentQuery) -> int:
        where, params = query.sql()
        (count,) = self._db.execute(
            f"SELECT COUNT(*) FROM appointments a WHERE {where}", params
        ).fetchone()
        return int(count)

    def iter_users(self) -> Iterator[User]:
        try:
            for row in self._db.execute("SELECT id, email, name, role FROM users ORDER BY id"):
                yield _user(row)
        except sqlite3.Error as exc:
            raise StoreError(f"the store {self.path} failed: {exc}") from exc

    @_sqlite_errors
    def count_appointments(self) -> int:
        (count,) = self._db.execute("SELECT COUNT(*) FROM appointments").fetchone()
        return int(count)

    @_sqlite_errors
    def set_room_if_absent(self, appointment_id: int, room_name: str) -> tuple[str, bool]:
        """Set the room once; returns (room, created). Safe against races."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE appointments SET video_room_id = ? "
                "WHERE id = ? AND (video_room_id IS NULL OR video_room_id = '')",
                (room_name, appointment_id),
            )
            row = db.execute(
                "SELECT video_room_id FROM appointments WHERE id = ?", (appointment_id,)
            ).fetchone()
        if row is None:
            from vtctl.domain.errors import AppointmentNotFoundError

            raise AppointmentNotFoundError()
        return row[0], cursor.rowcount == 1

    @_sqlite_errors
    def add_appointment(self, appointment: Appointment, *, next_id: bool = False) -> int:
        """Insert one appointment; with ``next_id`` its id is the next free one,
        chosen inside the write transaction (concurrent adds never collide)."""
        with self.transaction() as db:
            self._check_participants(appointment)
            if next_id:
                (last,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM appointments").fetchone()
                if last >= MAX_ID:
                    raise UsageError(f"appointment {MAX_ID} exists: there is no next id",
                                     hint="give one with --id")
                appointment = appointment._replace(id=last + 1)
            elif not 0 < appointment.id <= MAX_ID:
                raise UsageError(f"appointment id must be between 1 and {MAX_ID}, "
                                 f"not {appointment.id}")
            elif db.execute(
                "SELECT 1 FROM appointments WHERE id = ?", (appointment.id,)
            ).fetchone():
                raise UsageError(f"appointment {appointment.id} already exists")
            from vtctl.domain.rooms import room_name_problem

            room = appointment.video_room_id
            if room and (problem := room_name_problem(room, appointment.id)) is not None:
                raise UsageError(f"--room: {problem}",
                                 hint="leave the room out: `vtctl room create ID` makes one")
            db.execute(_UPSERT_APPOINTMENT, _appointment_row(appointment))
        return appointment.id

    def _check_participants(self, appointment: Appointment) -> None:
        for user_id, role in (
            (appointment.patient_id, "patient"),
            (appointment.psychologist_id, "psychologist"),
        ):
            user = self.get_user(user_id)
            where = f"appointment {appointment.id}: " if appointment.id else ""
            if user is None:
                raise UsageError(
                    f"{where}no stored user with id {user_id} (the {role})",
                    hint="add the user to the file's \"users\" (or import it first)",
                )
            if user.role != role:
                raise UsageError(f"{where}user {user_id} is a {user.role}, not a {role}")

    # -- bulk import --------------------------------------------------------

    @_sqlite_errors
    def import_records(
        self, users: Iterable[User], appointments: Iterable[Appointment], *,
        keep_identities: str | None = None,
    ) -> ImportCounts:
        """Upsert everything in one transaction; identical rows are left alone.

        A user stored appointments name in one role never becomes the other (that
        would make every such appointment invalid). With ``keep_identities`` (what
        the records are, e.g. "the API's reply for appointment 110"), they also keep
        their email, i.e. their Twilio identity, while another stored appointment
        names them: a record of one appointment may not rewrite who is in another.
        """
        added = updated = unchanged = 0
        changed: list[tuple[User, User]] = []
        batch: set[int] = set()
        with self.transaction() as db:
            for user in users:
                current = self.get_user(user.id)
                if current == user:
                    unchanged += 1
                    continue
                if current is not None and (current.role, current.email) != (user.role,
                                                                               user.email):
                    changed.append((current, user))
                try:
                    db.execute(_UPSERT_USER, (user.id, user.email, user.name, user.role))
                except sqlite3.IntegrityError as exc:
                    raise UsageError(
                        f"user {user.id}: email {user.email!r} belongs to another stored user"
                    ) from exc
                added, updated = (added + 1, updated) if current is None else (added, updated + 1)
            for appointment in appointments:
                batch.add(appointment.id)
                self._check_participants(appointment)
                stored = self.get_appointment(appointment.id)
                if stored is not None and _appointment_row(stored) == _appointment_row(
                    appointment
                ):
                    unchanged += 1
                    continue
                db.execute(_UPSERT_APPOINTMENT, _appointment_row(appointment))
                added, updated = (added + 1, updated) if stored is None else (added, updated + 1)
            for current, user in changed:
                self._refuse_conflict(current, user, keep_identities, batch)
        from vtctl.local.importer import ImportCounts

        return ImportCounts(added, updated, unchanged)

    def _refuse_conflict(self, current: User, user: User, keep_identities: str | None,
                         batch: set[int]) -> None:
        """Refuse a changed user (``current`` -> ``user``) that stored appointments
        (after this import's writes) contradict; runs inside the import's transaction."""
        other_role = "psychologist" if user.role == "patient" else "patient"
        wrong = [aid for (aid,) in self._db.execute(
            f"SELECT id FROM appointments WHERE {other_role}_id = ? ORDER BY id LIMIT 4",
            (user.id,))]
        if wrong:
            raise UsageError(
                f"user {user.id} is the {other_role} of stored appointment "
                f"{_ids(wrong)}: it cannot become a {user.role}",
                hint="a user keeps one role; give the new one another id",
            )
        if keep_identities is None:
            return
        others = [aid for (aid,) in self._db.execute(
            "SELECT id FROM appointments WHERE ? IN (patient_id, psychologist_id) ORDER BY id",
            (user.id,)) if aid not in batch]
        if others:
            raise UsageError(
                f"{keep_identities} makes user {user.id} {quoted(user.email)}, but the store "
                f"has {quoted(current.email)} in appointment {_ids(others)}: refused, "
                "as that would change who joins those sessions",
                hint="if the user's email really changed, import it from a file "
                "(`vtctl appointment import`), or pull into another --store",
            )


    # -- audit trail (append-only, keyed: vtctl.domain.audit) -------------------

    _RECORD_SQL = (
        f"SELECT seq, {', '.join(AUDIT_FIELDS)}, prev_hash, hash, mac FROM audit"
    )

    def _require_trail(self) -> None:
        """The trail's tables exist (a store at schema 3 always has them)."""
        present = {name for (name,) in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)",
            _TRAIL_TABLES)}
        for table in _TRAIL_TABLES:
            if table not in present:
                raise AuditTrailError(
                    f"the store {self.path} has no {table} table: the audit trail was "
                    "dropped outside vtctl",
                    hint="keep a copy of the file for investigation")

    @_sqlite_errors
    def read_anchor(self) -> Anchor:
        """The trail's anchor (``AuditTrailError`` when it is missing or malformed)."""
        self._require_trail()
        row = self._db.execute(
            "SELECT trail_id, created_at, key_source, keyed_seq, head_seq, head_mac, tag "
            "FROM audit_anchor WHERE id = 1").fetchone()
        anchor = None if row is None else anchor_from_row(row)
        if anchor is None:
            raise AuditTrailError(
                f"the audit trail's anchor in {self.path} is "
                f"{'missing' if row is None else 'malformed'}: it was changed outside vtctl",
                hint="keep a copy of the file for investigation")
        return anchor

    def _write_anchor(self, anchor: Anchor) -> None:
        self._db.execute(
            "UPDATE audit_anchor SET key_source = ?, keyed_seq = ?, head_seq = ?, "
            "head_mac = ?, tag = ? WHERE id = 1",
            (anchor.key_source, anchor.keyed_seq, anchor.head_seq, anchor.head_mac, anchor.tag))

    def _key_trail(self, keys: TrailKeys) -> tuple[Anchor, bytes]:
        """Key a trail that is not keyed yet (in the caller's transaction): its records,
        checked first, get their MACs and the anchor its key source and tag."""
        anchor = self.read_anchor()
        if anchor.key_source is not None:
            return anchor, keys.key_for(anchor, self.afresh)
        from vtctl.domain.audit_verdict import verify_trail

        records = self.read_audit()
        verdict = verify_trail(records, anchor, None)
        if verdict.broken is not None:
            from vtctl.domain.commands import VERIFY_TRAIL  # only when broken

            raise AuditTrailError(
                f"the audit trail cannot be keyed: {verdict.broken.describe()}",
                suggests=VERIFY_TRAIL)
        source, key = keys.new_key(anchor.trail_id)
        self._db.execute("SAVEPOINT keying")
        try:
            self._db.executemany("UPDATE audit SET mac = ? WHERE seq = ?", [
                (record_mac(key, c.seq, c.record, c.prev_hash), c.seq) for c in records])
            head = self._db.execute(
                "SELECT mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            anchor = anchor._replace(key_source=source, keyed_seq=anchor.head_seq,
                                     head_mac=head[0] if head else None).signed(key)
            self._write_anchor(anchor)
            keys.save(anchor.trail_id, source, key)  # last: nothing else can fail after it
        except BaseException:
            self._db.execute("ROLLBACK TO keying")
            self._db.execute("RELEASE keying")
            raise
        self._db.execute("RELEASE keying")
        return anchor, key

    def _checked_head(self, keys: TrailKeys) -> tuple[Anchor, bytes, int, str]:
        """(anchor, key, newest seq, newest hash), in the caller's transaction, keying the
        trail first if needed; ``AuditTrailError`` unless the newest stored record is the
        one the anchor names (nothing is appended after a forged or removed record)."""
        self._require_trail()
        anchor, key = self._key_trail(keys)
        tail = self._db.execute(
            "SELECT seq, hash, mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        last_seq, last_hash, last_mac = tail if tail else (0, GENESIS_HASH, None)
        if (last_seq, last_mac) != (anchor.head_seq, anchor.head_mac) or not (
            anchor.tag_matches(key) and isinstance(last_hash, str)
        ):
            from vtctl.domain.commands import VERIFY_TRAIL  # only when broken

            raise AuditTrailError(
                "the audit trail is damaged: its newest record is not the one vtctl "
                "wrote last, so no token is minted",
                suggests=VERIFY_TRAIL)
        return anchor, key, last_seq, last_hash

    @_sqlite_errors
    def prepare_audit(self, keys: TrailKeys) -> None:
        """Key the trail if needed and check that records can be appended (what
        ``append_audit`` checks), appending nothing: ``serve`` does this at start."""
        with self.transaction():
            self._checked_head(keys)

    @_sqlite_errors
    def append_audit(self, records: Sequence[AuditRecord], keys: TrailKeys) -> None:
        """Chain, MAC and insert records in one transaction after the newest one, and move
        the anchor to the last of them."""
        if not records:
            return
        with self.transaction() as db:
            anchor, key, last_seq, last_hash = self._checked_head(keys)
            if last_seq > MAX_SEQ - len(records):
                raise AuditTrailError(f"the audit trail is full (seq {last_seq})")
            linked = chain(records, last_seq, last_hash, key)
            per_insert = _rows_per_insert(db)
            for start in range(0, len(linked), per_insert):
                rows = linked[start:start + per_insert]
                db.execute(_insert_records_sql(len(rows)), [
                    value for c in rows if (r := c.record) for value in (
                        c.seq, r.at, r.os_user, r.host, r.profile, r.command, r.appointment_id,
                        r.identity, r.room_name, r.ttl_seconds, r.jti, c.prev_hash, c.hash,
                        c.mac)
                ])
            self._write_anchor(anchor.advanced(linked[-1], key))

    @_sqlite_errors
    def read_audit(
        self, *, since: str | None = None, appointment_id: int | None = None,
        identity: str | None = None, room_name: str | None = None,
    ) -> list[ChainedRecord]:
        """Stored records in chain order, optionally only those matching every filter.

        Values are as stored: an edit behind vtctl's back can leave any SQLite type in
        any field (``AuditRecord.wrong_type``)."""
        self._require_trail()
        conditions: list[str] = []
        params: list[object] = []
        for condition, value in (
            ("at >= ?", since), ("appointment_id = ?", appointment_id), ("identity = ?", identity),
            ("room_name = ?", room_name),
        ):
            if value is not None:
                conditions.append(condition)
                params.append(value)
        rows = self._db.execute(
            self._RECORD_SQL
            + (f" WHERE {' AND '.join(conditions)}" if conditions else "") + " ORDER BY seq",
            params,
        )
        return [
            ChainedRecord(row[0], AuditRecord(*row[1:-3]), row[-3], row[-2], row[-1])
            for row in rows
        ]


def _statements(script: str) -> Iterator[str]:
    """A migration's statements (trigger bodies hold ``;`` too)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


#: records per INSERT statement: one statement, not one per record (``executemany``),
#: because sqlite3 releases and takes back the GIL around each step: with a record a
#: step, serve's writer thread and its event loop handed the GIL back and forth for
#: every record of a batch (serve's p99)
ROWS_PER_INSERT = 128


#: the variables one record binds: seq, its fields, prev_hash, hash, mac
_RECORD_VARIABLES = len(AUDIT_FIELDS) + 4


def _rows_per_insert(db: sqlite3.Connection) -> int:
    """``ROWS_PER_INSERT``, or fewer where this SQLite binds fewer variables a statement
    (999 before SQLite 3.32.0, and in builds that keep that default: 71 records)."""
    limit = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(ROWS_PER_INSERT, limit // _RECORD_VARIABLES))


@functools.lru_cache(maxsize=8)
def _insert_records_sql(count: int) -> str:
    """``INSERT INTO audit`` of ``count`` records, in ``append_audit``'s column order."""
    row = f"({', '.join('?' * _RECORD_VARIABLES)})"
    return (f"INSERT INTO audit (seq, {', '.join(AUDIT_FIELDS)}, prev_hash, hash, mac) "
            f"VALUES {', '.join([row] * count)}")


_UPSERT_USER = """
    INSERT INTO users (id, email, name, role) VALUES (?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name,
                                  role = excluded.role
"""
_UPSERT_APPOINTMENT = """
    INSERT INTO appointments
        (id, patient_id, psychologist_id, duration_minutes, starts_at, video_room_id)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET patient_id = excluded.patient_id,
        psychologist_id = excluded.psychologist_id,
        duration_minutes = excluded.duration_minutes,
        starts_at = excluded.starts_at, video_room_id = excluded.video_room_id
"""


# -- rows -> models: the one boundary where stored text is read ----------------------
# A store file edited by hand (or by another program) can hold anything SQLite's loose
# typing lets in: escapes in names, a BLOB email, text in an INTEGER column.  Text comes
# out printable (what reaches a terminal, a log or `serve`'s replies), and a value of
# the wrong type is a damaged store (exit 6), never a traceback further on.


def _ids(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:3])
    return shown + (", ..." if len(ids) > 3 else "")


def _damaged(table: str, row_id: object, column: str, why: str) -> StoreError:
    from vtctl.domain.commands import STORE_FLAGS, Suggestion

    return StoreError(
        f"the store is damaged: {table} row {printable(str(row_id))[:30]}: {column} {why}",
        suggests=Suggestion(("appointment", "import", "FILE"),
                            "restore the store from a backup, or re-import it (`{command}`)",
                            STORE_FLAGS),
    )


def _text(value: object, table: str, row_id: object, column: str) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or not value.strip():
        raise _damaged(table, row_id, column, "is not text")
    return printable(value)


def _int(value: object, table: str, row_id: object, column: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _damaged(table, row_id, column, "is not an integer")
    return value


def _user(row: Sequence[object]) -> User:
    user_id = _int(row[0], "users", row[0], "id")
    role = row[3]
    if role not in ROLES:
        raise _damaged("users", user_id, "role", "is neither patient nor psychologist")
    return User(id=user_id, email=_text(row[1], "users", user_id, "email"),
                name=_text(row[2], "users", user_id, "name"), role=role)  # type: ignore[arg-type]


def _appointment(row: Sequence[object]) -> Appointment:
    appointment_id = _int(row[0], "appointments", row[0], "id")
    starts_at, room = row[4], row[5]
    try:
        starts = parse_utc(starts_at) if isinstance(starts_at, str) and starts_at else None
    except ValueError:
        raise _damaged("appointments", appointment_id, "starts_at", "is not a time") from None
    return Appointment(
        id=appointment_id,
        patient_id=_int(row[1], "appointments", appointment_id, "patient_id"),
        psychologist_id=_int(row[2], "appointments", appointment_id, "psychologist_id"),
        duration_minutes=_int(row[3], "appointments", appointment_id, "duration_minutes"),
        starts_at=starts,
        video_room_id=_text(room, "appointments", appointment_id, "video_room_id")
        if room else None,
        patient=_user(row[6:10]),
        psychologist=_user(row[10:14]),
    )


def _appointment_row(a: Appointment) -> tuple[object, ...]:
    starts: datetime | None = a.starts_at
    return (
        a.id, a.patient_id, a.psychologist_id, a.duration_minutes,
        format_utc(starts) if starts else None, a.video_room_id,
    )
