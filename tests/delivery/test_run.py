"""Delivery inside `thidua run`: the elected process sends over the real adapters."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import create_app
from bot.app.runtime import run_bot
from bot.core.clock import MovableClock
from bot.core.config import Settings
from bot.delivery.scheduler import Leadership, build_scheduler
from storage.db import create_engine
from storage.delivery.repo import BroadcastRepo, OutboxRepo
from tests.channels.conftest import TELEGRAM_TOKEN, ZALO_TOKEN
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo
from tests.conftest import PG_URL, make_settings
from tests.delivery.helpers import seed_people

TEXT = "Thông báo thử: hạn nộp báo cáo tổng kết là thứ Sáu tuần này."


async def test_thidua_run_sends_a_broadcast_over_zalo_and_telegram(db_url: str) -> None:
    zalo, telegram = FakeZalo(ZALO_TOKEN), FakeTelegram(TELEGRAM_TOKEN, enforce_limits=True)
    await zalo.start()
    await telegram.start()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=zalo.base_url,
                        zalo_poll_timeout=1, telegram_bot_token=TELEGRAM_TOKEN,
                        telegram_api_base=telegram.base_url, quiet_hours_start="00:00",
                        quiet_hours_end="00:00")
    app = create_app(settings)
    await app.start()
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    on_telegram = await seed_people(app.sessions, 3, now, channel="telegram")
    on_zalo = await seed_people(app.sessions, 3, now, channel="zalo", first_external=500)
    async with app.sessions() as session:
        await BroadcastRepo(session).create(1, TEXT, None, {"type": "everyone"}, now, now)
        await session.commit()
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    try:
        async with asyncio.timeout(30):
            while len(telegram.sent) < 3 or len(zalo.sent) < 3:
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await zalo.close()
        await telegram.close()
    assert Counter(str(s["chat_id"]) for s in telegram.sent) == Counter(on_telegram)
    assert Counter(s["chat_id"] for s in zalo.sent) == Counter(on_zalo)
    assert all(TEXT in s["text"] for s in zalo.sent) and telegram.too_many == 0
    async with app.sessions() as session:
        assert await OutboxRepo(session).waiting_count() == 0
    await app.close()


async def test_jobs_have_fixed_ids_the_time_zone_and_hours_of_misfire_grace(
    db_url: str
) -> None:
    app = create_app(make_settings(db_url, reminder_grace_hours=6), MovableClock())
    scheduler = build_scheduler(app.delivery)
    scheduler.start(paused=True)
    try:
        assert sorted(job.id for job in scheduler.get_jobs()) == [
            "broadcasts", "reminders:conference-deadline", "reminders:conference-documents",
            "reminders:deadline",
            "reminders:referral-week", "reminders:works-deadline"]
        assert str(scheduler.timezone) == "Asia/Ho_Chi_Minh"
        job = scheduler.get_job("reminders:deadline")
        assert job is not None and job.coalesce and job.misfire_grace_time == 6 * 3600
        assert job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)
        await app.close()


async def test_sqlite_has_a_single_leader_the_process_itself(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    assert await Leadership(engine).try_acquire()
    await engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
async def test_one_process_leads_on_postgresql_until_it_goes(db_url: str) -> None:
    engines = [create_engine(db_url), create_engine(db_url)]
    first, second = (Leadership(e) for e in engines)
    assert await first.try_acquire()
    assert not await second.try_acquire()
    assert await first.still_held()
    await first.release()  # its connection closes, as when a process dies
    assert await second.try_acquire()
    await second.release()
    for engine in engines:
        await engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
async def test_two_claims_at_once_never_take_the_same_rows(db_url: str) -> None:
    clock = MovableClock(start=datetime(2024, 4, 10, 9, 0))
    app = create_app(make_settings(db_url), clock)
    await app.start()
    await seed_people(app.sessions, 10, clock.now())
    async with app.sessions() as session:
        await BroadcastRepo(session).create(1, TEXT, None, {"type": "everyone"}, clock.now(),
                                            clock.now())
        await session.commit()
    await app.delivery.pump_broadcasts()
    async with app.sessions() as first, app.sessions() as second:
        mine = await OutboxRepo(first).claim("telegram", clock.now(), 6)
        theirs = await OutboxRepo(second).claim("telegram", clock.now(), 6)
        await first.commit()
        await second.commit()
    assert len(mine) == 6 and len(theirs) == 4
    assert not {i.id for i in mine} & {i.id for i in theirs}
    await app.close()
