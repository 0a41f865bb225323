"""Every message's own statements, straight on the database driver (issue #17).

Each message reads its account, person, grants in force and chat state in one statement
(`identify`), and most then write their chat's new state and, at most once a minute, the
account's last-seen time, several messages together (bot.core.dispatcher_writes). Through
SQLAlchemy's session the read alone took about 0.3 ms of CPU (a session, a connection and
a transaction begun and ended, the statement's execution context and result layers) for a
statement SQLite answers in microseconds. Here the same statements are plain SQL on the
driver beneath the engine: sqlite3 on the event loop (as storage.sqlite_driver runs a
message's small statements), asyncpg with its prepared statement cache.

The connections are the engine's own, taken from its pool for the statement (its connect
set-up and idle checks still apply; on SQLite the read takes, reads and gives back in one
step). On SQLite the batch of writes runs in a transaction the engine begins, so that it
queues for the single writer as every other write does (storage.db).

Values are read and written as the SQLAlchemy column types do (storage.base.AwareDateTime:
UTC, naive text on SQLite; JSON as `json.dumps` text): rows written one way read the same
the other way (tests/storage/test_people_driver.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy.engine.interfaces import PoolProxiedConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from storage.access import Grant
from storage.inbox.marks import DoneMark, settle
from storage.inbox.repo import InboxStatus
from storage.people import Account, ChatState, Identity, Person, _snapshot

# One row per grant in force (or one without), the chat's state joined when stored.
_IDENTIFY = """
SELECT a.id, a.person_id, a.chat_id, a.blocked_at, a.last_seen_at,
       p.full_name, p.birth_year, p.unit_code, p.role, p.current_campaign,
       p.registered_at, p.address,
       g.id, g.role, g.unit_code, g.granted_by, g.granted_at,
       s.chat_id, s.flow, s.step, s.data, s.menu, s.start_payload, s.revision
FROM channel_accounts AS a
JOIN persons AS p ON p.id = a.person_id
LEFT OUTER JOIN role_grants AS g ON g.person_id = p.id AND g.revoked_at IS NULL
LEFT OUTER JOIN chat_states AS s ON s.channel = a.channel AND s.chat_id = {chat}
WHERE a.channel = {channel} AND a.external_id = {external}
ORDER BY g.id
"""
_STATE_UPDATE_IF = """
UPDATE chat_states SET flow = {flow}, step = {step}, data = {data}, menu = {menu},
       start_payload = {start}, updated_at = {now}, revision = {new}
WHERE channel = {channel} AND chat_id = {chat} AND revision = {old}
"""
_TOUCH = """
UPDATE channel_accounts SET last_seen_at = {seen}, chat_id = {chat}, blocked_at = NULL
WHERE id = {account}
"""
# A first contact's rows (PeopleRepo.create_with_account, ChatStateRepo's first state).
NEW_ROLE = "resident"
_SQLITE_PERSON = "INSERT INTO persons (role, created_at, updated_at) VALUES (?, ?, ?)"
_SQLITE_ACCOUNT = ("INSERT INTO channel_accounts (person_id, channel, external_id, chat_id, "
                   "created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)")
_SQLITE_STATE = ("INSERT INTO chat_states (channel, chat_id, data, menu, updated_at, revision) "
                 "VALUES (?, ?, '{}', '[]', ?, 0) ON CONFLICT DO NOTHING")
_NAMES = ("chat", "channel", "external", "flow", "step", "data", "menu", "start", "now",
          "new", "old", "seen", "account")


def _sql(template: str, order: Sequence[str], style: str) -> str:
    """The statement with the driver's placeholders, parameters in `order`."""
    if style == "qmark":  # sqlite3: positional, in the order they appear
        marks = {name: "?" for name in _NAMES}
        positions = sorted(order, key=lambda name: template.index("{" + name + "}"))
        if positions != list(order):
            raise ValueError("parameters out of order")
    else:  # asyncpg: $1, $2... by position in `order`
        marks = {name: f"${order.index(name) + 1}" for name in order}
    return " ".join(template.format(**marks).split())


_IDENTIFY_ORDER = ("chat", "channel", "external")

