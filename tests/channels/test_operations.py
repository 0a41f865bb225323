"""`thidua run` for an operator: one channel down does not stop the others, the health port
tells which, and a channel the platform refuses alerts the admins on their other channel."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import time
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app.runtime import run_bot
from bot.core.config import Settings
from storage.db import create_engine, session_factory
from storage.inbox.repo import InboxRepo
from storage.models import ChannelAccountRow
from tests.channels.conftest import TELEGRAM_TOKEN, ZALO_TOKEN
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.fake_zalo import FakeZalo, ZaloChat
from tests.channels.process import free_port, wait_http


@pytest.fixture
async def bot(db_url: str, fake_zalo: FakeZalo, fake_telegram: FakeTelegram
              ) -> AsyncIterator[Callable[..., Any]]:
    """Start `run_bot` in this process; return the health port's base URL."""
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> str:
        port = free_port()
        values: dict[str, Any] = {
            "database_url": db_url, "zalo_bot_token": ZALO_TOKEN,
            "zalo_api_base": fake_zalo.base_url, "zalo_poll_timeout": 1,
            "telegram_bot_token": TELEGRAM_TOKEN, "telegram_api_base": fake_telegram.base_url,
            "health_port": port, "quiet_hours_start": time(0, 0),
            "quiet_hours_end": time(0, 0), **overrides}
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        stop = asyncio.Event()
        stops.append((stop, asyncio.create_task(run_bot(settings, stop))))
        base = f"http://127.0.0.1:{port}"
        await wait_http(base + "/healthz", timeout=60)
        return base

    yield start
    for stop, task in stops:
        stop.set()
        await asyncio.wait_for(task, timeout=60)


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def _sample(metrics: str, name: str, **labels: str) -> float | None:
    for line in metrics.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.partition(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


async def _row_closed(db_url: str, channel: str) -> None:
    engine = create_engine(db_url)
    try:
        for _ in range(100):
            async with session_factory(engine)() as session:
                if (channel, "done") in await InboxRepo(session).counts():
                    return
            await asyncio.sleep(0.05)
        raise AssertionError("the update's inbox row was not closed")
    finally:
        await engine.dispose()


@pytest.mark.parametrize("outage", ["html502", "unreachable"])
async def test_telegram_down_at_start_zalo_still_answers_and_readyz_says_which(
    outage: str, bot: Callable[..., Any], fake_zalo: FakeZalo, fake_telegram: FakeTelegram,
    db_url: str,
) -> None:
    overrides: dict[str, Any] = {}
    if outage == "unreachable":
        overrides["telegram_api_base"] = f"http://127.0.0.1:{free_port()}"
    else:
        fake_telegram.outage = outage
    base = await bot(**overrides)
    chat = ZaloChat(fake_zalo, "zalo-an")
    chat.send("/start")
    assert "trợ lý tự động" in await chat.reply(timeout=30)
    await _row_closed(db_url, "zalo")  # the answer goes out before its row is closed

    status, body = await _get(base + "/readyz")
    ready = json.loads(body)
    assert status == 200 and ready["database"] == "ok" and ready["degraded"] is True
    assert ready["channels"]["zalo"] == {"state": "ok", "error": None}
    telegram = ready["channels"]["telegram"]
    assert telegram["state"] == "down"
    assert telegram["error"] in ({"network"} if outage == "unreachable"
                                 else {"bad_answer", "server_error"})
    assert await _get(base + "/healthz") == (200, "ok\n")
    status, metrics = await _get(base + "/metrics")
    assert status == 200
    assert _sample(metrics, "thidua_channel_up", channel="zalo") == 1
    assert _sample(metrics, "thidua_channel_up", channel="telegram") == 0
    assert _sample(metrics, "thidua_channel_state", channel="telegram", state="down") == 1
    assert (_sample(metrics, "thidua_messages_handled_total", channel="zalo", outcome="ok")
            or 0) >= 1
    assert (_sample(metrics, "thidua_message_latency_seconds_count", channel="zalo") or 0) >= 1
    assert _sample(metrics, "thidua_database_up") == 1
    assert _sample(metrics, "thidua_inbox_rows", channel="zalo", status="done") is not None
    if outage == "unreachable":
        return
    # Telegram comes back: the channel retried with backoff and now serves too.
    fake_telegram.outage = None

    async def telegram_ok() -> bool:
        return json.loads((await _get(base + "/readyz"))[1])["channels"]["telegram"][
            "state"] == "ok"

    for _ in range(300):
        if await telegram_ok():
            break
        await asyncio.sleep(0.1)
    assert await telegram_ok()
    tg = TelegramChat(fake_telegram, 321)
    tg.send("/start")
    assert "trợ lý tự động" in (await tg.reply(timeout=30))["text"]


async def test_a_refused_channel_pauses_and_alerts_the_admin_on_the_other_channel(
    bot: Callable[..., Any], fake_zalo: FakeZalo, fake_telegram: FakeTelegram, db_url: str,
) -> None:
    base = await bot(admin_ids="telegram:900")
    admin = TelegramChat(fake_telegram, 900)
    admin.send("/start")
    await admin.reply(timeout=30)
    # Zalo now refuses every send with 401 (a revoked token).
    fake_zalo.fail("sendMessage", 401, "Unauthorized", times=50)
    fake_zalo.fail("getUpdates", 401, "Unauthorized", times=1)
    chat = ZaloChat(fake_zalo, "zalo-binh")
    chat.send("/start")
    alert = await admin.reply(timeout=30)
    assert "kênh Zalo đang tạm dừng" in alert["text"]
    ready = json.loads((await _get(base + "/readyz"))[1])
    assert ready["channels"]["zalo"]["state"] == "paused"
    assert ready["channels"]["zalo"]["error"] == "unauthorized"
    await admin.assert_silent()  # one alert per episode
    engine = create_engine(db_url)
    async with session_factory(engine)() as session:
        blocked = await session.scalars(select(ChannelAccountRow.external_id).where(
            ChannelAccountRow.blocked_at.is_not(None)))
        assert list(blocked) == []  # nobody marked blocked for the platform's refusal
    await engine.dispose()
