"""Engine and session factory: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import sqlite3
import time
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from storage.sqlite_driver import one_hop_dbapi

logger = logging.getLogger(__name__)

# The database when DATABASE_URL is not set: a SQLite file under ./data (bot.core.config).
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/thidua.db"

# Connections kept open per process: as many as the work in flight (16 updates
# per channel, the inbox, delivery), so that under load no connection is opened and closed
# per transaction (a new server process and a handshake each; SQLite: see below).
POOL_SIZE = 20
POOL_OVERFLOW = 20
# A PostgreSQL connection idle for longer than this is checked (one round trip) before use;
# one used more recently is not: a server restart in between is noticed by its first
# statement, which invalidates the whole pool (the next checkouts connect again).
IDLE_PING_SECONDS = 10.0


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite database file if it does not exist yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, busy_timeout_ms: int = 5000,
                  idle_ping_seconds: float = IDLE_PING_SECONDS) -> AsyncEngine:
    """Create the async engine; SQLite connections get WAL, busy_timeout and foreign keys.

    SQLite runs in WAL mode with synchronous=NORMAL: a commit writes the WAL without an
    fsync (fsyncs happen at checkpoints), so a committed transaction survives a crash of
    the process; a power cut may lose the last commits but never corrupts the file.
    """
    # hide_parameters: a failing statement's values (names, phone numbers) never reach a log.
    if not is_sqlite(url):
        # pool_use_lifo: the connection given back last is taken next. After a burst has
        # opened many connections, quiet traffic keeps reusing one, recently used: taken
        # in turn (FIFO), each sat idle past IDLE_PING_SECONDS and was checked (three round
        # trips) at every checkout below ~1.6 checkouts/s with 16 open (a message takes 2-3).
        # It also keeps prepared statements and their plans warm on few connections.
        engine = create_async_engine(url, hide_parameters=True, pool_size=POOL_SIZE,
                                     max_overflow=POOL_OVERFLOW, pool_use_lifo=True)
        _ping_when_idle(engine, idle_ping_seconds)
        _refuse_writes_in_read_first(engine, savepoints=True)
        return engine
    ensure_sqlite_dir(url)
    # A pool as wide as the work in flight: an overflow connection would be opened (a thread
    # and four PRAGMAs) and closed again for every transaction past the fifth.
    # module: one thread hop per statement instead of four (storage.sqlite_driver).
    engine = create_async_engine(url, connect_args={"timeout": busy_timeout_ms / 1000},
                                 hide_parameters=True, pool_size=POOL_SIZE,
                                 max_overflow=POOL_OVERFLOW, module=one_hop_dbapi())
    writer = _WriterQueue(busy_timeout_ms / 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself so transactions are explicit and short.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if _read_attempt.get() is not None:
            # A read-first attempt (see `read_first`): a plain snapshot, no writer.
            conn.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front, so a busy database waits (busy_timeout)
        # at the start of a transaction instead of failing half-way through it. Inside this
        # process, transactions first queue for the writer in order (woken the moment the
        # previous one ends) rather than in SQLite's busy handler, which sleeps and retries.
        raw = _raw(conn.connection)
        writer.acquire(raw)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writer.release(raw)
            raise

    dialect = engine.sync_engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            writer.release(_raw(dbapi_connection))
        # Every CHECKPOINT_EVERY-th commit folds the WAL into the file, the writer free.
        checkpoint = getattr(_raw(dbapi_connection), "checkpoint", None)
        if checkpoint is not None:
            checkpoint()

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            writer.release(_raw(dbapi_connection))

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]

    _refuse_writes_in_read_first(engine)

    @event.listens_for(engine.sync_engine, "close")
    def _on_close(dbapi_connection: Any, _record: Any) -> None:
        writer.release(_raw(dbapi_connection))

    @event.listens_for(engine.sync_engine, "invalidate")
    def _on_invalidate(dbapi_connection: Any, _record: Any, _exc: Any) -> None:
        writer.release(_raw(dbapi_connection))

    return engine


# Engines whose writes in a read-first attempt raise NeedsWrite.
_GUARDED: weakref.WeakSet[Any] = weakref.WeakSet()


def _refuse_writes_in_read_first(engine: AsyncEngine, *, savepoints: bool = False) -> None:
    """In a read-first attempt (`read_first`), a statement that would write raises
    NeedsWrite before it runs: nothing is written, the message is handled again.
    `savepoints`: a SAVEPOINT too (PostgreSQL reads outside a transaction, where a
    savepoint is an error; one only ever comes before a write)."""
    _GUARDED.add(engine.sync_engine)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _on_execute(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        attempt = _read_attempt.get()
        if attempt is not None and (_writes(statement) or (
                savepoints and statement.lstrip()[:9].upper() == "SAVEPOINT")):
            attempt.wanted_write = True
            raise NeedsWrite(statement.split(None, 1)[0])


def _ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle for `idle_seconds`.

    pool_pre_ping checks every checkout: with asyncpg that is three round trips (BEGIN, a
    query, ROLLBACK) per transaction, a fifth of a busy process's time. A dead connection
    found here is replaced by the pool, as pool_pre_ping would.
    """
    dialect = engine.sync_engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the database closed an idle connection") from exc


_READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "WITH", "EXPLAIN")


def _writes(statement: str) -> bool:
    return not statement.lstrip()[:9].upper().startswith(_READS)


