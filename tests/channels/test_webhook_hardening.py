"""Malformed webhook calls get 400/403 (never 500), refusals are counted and logged at a
limited rate."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.webhook import WebhookServer
from bot.channels.zalo import ZaloChannel
from bot.core.metrics import WEBHOOK_REFUSED
from tests.channels.fake_telegram import FakeTelegram, TelegramChat

TG_SECRET = "tg-hook-secret-1234"
ZALO_SECRET = "zalo-hook-secret-123"


@pytest.fixture
async def server() -> AsyncIterator[WebhookServer]:
    server = WebhookServer("127.0.0.1", 0)
    yield server
    for name in ("telegram", "zalo"):
        await server.detach(name)


@pytest.fixture
async def hooked(make_telegram: Callable[..., TelegramChannel],
                 make_zalo: Callable[..., ZaloChannel], server: WebhookServer) -> WebhookServer:
    await make_telegram(webhook_url="https://b.example.org/webhook/telegram",
                        webhook_secret=TG_SECRET, webhook_server=server).start()
    await make_zalo(webhook_url="https://b.example.org/webhook/zalo",
                    webhook_secret=ZALO_SECRET, webhook_server=server).start()
    return server


async def _raw_post(port: int, path: str, header: bytes, body: bytes) -> int:
    """POST with raw header bytes (clients refuse to send non-ASCII headers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n"
                 b"Content-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


@pytest.mark.parametrize(("path", "name"), [
    ("/webhook/telegram", "X-Telegram-Bot-Api-Secret-Token"),
    ("/webhook/zalo", "X-Bot-Api-Secret-Token")])
async def test_a_non_ascii_secret_header_is_refused_not_crashed(
    hooked: WebhookServer, path: str, name: str
) -> None:
    header = name.encode() + ": mật-khẩu-sai".encode() + b"\xff"
    assert await _raw_post(hooked.port, path, header, b"{}") == 403


@pytest.mark.parametrize(("path", "header"), [
    ("/webhook/telegram", {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
    ("/webhook/zalo", {"X-Bot-Api-Secret-Token": ZALO_SECRET})])
async def test_bodies_nested_100k_deep_or_not_json_get_400(
    hooked: WebhookServer, path: str, header: dict[str, str]
) -> None:
    url = f"http://127.0.0.1:{hooked.port}{path}"
    deep = b"[" * 100_000 + b"]" * 100_000
    async with aiohttp.ClientSession() as session:
        for body in (deep, b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, b"\xff\xfe", b"[1, 2]",
                     b'{"update_id": "x"}'):
            async with session.post(url, data=body, headers=header) as response:
                assert response.status == 400, body[:20]


async def test_wrong_secrets_are_counted_and_logged_once_a_minute(
    hooked: WebhookServer, caplog: pytest.LogCaptureFixture, fake_telegram: FakeTelegram
) -> None:
    caplog.set_level(logging.INFO)
    before = WEBHOOK_REFUSED.value(channel="telegram", reason="secret")
    url = f"http://127.0.0.1:{hooked.port}/webhook/telegram"
    async with aiohttp.ClientSession() as session:
        for n in range(50):
            headers = {"X-Telegram-Bot-Api-Secret-Token": f"guess-{n}"}
            async with session.post(url, json={"update_id": n}, headers=headers) as response:
                assert response.status == 403
        update = fake_telegram.message_update(1001, text="/start")
        update["update_id"] = 5
        async with session.post(url, json=update,
                                headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}) as ok:
            assert ok.status == 200
    assert WEBHOOK_REFUSED.value(channel="telegram", reason="secret") - before == 50
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1
    assert "tên là gì" in (await TelegramChat(fake_telegram).reply())["text"]
