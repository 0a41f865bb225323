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
- a WAL checkpoint (writes and fsyncs of the database file): SQLite's automatic one, which
  runs inside whichever COMMIT crosses 1,000 WAL pages, is off on these connections;
  every CHECKPOINT_EVERY-th COMMIT of the process runs on the thread, followed by a
  passive checkpoint. Any other COMMIT runs here: with synchronous=NORMAL it appends to
  the WAL without an fsync (tens of microseconds).

Used by storage.db.create_engine for every SQLite engine (`module=one_hop_dbapi()`);
PostgreSQL is untouched.
"""

from __future__ import annotations

import collections
import itertools
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
from sqlalchemy.util import EMPTY_DICT, await_only


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


logger = logging.getLogger(__name__)

# One COMMIT in this many (of the process's SQLite connections) runs on the thread, then
# checkpoints the WAL (passive: it waits for no one, copies what no reader still needs).
CHECKPOINT_EVERY = 100
_commits = itertools.count(1)


def _checkpoint(connection: sqlite3.Connection) -> None:
    """On the connection's thread: copy the WAL into the database file (passive)."""
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error as exc:  # tried again CHECKPOINT_EVERY commits later
        logger.warning("WAL checkpoint failed: %s", type(exc).__name__)


# SQLite's busy timeout when the engine gives none (sqlite3.connect's own default, 5 s).
DEFAULT_BUSY_MS = 5000


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
            async with mutex:
                result = await driver._execute(_run, driver._conn, operation, parameters,
                                               many)
        description, rows, rowcount, lastrowid = result
        self._description = description
        self._rows = collections.deque(rows)
        self._rowcount = rowcount
        self._lastrowid = lastrowid


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection, with the one-hop cursor; rollbacks and commits
    (but every CHECKPOINT_EVERY-th) run here."""

    __slots__ = ("busy_ms", "checkpoints_here")
    _cursor_cls = OneHopCursor
    busy_ms: int
    # False until this connection's automatic checkpoints are turned off (its first commit
    # here): until then its commits run on the thread.
    checkpoints_here: bool

    def commit(self) -> None:
        driver = self._connection
        if driver._connection is None:
            return
        if self._execute_mutex.locked() or next(_commits) % CHECKPOINT_EVERY == 0:
            super().commit()
            if driver._connection is not None and self.checkpoints_here:
                await_only(driver._execute(_checkpoint, driver._conn))
            return
        try:
            if not self.checkpoints_here:
                driver._conn.execute("PRAGMA wal_autocheckpoint=0")
                self.checkpoints_here = True
            driver._conn.commit()
        except Exception as error:
            self._handle_exception(error)

    def rollback(self) -> None:
        driver = self._connection
        if driver._connection is None or self._execute_mutex.locked():
            super().rollback()
            return
        try:
            driver._conn.rollback()
        except Exception as error:
            self._handle_exception(error)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim handing out one-hop connections."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        # Used from the event loop's thread too (one call at a time, never concurrently).
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        connection = OneHopConnection(self, adapted._connection)
        connection.busy_ms = int(1000 * float(kw.get("timeout", DEFAULT_BUSY_MS / 1000)))
        connection.checkpoints_here = False
        return connection


def one_hop_dbapi() -> OneHopDBAPI:
    """Return the DBAPI module to give `create_async_engine(..., module=…)` for SQLite."""
    import aiosqlite

    return OneHopDBAPI(aiosqlite, sqlite3)