class NeedsWrite(Exception):
    """A read-first attempt was about to write: start again, holding the writer."""


@dataclass(slots=True)
class ReadAttempt:
    """One read-first attempt; `wanted_write` stays set even if a handler swallowed the
    NeedsWrite it got."""

    wanted_write: bool = False


_read_attempt: ContextVar[ReadAttempt | None] = ContextVar("thidua_read_attempt", default=None)


@contextlib.contextmanager
def read_first() -> Iterator[ReadAttempt]:
    """Run transactions begun inside (in this task) as reads: a statement that would write
    raises NeedsWrite instead, and the caller does the work again the usual way (SQLite:
    BEGIN IMMEDIATE, holding the writer; PostgreSQL: holding the chat's lock). On SQLite
    they are plain read snapshots that never take the writer."""
    attempt = ReadAttempt()
    token = _read_attempt.set(attempt)
    try:
        yield attempt
    finally:
        _read_attempt.reset(token)


def reads_first(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Tell whether sessions of this factory support `read_first` (engines of
    `create_engine`: SQLite and PostgreSQL)."""
    bind = sessions.kw.get("bind")
    if bind is None:
        return False
    # PostgreSQL: only where writes are refused (else one would pass, then be rolled back).
    return bind.dialect.name == "sqlite" or (bind.dialect.name == "postgresql"
                                             and bind.sync_engine in _GUARDED)


def read_sessions(sessions: async_sessionmaker[AsyncSession]
                  ) -> async_sessionmaker[AsyncSession]:
    """Return the sessions for read-first attempts: SQLite, the same (a snapshot);
    PostgreSQL, sessions outside a transaction (autocommit), each statement on its own, as
    it is inside a READ COMMITTED transaction: no BEGIN and ROLLBACK, two round trips less.
    Writes are refused before they run (NeedsWrite), so autocommit never commits one."""
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "postgresql" or not reads_first(sessions):
        return sessions
    return async_sessionmaker(**{**sessions.kw,
                                 "bind": bind.execution_options(isolation_level="AUTOCOMMIT")})


def _raw(connection: Any) -> Any:
    """Return the driver connection behind a pooled one (the writer's identity)."""
    return getattr(connection, "dbapi_connection", None) or connection


class _WriterQueue:
    """The SQLite writer of one engine: its transactions take turns in arrival order.

    Held from BEGIN IMMEDIATE to COMMIT/ROLLBACK (or the connection's end). Waiting is
    bounded by the busy timeout, after which the caller gets SQLite's own "database is
    locked" error, as it would from the busy handler. Code running outside the async
    engine's greenlet (no event loop to wait in) goes straight to SQLite's busy handler.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.holder: Any = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _lock_for_loop(self) -> asyncio.Lock | None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop, self.holder = asyncio.Lock(), loop, None
        return self._lock

    def acquire(self, connection: Any) -> None:
        lock = self._lock_for_loop()
        if lock is None or self.holder is connection or not in_greenlet():
            return
        try:
            await_only(asyncio.wait_for(lock.acquire(), self.timeout))
        except TimeoutError:
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked")) from None
        self.holder = connection

    def release(self, connection: Any) -> None:
        if self.holder is None or self.holder is not connection:
            return
        self.holder = None
        if self._lock is not None and self._lock.locked():
            self._lock.release()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory used for one session per incoming event."""
    return async_sessionmaker(engine, expire_on_commit=False)


# Advisory locks of chats, in their own key space (the delivery leader uses one bigint key).
CHAT_LOCK_SPACE = 0x74686964  # "thid"


async def lock_chat(session: AsyncSession, channel: str, chat_id: str) -> None:
    """Make this transaction the only one handling the chat, in every process, until it ends.

    PostgreSQL: a transaction-level advisory lock on a hash of (channel, chat id); another
    process handling the same chat waits here, then reads the state this one committed.
    SQLite needs nothing: every transaction begins IMMEDIATE (one writer at a time for the
    whole file), so a message's read of the chat state and its write are never interleaved
    with another process's.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"{channel}\x00{chat_id}".encode(), digest_size=4).digest()
    await session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                          {"space": CHAT_LOCK_SPACE,
                           "key": int.from_bytes(digest, "big", signed=True)})


# Any constant 64-bit number: the lock "delivery leader" of this application.
LEADER_LOCK = 0x7468696475610001


class Leadership:
    """Who schedules and sends: always this process on SQLite, the lock holder on PostgreSQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._connection: AsyncConnection | None = None
        self._own: AsyncEngine | None = None

    async def try_acquire(self) -> bool:
        """Try to become the leader; tell whether this process is."""
        if not self.shared:
            return True
        if self._connection is None:
            # Outside the pool: closing it must end the session, and the lock with it.
            self._own = create_async_engine(self.engine.url, poolclass=NullPool)
            self._connection = await self._own.connect()
        got = await self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"),
                                            {"key": LEADER_LOCK})
        await self._connection.commit()
        if not got:
            await self.release()
        return bool(got)

    async def still_held(self) -> bool:
        """Tell whether the lock's connection is alive (the lock lives as long as it)."""
        if not self.shared:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except Exception:
            logger.warning("delivery: the leader connection was lost")
            return False
        return True

    async def release(self) -> None:
        """Give up the lock by closing its connection."""
        connection, self._connection = self._connection, None
        own, self._own = self._own, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        if own is not None:
            with contextlib.suppress(Exception):
                await own.dispose()
