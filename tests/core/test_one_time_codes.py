"""One-time codes (role invites, link codes) are used once, even by concurrent claims."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.core.clock import MovableClock
from storage.access import InviteRepo
from storage.people import LinkRepo, PeopleRepo
from tests.conftest import PG_URL

CLAIMS = 8


async def _claim_all(sessions: async_sessionmaker[AsyncSession],
                     claim: Callable[[AsyncSession, int], Awaitable[object | None]]) -> int:
    """Claim one code from eight sessions (at once on PostgreSQL, in turn on SQLite)."""
    async def one(i: int) -> bool:
        async with sessions() as session:
            got = await claim(session, i)
            await session.commit()
            return got is not None

    if PG_URL:
        results = await asyncio.gather(*(one(i) for i in range(CLAIMS)))
    else:
        results = [await one(i) for i in range(CLAIMS)]
    return sum(results)


async def test_eight_claims_of_one_invite_give_one_grant(app: App, clock: MovableClock) -> None:
    now = clock.now()
    async with app.sessions() as session:
        code, _ = await InviteRepo(session).create("admin", None, 1, now, timedelta(hours=48))
        await session.commit()
    wins = await _claim_all(app.sessions,
                            lambda s, i: InviteRepo(s).consume(code, 100 + i, now))
    assert wins == 1
    async with app.sessions() as session:
        assert await InviteRepo(session).peek(code, now) is None


async def test_eight_claims_of_one_link_code_join_one_account(
    app: App, clock: MovableClock
) -> None:
    now = clock.now()
    async with app.sessions() as session:
        person, _ = await PeopleRepo(session).create_with_account("telegram", "t-lan", "c", now)
        code = await LinkRepo(session).create(person.id, now, timedelta(minutes=10))
        await session.commit()
    wins = await _claim_all(app.sessions, lambda s, i: LinkRepo(s).consume(code, now))
    assert wins == 1
