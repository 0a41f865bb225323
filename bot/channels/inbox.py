"""Durable intake: updates are stored before the platform is told they were received.

Each process has an owner id (`host:pid:random`); rows it claims carry it. At start a
channel requeues what stopped processes left half-done (on this host: their pid is gone;
elsewhere: after the lease). A channel closes a row as done before its replies go (in the
transaction of the message's effects when there is one, storage.inbox.marks): a process
that dies while sending never answers that update again, at most one answer per update.
(A row marked "answering" by a process that died is closed as "unsure", likewise.)

What waits for the disk (PostgreSQL's synchronous_commit), and why that is enough:
- A store is acknowledged to the platform (the next poll's offset, the webhook's 200): its
  commit waits for the disk, always (a round holding one waits as a whole).
- A close (or an "answering" mark) comes before a reply to a person: its commit waits for
  the disk, and it takes only a row still claimed (handling or answering) by this process
  (`claimed_by = owner AND status IN (...)`, storage.inbox.repo.close_rows). A close that
  does not take sends nothing (support.Reclaimed).
- A claim is acknowledged to no one: a round of claims alone commits without waiting.
  A crash of the database server may then lose a claim whose update is being handled here:
  the row is pending again, and this process (another worker's claim) or another process
  may claim and handle it a second time. Both handlers may run to the end, but only one
  close can take: the first to commit leaves the row done, which the other's condition
  refuses; a claim by another owner also refuses this one's. So only one of them answers,
  and since the close that took is on disk before its reply goes, no later crash brings the
  row back (final rows are never requeued). The one that did not close sends nothing; the
  effects it committed with its refused close stay (the other handler reads them: as when a
  crash falls between a message's commit and its reply). Losing the claim cannot lose the
  update: its row was stored durably, and any later commit that waits for the disk (a
  store, a close) also makes the earlier claim durable (the log is flushed in order).
  Test: tests/channels/test_inbox.py, an update claimed again is answered once.
- A first contact's rows (storage.people_driver's `create`) are acknowledged to no one
  either and commit without waiting: the close before the reply, which waits, makes them
  durable; a crash that loses them loses that close too, and the update is handled again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.inbox.repo import (
    InboxItem,
    InboxRepo,
    InboxStatus,
    Recovered,
    claim_rows,
    close_rows,
    mark_answering,
    stale_cutoff,
    store_rows,
)
from storage.sqlite_driver import inline_statements

logger = logging.getLogger(__name__)

T = TypeVar("T")
WRITE_RETRIES = 4


def _utcnow() -> datetime:
    return datetime.now(UTC)


def make_owner() -> str:
    """Return this process's claim id."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def owner_is_gone(owner: str, me: str) -> bool:
    """Tell whether the process that wrote `owner` has certainly stopped (same host only)."""
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    my_host, _, my_rest = me.partition(":")
    if host != my_host or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if owner == me:
        return False
    if pid == int(my_rest.partition(":")[0]):
        return True  # our pid, another run: e.g. pid 1 in a restarted container
    return not _pid_alive(pid)


@dataclass
class _Round:
    """Inbox writes waiting for the next transaction, with whoever waits on them."""

    stores: list[tuple[str, Sequence[tuple[str, dict[str, Any]]], asyncio.Future[None]]] = \
        field(default_factory=list)
    answering: list[tuple[int, asyncio.Future[bool] | None]] = field(default_factory=list)
    closes: list[tuple[int, InboxStatus, str | None, asyncio.Future[bool] | None]] = \
        field(default_factory=list)
    claims: list[tuple[str, int, asyncio.Future[list[InboxItem]]]] = \
        field(default_factory=list)
    # A channel's worker waiting for its next updates (Inbox.wait_stored): up to that many
    # of the updates this round stores for the channel are stored claimed, and handed to it.
    handoffs: dict[str, tuple[int, asyncio.Future[list[InboxItem]]]] = \
        field(default_factory=dict)
    # Channels whose stored updates were not all handed over: their workers are woken.
    unclaimed: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.stores or self.answering or self.closes or self.claims)

    def __len__(self) -> int:
        return len(self.stores) + len(self.answering) + len(self.closes) + len(self.claims)

    def futures(self) -> list[asyncio.Future[Any]]:
        """Return the futures of the waiting callers."""
        waiting: list[asyncio.Future[Any] | None] = [f for *_x, f in self.stores]
        waiting += [f for _i, f in self.answering]
        waiting += [f for *_x, f in self.closes]
        waiting += [f for *_x, f in self.claims]
        waiting += [f for _n, f in self.handoffs.values()]
        return [f for f in waiting if f is not None]

    def statements(self) -> int:
        """Return how many statements the round runs (one per kind and channel or close)."""
        return (len({channel for channel, *_x in self.stores}) + bool(self.answering)
                + len({(status, error) for _i, status, error, _f in self.closes})
                + len({channel for channel, *_x in self.claims}))

    def split(self) -> list[_Round]:
        """Return one round per request (to find the one a failed round tripped on)."""
        return ([_Round(stores=[s]) for s in self.stores]
                + [_Round(answering=[a]) for a in self.answering]
                + [_Round(closes=[c]) for c in self.closes]
                + [_Round(claims=[c]) for c in self.claims])


