"""The SQL progress figures agree with the pure verdict (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.referrals.rules import Tracked, evaluate, timeline
from storage.db import create_engine, session_factory
from storage.models import RefMemberRow
from storage.people import PeopleRepo
from storage.referrals.marks import AccountKind, Marks, QuizAccount
from storage.referrals.repo import AccountClaimed, ReferralRepo, UnitCounts
from tests.referrals.test_rules import WEEKS

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 4, 10, 9, 0, tzinfo=HCM)
UNITS = ["ls.bac-son.long-dong", "ls.bac-son.vu-lang", "ls.bac-son"]


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    async with session_factory(engine)() as s:
        yield s
    await engine.dispose()


def phone(n: int) -> QuizAccount:
    return QuizAccount(AccountKind.PHONE, f"+849{n:08d}")


async def test_unit_counts_and_owing_match_the_verdict(session: AsyncSession) -> None:
    rng = random.Random(7)
    repo = ReferralRepo(session)
    people = PeopleRepo(session)
    expected: dict[str, UnitCounts] = {}
    line = timeline(WEEKS, date(2024, 4, 17))
    owing_week_3 = 0
    serial = 0
    for n in range(60):
        person, _ = await people.create_with_account("console", f"p{n}", f"p{n}", NOW)
        unit = UNITS[n % len(UNITS)]
        participant = await repo.join("c1", person.id, unit, phone(serial := serial + 1), 0, NOW)
        for k in range(rng.randint(0, 4)):
            await repo.add_referral(participant, f"R{k}", "ban_be", phone(serial := serial + 1),
                                    0, NOW)
        tracked: list[Tracked] = []
        for member in await repo.members(participant.id):
            marks = Marks(rng.randint(0, 31), rng.randint(0, 31) & rng.randint(0, 31),
                          rng.choice([0, 0b100, 0b110]))
            await session.execute(update(RefMemberRow).where(RefMemberRow.id == member.id)
                                  .values(reported_mask=marks.reported,
                                          verified_mask=marks.verified,
                                          official_mask=marks.official))
            tracked.append(Tracked(member.display_name or "", marks, member.is_self))
            owing_week_3 += 0 if marks.done & 0b100 else 1
        verdict = evaluate(tracked[0], tracked[1:], line, 2)
        refs = len(tracked) - 1
        expected[unit] = expected.get(unit, UnitCounts()) + UnitCounts(
            1, refs, int(refs >= 2), len(tracked),
            sum(1 for t in tracked if t.marks.done & 0b1000), int(verdict.eligible))
    await session.commit()
    assert await repo.unit_counts("c1", None, line, 2) == expected
    only = await repo.unit_counts("c1", ["ls.bac-son.vu-lang"], line, 2)
    assert only == {"ls.bac-son.vu-lang": expected["ls.bac-son.vu-lang"]}
    accounts, _ = await repo.count_owing("c1", 3, None)
    assert accounts == owing_week_3 == len(await repo.owing("c1", 3, None))
    assert await repo.followed_accounts("c1", None) == sum(
        c.accounts for c in expected.values())
    assert await repo.followed_accounts("c1", ["ls.bac-son.vu-lang"]) == expected[
        "ls.bac-son.vu-lang"].accounts
    assert await repo.followed_accounts("c2", None) == 0


async def test_one_account_is_followed_once_per_campaign(session: AsyncSession) -> None:
    repo = ReferralRepo(session)
    people = PeopleRepo(session)
    a, _ = await people.create_with_account("console", "a", "a", NOW)
    b, _ = await people.create_with_account("console", "b", "b", NOW)
    first = await repo.join("c1", a.id, UNITS[0], phone(1), 0, NOW)
    second = await repo.join("c1", b.id, UNITS[0], phone(2), 0, NOW)
    await repo.add_referral(first, "Minh", "khac", phone(3), 0, NOW)
    with pytest.raises(AccountClaimed) as error:
        await repo.add_referral(second, "Minh", "khac", phone(3), 0, NOW)
    assert error.value.holder.participant_id == first.id
    with pytest.raises(AccountClaimed):
        await repo.add_referral(second, "Lan", "khac", phone(1), 0, NOW)
    other = await repo.join("c2", b.id, UNITS[0], phone(3), 0, NOW)
    assert other.code != second.code
    await session.commit()
