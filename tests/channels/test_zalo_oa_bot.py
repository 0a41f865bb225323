"""The real bot (core, database, content) over the Zalo OA fake, as `thidua run` runs it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from bot.app.runtime import run_bot
from bot.channels.zalo_oa_api import ZaloOAApi, ZaloOAuth
from bot.channels.zalo_oa_tokens import store_first_grant
from bot.core.clock import MovableClock
from bot.core.config import Settings
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from tests.channels.fake_zalo_oa import FakeZaloOA, OAChat


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def oa_bot(db_url: str) -> AsyncIterator[FakeZaloOA]:
    fake = FakeZaloOA(MovableClock())
    await fake.start()
    await upgrade(db_url)
    engine = create_engine(db_url)
    api = ZaloOAApi(base_url=fake.base_url)
    oauth = ZaloOAuth(fake.app_id, fake.app_secret, fake.base_url, session_factory=api.session)
    await store_first_grant(session_factory(engine), oauth, fake.oa_id, fake.issue_code())
    await api.close()
    await engine.dispose()
    port = _free_port()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_oa_app_id=fake.app_id, zalo_oa_app_secret=fake.app_secret,
                        zalo_oa_secret_key=fake.oa_secret_key, zalo_oa_id=fake.oa_id,
                        zalo_oa_api_base=fake.base_url, zalo_oa_oauth_base=fake.base_url,
                        webhook_host="127.0.0.1", webhook_port=port)
    fake.webhook_url = f"http://127.0.0.1:{port}/webhook/zalo_oa"
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    for _ in range(200):  # until the webhook answers Zalo's unsigned check
        try:
            await fake._post(b"{}", {"Content-Type": "application/json"})
            break
        except OSError:
            await asyncio.sleep(0.05)
    yield fake
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    await fake.close()


async def test_full_registration_over_the_oa(oa_bot: FakeZaloOA) -> None:
    chat = OAChat(oa_bot, "oa-pao", "Lò Văn Páo")
    assert await oa_bot.deliver(oa_bot.follow_event("oa-pao")) == 200  # follow: a welcome
    welcome = await chat.reply()
    assert "trợ lý tự động" in welcome and "2. Hồ sơ của tôi" in welcome
    buttons = oa_bot.messages_to("oa-pao")[-1]["attachment"]["payload"]["buttons"]
    assert len(buttons) <= 5 and buttons[1]["title"].startswith("Hồ sơ")
    await chat.send(buttons[1]["payload"])  # a tap on "Hồ sơ của tôi"
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("Đăng ký")
    assert "Bạn có đồng ý không?" in await chat.reply()
    consent = await chat.send("1")
    assert "nhắc hạn" in await chat.reply()
    assert await oa_bot.replay() == 200  # Zalo delivers the same event again
    await chat.assert_silent()
    for line, expected in (("2", "họ và tên"), ("Lò Văn Páo", "sinh năm nào"),
                           ("1988", "đơn vị nào"), ("tram tau", "kiểm tra lại"),
                           ("Lưu", "Đăng ký xong")):
        await chat.send(line)
        assert expected in await chat.reply()
    profile = await chat.reply()
    assert "Lò Văn Páo" in profile and "Trạm Tấu" in profile
    assert consent["message"]["msg_id"]
    assert all(len(text) <= 2000 for text in oa_bot.texts_to("oa-pao"))
    assert oa_bot.refused == []  # every send was inside the window, with a valid token
