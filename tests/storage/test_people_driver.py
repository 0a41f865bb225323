"""Every message's read and its shared writes go straight to the database driver
(storage.people_driver): what they read is what the SQLAlchemy repositories read, what
they write reads back the same through SQLAlchemy and is stored exactly as it stores it,
and a chat changed meanwhile is still never overwritten. Same on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.access import GrantRepo
from storage.base import ChannelAccountRow, ChatStateRow
from storage.people import ChatState, ChatStateRepo, Identity, PeopleRepo
from storage.people_driver import PeopleDriver

NOW = datetime(2024, 4, 10, 9, 0, 12, 345678, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def driver(engine: AsyncEngine) -> PeopleDriver:
    found = PeopleDriver.for_engine(engine)
    assert found is not None
    return found


async def _through_sqlalchemy(sessions: async_sessionmaker,  # type: ignore[type-arg]
                              user: str, chat: str) -> Identity | None:
    async with sessions() as session:
        return await PeopleRepo(session).identify("zalo", user, chat)


async def test_the_read_gives_what_the_repository_reads(
        sessions: async_sessionmaker, driver: PeopleDriver) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        people = PeopleRepo(session)
        person, _ = await people.create_with_account("zalo", "u1", "c1", NOW)
        await people.update_profile(person.id, NOW, full_name="Lê Thị Hoa", birth_year=1980,
                                    unit_code="xa-a", registered_at=NOW, address="chị")
        grants = GrantRepo(session)
        await grants.grant(person.id, "reviewer", "xa-a", NOW, granted_by=None, reason="t")
        await grants.grant(person.id, "liaison", "xa-b", NOW + timedelta(seconds=1),
                           granted_by=person.id, reason="t")
        await people.mark_blocked("zalo", "u1", NOW)
        await ChatStateRepo(session).save(ChatState(
            "zalo", "c1", "reg", "name", {"a": 1, "tên": "Hoa", "list": [1, "x"]},
            [["Có ạ", "f:yes"], ["Không", "f:no"]], "ref-12"), NOW)
        await people.create_with_account("zalo", "u2", "c2", NOW)
        await session.commit()
    for user, chat in (("u1", "c1"), ("u1", "another chat"), ("u2", "c2")):
        fast = await driver.identify("zalo", user, chat)
        slow = await _through_sqlalchemy(sessions, user, chat)
        assert fast is not None and slow is not None and fast.state and slow.state
        assert (fast.account, fast.person, fast.grants, fast.last_seen_at) == (
            slow.account, slow.person, slow.grants, slow.last_seen_at)
        assert (fast.state, fast.state.loaded, fast.state.revision) == (
            slow.state, slow.state.loaded, slow.state.revision)
    found = await driver.identify("zalo", "u1", "c1")
    assert found is not None and found.state is not None
    assert [g.role for g in found.grants] == ["reviewer", "liaison"]
    assert found.account.blocked_at == NOW and found.person.registered_at == NOW
    assert found.state.data == {"a": 1, "tên": "Hoa", "list": [1, "x"]}
    assert not found.state.changed()
    assert await driver.identify("zalo", "nobody", "c9") is None


async def test_writes_read_back_the_same_and_are_stored_as_sqlalchemy_stores_them(
        engine: AsyncEngine, sessions: async_sessionmaker,  # type: ignore[type-arg]
        driver: PeopleDriver) -> None:
    async with sessions() as session:
        _, account = await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        for chat in ("c1", "c2"):
            await ChatStateRepo(session).save(ChatState("zalo", chat, menu=[["A", "x:1"]]),
                                              NOW)
        await session.commit()
    fast = await driver.identify("zalo", "u1", "c1")
    slow = await _through_sqlalchemy(sessions, "u1", "c2")
    assert fast and fast.state and slow and slow.state
    later = NOW + timedelta(minutes=5)
    for state in (fast.state, slow.state):
        state.flow, state.step = "reg", "year"
        state.data = {"name": "Nguyễn Văn An", "n": [1, 2]}
        state.menu = [["Đồng ý", "f:yes"], ["Thôi ạ", "c:huy"]]
    assert await driver.save_states_and_touch([fast.state], [(account.id, "c1", later)],
                                              later) == [True]
    async with sessions() as session:
        assert await ChatStateRepo(session).save_all_if_unchanged([slow.state], later) == [True]
        await session.commit()
    assert not fast.state.changed() and fast.state.revision == slow.state.revision == 1
    again = await _through_sqlalchemy(sessions, "u1", "c1")
    assert again is not None and again.state is not None
    assert again.state == fast.state and again.last_seen_at == later.astimezone(UTC)
    async with engine.connect() as conn:
        stored = (await conn.execute(text(
            "SELECT chat_id, flow, step, data, menu, updated_at, revision FROM chat_states "
            "ORDER BY chat_id"))).all()
        seen = await conn.scalar(select(ChannelAccountRow.last_seen_at))
    # Byte for byte the same row (JSON text, timestamps) whichever way it was written.
    assert tuple(stored[0])[1:] == tuple(stored[1])[1:]
    if engine.dialect.name == "sqlite":
        assert stored[0].updated_at == "2024-04-10 02:05:12.345678"
        assert seen == later.astimezone(UTC)


async def test_a_state_changed_meanwhile_is_not_overwritten_and_the_others_are_written(
        sessions: async_sessionmaker, driver: PeopleDriver) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        for chat in ("c1", "c2", "c3"):
            await ChatStateRepo(session).save(ChatState("zalo", chat, menu=[["A", "x:1"]]),
                                              NOW)
        await session.commit()

    async def read(chat: str) -> ChatState:
        found = await driver.identify("zalo", "u1", chat)
        assert found is not None and found.state is not None
        return found.state

    states = [await read(chat) for chat in ("c1", "c2", "c3")]
    theirs = await read("c2")
    theirs.flow = "reg"
    assert await driver.save_states_and_touch([theirs], [], NOW) == [True]
    for n, state in enumerate(states):
        state.menu = [["B", f"x:{n}"]]
    unchanged = await read("c3")
    assert await driver.save_states_and_touch([*states, unchanged], [], NOW) == [
        True, False, True, True]
    assert (await read("c1")).menu == [["B", "x:0"]]
    kept = await read("c2")
    assert (kept.flow, kept.menu) == ("reg", [["A", "x:1"]])
    assert (await read("c3")).menu == [["B", "x:2"]]
    async with sessions() as session:
        row = await session.get(ChatStateRow, ("zalo", "c1"))
        assert row is not None and row.revision == 1
    with pytest.raises(ValueError):  # a new chat's first state is not saved this way
        await driver.save_states_and_touch([ChatState("zalo", "new")], [], NOW)


async def test_a_first_contact_is_stored_as_the_repository_stores_it_and_never_twice(
        sessions: async_sessionmaker, driver: PeopleDriver) -> None:  # type: ignore[type-arg]
    created = await driver.create("zalo", "new", "c-new", NOW)
    assert created is not None and created.state is not None
    # What the next message reads, on the driver and through SQLAlchemy, is what was made.
    fast = await driver.identify("zalo", "new", "c-new")
    slow = await _through_sqlalchemy(sessions, "new", "c-new")
    assert fast is not None and slow is not None and fast.state and slow.state
    for found in (fast, slow):
        assert (found.account, found.person, found.grants, found.last_seen_at) == (
            created.account, created.person, created.grants, created.last_seen_at)
        assert (found.state, found.state.loaded, found.state.revision) == (
            created.state, created.state.loaded, created.state.revision)
    assert created.person.role == "resident" and not created.person.is_registered
    assert not created.needs_touch("c-new", NOW)
    async with sessions() as session:  # the rows SQLAlchemy's own first contact writes
        await PeopleRepo(session).create_with_account(
            "zalo", "old", "c-old", NOW)
        await ChatStateRepo(session).save(ChatState("zalo", "c-old"), NOW)
        await session.commit()
        rows = (await session.execute(text(
            "SELECT p.role, p.created_at, p.updated_at, a.chat_id, a.created_at, "
            "a.last_seen_at, a.blocked_at, s.data, s.menu, s.updated_at "
            "FROM persons p JOIN channel_accounts a ON a.person_id = p.id "
            "LEFT JOIN chat_states s ON s.chat_id = a.chat_id "
            "WHERE a.external_id IN ('new', 'old') ORDER BY a.external_id"))).all()
    made, theirs = rows
    assert made == (*theirs[:3], "c-new", *theirs[4:])
    # The same account again (another process got there first): nothing more is made.
    assert await driver.create("zalo", "new", "c-other", NOW) is None
    # A chat that has a stored state: nothing is made, the usual way finds it.
    assert await driver.create("zalo", "third", "c-old", NOW) is None
    async with sessions() as session:
        people = (await session.execute(text("SELECT count(*) FROM persons"))).scalar()
        accounts = (await session.execute(text(
            "SELECT count(*) FROM channel_accounts"))).scalar()
    assert (people, accounts) == (2, 2)


async def test_messages_read_at_the_same_time_each_get_their_own_person_and_chat(
        sessions: async_sessionmaker, driver: PeopleDriver) -> None:  # type: ignore[type-arg]
    # On PostgreSQL the reads asked for together go in one statement (up to 16 each, so
    # 21 take two); each message must still get exactly what it would get alone.
    async with sessions() as session:
        people = PeopleRepo(session)
        for n in range(20):
            person, _ = await people.create_with_account("zalo", f"u{n}", f"c{n}", NOW)
            if n % 3 == 0:
                await ChatStateRepo(session).save(
                    ChatState("zalo", f"c{n}", "reg", "name", {"n": n}), NOW)
            if n % 4 == 0:
                grants = GrantRepo(session)
                for k, role in enumerate(("liaison", "reviewer")):
                    await grants.grant(person.id, role, f"xa-{n}",
                                       NOW + timedelta(seconds=k), granted_by=None, reason="t")
        await session.commit()
    asked = [(f"u{n}", f"c{n}") for n in range(20)] + [("nobody", "c0")]
    together = await asyncio.gather(*(driver.identify("zalo", user, chat)
                                      for user, chat in asked))
    alone = [await _through_sqlalchemy(sessions, user, chat) for user, chat in asked]
    assert together[-1] is None and alone[-1] is None
    for fast, slow in zip(together[:-1], alone[:-1], strict=True):
        assert fast is not None and slow is not None and fast.state and slow.state
        assert (fast.account, fast.person, fast.grants) == (
            slow.account, slow.person, slow.grants)
        assert (fast.state, fast.state.revision) == (slow.state, slow.state.revision)
    assert [g.role for g in together[4].grants] == ["liaison", "reviewer"]  # type: ignore[union-attr]
    assert together[3].state.data == {"n": 3}  # type: ignore[union-attr]