# PostgreSQL: the identities asked for at about the same time read in one statement, one
# row of (chat, channel, external id) per message, numbered (column 1 of each row read).
# The message's read runs once for each (LATERAL, kept apart by OFFSET 0: the same index
# look-ups as the read of one). A fixed number of rows (IDENTIFY_SLOTS, the unused ones
# NULL, which find nobody) rather than an array: the server plans such a statement for the
# number of rows it holds whatever their values, so after its first five runs on a
# connection it keeps that plan; an array's length is known only from its value, and the
# server then planned it again at every run (about 0.2 ms of its CPU each).
IDENTIFY_SLOTS = (2, 4, 8, 16)
_PG_IDENTIFY_MANY = """
SELECT q.n, r.* FROM (VALUES {slots}) AS q(chat, channel, external, n)
CROSS JOIN LATERAL (
  SELECT a.id, a.person_id, a.chat_id, a.blocked_at, a.last_seen_at,
         p.full_name, p.birth_year, p.unit_code, p.role, p.current_campaign,
         p.registered_at, p.address,
         g.id AS grant_id, g.role AS grant_role, g.unit_code AS grant_unit, g.granted_by,
         g.granted_at,
         s.chat_id AS state_chat, s.flow, s.step, s.data, s.menu, s.start_payload, s.revision
  FROM channel_accounts AS a
  JOIN persons AS p ON p.id = a.person_id
  LEFT OUTER JOIN role_grants AS g ON g.person_id = p.id AND g.revoked_at IS NULL
  LEFT OUTER JOIN chat_states AS s ON s.channel = a.channel AND s.chat_id = q.chat
  WHERE a.channel = q.channel AND a.external_id = q.external
  OFFSET 0
) AS r
"""


def _identify_many(slots: int) -> str:
    """The batched read for `slots` messages ($1-$3 the first one's chat, channel and
    external id, $4-$6 the second's...)."""
    rows = ", ".join(f"(${3 * n + 1}::text, ${3 * n + 2}::text, ${3 * n + 3}::text, {n + 1})"
                     for n in range(slots))
    return " ".join(_PG_IDENTIFY_MANY.format(slots=rows).split())
_UPDATE_ORDER = ("flow", "step", "data", "menu", "start", "now", "new", "channel", "chat", "old")
_TOUCH_ORDER = ("seen", "chat", "account")


def _sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite DateTime stores it (AwareDateTime: naive UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to an aware column")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_read_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _pg_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to an aware column")
    return value.astimezone(UTC)


def _pg_read_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _identity(channel: str, external_id: str, chat_id: str, rows: Sequence[Sequence[Any]],
              when: Any, loads: Any) -> Identity | None:
    """Build the Identity of `identify`'s rows (`when` reads a datetime, `loads` JSON)."""
    if not rows:
        return None
    first = rows[0]
    person_id = first[1]
    account = Account(first[0], person_id, channel, external_id, first[2], when(first[3]))
    person = Person(person_id, first[5], first[6], first[7], first[8], first[9],
                    when(first[10]), first[11])
    grants = tuple(Grant(row[12], person_id, row[13], row[14], row[15], when(row[16]), None)
                   for row in rows if row[12] is not None)
    if first[17] is None:
        state = ChatState(channel, chat_id)
    else:
        data, menu = loads(first[20]), loads(first[21])
        state = ChatState(channel, chat_id, first[18], first[19], dict(data or {}),
                          [list(m) for m in menu or []], first[22])
        state.loaded = _snapshot(state)
        state.revision = first[23]
    return Identity(account, person, grants, when(first[4]), state)


def _created(channel: str, external_id: str, chat_id: str, person_id: int, account_id: int,
             now: datetime) -> Identity:
    """The identity `create` stored: an empty resident, their account seen now, the chat's
    empty state at revision 0 (as ChatStateRepo stores a first state)."""
    state = ChatState(channel, chat_id)
    state.loaded = _snapshot(state)
    state.revision = 0
    return Identity(Account(account_id, person_id, channel, external_id, chat_id, None),
                    Person(person_id, None, None, None, NEW_ROLE, None, None, None), (), now,
                    state)


