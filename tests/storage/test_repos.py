"""Repository contract tests: the same assertions on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import create_engine, session_factory
from storage.migrate import NotMigratedError, current_revision, ensure_migrated, head_revision
from storage.people import ChatState, ChatStateRepo, ConsentRepo, LinkRepo, PeopleRepo

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 4, 10, 9, 0, tzinfo=HCM)


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    async with session_factory(engine)() as s:
        yield s
    await engine.dispose()


async def test_people_accounts_roundtrip_with_aware_times(session: AsyncSession) -> None:
    people = PeopleRepo(session)
    person, account = await people.create_with_account("zalo", "u1", "c1", NOW)
    await session.commit()
    found = await people.account("zalo", "u1")
    assert found == account and found.chat_id == "c1"
    updated = await people.update_profile(person.id, NOW, full_name="Đỗ Thị Hằng",
                                          birth_year=1970, registered_at=NOW)
    await session.commit()
    again = await people.get(person.id)
    assert again == updated and again.is_registered
    assert again.registered_at == NOW and again.registered_at.tzinfo is not None
    assert again.full_name == "Đỗ Thị Hằng"


async def test_one_account_per_channel_user(session: AsyncSession) -> None:
    people = PeopleRepo(session)
    await people.create_with_account("telegram", "42", "42", NOW)
    await session.commit()
    with pytest.raises(IntegrityError):
        await people.create_with_account("telegram", "42", "42", NOW)
    await session.rollback()


async def test_unknown_profile_fields_are_refused(session: AsyncSession) -> None:
    person, _ = await PeopleRepo(session).create_with_account("console", "x", "x", NOW)
    with pytest.raises(ValueError, match="unknown profile fields"):
        await PeopleRepo(session).update_profile(person.id, NOW, phone="0912")


async def test_latest_consent_decides_and_counts(session: AsyncSession) -> None:
    people, consents = PeopleRepo(session), ConsentRepo(session)
    a, _ = await people.create_with_account("console", "a", "a", NOW)
    b, _ = await people.create_with_account("console", "b", "b", NOW)
    await consents.record(a.id, "reminders", True, "v1", "console", NOW)
    await consents.record(a.id, "reminders", False, "v1", "console", NOW + timedelta(days=1))
    await consents.record(b.id, "reminders", True, "v1", "console", NOW)
    await session.commit()
    assert not await consents.has(a.id, "reminders")
    assert await consents.has(b.id, "reminders")
    assert await consents.count_active("reminders") == 1
    assert [c.granted for c in await consents.history(a.id)] == [True, False]


async def test_chat_state_survives_a_new_session(db_url: str) -> None:
    engine = create_engine(db_url)
    factory = session_factory(engine)
    async with factory() as s:
        state = ChatState("zalo", "c9", "register", "typing_birth_year", {"full_name": "Lan"},
                          [["Quay lại", "f:_back"]], "REF1")
        await ChatStateRepo(s).save(state, NOW)
        await s.commit()
    async with factory() as s:
        loaded = await ChatStateRepo(s).load("zalo", "c9")
    assert loaded == state
    await engine.dispose()


async def test_link_codes_are_single_use_and_expire(session: AsyncSession) -> None:
    person, _ = await PeopleRepo(session).create_with_account("zalo", "z", "z", NOW)
    links = LinkRepo(session)
    code = await links.create(person.id, NOW, timedelta(minutes=10))
    assert len(code) == 8 and code.isdigit()
    assert await links.consume(code, NOW + timedelta(minutes=1)) == person.id
    assert await links.consume(code, NOW + timedelta(minutes=2)) is None
    late = await links.create(person.id, NOW, timedelta(minutes=10))
    assert await links.consume(late, NOW + timedelta(minutes=11)) is None


async def test_startup_refuses_an_unmigrated_database_unless_allowed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    engine = create_engine(url)
    with pytest.raises(NotMigratedError, match="thidua migrate"):
        await ensure_migrated(engine, url, auto=False)
    await ensure_migrated(engine, url, auto=True)
    assert await current_revision(engine) == head_revision()
    await engine.dispose()


async def test_test_database_is_at_head(db_url: str) -> None:
    engine = create_engine(db_url)
    assert await current_revision(engine) == head_revision()
    await engine.dispose()
