"""Helpers for delivery tests: seed many people directly, read the outbox.

register, pick and the other transcript steps are the shared ones in tests/harness.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ChannelAccountRow, ConsentRow, OutboxRow, PersonRow


async def seed_people(sessions: async_sessionmaker[AsyncSession], count: int, now: datetime,
                      *, channel: str = "telegram", unit_code: str = "ls.bac-son.long-dong",
                      role: str = "resident", first_external: int = 100_000,
                      consent: bool = True, batch: int = 5000) -> list[str]:
    """Insert `count` registered people with one account each; return their chat ids."""
    chats: list[str] = []
    async with sessions() as session:
        for start in range(0, count, batch):
            size = min(batch, count - start)
            people = [PersonRow(full_name="Người Thử", birth_year=1990, unit_code=unit_code,
                                role=role, registered_at=now, created_at=now, updated_at=now)
                      for _ in range(size)]
            session.add_all(people)
            await session.flush()
            for offset, person in enumerate(people):
                external = str(first_external + start + offset)
                chats.append(external)
                session.add(ChannelAccountRow(person_id=person.id, channel=channel,
                                              external_id=external, chat_id=external,
                                              created_at=now, last_seen_at=now))
                session.add(ConsentRow(person_id=person.id, purpose="reminders",
                                       granted=consent, policy_version="2026.1",
                                       channel=channel, decided_at=now))
            await session.flush()
        await session.commit()
    return chats


async def outbox_rows(sessions: async_sessionmaker[AsyncSession],
                      statuses: Iterable[str] | None = None) -> list[OutboxRow]:
    """Return every outbox row (optionally only some statuses), oldest first."""
    async with sessions() as session:
        query = select(OutboxRow).order_by(OutboxRow.id)
        if statuses is not None:
            query = query.where(OutboxRow.status.in_(list(statuses)))
        return list((await session.scalars(query)).all())
