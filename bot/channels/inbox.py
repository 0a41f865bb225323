"""Durable intake: updates are stored before the platform is told they were received.

Each process has an owner id (`host:pid:random`); rows it claims carry it. At start a
channel requeues what stopped processes left half-done (on this host: their pid is gone;
elsewhere: after the lease). A row whose replies were being sent when its process died is
closed as "unsure" and never answered again: at most one answer per update.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.inbox.repo import InboxItem, InboxRepo, InboxStatus, Recovered, stale_cutoff

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


class Inbox:
    """The inbox of one process, shared by its channels."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *,
                 lease_seconds: float = 600.0, keep_hours: float = 48.0,
                 now: Callable[[], datetime] = _utcnow, owner: str | None = None) -> None:
        self.sessions = sessions
        self.owner = owner or make_owner()
        self.lease_seconds = lease_seconds
        self.keep = timedelta(hours=keep_hours)
        self._now = now
        self._wakeups: dict[str, asyncio.Event] = {}
        self._pending: list[tuple[Callable[[InboxRepo], Awaitable[None]],
                                  asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    def wakeup(self, channel: str) -> asyncio.Event:
        """Return the event set when `channel` stored new updates."""
        return self._wakeups.setdefault(channel, asyncio.Event())

    async def _write(self, action: Callable[[InboxRepo], Awaitable[T]]) -> T:
        for attempt in range(WRITE_RETRIES):
            try:
                async with self.sessions() as session:
                    result = await action(InboxRepo(session))
                    await session.commit()
                return result
            except Exception:
                if attempt == WRITE_RETRIES - 1:
                    raise
                await asyncio.sleep(0.1 * (attempt + 1))
        raise AssertionError("unreachable")

    async def store(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Store updates durably (committed when this returns); raise if that failed."""
        if not updates:
            return
        now = self._now()
        await self._write(lambda repo: repo.store(channel, updates, now))
        self.wakeup(channel).set()

    async def claim(self, channel: str, limit: int) -> list[InboxItem]:
        """Claim up to `limit` pending updates of a channel for this process."""
        now = self._now()
        return await self._write(lambda repo: repo.claim(channel, self.owner, now, limit))

    async def answering(self, row_id: int) -> None:
        """Record that replies are about to go (never re-sent after this); committed when
        this returns."""
        await self._batched(lambda repo: repo.answering(row_id))

    async def finish(self, row_id: int, status: InboxStatus, error: str | None = None) -> None:
        """Close a row (committed when this returns)."""
        now = self._now()
        await self._batched(lambda repo: repo.finish(row_id, status, now, error))

    async def _batched(self, action: Callable[[InboxRepo], Awaitable[None]]) -> None:
        """Group commit: the row updates of the updates in flight share one transaction, so
        concurrent handlers do not queue for SQLite's single writer one by one."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((action, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox-flush")
        await done

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []

            async def run_all(repo: InboxRepo, batch: list[Any] = batch) -> None:
                for action, _done in batch:
                    await action(repo)

            try:
                await self._write(run_all)
            except Exception as exc:
                for _action, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _action, done in batch:
                    if not done.done():
                        done.set_result(None)

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
        """Give back the rows this process still holds (at stop, after the drain timeout)."""
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
