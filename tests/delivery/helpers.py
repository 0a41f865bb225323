"""Helpers for delivery tests: register people by transcript, seed many people directly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ChannelAccountRow, ConsentRow, OutboxRow, PersonRow
from tests.harness import Chat


async def register(chat: Chat, user: str, unit: str, *, full_name: str = "Nguyễn Văn An",
                   role: str | None = None, reminders: bool = True) -> None:
    """Become `user` (with a role) and register in the unit found by `unit`."""
    await chat.send(f"/as {user} {role}" if role else f"/as {user}")
    await chat.reply()
    for line in ("/toi", "1", "1"):
        await chat.send(line)
        await chat.reply()
    await chat.send("1" if reminders else "2")
    assert "họ và tên" in await chat.reply()
    await chat.send(full_name)
    await chat.reply()
    await chat.send("1990")
    await chat.reply()
    await chat.send(unit)
    assert unit.lower() in (await chat.reply()).lower()
    await chat.send("1")
    assert unit.lower() in (await chat.reply()).lower()
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()
    await chat.replies()


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
