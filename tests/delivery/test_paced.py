"""Paced sending over the fake Bot APIs, which refuse what Telegram and Zalo would refuse."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBotApi
from bot.core.clock import MovableClock
from bot.delivery.sender import OutboxSender
from storage.delivery.repo import OutboxRepo
from tests.channels.conftest import TELEGRAM_TOKEN, ZALO_TOKEN
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo
from tests.delivery.conftest import MakeChat
from tests.delivery.helpers import seed_people
from tests.delivery.test_sender import broadcast_to_all


@pytest.fixture
async def strict_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN, enforce_limits=True)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def limited_zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo(ZALO_TOKEN, rate_limit=4)
    await fake.start()
    yield fake
    await fake.close()


def telegram_channel(app: App, fake: FakeTelegram) -> TelegramChannel:
    return TelegramChannel(TELEGRAM_TOKEN, handle=app.handle, on_blocked=app.mark_blocked,
                           texts=app.services.messages.t, api_base=fake.base_url)


async def send_all(app: App, sender: OutboxSender, timeout: float = 60.0) -> None:
    """Run the sender until nothing waits in its channel's outbox."""
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        async with asyncio.timeout(timeout):
            while True:
                await asyncio.sleep(0.2)
                async with app.sessions() as session:
                    if not await OutboxRepo(session).waiting_count(sender.channel):
                        break
    finally:
        stop.set()
        await task


async def test_a_broadcast_keeps_within_telegram_limits(
    make_chat: MakeChat, clock: MovableClock, strict_telegram: FakeTelegram
) -> None:
    app, _chat = await make_chat(quiet_hours_start="00:00", quiet_hours_end="00:00")
    chats = await seed_people(app.sessions, 60, clock.now())
    await broadcast_to_all(app, clock)
    channel = telegram_channel(app, strict_telegram)
    try:
        await send_all(app, app.delivery.sender("telegram", channel))
    finally:
        await channel.stop()
    assert strict_telegram.too_many == 0
    assert Counter(str(s["chat_id"]) for s in strict_telegram.sent) == Counter(chats)


async def test_several_messages_to_one_chat_are_spaced_a_second_apart(
    make_chat: MakeChat, clock: MovableClock, strict_telegram: FakeTelegram
) -> None:
    app, _chat = await make_chat(quiet_hours_start="00:00", quiet_hours_end="00:00")
    [chat] = await seed_people(app.sessions, 1, clock.now())
    for _ in range(3):
        await broadcast_to_all(app, clock)
    channel = telegram_channel(app, strict_telegram)
    try:
        await send_all(app, app.delivery.sender("telegram", channel))
    finally:
        await channel.stop()
    assert strict_telegram.too_many == 0
    assert [str(s["chat_id"]) for s in strict_telegram.sent] == [chat] * 3


async def test_zalo_429_pauses_sending_and_nothing_is_lost_or_doubled(
    make_chat: MakeChat, clock: MovableClock, limited_zalo: FakeZalo
) -> None:
    fake_zalo = limited_zalo
    app, _chat = await make_chat(quiet_hours_start="00:00", quiet_hours_end="00:00",
                                 delivery_zalo_rate=20)
    chats = await seed_people(app.sessions, 12, clock.now(), channel="zalo")
    await broadcast_to_all(app, clock)
    channel = ZaloChannel(ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url), handle=app.handle,
                          on_blocked=app.mark_blocked, texts=app.services.messages.t)
    sender = app.delivery.sender("zalo", channel)
    try:
        await send_all(app, sender)
    finally:
        await channel.stop()
    assert fake_zalo.too_many > 0 and sender.stats.rate_limited == fake_zalo.too_many
    assert Counter(s["chat_id"] for s in fake_zalo.sent) == Counter(chats)
