"""`thidua run` over the Zalo fake with PUBLIC_URL: a liaison asks /tiendo for the weekly
import, gets a link in the chat, uploads the list over HTTP, reads the report in the chat,
and the referrer's grid then shows the verified (🔒) and unconfirmed (⚠️) weeks."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import aiohttp
import pytest

from bot.app import create_app
from bot.app.runtime import run_bot
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.core.config import Settings
from storage.access import GrantRepo
from storage.db import create_engine, session_factory
from storage.people import PeopleRepo
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, ZaloChat
from tests.conftest import START, make_settings
from tests.harness import Chat
from tests.referrals.helpers import lan_with_two
from tests.web.test_links import OFFICIAL_WEEK_3, marked_week_3

PUBLIC_URL = "https://thidua.example.vn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo(ZALO_TOKEN)
    await fake.start()
    yield fake
    await fake.close()


async def console_chat(db_url: str) -> AsyncIterator[Chat]:
    app = create_app(make_settings(db_url), MovableClock(start=START))
    await app.start()
    try:
        yield Chat(ConsoleChannel(app, app.services.clock, user="lan"))  # type: ignore[arg-type]
    finally:
        await app.close()


async def test_zalo_liaison_imports_from_the_link_and_the_grid_shows_it(
        db_url: str, fake_zalo: FakeZalo) -> None:
    async for chat in console_chat(db_url):  # Lan and her two, week 3 self-reported
        await lan_with_two(chat)
        await marked_week_3(chat)
    port = free_port()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=fake_zalo.base_url,
                        zalo_poll_timeout=1, public_url=PUBLIC_URL, webhook_port=port,
                        health_port=0, quiet_hours_start=time(0), quiet_hours_end=time(0))
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    try:
        zalo = ZaloChat(fake_zalo, "zalo-can")
        await asyncio.sleep(0.3)
        zalo.send("/start")
        await zalo.reply()
        engine = create_engine(db_url)
        async with session_factory(engine)() as session:
            account = await PeopleRepo(session).account("zalo", "zalo-can")
            assert account is not None
            await GrantRepo(session).grant(account.person_id, "liaison", "ls.bac-son",
                                           datetime.now(UTC), granted_by=None, reason="test")
            await session.commit()
        await engine.dispose()
        zalo.send("/tiendo")
        assert "Tiến độ «" in await zalo.reply()
        zalo.send("Nhập danh sách chính thức của một tuần")
        assert "của tuần nào" in await zalo.reply()
        zalo.send("3")
        text = await zalo.reply()
        (path,) = re.findall(re.escape(PUBLIC_URL) + r"(/l/[A-Za-z0-9_-]+)", text)
        async with aiohttp.ClientSession() as http:
            form = aiohttp.FormData()
            form.add_field("file", OFFICIAL_WEEK_3, filename="tuan3.csv")
            async with http.post(f"http://127.0.0.1:{port}{path}", data=form) as response:
                page = await response.text()
        assert response.status == 200 and "Đã nhập danh sách chính thức tuần 3" in page
        report = await zalo.reply()  # the same report, through the outbox, in the chat
        assert "Kết quả tải lên danh sách qua trang web" in report
        assert "Khớp với tài khoản đang theo dõi: 2" in report
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    async for chat in console_chat(db_url):
        await chat.send("/vandong")
        board = await chat.reply()
        assert "• Bạn — 0912 345 678\n   T1 ❌ · T2 ❌ · T3 🔒" in board
        assert "• Hoàng Văn Minh (Người thân) — 0987 654 321\n   T1 ❌ · T2 ❌ · T3 ⚠️" in board

