"""The real bot (core, database, content) over Zalo and Telegram fakes, as `thidua run` runs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app.runtime import run_bot
from bot.core.config import Settings
from tests.channels.conftest import TELEGRAM_TOKEN, ZALO_TOKEN
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.fake_zalo import FakeZalo, ZaloChat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def running_bot(db_url: str, fake_zalo: FakeZalo, fake_telegram: FakeTelegram
                      ) -> AsyncIterator[asyncio.Event]:
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=fake_zalo.base_url,
                        zalo_poll_timeout=1, telegram_bot_token=TELEGRAM_TOKEN,
                        telegram_api_base=fake_telegram.base_url)
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    yield stop
    stop.set()
    await asyncio.wait_for(task, timeout=30)


async def test_full_registration_over_zalo_polling(
    running_bot: asyncio.Event, fake_zalo: FakeZalo
) -> None:
    chat = ZaloChat(fake_zalo, "zalo-lan")
    await asyncio.sleep(0.3)  # idle polls answered 408
    chat.send("/start")
    welcome = await chat.reply()
    assert "trợ lý tự động" in welcome and "2. Hồ sơ của tôi" in welcome
    chat.send("2")
    assert "chưa có hồ sơ" in await chat.reply()
    chat.send("Đăng ký")
    assert "Bạn có đồng ý không?" in await chat.reply()
    consent_event = chat.send("1")
    assert "nhắc hạn" in await chat.reply()
    fake_zalo.push(consent_event)  # Zalo delivers the same event twice
    await chat.assert_silent()
    for line, expected in (("2", "họ và tên"), ("Lò Văn Páo", "sinh năm nào"),
                           ("1988", "đơn vị nào"), ("tram tau", "kiểm tra lại"),
                           ("Lưu", "Đăng ký xong")):
        chat.send(line)
        assert expected in await chat.reply()
    profile = await chat.reply()
    assert "Lò Văn Páo" in profile and "Trạm Tấu" in profile
    assert fake_zalo.answers_408 >= 1
    assert all(len(text) <= 2000 for text in fake_zalo.texts_to("zalo-lan"))


async def test_telegram_buttons_drive_the_real_menu(
    running_bot: asyncio.Event, fake_telegram: FakeTelegram
) -> None:
    chat = TelegramChat(fake_telegram, 777)
    chat.send("/start")
    welcome = await chat.reply()
    buttons = [b["callback_data"] for row in welcome["reply_markup"]["inline_keyboard"]
               for b in row]
    assert "c:toi" in buttons
    chat.press(welcome, "c:toi")
    assert "chưa có hồ sơ" in (await chat.reply())["text"]
    assert fake_telegram.answered, "the callback query was not answered"
    assert any("Hồ sơ của tôi" in edit.get("text", "") for edit in fake_telegram.edits)
    names = [c["command"] for c in fake_telegram.commands]
    assert names[:4] == ["start", "menu", "help", "huy"] and "toi" in names


async def test_thidua_run_stops_cleanly_on_sigterm(fake_zalo: FakeZalo, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
           "ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE": fake_zalo.base_url,
           "ZALO_POLL_TIMEOUT": "1", "TELEGRAM_BOT_TOKEN": "", "LOG_LEVEL": "INFO"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    chat = ZaloChat(fake_zalo, "zalo-run")
    chat.send("/start")
    try:
        assert "trợ lý tự động" in await chat.reply(timeout=90)
    except BaseException:
        proc.kill()
        await proc.wait()
        raise
    proc.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, err.decode()
    log = err.decode()
    assert "stopped" in log and ZALO_TOKEN not in log


async def test_telegram_403_marks_the_account_blocked(
    running_bot: asyncio.Event, fake_telegram: FakeTelegram, db_url: str
) -> None:
    from sqlalchemy import select

    from storage.db import create_engine, session_factory
    from storage.models import ChannelAccountRow

    chat = TelegramChat(fake_telegram, 888)
    fake_telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    chat.send("/start")
    engine = create_engine(db_url)
    blocked_at = None
    for _ in range(100):
        async with session_factory(engine)() as session:
            blocked_at = await session.scalar(select(ChannelAccountRow.blocked_at).where(
                ChannelAccountRow.channel == "telegram", ChannelAccountRow.external_id == "888"))
        if blocked_at is not None:
            break
        await asyncio.sleep(0.05)
    await engine.dispose()
    assert blocked_at is not None
