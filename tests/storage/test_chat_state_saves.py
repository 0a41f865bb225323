"""The cheap per-message storage path: one read for the person and their chat's state, a
save conditional on what was read, and SQLite statements that return what they always did
(rows, counts, new ids, constraint errors). Same assertions on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.base import ChatStateRow
from storage.people import ChatState, ChatStateRepo, PeopleRepo

NOW = datetime(2024, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


async def _read(sessions: async_sessionmaker, chat: str) -> ChatState:  # type: ignore[type-arg]
    async with sessions() as session:
        found = await PeopleRepo(session).identify("zalo", "u1", chat)
        assert found is not None and found.state is not None
        return found.state


async def test_the_person_and_their_chat_state_come_in_one_read(
        sessions: async_sessionmaker) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        await ChatStateRepo(session).save(ChatState("zalo", "c1", "reg", "name", {"a": 1},
                                                    [["Có", "f:yes"]]), NOW)
        await session.commit()
    state = await _read(sessions, "c1")
    assert (state.flow, state.step, state.data, state.menu) == (
        "reg", "name", {"a": 1}, [["Có", "f:yes"]])
    assert not state.changed()
    empty = await _read(sessions, "another chat")  # no state yet: an empty one
    assert empty.flow is None and empty.menu == [] and empty.revision is None


async def test_a_save_after_someone_else_changed_the_chat_writes_nothing(
        sessions: async_sessionmaker) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        await ChatStateRepo(session).save(ChatState("zalo", "c1", menu=[["A", "x:1"]]), NOW)
        await session.commit()
    mine, theirs = await _read(sessions, "c1"), await _read(sessions, "c1")
    theirs.flow, theirs.step = "reg", "name"
    async with sessions() as session:
        assert await ChatStateRepo(session).save_if_unchanged(theirs, NOW)
        await session.commit()
    mine.menu = [["B", "x:2"]]
    async with sessions() as session:
        assert not await ChatStateRepo(session).save_if_unchanged(mine, NOW)
        await session.rollback()
    kept = await _read(sessions, "c1")
    assert (kept.flow, kept.step, kept.menu) == ("reg", "name", [["A", "x:1"]])
    # Read again, the same change goes in.
    kept.menu = [["B", "x:2"]]
    async with sessions() as session:
        assert await ChatStateRepo(session).save_if_unchanged(kept, NOW)
        await session.commit()
    assert (await _read(sessions, "c1")).menu == [["B", "x:2"]]


async def test_two_first_saves_of_a_new_chat_keep_the_first(
        sessions: async_sessionmaker) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        await session.commit()
    first, second = await _read(sessions, "new"), await _read(sessions, "new")
    first.menu, second.menu = [["1", "x:1"]], [["2", "x:2"]]
    async with sessions() as session:
        assert await ChatStateRepo(session).save_if_unchanged(first, NOW)
        await session.commit()
    async with sessions() as session:
        assert not await ChatStateRepo(session).save_if_unchanged(second, NOW)
        await session.rollback()
    assert (await _read(sessions, "new")).menu == [["1", "x:1"]]


async def test_statements_return_rows_counts_ids_and_errors(
        sessions: async_sessionmaker) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        people = PeopleRepo(session)
        person, account = await people.create_with_account("zalo", "u1", "c1", NOW)
        other, _ = await people.create_with_account("zalo", "u2", "c2", NOW)
        assert person.id and account.id and other.id != person.id  # new ids come back
        session.add_all([ChatStateRow(channel="zalo", chat_id=f"m{n}", data={}, menu=[],
                                      updated_at=NOW) for n in range(3)])
        await session.flush()
        result = await session.execute(text("UPDATE chat_states SET step = 's' "
                                            "WHERE chat_id LIKE 'm%'"))
        assert result.rowcount == 3  # type: ignore[attr-defined]
        rows = (await session.scalars(select(ChatStateRow.chat_id)
                                      .order_by(ChatStateRow.chat_id))).all()
        assert rows == ["m0", "m1", "m2"]
        await session.commit()
    async with sessions() as session:
        with pytest.raises(IntegrityError):
            await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        await session.rollback()


async def test_states_saved_together_skip_only_the_one_someone_else_changed(
        sessions: async_sessionmaker) -> None:  # type: ignore[type-arg]
    async with sessions() as session:
        await PeopleRepo(session).create_with_account("zalo", "u1", "c1", NOW)
        for chat in ("c1", "c2", "c3"):
            await ChatStateRepo(session).save(ChatState("zalo", chat, menu=[["A", "x:1"]]),
                                              NOW)
        await session.commit()
    states = [await _read(sessions, chat) for chat in ("c1", "c2", "c3")]
    theirs = await _read(sessions, "c2")
    theirs.flow, theirs.step = "reg", "name"
    async with sessions() as session:
        assert await ChatStateRepo(session).save_if_unchanged(theirs, NOW)
        await session.commit()
    for n, state in enumerate(states):
        state.menu = [["B", f"x:{n}"]]
    async with sessions() as session:
        saved = await ChatStateRepo(session).save_all_if_unchanged(states, NOW)
        await session.commit()
    assert saved == [True, False, True]
    assert (await _read(sessions, "c1")).menu == [["B", "x:0"]]
    kept = await _read(sessions, "c2")
    assert (kept.flow, kept.menu) == ("reg", [["A", "x:1"]])
    assert (await _read(sessions, "c3")).menu == [["B", "x:2"]]
    # Saved states know their new revision: a second change goes in too.
    states[0].menu = [["C", "x:9"]]
    async with sessions() as session:
        assert await ChatStateRepo(session).save_all_if_unchanged([states[0]], NOW) == [True]
        await session.commit()
    assert (await _read(sessions, "c1")).menu == [["C", "x:9"]]
