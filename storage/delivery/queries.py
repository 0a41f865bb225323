"""Queries of the delivery engine beside the repositories: the account a notice goes to,
blocked accounts, and walking a broadcast audience (a Select an audience provider gives)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import ChannelAccountRow, PersonRow
from storage.delivery.repo import Reach, recipients_query


async def reachable_account(session: AsyncSession, person_id: int) -> tuple[int, str] | None:
    """Return (account id, channel) of the person's last used account not blocking the bot."""
    account = await session.scalar(
        select(ChannelAccountRow).where(ChannelAccountRow.person_id == person_id,
                                        ChannelAccountRow.blocked_at.is_(None))
        .order_by(ChannelAccountRow.last_seen_at.desc(), ChannelAccountRow.id.desc())
        .limit(1))
    return None if account is None else (account.id, account.channel)


async def block_account(session: AsyncSession, account_id: int, now: datetime) -> None:
    """Record that a channel account blocked the bot (the first time only)."""
    await session.execute(
        update(ChannelAccountRow).where(ChannelAccountRow.id == account_id,
                                        ChannelAccountRow.blocked_at.is_(None))
        .values(blocked_at=now))


async def count_recipients(session: AsyncSession, people: Select[Any], purpose: str,
                           kind: str, reach: Reach) -> dict[str, int]:
    """Return how many of an audience's people can be reached, per channel."""
    rows = await session.execute(recipients_query(PersonRow.id.in_(people.correlate(None)),
                                                  purpose, kind, reach))
    counts: dict[str, int] = {}
    for _person, _account, channel in rows.all():
        counts[channel] = counts.get(channel, 0) + 1
    return counts


async def audience_ids_after(session: AsyncSession, people: Select[Any], after: int,
                             limit: int) -> list[int]:
    """Return the next audience ids above `after`, in order (a keyset page)."""
    # The ids first, then the recipients among them: two plain index walks, whatever plan
    # the database would pick for a join.
    audience = people.correlate(None).subquery()
    return list(dict.fromkeys(await session.scalars(
        select(audience.c[0]).where(audience.c[0] > after)
        .order_by(audience.c[0]).limit(limit))))


async def recipients_among(session: AsyncSession, ids: Sequence[int], purpose: str, kind: str,
                           reach: Reach) -> list[tuple[int, int, str]]:
    """Return (person, account, channel) of the reachable people among `ids`, sorted."""
    rows = await session.execute(recipients_query(PersonRow.id.in_(ids), purpose, kind, reach))
    return sorted((person, account, channel) for person, account, channel in rows.all())
