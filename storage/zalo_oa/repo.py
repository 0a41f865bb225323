"""The Zalo OA grant and interaction ledger (all SQL of the channel lives here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import ChannelAccountRow, PersonRow
from storage.zalo_oa.models import ZaloOAGrantRow, ZaloOAInteractionRow

CHUNK = 500


@dataclass(frozen=True, slots=True)
class OAGrant:
    """The stored token pair."""

    oa_id: str
    access_token: str
    refresh_token: str
    expires_at: datetime
    refreshed_at: datetime
    failed_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Interaction:
    """A person's standing with the OA."""

    last_interaction_at: datetime | None
    follower: bool


def _grant(row: ZaloOAGrantRow) -> OAGrant:
    return OAGrant(row.oa_id, row.access_token, row.refresh_token, row.expires_at,
                   row.refreshed_at, row.failed_at, row.last_error)


class ZaloOARepo:
    """Read and write the grant and the ledger in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def grant(self, oa_id: str, *, lock: bool = False) -> OAGrant | None:
        """Return the grant; with `lock`, hold its row until the transaction ends.

        PostgreSQL: SELECT … FOR UPDATE. SQLite: the session's transaction is BEGIN IMMEDIATE
        (storage.db), which already serialises writers.
        """
        query = select(ZaloOAGrantRow).where(ZaloOAGrantRow.oa_id == oa_id)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query)
        return _grant(row) if row is not None else None

    async def save_grant(self, oa_id: str, access_token: str, refresh_token: str,
                         expires_at: datetime, now: datetime) -> None:
        """Store a new pair (replacing the old one) and clear any failure."""
        values = {"access_token": access_token, "refresh_token": refresh_token,
                  "expires_at": expires_at, "refreshed_at": now, "failed_at": None,
                  "last_error": None}
        row = await self.session.get(ZaloOAGrantRow, oa_id)
        if row is None:
            self.session.add(ZaloOAGrantRow(oa_id=oa_id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        await self.session.flush()

    async def record_failure(self, oa_id: str, error: str, now: datetime) -> None:
        """Record that a refresh was refused (the pair is kept for the record)."""
        await self.session.execute(
            update(ZaloOAGrantRow).where(ZaloOAGrantRow.oa_id == oa_id)
            .values(failed_at=now, last_error=error[:200]))

    async def touch(self, oa_id: str, user_id: str, at: datetime,
                    follower: bool | None = None) -> None:
        """Record an interaction at `at` (never moving it back); set following if given
        (a new person counts as following; a message does not change it)."""
        dialect = self.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        table = ZaloOAInteractionRow.__table__
        # A new person is taken as a follower until Zalo says otherwise (unfollow, -213).
        values = {"oa_id": oa_id, "user_id": user_id, "last_interaction_at": at,
                  "follower": True if follower is None else follower, "updated_at": at}
        statement = module.insert(table).values(**values)
        excluded = statement.excluded
        current = table.c.last_interaction_at
        changes = {
            "last_interaction_at": _latest(current, excluded.last_interaction_at),
            "updated_at": excluded.updated_at,
        }
        if follower is not None:
            changes["follower"] = excluded.follower
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.oa_id, table.c.user_id], set_=changes))

    async def set_follower(self, oa_id: str, user_id: str, follower: bool, now: datetime
                           ) -> None:
        """Record a follow or unfollow without counting it as an interaction."""
        dialect = self.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        table = ZaloOAInteractionRow.__table__
        statement = module.insert(table).values(oa_id=oa_id, user_id=user_id,
                                                last_interaction_at=None, follower=follower,
                                                updated_at=now)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.oa_id, table.c.user_id],
            set_={"follower": follower, "updated_at": now}))

    async def interactions(self, oa_id: str, user_ids: Iterable[str]
                           ) -> dict[str, Interaction]:
        """Return the standing of each known person among `user_ids`."""
        ids = list(dict.fromkeys(user_ids))
        found: dict[str, Interaction] = {}
        for start in range(0, len(ids), CHUNK):
            rows = await self.session.execute(
                select(ZaloOAInteractionRow.user_id, ZaloOAInteractionRow.last_interaction_at,
                       ZaloOAInteractionRow.follower)
                .where(ZaloOAInteractionRow.oa_id == oa_id,
                       ZaloOAInteractionRow.user_id.in_(ids[start:start + CHUNK])))
            for user_id, last, follower in rows.all():
                found[user_id] = Interaction(last, bool(follower))
        return found


@dataclass(frozen=True, slots=True)
class ClosingWindow:
    """A registered follower whose window closes soon, and their OA account."""

    person_id: int
    account_id: int
    user_id: str
    last_interaction_at: datetime


async def closing_windows(session: AsyncSession, oa_id: str, channel: str, since: datetime,
                          until: datetime, limit: int = 5000) -> list[ClosingWindow]:
    """Return registered followers whose last interaction is in [since, until] and whose
    account on `channel` has not blocked the bot."""
    rows = await session.execute(
        select(ChannelAccountRow.person_id, ChannelAccountRow.id,
               ZaloOAInteractionRow.user_id, ZaloOAInteractionRow.last_interaction_at)
        .join(ChannelAccountRow, (ChannelAccountRow.channel == channel)
              & (ChannelAccountRow.external_id == ZaloOAInteractionRow.user_id))
        .join(PersonRow, PersonRow.id == ChannelAccountRow.person_id)
        .where(ZaloOAInteractionRow.oa_id == oa_id, ZaloOAInteractionRow.follower.is_(True),
               ZaloOAInteractionRow.last_interaction_at >= since,
               ZaloOAInteractionRow.last_interaction_at <= until,
               ChannelAccountRow.blocked_at.is_(None), PersonRow.registered_at.is_not(None))
        .order_by(ZaloOAInteractionRow.last_interaction_at).limit(limit))
    return [ClosingWindow(p, a, u, last) for p, a, u, last in rows.all() if last is not None]


async def accounts_elsewhere(session: AsyncSession, pairs: Iterable[tuple[str, str]],
                             channel: str) -> list[tuple[int, int, str]]:
    """Return (person, account, channel) of the people behind these (channel, external id)
    pairs, on their most recent unblocked account outside `channel` (to alert admins)."""
    people: set[int] = set()
    for pair_channel, external_id in pairs:
        found = await session.scalar(select(ChannelAccountRow.person_id).where(
            ChannelAccountRow.channel == pair_channel,
            ChannelAccountRow.external_id == external_id))
        if found is not None:
            people.add(found)
    out: list[tuple[int, int, str]] = []
    for person_id in sorted(people):
        row = (await session.execute(
            select(ChannelAccountRow.id, ChannelAccountRow.channel)
            .where(ChannelAccountRow.person_id == person_id, ChannelAccountRow.channel != channel,
                   ChannelAccountRow.blocked_at.is_(None))
            .order_by(ChannelAccountRow.last_seen_at.desc()).limit(1))).first()
        if row is not None:
            out.append((person_id, int(row[0]), str(row[1])))
    return out


def _latest(current: Any, new: Any) -> ColumnElement[Any]:
    """SQL for the later of two timestamps, where the current one may be NULL."""
    return case((current.is_(None), new), (new > current, new), else_=current)
