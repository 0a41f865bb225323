"""Fixtures: fake Bot API servers, the scripted stand-in core, a blocked-user recorder."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBotApi
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo
from tests.channels.scripted import ScriptedCore

ZALO_TOKEN = "3141592653:zalo-SECRET-part-9f8e7d"
TELEGRAM_TOKEN = "271828182:TG-SECRET-part-AAbbCCddEEffGGhh"
SECRETS = ("zalo-SECRET-part-9f8e7d", "TG-SECRET-part-AAbbCCddEEffGGhh")
TEXTS = {"channel.unsupported": "Xin lỗi, mình chỉ đọc được tin nhắn chữ. Gõ /menu để xem.",
         "error.group_chat": "Trợ lý chỉ trò chuyện riêng. Bạn vui lòng nhắn riêng cho Trợ lý."}
COMMANDS = [("start", "Bắt đầu"), ("menu", "Menu chính"), ("huy", "Huỷ bước đang làm")]


@dataclass
class BlockedLog:
    """Records on_blocked calls."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    async def __call__(self, channel: str, user_id: str) -> None:
        self.calls.append((channel, user_id))


@pytest.fixture
def core() -> ScriptedCore:
    return ScriptedCore()


@pytest.fixture
def blocked() -> BlockedLog:
    return BlockedLog()


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo(ZALO_TOKEN)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def make_zalo(
    fake_zalo: FakeZalo, core: ScriptedCore, blocked: BlockedLog
) -> AsyncIterator[Callable[..., ZaloChannel]]:
    made: list[ZaloChannel] = []

    def factory(**options: Any) -> ZaloChannel:
        settings: dict[str, Any] = {
            "handle": core.handle,
            "on_blocked": blocked,
            "texts": TEXTS,
            "poll_timeout": 1,
            "backoff_initial": 0.05,
            "backoff_max": 0.2,
            "default_retry_after": 0.2,
            "refusal_pause": 0.1,
            "typing_delay": 5.0,
            **options,
        }
        channel = ZaloChannel(ZaloBotApi(ZALO_TOKEN, fake_zalo.base_url), **settings)
        made.append(channel)
        return channel

    yield factory
    for channel in made:
        await channel.stop()


@pytest.fixture
async def make_telegram(
    fake_telegram: FakeTelegram, core: ScriptedCore, blocked: BlockedLog
) -> AsyncIterator[Callable[..., TelegramChannel]]:
    made: list[TelegramChannel] = []

    def factory(**options: Any) -> TelegramChannel:
        settings: dict[str, Any] = {
            "handle": core.handle,
            "on_blocked": blocked,
            "texts": TEXTS,
            "commands": COMMANDS,
            "api_base": fake_telegram.base_url,
            "poll_timeout": 1,
            "typing_delay": 5.0,
            "backoff_initial": 0.05,
            "backoff_max": 0.2,
            "refusal_pause": 0.1,
            **options,
        }
        channel = TelegramChannel(TELEGRAM_TOKEN, **settings)
        made.append(channel)
        return channel

    yield factory
    for channel in made:
        await channel.stop()
