"""SIGKILL in the middle of a broadcast, then a restart: everyone gets it, nobody twice but
for the few messages that were in flight at the kill."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import create_app
from storage.delivery.repo import BroadcastRepo
from tests.channels.fake_telegram import FakeTelegram
from tests.conftest import make_settings
from tests.delivery.helpers import seed_people

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "271828182:CRASH-test-token-AAbb"
COUNT = 300
RATE = 100


async def test_a_killed_sender_resumes_without_loss(sqlite_url: str) -> None:
    fake = FakeTelegram(TOKEN, enforce_limits=True, per_second=RATE * 2)
    await fake.start()
    app = create_app(make_settings(sqlite_url))
    await app.start()
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    chats = await seed_people(app.sessions, COUNT, now)
    async with app.sessions() as session:
        await BroadcastRepo(session).create(1, "Thông báo thử sau sự cố mất điện.", None,
                                            {"type": "everyone"}, now, now)
        await session.commit()
    await app.close()
    env = {**os.environ, "DATABASE_URL": sqlite_url, "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_BASE": fake.base_url, "ZALO_BOT_TOKEN": "",
           "DELIVERY_TELEGRAM_RATE": str(RATE), "QUIET_HOURS_START": "00:00",
           "QUIET_HOURS_END": "00:00", "LOG_LEVEL": "WARNING"}

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    try:
        proc = await start()
        async with asyncio.timeout(60):
            while len(fake.sent) < COUNT // 3:
                await asyncio.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        assert len(fake.sent) < COUNT
        proc = await start()
        async with asyncio.timeout(60):
            while len({s["chat_id"] for s in fake.sent}) < COUNT:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
        await fake.close()
    received = Counter(str(s["chat_id"]) for s in fake.sent)
    assert set(received) == set(chats)
    in_flight = make_settings(sqlite_url).delivery_max_in_flight
    assert sum(n - 1 for n in received.values()) <= in_flight