class Inbox:
    """The inbox of one process, shared by its channels.

    Every write (store, claim, mark answering, close) joins the next round: the writes
    requested while a round runs share one transaction and one statement per kind, so
    concurrent handlers do not take SQLite's single writer (or a PostgreSQL round trip)
    one by one. A caller that waits on a write is woken once it is committed.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *,
                 lease_seconds: float = 600.0, keep_hours: float = 48.0,
                 now: Callable[[], datetime] = _utcnow, owner: str | None = None) -> None:
        self.sessions = sessions
        self.owner = owner or make_owner()
        self.lease_seconds = lease_seconds
        self.keep = timedelta(hours=keep_hours)
        self._now = now
        self._wakeups: dict[str, asyncio.Event] = {}
        self._next = _Round()
        self._parked: dict[str, tuple[int, asyncio.Future[list[InboxItem]]]] = {}
        self._flusher: asyncio.Task[None] | None = None
        bind = sessions.kw.get("bind")
        self._engine = bind if isinstance(bind, AsyncEngine) else None
        # PostgreSQL: a round of one statement runs it outside a transaction (it is atomic
        # on its own): no BEGIN and COMMIT, one round trip instead of three. (SQLite: every
        # write goes through BEGIN IMMEDIATE, where this process's writers queue.)
        self._autocommit = (self._engine.execution_options(isolation_level="AUTOCOMMIT")
                            if self._engine is not None
                            and self._engine.dialect.name == "postgresql" else None)

    def wakeup(self, channel: str) -> asyncio.Event:
        """Return the event set when `channel` stored new updates."""
        return self._wakeups.setdefault(channel, asyncio.Event())

    async def _write(self, action: Callable[[InboxRepo], Awaitable[T]], *,
                     attempts: int = WRITE_RETRIES, inline: bool = False) -> T:
        """Run `action` in a transaction and commit it, retried; `inline`: its statements
        are small indexed ones (a round's), run on the event loop on SQLite rather than a
        hop to the connection's thread each (storage.sqlite_driver)."""
        for attempt in range(attempts):
            try:
                async with self.sessions() as session:
                    if inline:
                        with inline_statements():
                            result = await action(InboxRepo(session))
                    else:
                        result = await action(InboxRepo(session))
                    await session.commit()
                return result
            except Exception:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.1 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _join(self, queue: list[Any], *request: Any) -> Any:
        """Add a write to the next round and wait until it is committed; return what the
        round gave this request (claimed rows, or None)."""
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue.append((*request, done))
        self._kick()
        return await done

    async def store(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Store updates durably (committed when this returns); raise if that failed."""
        if not updates:
            return
        await self._join(self._next.stores, channel, list(updates))

    async def claim(self, channel: str, limit: int) -> list[InboxItem]:
        """Claim up to `limit` pending updates of a channel for this process."""
        if limit <= 0:
            return []
        claimed: list[InboxItem] = await self._join(self._next.claims, channel, limit)
        return claimed

    async def wait_stored(self, channel: str, limit: int, timeout: float) -> list[InboxItem]:
        """Wait, up to `timeout`, for the next updates of `channel` this process stores (a
        worker that found none pending): up to `limit` of them are stored already claimed for
        it, in the round that stores them, and returned (one write per update instead of a
        store and then a claim). Return [] when none came, or when updates were stored
        without being handed over (`wakeup` set: claim them as usual)."""
        wake = self.wakeup(channel)
        if limit <= 0 or channel in self._parked or wake.is_set():
            return []
        handed: asyncio.Future[list[InboxItem]] = asyncio.get_running_loop().create_future()
        self._parked[channel] = (limit, handed)
        woken = asyncio.ensure_future(wake.wait())
        try:
            waits: set[asyncio.Future[Any]] = {handed, woken}
            await asyncio.wait(waits, timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            if self._parked.get(channel, (0, None))[1] is handed:
                del self._parked[channel]  # no round took it: nothing was claimed for it
                handed.cancel()
        if handed.cancelled():
            return []
        try:
            # A round took it: it ends with the rows it stored claimed for this worker (a
            # stop meanwhile leaves them to release(), which gives back this owner's rows).
            return await handed
        except Exception:
            return []  # that round failed: its updates were stored again without a claim

    async def answering(self, row_id: int) -> bool:
        """Record that replies are about to go (never re-sent after this); committed when
        this returns. False: the row is no longer this process's to answer (see the
        module's docstring): send nothing."""
        marked: bool = await self._join(self._next.answering, row_id)
        return marked

    async def finish(self, row_id: int, status: InboxStatus, error: str | None = None
                     ) -> bool:
        """Close a row still claimed by this process (committed when this returns). False:
        it was not (closed already, or claimed again by another owner): send nothing."""
        closed: bool = await self._join(self._next.closes, row_id, status, error)
        return closed

    async def flush(self) -> None:
        """Wait until every write asked for so far is committed (or has failed)."""
        while self._next or (self._flusher is not None and not self._flusher.done()):
            if self._flusher is None or self._flusher.done():
                self._kick()
            assert self._flusher is not None
            await asyncio.wait({self._flusher})

    def _kick(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox-flush")

    async def _flush(self) -> None:
        while self._next:
            batch, self._next = self._next, _Round()
            for channel in {channel for channel, *_x in batch.stores}:
                if channel in self._parked:
                    batch.handoffs[channel] = self._parked.pop(channel)
            try:
                # A round of one request retries as any write; a larger one that fails is
                # split so that only the request it tripped on fails.
                await self._run_round(batch, attempts=WRITE_RETRIES if len(batch) == 1 else 1)
            except Exception as exc:
                if len(batch) == 1:
                    self._failed(batch, exc)
                    continue
                for _limit, handed in batch.handoffs.values():
                    if not handed.done():
                        handed.set_result([])  # the stores are retried one by one, unclaimed
                for single in batch.split():
                    try:
                        await self._run_round(single, attempts=WRITE_RETRIES)
                    except Exception as single_exc:
                        self._failed(single, single_exc)

    async def _run_round(self, batch: _Round, *, attempts: int) -> None:
        now = self._now()
        claimed = await self._write_round(batch, now, attempts)
        for channel in batch.unclaimed:
            self.wakeup(channel).set()
        for future in batch.futures():
            if not future.done():
                future.set_result(claimed.pop(id(future), None))

    async def _write_round(self, batch: _Round, now: datetime, attempts: int
                           ) -> dict[int, Any]:
        """Write one round in its own transaction, retried: on a connection of the engine,
        the whole round in one synchronous call (no ORM session, one hand-over to the
        driver's greenlet); small indexed statements, run on the event loop on SQLite."""
        engine = self._engine
        if engine is None:
            return await self._write(lambda repo: self._apply(repo, batch, now),
                                     attempts=attempts, inline=True)
        if self._autocommit is not None and batch.statements() == 1:
            engine = self._autocommit
        for attempt in range(attempts):
            try:
                async with engine.connect() as conn:
                    with inline_statements():
                        return await conn.run_sync(self._apply_sync, batch, now)
            except Exception:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.1 * (attempt + 1))
        raise AssertionError("unreachable")

    def _apply_sync(self, conn: Connection, batch: _Round, now: datetime
                    ) -> dict[int, Any]:
        with conn.begin():
            return self._apply_on(conn, batch, now)

    async def _apply(self, repo: InboxRepo, batch: _Round, now: datetime
                     ) -> dict[int, Any]:
        return await repo.session.run_sync(
            lambda session: self._apply_on(session.connection(), batch, now))

    def _apply_on(self, conn: Connection, batch: _Round, now: datetime
                  ) -> dict[int, Any]:
        """Write one round: stores first (their rows can be claimed at once), then marks and
        closes, then the claims, in the order they were asked for."""
        stored: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for channel, updates, _stored in batch.stores:
            stored.setdefault(channel, []).extend(updates)
        # What each waiting caller gets, by id of its future: claimed rows, or whether its
        # mark or close took.
        claimed: dict[int, Any] = {}
        batch.unclaimed = set()
        for channel, updates in stored.items():
            limit, handed = batch.handoffs.get(channel, (0, None))
            items = store_rows(conn, channel, updates, now, claim=limit, owner=self.owner)
            if handed is not None:
                claimed[id(handed)] = items
            if len(items) < len(updates):  # some stored pending (or already stored)
                batch.unclaimed.add(channel)
        marked = set(mark_answering(conn, [row_id for row_id, _marked in batch.answering],
                                    self.owner))
        for row_id, future in batch.answering:
            if future is not None:
                claimed[id(future)] = row_id in marked
        closes: dict[tuple[InboxStatus, str | None], list[int]] = {}
        for row_id, status, error, _closed in batch.closes:
            closes.setdefault((status, error), []).append(row_id)
        closed: set[int] = set()
        for (status, error), row_ids in closes.items():
            closed.update(close_rows(conn, row_ids, status, now, error, self.owner))
        for row_id, _status, _error, future in batch.closes:
            if future is not None:
                claimed[id(future)] = row_id in closed
        wanted: dict[str, int] = {}
        for channel, limit, _claimed in batch.claims:
            wanted[channel] = wanted.get(channel, 0) + limit
        # A round of claims alone need not wait for the disk (claim_rows, module docstring).
        alone = not (batch.stores or batch.answering or batch.closes)
        taken = {channel: claim_rows(conn, channel, self.owner, now, limit, alone=alone)
                 for channel, limit in wanted.items()}
        for channel, limit, done in batch.claims:
            claimed[id(done)], taken[channel] = taken[channel][:limit], taken[channel][limit:]
        return claimed

    def _failed(self, batch: _Round, exc: Exception) -> None:
        for future in batch.futures():
            if not future.done():
                future.set_exception(exc)

    async def recover(self, channel: str) -> Recovered:
        """Requeue what stopped processes left (or what outlived its lease)."""
        now = self._now()

        async def action(repo: InboxRepo) -> Recovered:
            owners = [o for o, _at in await repo.owners(channel)
                      if owner_is_gone(o, self.owner)]
            return await repo.recover(channel, owners, stale_cutoff(now, self.lease_seconds),
                                      now)

        result = await self._write(action)
        self._log_recovered(channel, result)
        return result

    async def release(self, channel: str) -> Recovered:
        """Give back the rows this process still holds (at stop, after the drain timeout);
        the closes still waiting for a round are written first."""
        await self.flush()
        now = self._now()
        result = await self._write(
            lambda repo: repo.recover(channel, [self.owner], now - timedelta(days=3650), now))
        self._log_recovered(channel, result)
        return result

    @staticmethod
    def _log_recovered(channel: str, result: Recovered) -> None:
        if result.requeued:
            logger.warning("%s: %d update(s) interrupted by a stop are handled again",
                           channel, result.requeued)
        if result.unsure:
            logger.warning("%s: %d update(s) were being answered when a process stopped; "
                           "not answered again", channel, result.unsure)

    async def purge(self) -> int:
        """Delete closed rows older than the redelivery window."""
        before = self._now() - self.keep
        return await self._write(lambda repo: repo.purge(before))

    async def counts(self) -> dict[tuple[str, str], int]:
        """Return rows per (channel, status)."""
        async with self.sessions() as session:
            return await InboxRepo(session).counts()


__all__ = ["Inbox", "InboxItem", "InboxStatus", "make_owner", "owner_is_gone"]
