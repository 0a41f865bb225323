"""build_channels from settings; webhooks of both channels on one web server."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.channels.runner import Channel, build_channels, start_channels, stop_channels
from bot.channels.telegram import TelegramChannel
from bot.channels.webhook import WebhookServer
from bot.channels.zalo import ZaloChannel
from bot.core.config import Settings
from tests.channels.conftest import TELEGRAM_TOKEN, TEXTS, ZALO_TOKEN, BlockedLog
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.fake_zalo import FakeZalo, ZaloChat, text_event
from tests.channels.scripted import ScriptedCore

ENV_NAMES = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_BOT_TOKEN", "ZALO_API_BASE", "ZALO_WEBHOOK_URL", "ZALO_WEBHOOK_SECRET",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_no_token_means_no_channel(core: ScriptedCore, blocked: BlockedLog) -> None:
    assert build_channels(settings(), core.handle, blocked, TEXTS) == []


def test_texts_must_hold_the_channel_keys(core: ScriptedCore, blocked: BlockedLog) -> None:
    with pytest.raises(ValueError, match=r"channel\.unsupported"):
        build_channels(settings(zalo_bot_token=ZALO_TOKEN), core.handle, blocked, {})


def test_a_webhook_without_a_secret_is_refused(core: ScriptedCore, blocked: BlockedLog) -> None:
    configured = settings(
        telegram_bot_token=TELEGRAM_TOKEN, telegram_webhook_url="https://x.org/webhook/telegram"
    )
    with pytest.raises(ValueError, match="secret"):
        build_channels(configured, core.handle, blocked, TEXTS)


async def test_polling_channels_from_settings(
    fake_zalo: FakeZalo, fake_telegram: FakeTelegram, core: ScriptedCore, blocked: BlockedLog
) -> None:
    configured = settings(
        zalo_bot_token=ZALO_TOKEN,
        zalo_api_base=fake_zalo.base_url,
        zalo_poll_timeout=1,
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_api_base=fake_telegram.base_url,
    )
    channels: list[Channel] = build_channels(configured, core.handle, blocked, TEXTS)
    assert [type(c) for c in channels] == [ZaloChannel, TelegramChannel]
    assert [c.name for c in channels] == ["zalo", "telegram"]
    await start_channels(channels)
    try:
        ZaloChat(fake_zalo).send("/start")
        assert "tên là gì" in await ZaloChat(fake_zalo).reply()
        TelegramChat(fake_telegram).send("/start")
        assert "tên là gì" in (await TelegramChat(fake_telegram).reply())["text"]
    finally:
        await stop_channels(channels)
    assert {c.channel for c in core.calls} == {"zalo", "telegram"}


async def test_both_webhooks_share_one_server_and_stop_with_the_channels(
    fake_zalo: FakeZalo, fake_telegram: FakeTelegram, core: ScriptedCore, blocked: BlockedLog
) -> None:
    configured = settings(
        zalo_bot_token=ZALO_TOKEN,
        zalo_api_base=fake_zalo.base_url,
        zalo_webhook_url="https://bot.example.org/webhook/zalo",
        zalo_webhook_secret="zalo-secret-1234",
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_api_base=fake_telegram.base_url,
        telegram_webhook_url="https://bot.example.org/webhook/telegram",
        telegram_webhook_secret="tg-secret-1234",
    )
    server = WebhookServer("127.0.0.1", 0)
    channels = build_channels(
        configured, core.handle, blocked, TEXTS, webhook_server=server
    )
    await start_channels(channels)
    base = f"http://127.0.0.1:{server.port}"
    telegram_update = fake_telegram.message_update(1001, text="/start")
    telegram_update["update_id"] = 1
    try:
        async with aiohttp.ClientSession() as session:
            zalo_headers = {"X-Bot-Api-Secret-Token": "zalo-secret-1234"}
            async with session.post(
                base + "/webhook/zalo", json=text_event("u1", "/start"), headers=zalo_headers
            ) as response:
                assert response.status == 200
            tg_headers = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret-1234"}
            async with session.post(
                base + "/webhook/telegram", json=telegram_update, headers=tg_headers
            ) as response:
                assert response.status == 200
            async with session.post(base + "/webhook/other", json={}) as response:
                assert response.status == 404
            async with session.get(base + "/healthz") as response:
                assert response.status == 200
        assert "tên là gì" in await ZaloChat(fake_zalo, "u1").reply()
        assert "tên là gì" in (await TelegramChat(fake_telegram).reply())["text"]
    finally:
        await stop_channels(channels)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(base + "/healthz")
