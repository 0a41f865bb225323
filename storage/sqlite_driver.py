"""SQLite under asyncio: a message's own small statements run on the event loop, the rest on
the connection's thread in one call each.

aiosqlite runs each SQLite call on its connection's own thread; SQLAlchemy's adapter makes
four such calls per statement (open a cursor, execute, fetch the rows, close the cursor),
and every hop costs the event loop a wake-up of that thread and a hand-over of the GIL
back. A statement on a local file in WAL mode takes microseconds, far less than one hop,
and never waits for a lock (readers do not block, and this process's writers queue in
storage.db before BEGIN IMMEDIATE). So the small statements every message makes (its
person and chat state read and saved, inside `inline_statements()`) run right here, in one
call that opens a cursor, executes, fetches and closes it. Any other statement (a handler's
report may scan every participant) is one call on the connection's thread, as is what may
wait, so that the loop never sleeps in SQLite's busy handler, on a disk or on a long query:
- BEGIN IMMEDIATE when another process holds the write lock (tried here first without
  waiting, then again on the thread with the busy timeout);
- the COMMIT of a transaction that ran a statement on the thread (a large one);
- the WAL checkpoint (writes and an fsync of the database file) after every
  CHECKPOINT_EVERY-th commit and after a large one, once the writer is free again
  (storage.db): SQLite's own checkpoint, which would run inside whichever commit filled the
  WAL, is off on these connections, so that the COMMIT of a small transaction (a few WAL
  pages written, no fsync in synchronous=NORMAL) runs here too.

Used by storage.db.create_engine for every SQLite engine (`module=one_hop_dbapi()`);
PostgreSQL is untouched.
"""

from __future__ import annotations

import collections
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

logger = logging.getLogger(__name__)


def _run(connection: sqlite3.Connection, operation: str, parameters: Any,
         many: bool) -> tuple[Any, list[Any], int, int | None]:
    """On the connection's thread: the whole statement, cursor opened and closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


_INLINE: ContextVar[bool] = ContextVar("sqlite_inline", default=False)


@contextmanager
def inline_statements() -> Iterator[None]:
    """Run this block's SQLite statements on the event loop itself.

    For the small indexed statements every message makes (the read of its person and chat
    state, their saves): microseconds each, far less than a hop to the thread. Any other
    statement (a handler's report over every participant, an export) still runs on the
    connection's thread, so a long one never stalls every chat in flight.
    """
    token = _INLINE.set(True)
    try:
        yield
    finally:
        _INLINE.reset(token)


# SQLite's busy timeout when the engine gives none (sqlite3.connect's own default, 5 s).
DEFAULT_BUSY_MS = 5000
# Commits of one engine between two WAL checkpoints (each on the connection's thread). SQLite
# checkpoints by itself once the WAL holds 1000 pages; a message's commit writes a few.
CHECKPOINT_EVERY = 100


def _checkpoint(connection: sqlite3.Connection) -> None:
    """On the connection's thread: fold the WAL into the database file (PASSIVE: never
    waits for readers or writers; what it cannot copy yet waits for the next one)."""
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def _begin_now(connection: sqlite3.Connection, busy_ms: int) -> bool:
    """Try BEGIN IMMEDIATE without waiting; tell whether it began (False: another
    process holds the write lock, nothing begun)."""
    connection.execute("PRAGMA busy_timeout=0")
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if connection.in_transaction or "locked" not in str(exc).lower():
            raise
        return False
    finally:
        connection.execute(f"PRAGMA busy_timeout={busy_ms}")
    return True


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement is one call on the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no driver cursor: no hop
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    async def _async_soft_close(self) -> None:
        return None  # nothing held on the thread: the rows are already here

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_call(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_call(operation, seq_of_parameters, many=True)

    async def _one_call(self, operation: Any, parameters: Any, many: bool) -> None:
        driver = self._connection
        mutex = self._adapt_connection._execute_mutex
        result: tuple[Any, list[Any], int, int | None] | None
        if mutex.locked():  # the thread is busy with this connection: wait in turn
            result = None
        elif operation.startswith("BEGIN IMMEDIATE"):
            busy_ms = getattr(self._adapt_connection, "busy_ms", DEFAULT_BUSY_MS)
            result = (None, [], -1, None) if _begin_now(driver._conn, busy_ms) else None
        elif _INLINE.get():
            result = _run(driver._conn, operation, parameters, many)
        else:  # a handler's statement may be long (a report over every participant)
            result = None
        if result is None:
            adapted = self._adapt_connection
            if isinstance(adapted, OneHopConnection) and not operation.startswith("BEGIN"):
                adapted.large = True  # its commit goes to the thread too
            async with mutex:
                result = await driver._execute(_run, driver._conn, operation, parameters,
                                               many)
        description, rows, rowcount, lastrowid = result
        self._description = description
        self._rows = collections.deque(rows)
        self._rowcount = rowcount
        self._lastrowid = lastrowid


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection, with the one-hop cursor; rollbacks run here, and the
    commits of small transactions (see the module's docstring)."""

    __slots__ = ("busy_ms", "checkpoint_due", "large")
    _cursor_cls = OneHopCursor
    busy_ms: int
    # This transaction ran a statement on the thread: its commit runs there too.
    large: bool
    # The last commit asked for a checkpoint (see checkpoint()).
    checkpoint_due: bool

    def commit(self) -> None:
        driver = self._connection
        if driver._connection is None:
            return
        large, self.large = self.large, False
        dbapi = self.dbapi
        assert isinstance(dbapi, OneHopDBAPI)
        dbapi.commits += 1
        if large or dbapi.commits >= CHECKPOINT_EVERY:
            dbapi.commits = 0
            self.checkpoint_due = True
        try:
            if large or self._execute_mutex.locked():
                await_(driver._execute(driver._conn.commit))
            else:
                driver._conn.commit()
        except Exception as error:
            self._handle_exception(error)

    def checkpoint(self) -> None:
        """Run the checkpoint the last commit asked for, on the connection's thread; called
        once the writer is free again (storage.db), so that other writes go on meanwhile.
        A checkpoint that fails is logged: the commit before it holds, the next one retries."""
        if not self.checkpoint_due or self._connection._connection is None:
            return
        self.checkpoint_due = False
        try:
            await_(self._connection._execute(_checkpoint, self._connection._conn))
        except Exception as error:
            logger.warning("sqlite: WAL checkpoint failed: %s", type(error).__name__)

    def rollback(self) -> None:
        self.large = False
        driver = self._connection
        if driver._connection is None or self._execute_mutex.locked():
            super().rollback()
            return
        try:
            driver._conn.rollback()
        except Exception as error:
            self._handle_exception(error)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim handing out one-hop connections (one per engine)."""

    # Commits since the last checkpoint, over every connection of the engine.
    commits = 0

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        # Used from the event loop's thread too (one call at a time, never concurrently).
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        connection = OneHopConnection(self, adapted._connection)
        connection.busy_ms = int(1000 * float(kw.get("timeout", DEFAULT_BUSY_MS / 1000)))
        connection.large = connection.checkpoint_due = False
        # Checkpoints follow this engine's commits (OneHopConnection.commit), not SQLite's
        # own, which would run inside whichever commit filled the WAL, here on the loop.
        adapted._connection._conn.execute("PRAGMA wal_autocheckpoint=0").close()
        return connection


def one_hop_dbapi() -> OneHopDBAPI:
    """Return the DBAPI module to give `create_async_engine(..., module=…)` for SQLite."""
    import aiosqlite

    return OneHopDBAPI(aiosqlite, sqlite3)
