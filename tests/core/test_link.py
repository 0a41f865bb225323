"""One person, several channels: link a second account with a one-time code."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import MovableClock
from storage.models import PersonRow
from tests.core.test_registration import register_lan
from tests.harness import Chat, become, send_as


async def zalo(app: App, text: str) -> str:
    """Send text as Lan's Zalo account and return the first reply's text."""
    replies = await send_as(app, "zalo", "z-lan", text)
    return replies[0].text


async def get_code(chat: Chat) -> str:
    await chat.send("/lienket")
    shown = await chat.reply()
    match = re.search(r"/lienket (\d{8})", shown)
    assert match, shown
    return match.group(1)


async def test_link_zalo_to_the_console_profile(chat: Chat, app: App) -> None:
    await register_lan(chat)
    await chat.reply()
    code = await get_code(chat)
    assert "Nguyễn" not in await zalo(app, "/start")
    done = await zalo(app, f"/lienket {code[:4]} {code[4:]}")
    assert "Đã liên kết. Xin chào Nguyễn Thị Lan" in done and "Zalo" in done
    assert "Họ và tên: Nguyễn Thị Lan" in await zalo(app, "/toi")
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PersonRow)) == 1


async def test_codes_are_one_time_and_expire(chat: Chat, app: App, clock: MovableClock) -> None:
    await register_lan(chat)
    await chat.reply()
    code = await get_code(chat)
    clock.advance(timedelta(minutes=11))
    assert "không đúng hoặc đã hết hạn" in await zalo(app, f"/lienket {code}")
    code = await get_code(chat)
    await zalo(app, f"/lienket {code}")
    other = await send_as(app, "telegram", "t1", f"/lienket {code}")
    assert "không đúng hoặc đã hết hạn" in other[0].text
    assert "8 chữ số" in await zalo(app, "/lienket abc")


async def test_an_account_with_its_own_profile_is_not_merged(chat: Chat, app: App) -> None:
    await register_lan(chat)
    await chat.reply()
    code = await get_code(chat)
    await become(chat, "minh")
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "2", "Trần Minh", "1980", "Bỏ qua", "Lưu"):
        await chat.send(line)
        await chat.reply()
    assert "Trần Minh" in await chat.reply()
    await chat.send(f"/lienket {code}")
    assert "đã có hồ sơ riêng" in await chat.reply()


async def test_a_refused_try_from_someone_else_keeps_the_code(chat: Chat, app: App) -> None:
    await register_lan(chat)
    await chat.reply()
    code = await get_code(chat)
    await become(chat, "minh")
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "2", "Trần Minh", "1980", "Bỏ qua", "Lưu"):
        await chat.send(line)
        await chat.reply()
    assert "Trần Minh" in await chat.reply()
    await chat.send(f"/lienket {code}")
    refused = await chat.reply()
    assert "không dùng được mã này" in refused and "vẫn còn hiệu lực" in refused
    done = await zalo(app, f"/lienket {code}")
    assert "Đã liên kết. Xin chào Nguyễn Thị Lan" in done


async def test_toi_shows_the_channel_id_before_and_after_registering(app: App) -> None:
    shown = await zalo(app, "/toi")
    assert "Bạn chưa có hồ sơ" in shown and "Mã tài khoản của bạn: zalo:z-lan" in shown
