"""The inbox repository: store updates once, claim them, record how their handling ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    Text,
    and_,
    any_,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.inbox.models import InboxRow
from storage.rows import changed


class InboxStatus(StrEnum):
    """Where one inbox row is."""

    PENDING = "pending"
    HANDLING = "handling"
    ANSWERING = "answering"
    DONE = "done"
    FAILED = "failed"
    UNSURE = "unsure"


FINAL = (InboxStatus.DONE, InboxStatus.FAILED, InboxStatus.UNSURE)
CLAIMED = (InboxStatus.HANDLING, InboxStatus.ANSWERING)


@dataclass(frozen=True)
class InboxItem:
    """A claimed update: its row id, dedupe key and the payload as the platform sent it."""

    id: int
    update_key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Recovered:
    """What a recovery did: rows queued again, rows given up as possibly answered."""

    requeued: int = 0
    unsure: int = 0


INBOX = cast(Table, InboxRow.__table__)
# The predicate of the queue's partial index, as the index has it (see InboxRow), and the
# status pending rows have (a row is pending exactly while it has no claim time).
UNCLAIMED = INBOX.c.claimed_at.is_(None)
PENDING = and_(UNCLAIMED, INBOX.c.status == literal_column(f"'{InboxStatus.PENDING.value}'"))


def _insert_ignore(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(INBOX).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(INBOX).on_conflict_do_nothing()
    return insert(INBOX).prefix_with("IGNORE")


def row_ids_match(dialect: str, row_ids: Sequence[int]) -> ColumnElement[bool]:
    """Match rows by id: `= ANY(array)` on PostgreSQL (one statement text whatever the
    count, so one prepared statement per connection), IN (...) elsewhere. The array goes
    as text[], cast on the server: asyncpg knows that type by itself, while an integer[]
    parameter makes each new connection look it up in the catalog first (about 8 ms of the
    server's CPU per connection; storage.people_driver)."""
    if dialect == "postgresql":
        ids = literal([str(row_id) for row_id in row_ids], postgresql.ARRAY(Text))
        return INBOX.c.id == any_(sql_cast(ids, postgresql.ARRAY(Integer)))
    return INBOX.c.id.in_(list(row_ids))


# The hot writes (store, claim, mark, close), on a synchronous Connection: the inbox runs
# them for every update a channel takes, a round of them in one call (Connection.run_sync,
# no ORM session, one hand-over to the driver's greenlet for the whole round).


def store_rows(conn: Connection, channel: str, updates: Sequence[tuple[str, dict[str, Any]]],
               now: datetime, *, claim: int = 0, owner: str | None = None
               ) -> list[InboxItem]:
    """Insert updates as pending; one already stored (same channel and key) is skipped.

    `claim`: the first `claim` updates are stored already claimed by `owner` (status
    handling, as claim_rows would leave them) and returned, those stored (a skipped one
    is not): one write per update instead of an insert and then a claim's update."""
    if not updates:
        return []
    claimed = InboxStatus.HANDLING.value
    rows = [{"channel": channel, "update_key": key[:200], "payload": payload,
             "status": claimed if n < claim else InboxStatus.PENDING.value,
             "claimed_by": owner if n < claim else None,
             "claimed_at": now if n < claim else None,
             "received_at": now, "finished_at": None, "error": None}
            for n, (key, payload) in enumerate(updates)]
    if claim <= 0 or owner is None:
        conn.execute(_insert_ignore(conn.dialect.name), rows)
        return []
    stored = conn.execute(
        _insert_ignore(conn.dialect.name).returning(INBOX.c.id, INBOX.c.update_key,
                                                   INBOX.c.status), rows)
    payloads = {key[:200]: payload for key, payload in updates[:claim]}
    items = [InboxItem(row_id, key, dict(payloads[key] or {}))
             for row_id, key, status in stored if status == claimed]
    items.sort(key=lambda item: item.id)
    return items


def claim_rows(conn: Connection, channel: str, owner: str, now: datetime, limit: int, *,
               alone: bool = False) -> list[InboxItem]:
    """Take up to `limit` pending rows, oldest first, skipping rows another process holds
    (one statement: UPDATE the oldest pending (SKIP LOCKED) … RETURNING).

    `alone`: nothing else is committed with the claim (its own transaction). On PostgreSQL
    that commit then returns without waiting for the disk (synchronous_commit off for this
    transaction only): a claim is acknowledged to nobody, and a claim a server crash loses
    can answer no one twice, because a reply goes only after its row's close, which is
    durable and takes only a row still claimed by its owner (`close_rows`; the reasoning is
    in bot.channels.inbox).

    The pending rows are found through their partial index (`claimed_at IS NULL`; the
    status, a literal, only filters them). PostgreSQL matches
    the ids with `= ANY(ARRAY(subquery))`: the locking subquery runs once, and the rows
    are then found by primary key whatever the planner guesses of their number (an
    `IN (subquery)` was planned as a scan of the whole table when it guessed many).
    """
    if limit <= 0:
        return []
    oldest = (select(INBOX.c.id)
              .where(PENDING, INBOX.c.channel == channel)
              .order_by(INBOX.c.id).limit(limit).with_for_update(skip_locked=True))
    if conn.dialect.name == "postgresql":
        # The locked rows are this transaction's until it ends: still pending.
        chosen = INBOX.c.id == any_(func.array(oldest.scalar_subquery()))
        if alone:
            # An InitPlan, run once before the update; for this transaction only.
            chosen = and_(chosen, select(func.set_config(
                literal_column("'synchronous_commit'"), literal_column("'off'"), true()))
                .scalar_subquery().is_not(None))
    else:
        chosen = and_(INBOX.c.id.in_(oldest.scalar_subquery()), PENDING)
    rows = conn.execute(
        update(INBOX).where(chosen)
        .values(status=InboxStatus.HANDLING, claimed_by=owner, claimed_at=now)
        .returning(INBOX.c.id, INBOX.c.update_key, INBOX.c.payload))
    items = [InboxItem(row_id, key, dict(payload or {})) for row_id, key, payload in rows]
    items.sort(key=lambda item: item.id)
    return items


def _held_by(owner: str | None) -> ColumnElement[bool]:
    """Rows still claimed (handling or answering), by `owner` when one is named."""
    held = INBOX.c.status.in_([literal_column(f"'{status.value}'") for status in CLAIMED])
    return held if owner is None else and_(held, INBOX.c.claimed_by == owner)


def mark_answering(conn: Connection, row_ids: Sequence[int], owner: str | None = None
                   ) -> list[int]:
    """Record that replies are about to be sent: from now on they are never re-sent.
    Only rows still claimed (by `owner`, if named) are marked; return their ids."""
    if not row_ids:
        return []
    rows = conn.execute(update(INBOX)
                        .where(row_ids_match(conn.dialect.name, row_ids), _held_by(owner))
                        .values(status=InboxStatus.ANSWERING).returning(INBOX.c.id))
    return [row_id for (row_id,) in rows]


def close_rows(conn: Connection, row_ids: Sequence[int], status: InboxStatus, now: datetime,
               error: str | None = None, owner: str | None = None) -> list[int]:
    """Close rows still claimed (by `owner`, if named); their payload (personal data) is
    dropped, their key stays for dedupe. Return the ids closed: a row closed already, or
    claimed by another owner since (a claim lost in a crash of the server, then taken
    again), is left as it is, and its handler must not answer (bot.channels.inbox)."""
    if not row_ids:
        return []
    rows = conn.execute(update(INBOX)
                        .where(row_ids_match(conn.dialect.name, row_ids), _held_by(owner))
                        .values(status=status, finished_at=now, payload=None,
                                error=error[:80] if error else None)
                        .returning(INBOX.c.id))
    return [row_id for (row_id,) in rows]


class InboxRepo:
    """SQL of the inbox on a session; the caller commits (the hot writes are the functions
    above, also run here)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def store(self, channel: str, updates: Sequence[tuple[str, dict[str, Any]]],
                    now: datetime) -> None:
        """Insert updates as pending; one already stored (same channel and key) is skipped."""
        if updates:
            await self.session.run_sync(
                lambda s: store_rows(s.connection(), channel, updates, now))

    async def claim(self, channel: str, owner: str, now: datetime, limit: int
                    ) -> list[InboxItem]:
        """Take up to `limit` pending rows, oldest first (see claim_rows)."""
        if limit <= 0:
            return []
        return await self.session.run_sync(
            lambda s: claim_rows(s.connection(), channel, owner, now, limit))

    async def answering(self, row_ids: Sequence[int], owner: str | None = None
                        ) -> list[int]:
        """Record that replies are about to be sent (see mark_answering)."""
        if not row_ids:
            return []
        return await self.session.run_sync(
            lambda s: mark_answering(s.connection(), row_ids, owner))

    async def finish(self, row_ids: Sequence[int], status: InboxStatus, now: datetime,
                     error: str | None = None, owner: str | None = None) -> list[int]:
        """Close rows still claimed (see close_rows); return the ids closed."""
        if not row_ids:
            return []
        return await self.session.run_sync(
            lambda s: close_rows(s.connection(), row_ids, status, now, error, owner))

    async def owners(self, channel: str) -> list[tuple[str, datetime]]:
        """Return the processes holding claimed rows, with their oldest claim time."""
        rows = await self.session.execute(
            select(InboxRow.claimed_by, func.min(InboxRow.claimed_at))
            .where(InboxRow.channel == channel, InboxRow.status.in_(CLAIMED))
            .group_by(InboxRow.claimed_by))
        return [(owner or "", at) for owner, at in rows.all() if at is not None]

    async def recover(self, channel: str, owners: Sequence[str], stale_before: datetime,
                      now: datetime) -> Recovered:
        """Release rows held by stopped processes (`owners`) or claimed before `stale_before`.

        A row still being handled goes back to the queue; a row whose replies were being
        sent is closed as unsure: sending them again could answer the person twice.
        """
        held = or_(InboxRow.claimed_by.in_(list(owners)), InboxRow.claimed_at < stale_before)
        requeued = await self.session.execute(
            update(InboxRow)
            .where(InboxRow.channel == channel, InboxRow.status == InboxStatus.HANDLING, held)
            .values(status=InboxStatus.PENDING, claimed_by=None, claimed_at=None))
        unsure = await self.session.execute(
            update(InboxRow)
            .where(InboxRow.channel == channel, InboxRow.status == InboxStatus.ANSWERING, held)
            .values(status=InboxStatus.UNSURE, finished_at=now, payload=None,
                    error="stopped while answering"))
        return Recovered(int(getattr(requeued, "rowcount", 0) or 0),
                         int(getattr(unsure, "rowcount", 0) or 0))

    async def purge(self, before: datetime) -> int:
        """Delete closed rows finished before `before` (redeliveries are over by then)."""
        result = await self.session.execute(
            delete(InboxRow).where(InboxRow.status.in_(FINAL), InboxRow.finished_at < before))
        return changed(result)

    async def counts(self) -> dict[tuple[str, str], int]:
        """Return the number of rows per (channel, status)."""
        rows = await self.session.execute(
            select(InboxRow.channel, InboxRow.status, func.count())
            .group_by(InboxRow.channel, InboxRow.status))
        return {(channel, status): int(n) for channel, status, n in rows.all()}


def stale_cutoff(now: datetime, lease_seconds: float) -> datetime:
    """Return the claim time before which a claim is considered abandoned."""
    return now - timedelta(seconds=lease_seconds)

