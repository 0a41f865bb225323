"""The notifications table: one row per dedupe key, pending until shown or sent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import App
from storage.deeds.notifications import mark_delivered, notify, pending
from storage.people import PeopleRepo

NOW = datetime(2024, 4, 10, 2, 0, tzinfo=UTC)


async def test_same_dedupe_key_gives_one_notice_and_delivery_is_recorded(app: App) -> None:
    async with app.sessions() as session:
        person, _ = await PeopleRepo(session).create_with_account("console", "lan", "lan", NOW)
        assert await notify(session, person.id, "deeds.notice.take", {"id": 1, "what": "x"},
                            "deed:1:v2:take:reporter", NOW)
        assert not await notify(session, person.id, "deeds.notice.take", {"id": 1, "what": "x"},
                                "deed:1:v2:take:reporter", NOW + timedelta(seconds=1))
        assert await notify(session, person.id, "deeds.notice.approve", {"id": 1, "what": "x"},
                            "deed:1:v3:approve:reporter", NOW)
        await session.commit()
    async with app.sessions() as session:
        waiting = await pending(session, person.id)
        assert [n.text_key for n in waiting] == ["deeds.notice.take", "deeds.notice.approve"]
        assert waiting[0].params == {"id": 1, "what": "x"}
        await mark_delivered(session, [waiting[0].id], NOW)
        await session.commit()
    async with app.sessions() as session:
        assert [n.text_key for n in await pending(session, person.id)] == [
            "deeds.notice.approve"]


async def test_a_notice_produced_in_two_sessions_at_once_is_stored_once(app: App) -> None:
    async with app.sessions() as session:
        person, _ = await PeopleRepo(session).create_with_account("console", "lan", "lan", NOW)
        await session.commit()

    async def produce() -> bool:
        async with app.sessions() as session:
            new = await notify(session, person.id, "deeds.notice.take", {"id": 1, "what": "x"},
                               "deed:1:v2:take:reporter", NOW)
            await session.commit()
            return new

    results = await asyncio.gather(produce(), produce())
    assert sorted(results) == [False, True]
    async with app.sessions() as session:
        assert len(await pending(session, person.id)) == 1
