"""A Dân vận khéo week over the Zalo OA: the real app behind the OA channel and its fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, cast

import pytest

from bot.app import App, create_app
from bot.channels.webhook import WebhookServer
from bot.channels.zalo_oa import ZaloOAChannel
from bot.channels.zalo_oa_api import ZaloOAApi, ZaloOAuth
from bot.channels.zalo_oa_tokens import OATokens, store_first_grant
from bot.core.clock import MovableClock
from tests.channels.fake_zalo_oa import FakeZaloOA, OAChat
from tests.conftest import make_settings
from tests.delivery.helpers import outbox_rows
from tests.harness import Chat
from tests.referrals.helpers import lan_with_two
from tests.referrals.test_delivery import mark_all_this_week


class WeekChat(OAChat):
    """An OA chat read like the console transcript: each send waits for the bot's turn."""

    def __init__(self, fake: FakeZaloOA, channel: ZaloOAChannel, user_id: str) -> None:
        super().__init__(fake, user_id, "Nguyễn Thị Lan")
        self.channel = channel

    async def send(self, text: str) -> dict[str, Any]:
        event = await super().send(text)
        await self.settle()
        return event

    async def settle(self) -> None:
        for _ in range(500):
            await asyncio.sleep(0.01)
            if not self.channel._tasks:
                return

    async def replies(self) -> list[str]:
        await self.settle()
        unread = self._messages()[self._read:]
        self._read += len(unread)
        return unread


@pytest.fixture
async def week(db_url: str, clock: MovableClock) -> AsyncIterator[tuple[App, FakeZaloOA,
                                                                         ZaloOAChannel]]:
    app = create_app(make_settings(db_url, delivery_zalo_oa_rate=500.0), clock)
    await app.start()
    fake = FakeZaloOA(clock)
    await fake.start()
    api = ZaloOAApi(base_url=fake.base_url)
    oauth = ZaloOAuth(fake.app_id, fake.app_secret, fake.base_url, session_factory=api.session)
    api.tokens = OATokens(app.sessions, oauth, fake.oa_id, now=clock.now)
    await store_first_grant(app.sessions, oauth, fake.oa_id, fake.issue_code(), now=clock.now)
    server = WebhookServer("127.0.0.1", 0)
    channel = ZaloOAChannel(api, app_id=fake.app_id, oa_id=fake.oa_id,
                            oa_secret_key=fake.oa_secret_key, handle=app.handle,
                            on_blocked=app.mark_blocked, texts=app.services.messages.t,
                            webhook_server=server, sessions=app.sessions, now=clock.now,
                            typing_delay=5.0)
    await channel.start()
    fake.webhook_url = f"http://127.0.0.1:{server.port}/webhook/zalo_oa"
    yield app, fake, channel
    await channel.stop()
    await fake.close()
    await app.close()


async def test_a_dan_van_kheo_week_over_the_oa(
        week: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:
    app, fake, channel = week
    chat = WeekChat(fake, channel, "oa-lan")
    await lan_with_two(cast(Chat, chat))  # register, join, add Minh and Hoa by typing
    assert any("Đã lưu Trần Thu Hoa" in text for text in fake.texts_to("oa-lan"))
    # Thursday 08:00: the nudge of week 3 (Lan last wrote 47 h before: still free).
    clock.set(datetime(2024, 4, 12, 8, 0))
    assert await app.delivery.tick() >= 1
    assert await app.delivery.sender("zalo_oa", channel).drain() == 1
    [nudge] = await chat.replies()
    assert "tuần 3 (08/04 – 14/04/2024) sắp kết thúc" in nudge and "/vandong" in nudge
    # Lan marks the week by tapping buttons, as on a phone.
    await chat.send("/vandong")
    await chat.replies()
    buttons = fake.messages_to("oa-lan")[-1]["attachment"]["payload"]["buttons"]
    mark = next(b for b in buttons if b["title"].startswith("Đánh dấu"))
    await chat.send(mark["payload"])
    await chat.replies()
    await mark_all_this_week(cast(Chat, chat))
    # Week 4: Lan has not written for 8 days: the nudge is recorded unreachable, not lost.
    clock.set(datetime(2024, 4, 19, 8, 0) + timedelta(minutes=1))
    await app.delivery.tick()
    await app.delivery.sender("zalo_oa", channel).drain()
    assert await chat.replies() == []
    unsent = [r for r in await outbox_rows(app.sessions) if r.status != "sent"]
    assert len(unsent) == 1
    [week4] = unsent
    assert week4.channel == "zalo_oa" and week4.status == "failed"
    assert (week4.last_error or "").startswith("unreachable: no interaction with the OA")
    assert all(len(t) <= 2000 for t in fake.texts_to("oa-lan")) and fake.refused == []
