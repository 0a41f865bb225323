"""Nothing acknowledged is lost: `thidua run` killed (SIGKILL) with 1,000 queued updates,
then restarted, answers every update exactly once, over polling and over webhooks."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import aiohttp

from tests.channels.conftest import TELEGRAM_TOKEN, ZALO_TOKEN
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo, text_event
from tests.channels.process import (
    BotProcess,
    bot_env,
    free_port,
    wait_http,
    wait_stalled,
    wait_until,
)

UPDATES = 1000
KILL_AFTER = 400  # replies the fake lets through before it stops answering sends
ZALO_SECRET = "zalo-hook-secret-123"


def _report(name: str, counts: Counter[str], expected: list[str], started: float) -> None:
    lost = [chat for chat in expected if counts[chat] == 0]
    twice = [chat for chat in expected if counts[chat] > 1]
    print(f"{name}: {UPDATES} updates, lost {len(lost)}, answered twice {len(twice)}, "
          f"{time.monotonic() - started:.1f} s")
    assert not lost, f"{len(lost)} update(s) never answered, e.g. {lost[:5]}"
    assert not twice, f"{len(twice)} update(s) answered twice, e.g. {twice[:5]}"


async def test_sigkill_over_telegram_polling_loses_nothing(
    db_url: str, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    started = time.monotonic()
    users = [10_000 + n for n in range(UPDATES)]
    first = None
    for user in users:
        update = fake_telegram.push(fake_telegram.message_update(user, text="/help"))
        first = update["update_id"] if first is None else first
    assert first is not None
    fake_telegram.hold_sends_after = KILL_AFTER
    env = bot_env(db_url, TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
                  TELEGRAM_API_BASE=fake_telegram.base_url)
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()

    def answered() -> int:
        return len({s["chat_id"] for s in fake_telegram.sent})

    await wait_stalled(answered, KILL_AFTER)
    print(f"killed at {time.monotonic() - started:.1f} s")
    await bot.kill()
    confirmed = fake_telegram.confirmed_offset - first
    # Telegram was told these were received (their offset confirmed), yet many were not
    # answered: without the inbox they would be gone.
    assert confirmed > answered() + 100, (confirmed, answered())
    fake_telegram.hold_sends_after = None
    fake_telegram._release.set()

    again = BotProcess(env, tmp_path / "bot.log")
    await again.start()
    restarted = time.monotonic()
    await wait_until(lambda: answered() > KILL_AFTER + 20, 180, "a first answer")
    print(f"first answer after restart {time.monotonic() - restarted:.1f} s")
    await wait_until(lambda: answered() >= UPDATES, 180, "every update answered")
    print(f"all answered after restart {time.monotonic() - restarted:.1f} s")
    await asyncio.sleep(1.0)  # a duplicate would arrive now
    assert await again.terminate() == 0
    counts = Counter(str(s["chat_id"]) for s in fake_telegram.sent)
    _report("telegram polling", counts, [str(u) for u in users], started)
    assert TELEGRAM_TOKEN.split(":")[1] not in again.text()


async def test_sigkill_over_zalo_webhook_loses_nothing(
    db_url: str, fake_zalo: FakeZalo, tmp_path: Path
) -> None:
    started = time.monotonic()
    port = free_port()
    env = bot_env(db_url, ZALO_BOT_TOKEN=ZALO_TOKEN, ZALO_API_BASE=fake_zalo.base_url,
                  ZALO_WEBHOOK_URL="https://bot.example.org/webhook/zalo",
                  ZALO_WEBHOOK_SECRET=ZALO_SECRET, WEBHOOK_PORT=str(port))
    fake_zalo.hold_sends_after = KILL_AFTER
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()
    base = f"http://127.0.0.1:{port}"
    await wait_http(base + "/healthz")
    await wait_until(lambda: bool(fake_zalo.webhook), 60, "the webhook registered")
    chats = [f"z{n:04d}" for n in range(UPDATES)]
    statuses: Counter[int] = Counter()
    slots = asyncio.Semaphore(20)

    async def post(session: aiohttp.ClientSession, chat: str) -> None:
        async with slots, session.post(base + "/webhook/zalo", json=text_event(chat, "/help"),
                                       headers={"X-Bot-Api-Secret-Token": ZALO_SECRET}
                                       ) as response:
            statuses[response.status] += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(post(session, chat) for chat in chats))
    assert statuses == {200: UPDATES}  # every update acknowledged

    def answered() -> int:
        return len({s["chat_id"] for s in fake_zalo.sent})

    await wait_stalled(answered, KILL_AFTER)
    assert answered() < UPDATES - 100
    await bot.kill()
    fake_zalo.hold_sends_after = None
    fake_zalo._release.set()

    again = BotProcess(env, tmp_path / "bot.log")
    await again.start()
    restarted = time.monotonic()
    await wait_until(lambda: answered() > KILL_AFTER + 20, 180, "a first answer")
    print(f"first answer after restart {time.monotonic() - restarted:.1f} s")
    await wait_until(lambda: answered() >= UPDATES, 180, "every update answered")
    print(f"all answered after restart {time.monotonic() - restarted:.1f} s")
    await asyncio.sleep(1.0)
    assert await again.terminate() == 0
    counts = Counter(str(s["chat_id"]) for s in fake_zalo.sent)
    _report("zalo webhook", counts, chats, started)
    log = again.text()
    assert ZALO_TOKEN.split(":")[1] not in log and ZALO_SECRET not in log


