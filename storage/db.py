"""Engines and sessions: SQLite (embedded default, WAL) and PostgreSQL (several copies of the bot).

Also the health probe behind `/healthz` and `/readyz`: a real write, because "the database answers a
SELECT" is true of a read-only standby, a locked file and a deleted SQLite file alike, and in each of
them the bot would ack reports it cannot keep.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage.metadata import READING
from storage.uow import map_domain

# How long the probe waits for the write lock: well under the one second a health check may take.
PROBE_LOCK_MS = 300
_SQLITE_BUSY_MS = 30000

# The SQLite file each engine opened, as (device, inode): a file deleted or replaced under the running
# bot keeps the old connections writing into a file nobody will ever read again.
_opened: weakref.WeakKeyDictionary[Engine, tuple[int, int]] = weakref.WeakKeyDictionary()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE`, so writers queue instead of failing.

    `hide_parameters`: a failed statement's message would otherwise carry what people typed (an
    anonymous report's text) into the error log.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        path = sqlite_path(engine.url)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cursor = dbapi_conn.cursor()
            if path is not None and engine.url.query.get("mode") != "ro":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            if path is not None and engine not in _opened:
                stat = path.stat()
                _opened[engine] = (stat.st_dev, stat.st_ino)

        turns = WriterTurns()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Take the write lock at the start: read-then-write transactions (reference numbers,
            # outbox leases) can then never deadlock or fail with "database is locked" half-way.
            # A reading transaction (`READING`) takes none: under WAL it reads beside the writer.
            if conn.get_execution_options().get(READING):
                conn.exec_driver_sql("BEGIN")
                return
            holder = id(conn.connection.dbapi_connection)
            turns.acquire(holder)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                turns.release(holder)
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _on_end(conn: Any) -> None:
            dbapi = conn.connection.dbapi_connection if not conn.invalidated else None
            if dbapi is not None:
                turns.release(id(dbapi))

        @event.listens_for(engine, "checkin")
        def _on_checkin(dbapi_conn: Any, _record: Any) -> None:
            turns.release(id(dbapi_conn))  # however its transaction ended (a connection lost half-way)

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})  # a dead host answers /healthz, not hangs
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


class WriterTurns:
    """The writers of this process take SQLite's write lock one after another, in the order they asked.

    SQLite itself makes a waiting writer poll (sleeping 1, 2, 5, … 100 ms between tries), so a request arriving
    while the scheduler or the sender writes in quick short transactions could miss every gap between them and
    wait for seconds. Here it waits its turn and is woken the moment the writer before it commits. Other
    processes (a CLI) still meet SQLite's busy timeout. A turn not given within `timeout` is not waited for
    longer: the writer then goes on to SQLite's own waiting, as before.
    """

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._queue: deque[tuple[threading.Event, int]] = deque()

    def acquire(self, holder: int) -> bool:
        with self._lock:
            if self._holder is None and not self._queue:
                self._holder = holder
                return True
            turn = (threading.Event(), holder)
            self._queue.append(turn)
        if turn[0].wait(self.timeout):
            return True
        with self._lock:
            if turn[0].is_set():
                return True
            self._queue.remove(turn)
            return False

    def release(self, holder: int) -> None:
        with self._lock:
            if self._holder != holder:
                return
            if self._queue:
                event_, self._holder = self._queue.popleft()
                event_.set()
            else:
                self._holder = None


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL (plain or `file:...?uri=true`), absolute; None for in-memory."""
    database = url.database or ""
    if url.query.get("uri") in ("true", "1"):
        database = database.removeprefix("file:").split("?", 1)[0]
    if database in ("", ":memory:") or "mode=memory" in str(url):
        return None
    return Path(database).absolute()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    map_domain()
    return sessionmaker(bind=engine, expire_on_commit=False)


@dataclass(frozen=True)
class Health:
    """What the probe found. `reason` is one fixed word, safe to show on an unauthenticated endpoint."""

    writable: bool
    reason: str | None = None
    revision: str | None = None
    # Filled by `ready`: "current", "behind" (migrations pending) or "unknown" (migrated by newer code).
    schema: str | None = None

    @property
    def ready(self) -> bool:
        return self.writable and self.schema == "current"


def probe(engine: Engine) -> Health:
    """Write to the database in a short transaction, as saving a report would.

    The write is a no-op update of Alembic's one row: every database the bot migrated has it, it takes
    the same write lock and meets the same read-only guard as any report, the row it reads back is the
    schema revision `/readyz` needs, and no table of the probe's own is needed.
    """
    path = sqlite_path(engine.url) if engine.dialect.name == "sqlite" else None
    if path is not None:
        moved = _file_problem(engine, path)
        if moved:
            return Health(False, moved)
    try:
        revision = _probe_sqlite(engine) if engine.dialect.name == "sqlite" else _probe_postgres(engine)
    except Exception as exc:  # the reason is all a load balancer needs; the log has no use for a trace
        return Health(False, _reason(exc))
    if revision is None:
        return Health(False, "not-migrated")
    return Health(True, None, revision)


def ping(engine: Engine) -> bool:
    """True while the database takes writes (the probe's yes or no)."""
    return probe(engine).writable


def ready(engine: Engine) -> Health:
    """Writable and at the schema this code expects: `ready` for traffic in a rolling deploy."""
    health = probe(engine)
    if not health.writable:
        return health
    known = _revisions()
    if health.revision == known[0]:
        return Health(True, None, health.revision, "current")
    schema = "behind" if health.revision in known else "unknown"
    return Health(True, f"schema-{schema}", health.revision, schema)


@cache
def _revisions() -> tuple[str, ...]:
    """This code's migrations, newest (the head) first."""
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    return tuple(script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def _file_problem(engine: Engine, path: Path) -> str | None:
    opened = _opened.get(engine)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "file-missing"
    except OSError:
        return "unreachable"
    if opened is not None and (stat.st_dev, stat.st_ino) != opened:
        return "file-replaced"
    return None


_PROBE_SQL = "UPDATE alembic_version SET version_num = version_num RETURNING version_num"


def _probe_sqlite(engine: Engine) -> str | None:
    # On the DBAPI connection: SQLAlchemy's autobegin would run BEGIN IMMEDIATE with the 30 s busy
    # timeout before the short one below could take effect. The UPDATE runs on its own (autocommit): it
    # holds the write lock only while it runs, not from a BEGIN IMMEDIATE to a COMMIT.
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        raw.execute(f"PRAGMA busy_timeout={PROBE_LOCK_MS}")
        try:
            rows = raw.execute(_PROBE_SQL).fetchall()
        finally:
            raw.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
    return rows[0][0] if rows else None


def _probe_postgres(engine: Engine) -> str | None:
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL lock_timeout = {PROBE_LOCK_MS}"))
        conn.execute(text(f"SET LOCAL statement_timeout = {PROBE_LOCK_MS * 2}"))
        row = conn.execute(text(_PROBE_SQL)).first()
    return row[0] if row else None


def _reason(exc: Exception) -> str:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    sqlstate = getattr(original, "sqlstate", None) or ""
    message = str(original).lower()
    if sqlstate == "25006" or "readonly" in message or "read-only" in message:
        return "read-only"
    if sqlstate in ("55P03", "57014") or "locked" in message:  # lock_not_available, query_canceled
        return "locked"
    if sqlstate == "42P01" or (isinstance(original, sqlite3.OperationalError) and "no such table" in message):
        return "not-migrated"
    return "unreachable"

