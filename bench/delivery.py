"""Benchmark delivery: enqueue 100k recipients, paced drain against the fake Bot APIs, and a
SIGKILL in the middle of a 10,000-recipient broadcast followed by a restart.

Run: `uv run python -m bench.delivery [--enqueue N] [--drain N] [--zalo N] [--kill N]
[--kill-rate R]`. Everything runs on 127.0.0.1 with a throwaway SQLite file (or
BENCH_DATABASE_URL for PostgreSQL, whose tables are then emptied); it prints figures and
never asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from bot.app import App, create_app
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBotApi
from bot.core.config import Settings
from bot.delivery.sender import OutboxSender
from storage.delivery.repo import BroadcastRepo, OutboxRepo
from storage.models import Base, ChannelAccountRow, ConsentRow, OutboxRow, PersonRow
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TELEGRAM_TOKEN = "271828182:BENCH-token-not-real"
ZALO_TOKEN = "3141592653:bench-zalo-not-real"
TEXT = "Thông báo: hạn nộp báo cáo tổng kết phong trào là 17 giờ thứ Sáu tuần này."
NO_QUIET = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}


def now() -> datetime:
    return datetime.now(TZ)


def settings_for(url: str, **values: object) -> Settings:
    return Settings(_env_file=None, database_url=url, **NO_QUIET, **values)  # type: ignore[arg-type]


async def fresh_app(url: str, **values: object) -> App:
    """Return a started app on an empty database."""
    app = create_app(settings_for(url, **values))
    await app.start()
    async with app.engine.begin() as conn:
        if app.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return app


async def seed(app: App, count: int, channel: str, first: int = 1) -> list[str]:
    """Insert `count` registered people with an account and reminder consent (fast path)."""
    moment = now()
    chats = [str(1_000_000 + i) for i in range(first, first + count)]
    batch = 5000
    async with app.sessions() as session:
        for start in range(0, count, batch):
            ids = range(first + start, first + min(count, start + batch))
            await session.execute(insert(PersonRow), [
                {"id": i, "full_name": "Người Thử", "birth_year": 1990, "role": "resident",
                 "unit_code": "ls.bac-son.long-dong", "registered_at": moment,
                 "created_at": moment, "updated_at": moment} for i in ids])
            await session.execute(insert(ChannelAccountRow), [
                {"id": i, "person_id": i, "channel": channel, "external_id": str(1_000_000 + i),
                 "chat_id": str(1_000_000 + i), "created_at": moment, "last_seen_at": moment}
                for i in ids])
            await session.execute(insert(ConsentRow), [
                {"person_id": i, "purpose": "reminders", "granted": True,
                 "policy_version": "2026.1", "channel": channel, "decided_at": moment}
                for i in ids])
        if app.engine.dialect.name == "postgresql":
            for table in ("persons", "channel_accounts"):
                await session.execute(text(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        await session.commit()
    return chats


async def new_broadcast(app: App) -> int:
    async with app.sessions() as session:
        broadcast = await BroadcastRepo(session).create(1, TEXT, None, {"type": "everyone"},
                                                       now(), now())
        await session.commit()
    return broadcast.id


async def rows_of(app: App, broadcast_id: int) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count()).select_from(OutboxRow)
                                    .where(OutboxRow.broadcast_id == broadcast_id)) or 0


# --------------------------------------------------------------------------- enqueue


async def bench_enqueue(url: str, count: int) -> None:
    app = await fresh_app(url)
    started = time.perf_counter()
    await seed(app, count, "telegram")
    seeded = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first = await new_broadcast(app)
    started = time.perf_counter()
    await app.delivery.pump_broadcasts()
    took = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    second = await new_broadcast(app)
    tracemalloc.start()
    await app.delivery.pump_broadcasts()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"enqueue: {count:,} recipients (seeding took {seeded:.1f} s)")
    print(f"  time            {took:.2f} s  ({count / took:,.0f} rows/s), "
          f"{await rows_of(app, first):,} rows")
    print(f"  peak Python mem {peak / 2**20:.1f} MiB (tracemalloc, second broadcast, "
          f"{await rows_of(app, second):,} rows)")
    print(f"  max RSS         {rss_after / 1024:.0f} MiB (was {rss_before / 1024:.0f} MiB "
          "before enqueueing)")
    await app.close()


# --------------------------------------------------------------------------- drain


async def drain_until_done(app: App, sender: OutboxSender, timeout: float) -> float:
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            await asyncio.sleep(0.2)
            async with app.sessions() as session:
                if not await OutboxRepo(session).waiting_count(sender.channel):
                    break
    finally:
        stop.set()
        await task
    return time.perf_counter() - started


def achieved(times: list[float]) -> float:
    return (len(times) - 1) / (max(times) - min(times)) if len(times) > 1 else 0.0


async def bench_drain_telegram(url: str, count: int) -> None:
    fake = FakeTelegram(TELEGRAM_TOKEN, enforce_limits=True)
    await fake.start()
    app = await fresh_app(url)
    rate = app.settings.delivery_telegram_rate
    await seed(app, count, "telegram")
    await new_broadcast(app)
    await app.delivery.pump_broadcasts()
    arrivals: list[float] = []
    original = fake._message

    def record(params: dict[str, object], **content: object) -> dict[str, object]:
        arrivals.append(time.monotonic())
        return original(params, **content)

    fake._message = record  # type: ignore[method-assign]
    channel = TelegramChannel(TELEGRAM_TOKEN, handle=app.handle, on_blocked=app.mark_blocked,
                              texts=app.services.messages.t, api_base=fake.base_url)
    sender = app.delivery.sender("telegram", channel)
    took = await drain_until_done(app, sender, timeout=count / rate * 3 + 30)
    await channel.stop()
    per_chat = Counter(str(s["chat_id"]) for s in fake.sent)
    rate_now = achieved(arrivals)
    print(f"drain Telegram: {count:,} messages, configured {rate:g}/s overall, "
          f"1/s per chat; fake enforces 30/s overall and 1/s per chat")
    print(f"  achieved        {rate_now:.2f} msg/s = {rate_now / rate:.1%} of configured "
          f"({took:.1f} s wall)")
    print(f"  429 answers     {fake.too_many}")
    print(f"  delivered       {len(per_chat):,} chats, duplicates "
          f"{sum(n - 1 for n in per_chat.values())}")
    await app.close()
    await fake.close()


async def bench_drain_zalo(url: str, count: int) -> None:
    app = await fresh_app(url)
    rate = app.settings.delivery_zalo_rate
    fake = FakeZalo(ZALO_TOKEN, rate_limit=int(rate * 1.2) + 1)
    await fake.start()
    await seed(app, count, "zalo")
    await new_broadcast(app)
    await app.delivery.pump_broadcasts()
    arrivals: list[float] = []
    channel = ZaloChannel(ZaloBotApi(ZALO_TOKEN, fake.base_url), handle=app.handle,
                          on_blocked=app.mark_blocked, texts=app.services.messages.t)
    original = channel._api.send_message

    async def timed(chat_id: str, message: str) -> dict[str, object]:
        result = await original(chat_id, message)
        arrivals.append(time.monotonic())
        return result

    channel._api.send_message = timed  # type: ignore[method-assign]
    sender = app.delivery.sender("zalo", channel)
    took = await drain_until_done(app, sender, timeout=count / rate * 3 + 30)
    await channel.stop()
    rate_now = achieved(arrivals)
    print(f"drain Zalo: {count:,} messages, configured {rate:g}/s (default); fake refuses "
          f"over {fake.rate_limit}/s")
    print(f"  achieved        {rate_now:.2f} msg/s = {rate_now / rate:.1%} of configured "
          f"({took:.1f} s wall), 429 answers {fake.too_many}")
    await app.close()
    await fake.close()


# --------------------------------------------------------------------------- SIGKILL


async def bench_kill(url: str, count: int, rate: float) -> None:
    fake = FakeTelegram(TELEGRAM_TOKEN, enforce_limits=True, per_second=int(rate * 1.5) + 5)
    await fake.start()
    app = await fresh_app(url)
    chats = await seed(app, count, "telegram")
    await new_broadcast(app)
    await app.close()
    env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
           "TELEGRAM_API_BASE": fake.base_url, "ZALO_BOT_TOKEN": "",
           "DELIVERY_TELEGRAM_RATE": str(rate), "QUIET_HOURS_START": "00:00",
           "QUIET_HOURS_END": "00:00", "LOG_LEVEL": "WARNING"}

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    started = time.perf_counter()
    proc = await start()
    while len(fake.sent) < count // 2 and time.perf_counter() - started < count / rate * 4:
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    at_kill = len(fake.sent)
    probe = create_app(settings_for(url))
    async with probe.sessions() as session:
        rows = await session.execute(select(OutboxRow.status, func.count())
                                     .group_by(OutboxRow.status))
        left = dict(rows.all())
    await probe.close()
    proc = await start()
    deadline = time.perf_counter() + count / rate * 4 + 60
    while len({str(s["chat_id"]) for s in fake.sent}) < count and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # anything more that would arrive (a duplicate) arrives now
    proc.send_signal(signal.SIGTERM)
    await proc.wait()
    per_chat = Counter(str(s["chat_id"]) for s in fake.sent)
    missing = sum(1 for c in chats if per_chat[c] == 0)
    twice = sum(n - 1 for n in per_chat.values() if n > 1)
    print(f"SIGKILL mid-broadcast: {count:,} recipients at {rate:g}/s "
          f"(fake allows {fake.per_second}/s), killed after {at_kill:,} sends")
    print(f"  rows at the kill {left}")
    print(f"  after restart    received {len(per_chat):,}/{count:,}, missing {missing}, "
          f"received twice {twice} (in flight at the kill: at most "
          f"{left.get('sending', 0)} claimed, {settings_for(url).delivery_max_in_flight} "
          "sending concurrently)")
    await fake.close()


async def main(args: argparse.Namespace) -> None:
    base = os.environ.get("BENCH_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-"))
    try:
        def url(name: str) -> str:
            return base or f"sqlite+aiosqlite:///{folder / name}.db"

        print(f"database: {'PostgreSQL' if base else 'SQLite (WAL) in ' + str(folder)}")
        if args.enqueue:
            await bench_enqueue(url("enqueue"), args.enqueue)
        if args.drain:
            await bench_drain_telegram(url("drain"), args.drain)
        if args.zalo:
            await bench_drain_zalo(url("zalo"), args.zalo)
        if args.kill:
            await bench_kill(url("kill"), args.kill, args.kill_rate)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enqueue", type=int, default=100_000)
    parser.add_argument("--drain", type=int, default=750)
    parser.add_argument("--zalo", type=int, default=60)
    parser.add_argument("--kill", type=int, default=10_000)
    parser.add_argument("--kill-rate", type=float, default=200.0)
    asyncio.run(main(parser.parse_args()))
