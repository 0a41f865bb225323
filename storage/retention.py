"""Queries of the retention run: who has been inactive, and marking them warned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import ChannelAccountRow, PersonRow


@dataclass(frozen=True, slots=True)
class Inactive:
    """A person not seen since `last_seen` (warned at `warned_at`, if so)."""

    person_id: int
    last_seen: datetime
    warned_at: datetime | None


async def find_inactive(session: AsyncSession, idle_since: datetime) -> list[Inactive]:
    """Return people (not deleted) whose last message is older than idle_since."""
    last_seen = func.coalesce(func.max(ChannelAccountRow.last_seen_at), PersonRow.updated_at)
    rows = await session.execute(
        select(PersonRow.id, func.max(ChannelAccountRow.last_seen_at), PersonRow.updated_at,
               PersonRow.retention_warned_at)
        .outerjoin(ChannelAccountRow, ChannelAccountRow.person_id == PersonRow.id)
        .where(PersonRow.deleted_at.is_(None))
        .group_by(PersonRow.id, PersonRow.updated_at, PersonRow.retention_warned_at)
        .having(last_seen < idle_since)
        .order_by(PersonRow.id))
    out = []
    for person_id, seen, updated, warned in rows.all():
        moment = _aware(seen) if seen is not None else updated
        out.append(Inactive(person_id, moment, warned))
    return out


def _aware(value: datetime) -> datetime:
    # Defensive: a backend may hand max() back without a zone; it was stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def mark_warned(session: AsyncSession, person_id: int, now: datetime) -> None:
    """Record that the person was warned of the coming anonymisation."""
    await session.execute(update(PersonRow).where(PersonRow.id == person_id)
                          .values(retention_warned_at=now))