def _changed(states: list[ChatState]) -> list[tuple[ChatState, tuple[Any, ...]]]:
    """The states that would write something, with their snapshots (stored rows only)."""
    if any(state.forget or state.revision is None for state in states):
        raise ValueError("only stored states, none to forget, are saved together")
    todo = [(state, _snapshot(state)) for state in states]
    return [(state, snapshot) for state, snapshot in todo if snapshot != state.loaded]


def _stored(states: list[ChatState], changed: list[tuple[ChatState, tuple[Any, ...]]],
            saved: list[bool]) -> list[bool]:
    """Mark the states written as read at their new revision; tell for each whether it
    was (an unchanged state counts as written)."""
    outcome: dict[int, bool] = {}
    for (state, snapshot), ok in zip(changed, saved, strict=True):
        outcome[id(state)] = ok
        if ok:
            state.revision = (state.revision or 0) + 1
            state.loaded = snapshot
    return [outcome.get(id(state), True) for state in states]


class PeopleDriver:
    """`identify` and the batched writes of chat states and last-seen times, on the driver
    (see the module's docstring); `for_engine` gives the one an engine supports."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @staticmethod
    def for_engine(engine: AsyncEngine) -> PeopleDriver | None:
        """Return the driver path of a SQLite (aiosqlite) or PostgreSQL (asyncpg) engine."""
        dialect = engine.dialect
        if dialect.name == "sqlite" and dialect.driver == "aiosqlite":
            return SqlitePeople(engine)
        if dialect.name == "postgresql" and dialect.driver == "asyncpg":
            return PostgresPeople(engine)
        return None

    async def identify(self, channel: str, external_id: str, chat_id: str
                       ) -> Identity | None:
        """Return the account of a channel user with its person, grants in force and the
        chat's state (PeopleRepo.identify with a chat id), if known."""
        raise NotImplementedError

    async def create(self, channel: str, external_id: str, chat_id: str, now: datetime
                     ) -> Identity | None:
        """Create a new person with their first channel account and, when the chat has
        none stored, its empty state, in one short write (PeopleRepo.create_with_account
        and the state's first row): a first contact then takes the path of every other
        message (its state saved with the next batch of writes). Return the new identity;
        None when the account exists meanwhile (created by another process) or the chat
        already has a stored state: nothing is left half done, the message then takes the
        usual way (that finds the account)."""
        raise NotImplementedError

    async def save_states_and_touch(self, states: list[ChatState],
                                    touches: list[tuple[int, str, datetime]],
                                    now: datetime,
                                    done: Sequence[tuple[DoneMark, ChatState | None]] = ()
                                    ) -> list[bool]:
        """In one transaction: each changed state written only if its stored row is still
        at the revision read (ChatStateRepo.save_all_if_unchanged), the accounts seen
        (PeopleRepo.touch_accounts), and the inbox rows of `done` closed as done
        (storage.inbox.marks), each only if the state it comes with (if any) was written
        and the row is still claimed by the mark's owner (the marks tried are settled once
        committed); tell for each state whether it was written. States and touches come in
        key order (two processes lock rows in the same order)."""
        changed = _changed(states)
        if not changed and not touches and not done:
            return [True] * len(states)
        return _stored(states, changed, await self._write(changed, touches, now, done))

    async def _write(self, changed: list[tuple[ChatState, tuple[Any, ...]]],
                     touches: list[tuple[int, str, datetime]], now: datetime,
                     done: Sequence[tuple[DoneMark, ChatState | None]]) -> list[bool]:
        """save_states_and_touch's statements for the states that changed: whether each
        was written."""
        raise NotImplementedError


