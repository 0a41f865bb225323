"""Notifications owed to people: producers insert rows, the chat (and later the outbox) delivers.

A row holds a catalog key and its parameters rather than rendered text, so a reworded
catalog applies to notices not yet delivered. `dedupe_key` is unique: producing the same
notice twice (a retried handler, two processes) leaves one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deeds.models import NotificationRow

DEDUPE_KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Notification:
    """One notice for one person."""

    id: int
    person_id: int
    text_key: str
    params: dict[str, Any]
    dedupe_key: str
    created_at: datetime
    delivered_at: datetime | None


def _notification(row: NotificationRow) -> Notification:
    return Notification(row.id, row.person_id, row.text_key, dict(row.params or {}),
                        row.dedupe_key, row.created_at, row.delivered_at)


async def notify(session: AsyncSession, person_id: int, text_key: str, params: dict[str, Any],
                 dedupe_key: str, now: datetime) -> bool:
    """Queue a notice for a person; tell whether it is new (False when the key exists)."""
    if len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValueError("dedupe key too long")
    exists = await session.scalar(
        select(NotificationRow.id).where(NotificationRow.dedupe_key == dedupe_key))
    if exists is not None:
        return False
    try:
        async with session.begin_nested():  # a concurrent twin only undoes this insert
            session.add(NotificationRow(person_id=person_id, text_key=text_key,
                                        params=dict(params), dedupe_key=dedupe_key,
                                        created_at=now))
    except IntegrityError:
        return False
    return True


async def pending(session: AsyncSession, person_id: int, limit: int = 20) -> list[Notification]:
    """Return the person's undelivered notices, oldest first."""
    rows = await session.scalars(
        select(NotificationRow)
        .where(NotificationRow.person_id == person_id, NotificationRow.delivered_at.is_(None))
        .order_by(NotificationRow.id).limit(limit))
    return [_notification(r) for r in rows]


async def mark_delivered(session: AsyncSession, ids: list[int], now: datetime) -> None:
    """Record that notices were shown (an outbox sender will skip them)."""
    if ids:
        await session.execute(
            update(NotificationRow)
            .where(NotificationRow.id.in_(ids), NotificationRow.delivered_at.is_(None))
            .values(delivered_at=now).execution_options(synchronize_session=False))
