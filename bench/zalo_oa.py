"""Benchmark a broadcast to Zalo OA followers with a third outside the interaction window.

N followers (default 10,000): two thirds wrote to the OA within 48 h; of the last third
(last interaction 9 days ago) half also have a Telegram account. The OA sender runs against
the local fake of the OA Open API (real HTTP), the Telegram sender against a stand-in that
records; the access token expires halfway. Prints how every person ended (sent, rerouted,
unreachable with the reason), duplicates, token refreshes and the time taken; never asserts
on time.

Run: `uv run python -m bench.zalo_oa [--count N]` (BENCH_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.delivery import NO_QUIET, fresh_app, new_broadcast, seed
from bot.channels.webhook import WebhookServer
from bot.channels.zalo_oa import ZaloOAChannel
from bot.channels.zalo_oa_api import ZaloOAApi, ZaloOAuth
from bot.channels.zalo_oa_tokens import OATokens, store_first_grant
from bot.core.clock import MovableClock
from bot.core.types import Incoming, Reply
from storage.models import ChannelAccountRow, OutboxRow
from storage.zalo_oa.models import ZaloOAInteractionRow
from tests.channels.fake_zalo_oa import FakeZaloOA


class Recorder:
    """Telegram at the send boundary: records (chat, text)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.sent.append(chat_id)


async def _nobody(incoming: Incoming) -> list[Reply]:
    return []


async def _ignore(channel: str, user_id: str) -> None:
    return None


async def bench(url: str, count: int) -> None:
    app = await fresh_app(url, delivery_zalo_oa_rate=10_000.0)
    clock = MovableClock()
    fake = FakeZaloOA(clock, echoes=False)
    await fake.start()
    chats = await seed(app, count, "zalo_oa")
    now = clock.now()
    outside = chats[count * 2 // 3:]
    linked = set(outside[: len(outside) // 2])
    async with app.sessions() as session:
        rows: list[dict[str, Any]] = []
        for chat in chats:
            at = now - (timedelta(days=9) if chat in set(outside) else timedelta(hours=3))
            rows.append({"oa_id": fake.oa_id, "user_id": chat, "last_interaction_at": at,
                         "follower": True, "updated_at": at})
            fake.person(chat).last_interaction = at
        await session.execute(insert(ZaloOAInteractionRow), rows)
        ids = dict((await session.execute(select(ChannelAccountRow.external_id,
                                                 ChannelAccountRow.person_id))).all())
        await session.execute(insert(ChannelAccountRow), [
            {"person_id": ids[c], "channel": "telegram", "external_id": f"t{c}",
             "chat_id": f"t{c}", "created_at": now, "last_seen_at": now - timedelta(days=60)}
            for c in linked])
        await session.commit()
    api = ZaloOAApi(base_url=fake.base_url, rate_backoff=0.01)
    oauth = ZaloOAuth(fake.app_id, fake.app_secret, fake.base_url, session_factory=api.session)
    api.tokens = OATokens(app.sessions, oauth, fake.oa_id, now=clock.now)
    await store_first_grant(app.sessions, oauth, fake.oa_id, fake.issue_code(), now=clock.now)
    channel = ZaloOAChannel(api, app_id=fake.app_id, oa_id=fake.oa_id,
                            oa_secret_key=fake.oa_secret_key, handle=_nobody,
                            on_blocked=_ignore,
                            texts={"channel.unsupported": "-", "error.group_chat": "-"},
                            webhook_server=WebhookServer("127.0.0.1", 0),
                            sessions=app.sessions, now=clock.now)
    original = fake._send_cs
    calls = 0

    def expire_halfway(payload: dict[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        if calls == len(chats) // 3:
            fake.expire_all_access_tokens()
        return original(payload)

    fake._send_cs = expire_halfway  # type: ignore[method-assign]
    broadcast_id = await new_broadcast(app)
    started = time.perf_counter()
    await app.delivery.pump_broadcasts()
    enqueued = time.perf_counter() - started
    started = time.perf_counter()
    await app.delivery.sender("zalo_oa", channel).drain()
    oa_took = time.perf_counter() - started
    telegram = Recorder()
    await app.delivery.sender("telegram", telegram).drain()
    await app.delivery.pump_broadcasts()
    async with app.sessions() as session:
        outcome = Counter((channel_, status, (error or "").split(":")[0])
                          for channel_, status, error in (await session.execute(
                              select(OutboxRow.channel, OutboxRow.status, OutboxRow.last_error)
                              .where(OutboxRow.broadcast_id == broadcast_id))).all())
        people = await session.scalar(select(func.count(func.distinct(OutboxRow.person_id)))
                                      .where(OutboxRow.broadcast_id == broadcast_id))
    per_user = Counter(m["recipient"]["user_id"] for m in fake.sent)
    print(f"broadcast to {count:,} OA followers, {len(outside):,} outside the 7-day window "
          f"({len(linked):,} of them also on Telegram); the token expires after "
          f"{len(chats) // 3:,} sends")
    print(f"  enqueue         {enqueued:.2f} s; OA drain {oa_took:.1f} s "
          f"({len(fake.sent) / oa_took:,.0f} sends/s against the local fake)")
    for (channel_, status, reason), number in sorted(outcome.items()):
        print(f"  {channel_:8} {status:10} {reason or '-':22} {number:6,}")
    print(f"  people with a row {people:,}; OA sends {len(fake.sent):,}, Telegram "
          f"{len(telegram.sent):,}; duplicates {sum(n - 1 for n in per_user.values())}")
    print(f"  token refreshes {fake.refreshes}; refused by the fake "
          f"{Counter(code for _, code in fake.refused)}")
    await api.close()
    await fake.close()
    await app.close()


async def main(args: argparse.Namespace) -> None:
    base = os.environ.get("BENCH_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="thidua-bench-"))
    try:
        url = base or f"sqlite+aiosqlite:///{folder / 'oa.db'}"
        print(f"database: {'PostgreSQL' if base else 'SQLite (WAL)'}; quiet hours off "
              f"({NO_QUIET})")
        await bench(url, args.count)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    asyncio.run(main(parser.parse_args()))