class SqlitePeople(PeopleDriver):
    """sqlite3 on the event loop: microseconds per statement, nothing to wait for (WAL)."""

    IDENTIFY = _sql(_IDENTIFY, _IDENTIFY_ORDER, "qmark")
    UPDATE_IF = _sql(_STATE_UPDATE_IF, _UPDATE_ORDER, "qmark")
    TOUCH = _sql(_TOUCH, _TOUCH_ORDER, "qmark")

    async def identify(self, channel: str, external_id: str, chat_id: str
                       ) -> Identity | None:
        rows = await greenlet_spawn(self._read, self.IDENTIFY, (chat_id, channel, external_id))
        return _identity(channel, external_id, chat_id, rows, _sqlite_read_time, _loads)

    async def create(self, channel: str, external_id: str, chat_id: str, now: datetime
                     ) -> Identity | None:
        at = _sqlite_time(now)
        try:
            ids = await greenlet_spawn(self._create, channel, external_id, chat_id, at)
        except sqlite3.IntegrityError:
            return None  # rolled back: the account exists
        if ids is None:
            return None  # the chat has a stored state: nothing inserted
        return _created(channel, external_id, chat_id, *ids, now)

    def _create(self, channel: str, external_id: str, chat_id: str, at: str
                ) -> tuple[int, int] | None:
        with self._transaction() as raw:
            if raw.execute(_SQLITE_STATE, (channel, chat_id, at)).rowcount != 1:
                return None
            person_id = raw.execute(_SQLITE_PERSON, (NEW_ROLE, at, at)).lastrowid
            account_id = raw.execute(_SQLITE_ACCOUNT, (
                person_id, channel, external_id, chat_id, at, at)).lastrowid
        return int(person_id or 0), int(account_id or 0)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A transaction the engine begins (BEGIN IMMEDIATE, in turn for the writer) and
        ends, its sqlite3 connection given: called inside one greenlet (greenlet_spawn),
        the whole write is one hand-over to SQLAlchemy's async layer, not one per step."""
        with self.engine.sync_engine.connect() as conn, conn.begin():
            yield _sqlite(conn.connection)

    def _read(self, statement: str, parameters: tuple[Any, ...]) -> list[Any]:
        """A pool connection taken, read and given back, in one step (a greenlet)."""
        connection = self.engine.sync_engine.raw_connection()
        try:
            # Outside a transaction (autocommit): the statement is its own read snapshot.
            rows: list[Any] = _sqlite(connection).execute(statement, parameters).fetchall()
            return rows
        finally:
            connection.close()

    async def _write(self, changed: list[tuple[ChatState, tuple[Any, ...]]],
                     touches: list[tuple[int, str, datetime]], now: datetime,
                     done: Sequence[tuple[DoneMark, ChatState | None]]) -> list[bool]:
        return await greenlet_spawn(self._write_sync, changed, touches, now, done)

    def _write_sync(self, changed: list[tuple[ChatState, tuple[Any, ...]]],
                    touches: list[tuple[int, str, datetime]], now: datetime,
                    done: Sequence[tuple[DoneMark, ChatState | None]]) -> list[bool]:
        updated = _sqlite_time(now)
        saved: list[bool] = []
        with self._transaction() as raw:
            for state, _ in changed:
                cursor = raw.execute(self.UPDATE_IF, (
                    state.flow, state.step, json.dumps(state.data), json.dumps(state.menu),
                    state.start_payload, updated, (state.revision or 0) + 1, state.channel,
                    state.chat_id, state.revision))
                saved.append(cursor.rowcount == 1)
            if touches:
                raw.executemany(self.TOUCH, [(_sqlite_time(seen), chat, account)
                                             for account, chat, seen in touches])
            marks = _closing(done, changed, saved)
            owners: dict[str | None, list[int]] = {}
            for mark in marks:
                owners.setdefault(mark.owner, []).append(mark.row_id)
            closed: set[int] = set()
            for owner, rows in owners.items():
                closed.update(row for (row,) in raw.execute(
                    _SQLITE_CLOSE.format(marks=", ".join("?" * len(rows))),
                    (InboxStatus.DONE.value, _sqlite_time(datetime.now(UTC)), *rows, owner,
                     owner)).fetchall())
        settle(marks, closed)
        return saved


# An inbox row closed as done with the message's effects, if still claimed by the mark's
# owner (storage.inbox.repo.close_rows).
_SQLITE_CLOSE = ("UPDATE inbox SET status = ?, finished_at = ?, payload = NULL, error = NULL "
                 "WHERE id IN ({marks}) AND status IN ('handling', 'answering') "
                 "AND (? IS NULL OR claimed_by = ?) RETURNING id")


def _closing(done: Sequence[tuple[DoneMark, ChatState | None]],
             changed: list[tuple[ChatState, tuple[Any, ...]]], saved: list[bool]
             ) -> list[DoneMark]:
    """The marks to close: those whose state was written, unchanged, or absent."""
    lost = {id(state) for (state, _), ok in zip(changed, saved, strict=True) if not ok}
    return sorted({mark.row_id: mark for mark, state in done
                   if state is None or id(state) not in lost}.values(),
                  key=lambda mark: mark.row_id)


def _sqlite(connection: PoolProxiedConnection) -> Any:
    """The sqlite3 connection under a pooled aiosqlite one (storage.sqlite_driver)."""
    return connection.driver_connection._conn  # type: ignore[union-attr]


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _as_is(value: Any) -> Any:
    return value


# Arrays of the states (columns 1-8), the touches (10-12) and the inbox rows to close with
# the chat each waits on and the owner that must still hold each (15-18; 13 their status, 14
# the real time); 9 is the time written. The closes' ids come back after the saved chats.
# Every array goes as text[], cast on the server: asyncpg knows text[] by itself, while an
# integer[], varchar[] or timestamptz[] parameter makes each new connection look the type up
# first (its catalog query, planned anew each time, cost PostgreSQL about 8 ms of CPU per
# type and connection: a quarter of the server's CPU in the first burst after a start).
# Each array is read through a sub-select, `(SELECT $1::text[])`: the server then guesses
# its length (10) without looking at it, the same whatever the batch, and keeps one plan
# for the statement after its first five runs on a connection; given the arrays
# themselves, it planned the statement anew at every run (about 0.15 ms of its CPU each,
# most of the statement's cost). The plan is still redone when the tables' statistics
# change.
_PG_SAVE_AND_TOUCH = """
WITH seen AS (
  UPDATE channel_accounts AS a SET last_seen_at = t.seen, chat_id = t.chat, blocked_at = NULL
  FROM unnest((SELECT $10::text[])::integer[], (SELECT $11::text[]),
              (SELECT $12::text[])::timestamptz[])
       AS t(id, chat, seen)
  WHERE a.id = t.id
  RETURNING a.id
), saved AS (
  UPDATE chat_states AS s
  SET flow = v.flow, step = v.step, data = v.data::json, menu = v.menu::json,
      start_payload = v.start_payload, updated_at = $9, revision = v.revision + 1
  FROM unnest((SELECT $1::text[]), (SELECT $2::text[]), (SELECT $3::text[])::integer[],
              (SELECT $4::text[]), (SELECT $5::text[]), (SELECT $6::text[]),
              (SELECT $7::text[]), (SELECT $8::text[]))
       AS v(channel, chat_id, revision, flow, step, data, menu, start_payload)
  WHERE s.channel = v.channel AND s.chat_id = v.chat_id AND s.revision = v.revision
  RETURNING s.channel, s.chat_id
), closed AS (
  UPDATE inbox AS i SET status = $13::varchar, finished_at = $14::timestamptz,
         payload = NULL, error = NULL
  FROM unnest((SELECT $15::text[])::integer[], (SELECT $16::text[]), (SELECT $17::text[]),
              (SELECT $18::text[]))
       AS m(id, channel, chat_id, owner)
  WHERE i.id = m.id AND i.status IN ('handling', 'answering')
    AND (m.owner IS NULL OR i.claimed_by = m.owner) AND (m.chat_id IS NULL OR EXISTS (
    SELECT 1 FROM saved AS w WHERE w.channel = m.channel AND w.chat_id = m.chat_id))
  RETURNING i.id
)
SELECT channel, chat_id, NULL::integer FROM saved UNION ALL SELECT NULL, NULL, id FROM closed
"""


# A first contact in one statement (atomic on its own, no transaction around it): the
# chat's empty state, then the person and their account only if that state was inserted
# (a chat with a stored state: nothing inserted, no row returned). Its commit does not wait
# for the disk (synchronous_commit off for this transaction, set by the first step): it is
# acknowledged to no one, and a reply to the message goes only after a commit that waits
# (the inbox row's close, bot.channels.inbox), which also makes this one durable (the log
# is flushed in order). A crash of the server that loses it loses that close too: the
# update is handled again and the person created again.
_PG_CREATE = """
WITH c AS (
  SELECT set_config('synchronous_commit', 'off', true)
), s AS (
  INSERT INTO chat_states (channel, chat_id, data, menu, updated_at, revision)
  SELECT $3, $5, '{}', '[]', $2, 0 FROM c ON CONFLICT DO NOTHING RETURNING revision
), p AS (
  INSERT INTO persons (role, created_at, updated_at) SELECT $1, $2, $2 FROM s RETURNING id
), a AS (
  INSERT INTO channel_accounts (person_id, channel, external_id, chat_id, created_at,
                                last_seen_at)
  SELECT id, $3, $4, $5, $2, $2 FROM p RETURNING id, person_id
)
SELECT person_id, id FROM a
"""


_UNIQUE_VIOLATION = "23505"  # the account was created meanwhile (another process)


class PostgresPeople(PeopleDriver):
    """asyncpg: prepared statements cached per connection; JSON comes decoded by the codec
    SQLAlchemy's dialect sets on each connection, and goes as text.

    A batch of writes is one statement: the accounts' last-seen times (a data-modifying
    WITH, always run to completion) and each chat state whose row is still at the revision
    read, which the statement returns. Rows are locked in the order the plan meets them,
    not in key order: two processes' batches sharing two chats (a person's messages are
    answered one after another, so hardly ever) may deadlock, and PostgreSQL then fails
    one of them, whose messages are handled again (nothing written, nothing lost).

    The reads of a process go one statement at a time (`identify`): those asked for while
    one runs (the messages claimed together start together) are read together by the next.
    First contacts are written one at a time too. So a process's reads and writes here hold
    a connection or two, not one per message in flight: fewer server processes, each with
    its statements planned once (a new connection plans each of them five times first)."""

    IDENTIFY = _sql(_IDENTIFY, _IDENTIFY_ORDER, "numeric")
    IDENTIFY_MANY: ClassVar[dict[int, str]] = {
        slots: _identify_many(slots) for slots in IDENTIFY_SLOTS}
    SAVE_AND_TOUCH = " ".join(_PG_SAVE_AND_TOUCH.split())
    CREATE = " ".join(_PG_CREATE.split())

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        # The reads asked for and not begun yet: (chat, channel, external id, the asker).
        self._asked: list[tuple[str, str, str, asyncio.Future[list[Any]]]] = []
        self._reader: asyncio.Task[None] | None = None
        self._creating: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        """A pool connection's asyncpg connection, outside any transaction (autocommit);
        one that failed is invalidated (a statement cancelled half-way leaves it in no
        known state)."""
        connection = await self.engine.raw_connection()
        try:
            yield connection.driver_connection
        except BaseException:
            with contextlib.suppress(Exception):
                await greenlet_spawn(connection.invalidate)
            raise
        await greenlet_spawn(connection.close)

    async def identify(self, channel: str, external_id: str, chat_id: str
                       ) -> Identity | None:
        asked: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._asked.append((chat_id, channel, external_id, asked))
        reader = self._reader
        if reader is None or reader.done() or reader.get_loop() is not asked.get_loop():
            # Begins once the tasks already woken (the messages claimed with this one) have
            # asked for theirs.
            self._reader = asyncio.create_task(self._read_asked(), name="people-reads")
        rows = await asked
        return _identity(channel, external_id, chat_id, rows, _pg_read_time, _as_is)

    async def _read_asked(self) -> None:
        """Read what is asked for, IDENTIFY_SLOTS[-1] at most per statement, one statement
        at a time; each asker gets its rows (or the statement's error)."""
        while self._asked:
            most = IDENTIFY_SLOTS[-1]
            batch = [asked for asked in self._asked[:most] if not asked[3].done()]
            del self._asked[:most]
            if not batch:
                continue
            try:
                rows = await self._read(batch)
            except Exception as exc:
                for *_key, asked in batch:
                    if not asked.done():
                        asked.set_exception(exc)
                continue
            except BaseException:  # cancelled (a stop): so is every read still waiting
                for *_key, asked in [*batch, *self._asked]:
                    asked.cancel()
                self._asked.clear()
                raise
            for (*_key, asked), found in zip(batch, rows, strict=True):
                if not asked.done():
                    asked.set_result(found)

    async def _read(self, batch: list[tuple[str, str, str, Any]]) -> list[list[Any]]:
        """The rows of each read of `batch`, in its order (a person's grants by id)."""
        async with self.connection() as driver:
            if len(batch) == 1:
                chat, channel, external, _asked = batch[0]
                return [list(await driver.fetch(self.IDENTIFY, chat, channel, external))]
            slots = next(n for n in IDENTIFY_SLOTS if n >= len(batch))
            values: list[str | None] = [None] * (3 * slots)
            for n, (chat, channel, external, _asked) in enumerate(batch):
                values[3 * n:3 * n + 3] = chat, channel, external
            rows = await driver.fetch(self.IDENTIFY_MANY[slots], *values)
        found: list[list[Any]] = [[] for _ in batch]
        for row in rows:
            found[row[0] - 1].append(tuple(row)[1:])
        for person in found:
            if len(person) > 1:
                person.sort(key=lambda row: row[12])  # grants by id, as IDENTIFY orders them
        return found

    async def create(self, channel: str, external_id: str, chat_id: str, now: datetime
                     ) -> Identity | None:
        loop = asyncio.get_running_loop()
        if self._creating is None or self._creating[0] is not loop:
            self._creating = (loop, asyncio.Lock())
        async with self._creating[1]:  # one connection for the first contacts of a burst
            return await self._create(channel, external_id, chat_id, now)

    async def _create(self, channel: str, external_id: str, chat_id: str, now: datetime
                      ) -> Identity | None:
        at = _pg_time(now)
        async with self.connection() as driver:
            try:
                row = await driver.fetchrow(self.CREATE, NEW_ROLE, at, channel, external_id,
                                            chat_id)
            except Exception as exc:  # the connection stays usable: only this failed
                if getattr(exc, "sqlstate", None) == _UNIQUE_VIOLATION:
                    return None
                raise
        if row is None:
            return None  # the chat has a stored state: nothing inserted
        return _created(channel, external_id, chat_id, row[0], row[1], now)

    async def _write(self, changed: list[tuple[ChatState, tuple[Any, ...]]],
                     touches: list[tuple[int, str, datetime]], now: datetime,
                     done: Sequence[tuple[DoneMark, ChatState | None]]) -> list[bool]:
        # Each row to close with the chat whose state must be written for it, or none
        # (no state, or one unchanged): the statement closes it when that state was.
        moved = {id(state) for state, _ in changed}
        closing = [(mark, *((state.channel, state.chat_id) if state is not None
                            and id(state) in moved else (None, None)))
                   for mark, state in done]
        # The last touch of an account wins, as when they were written one after another.
        last = {account: (chat, seen) for account, chat, seen in touches}
        async with self.connection() as driver:
            # One statement, one round trip, atomic on its own (no BEGIN, no COMMIT).
            written = await driver.fetch(
                self.SAVE_AND_TOUCH,
                [state.channel for state, _ in changed], [state.chat_id for state, _ in changed],
                [str(state.revision) for state, _ in changed],
                [state.flow for state, _ in changed], [state.step for state, _ in changed],
                [json.dumps(state.data) for state, _ in changed],
                [json.dumps(state.menu) for state, _ in changed],
                [state.start_payload for state, _ in changed], _pg_time(now),
                [str(account) for account in last], [chat for chat, _ in last.values()],
                [_pg_time(seen).isoformat() for _, seen in last.values()],
                InboxStatus.DONE.value, datetime.now(UTC),
                [str(mark.row_id) for mark, _, _ in closing],
                [channel for _, channel, _ in closing], [chat for _, _, chat in closing],
                [mark.owner for mark, _, _ in closing])
        stored = {(row[0], row[1]) for row in written if row[2] is None}
        # Settled: the marks whose state was written (or that had none to wait on).
        settle([mark for mark, channel, chat in closing
                if chat is None or (channel, chat) in stored],
               {row[2] for row in written if row[2] is not None})
        return [(state.channel, state.chat_id) in stored for state, _ in changed]
