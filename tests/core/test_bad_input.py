"""Bad input gets a clear Vietnamese message and loses nothing."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from sqlalchemy import select

from bot.app import App, create_app
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.core.context import Context
from bot.core.types import Reply
from storage.models import PersonRow
from tests.conftest import make_settings
from tests.harness import Chat, send_as


async def reach_birth_year(chat: Chat) -> None:
    """Start registration and answer until the birth-year question."""
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1", "Phạm Văn An"):
        await chat.send(line)
        await chat.reply()


async def test_over_long_text_in_a_field_is_refused_and_the_step_kept(chat: Chat) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1"):
        await chat.send(line)
        await chat.reply()
    await chat.send("A" * 1001)
    assert "quá dài (1001 ký tự)" in await chat.reply()
    await chat.send("Phạm Văn An")
    assert "sinh năm nào" in await chat.reply()


@pytest.mark.parametrize(("typed", "expected"), [
    ("một chín chín mươi", "chưa hiểu năm sinh"),
    ("năm ngoái", "chưa hiểu năm sinh"),
    ("2031", "Năm sinh 2031 chưa tới"),
    ("1899", "từ 1900 trở về sau"),
    ("2015", "dưới 16 tuổi cần cha mẹ"),
])
async def test_bad_birth_years_are_explained(chat: Chat, typed: str, expected: str) -> None:
    await reach_birth_year(chat)
    await chat.send(typed)
    assert expected in await chat.reply()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()


@pytest.mark.parametrize(("typed", "year"), [
    ("sinh năm 1990", 1990), ("SN 1990", 1990), ("năm 1990", 1990), ("90", 1990),
    ("hai nghìn lẻ một", 2001),
])
async def test_natural_birth_years_are_accepted(chat: Chat, typed: str, year: int) -> None:
    await reach_birth_year(chat)
    await chat.send(typed)
    assert "đơn vị nào" in await chat.reply()
    await chat.send("nhân lý")
    assert f"• Năm sinh: {year} (" in await chat.reply()


async def test_unknown_unit_gets_a_way_forward(chat: Chat) -> None:
    await reach_birth_year(chat)
    await chat.send("1990")
    await chat.reply()
    await chat.send("xyzzy qwerty")
    not_found = await chat.reply()
    assert "chưa tìm thấy đơn vị \"xyzzy qwerty\"" in not_found
    assert "Bỏ qua" in chat.choices()
    await chat.send("nhân lý")
    assert "Nhân Lý" in await chat.reply()


async def test_stickers_and_photos_where_text_was_expected(chat: Chat) -> None:
    await reach_birth_year(chat)
    await chat.send_sticker()
    assert "cần bạn gõ chữ" in await chat.reply()
    await chat.send_photo()
    assert "cần bạn gõ chữ" in await chat.reply()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()


async def test_sticker_outside_a_form_gets_the_menu(chat: Chat) -> None:
    await chat.send_sticker()
    reply = await chat.reply()
    assert "chỉ đọc được tin nhắn chữ" in reply and "1. " in reply
    assert "ảnh chỉ dùng khi báo gương tốt" in reply


async def test_unknown_command(chat: Chat) -> None:
    await chat.send("/xinchao")
    reply = await chat.reply()
    assert "chưa có lệnh /xinchao" in reply and "Hồ sơ của tôi" in reply


async def test_command_inside_a_form_keeps_the_form(chat: Chat) -> None:
    await reach_birth_year(chat)
    await chat.send("/thongke")
    assert "Gõ /huy để dừng" in await chat.reply()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()


async def test_cancel_anywhere_then_the_old_step_is_gone(chat: Chat) -> None:
    await reach_birth_year(chat)
    await chat.send("/huy")
    assert "Đã dừng: Đăng ký hồ sơ" in await chat.reply()
    await chat.send("1990")
    assert "Chưa tìm thấy câu trả lời" in await chat.reply()
    await chat.send("/huy")
    assert "không có việc nào đang làm dở" in await chat.reply()


async def test_menu_during_a_form_offers_to_continue_and_keeps_its_numbers(
        chat: Chat) -> None:
    await chat.send("/menu")
    await chat.reply()
    plain = chat.choices()
    await reach_birth_year(chat)
    await chat.send("/menu")
    menu = await chat.reply()
    assert chat.choices() == [*plain, "Tiếp tục: Đăng ký hồ sơ"]
    assert f"{len(plain) + 1}. Tiếp tục: Đăng ký hồ sơ" in menu
    await chat.send(str(len(plain) + 1))
    assert "sinh năm nào" in await chat.reply()


@pytest.mark.parametrize("word", ["menu", "Menu nhé", "danh sách chức năng"])
async def test_menu_typed_in_words_during_a_form_is_the_menu_not_an_answer(
        chat: Chat, word: str) -> None:
    await reach_birth_year(chat)
    await chat.send(word)
    menu = await chat.reply()
    assert "Tiếp tục: Đăng ký hồ sơ" in menu and "sinh năm" not in menu
    await chat.send("Tiếp tục")
    assert "sinh năm nào" in await chat.reply()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()


@pytest.mark.parametrize("word", ["huỷ", "Hủy bỏ", "thôi không đăng ký nữa", "thoát"])
async def test_cancel_typed_in_words_stops_the_form(chat: Chat, word: str) -> None:
    await reach_birth_year(chat)
    await chat.send(word)
    assert "Đã dừng: Đăng ký hồ sơ" in await chat.reply()
    await chat.send("/menu")
    assert "Tiếp tục" not in await chat.reply()


async def test_a_question_asked_on_another_screen_is_not_taken_for_the_form_step(
        chat: Chat) -> None:
    """Someone who leaves a form for the campaigns and asks there gets the answer; the form
    waits on the menu and takes the answer it asked for once resumed."""
    await reach_birth_year(chat)
    await chat.send("/menu")
    await chat.reply()
    await chat.send("Chương trình thi đua và quy định")
    assert "Chọn một chương trình" in await chat.reply()
    await chat.send("hạn chót đăng ký công trình ở trạm tấu")
    answer = await chat.reply()
    assert "25/10/2024" in answer and "sinh năm" not in answer
    await chat.send("menu")
    await chat.reply()
    await chat.send("Tiếp tục")
    assert "sinh năm nào" in await chat.reply()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()


async def test_stale_or_forged_choice_changes_nothing(chat: Chat, app: App) -> None:
    replies = await send_as(app, "console", "lan", choice="f:_save")
    assert "không còn hiệu lực" in replies[0].text
    replies = await send_as(app, "console", "lan", choice="zz:../../etc")
    assert "không còn hiệu lực" in replies[0].text


async def test_a_failing_handler_apologises_with_a_reference_and_keeps_state(
    db_url: str, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_settings(db_url), clock)

    async def explode(ctx: Context, _payload: str) -> list[Reply]:
        ctx.state.clear_form()
        await ctx.people.update_profile(ctx.person.id, ctx.clock.now(), full_name="Hỏng")
        raise RuntimeError("boom")

    app.services.router.choice("boom")(explode)
    await app.start()
    chat = Chat(ConsoleChannel(app, clock, "lan"))
    await reach_birth_year(chat)
    with caplog.at_level(logging.ERROR):
        replies = await send_as(app, "console", "lan", choice="boom:1")
    apology = replies[0].text
    assert "gặp sự cố" in apology and "mã lỗi" in apology
    ref = apology.split("mã lỗi ")[1][:6]
    assert any(ref in record.getMessage() for record in caplog.records)
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
    assert person.full_name is None
    await app.close()


async def test_messages_of_one_chat_are_handled_in_order(chat: Chat, app: App) -> None:
    await reach_birth_year(chat)
    results = await asyncio.gather(
        send_as(app, "console", "lan", "1990"),
        send_as(app, "console", "lan", "Bỏ qua"),
        send_as(app, "console", "lan", "Lưu"),
    )
    assert "đơn vị nào" in results[0][0].text
    assert "kiểm tra lại" in results[1][0].text
    assert "Đăng ký xong" in results[2][0].text
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
    assert (person.full_name, person.birth_year) == ("Phạm Văn An", 1990)


async def test_sqlite_briefly_locked_by_another_writer_waits(
    sqlite_url: str, clock: MovableClock
) -> None:
    app = create_app(make_settings(sqlite_url), clock)
    await app.start()
    chat = Chat(ConsoleChannel(app, clock, "lan"))
    await reach_birth_year(chat)
    other = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def release_later() -> None:
        await asyncio.sleep(0.5)
        other.execute("COMMIT")

    releaser = asyncio.create_task(release_later())
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()
    await releaser
    other.close()
    await app.close()


async def test_sqlite_locked_too_long_says_busy_and_keeps_the_step(
    sqlite_url: str, clock: MovableClock
) -> None:
    app = create_app(make_settings(sqlite_url, sqlite_busy_timeout_ms=100), clock)
    await app.start()
    chat = Chat(ConsoleChannel(app, clock, "lan"))
    await reach_birth_year(chat)
    other = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    await chat.send("1990")
    assert "Hệ thống đang bận" in await chat.reply()
    other.execute("COMMIT")
    other.close()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()
    await app.close()


async def test_a_former_commune_name_leads_to_its_successor_after_the_reform(
    chat: Chat,
) -> None:
    await chat.send("/clock 2026-01-10 09:00")
    await chat.reply()
    await reach_birth_year(chat)
    await chat.send("1990")
    await chat.reply()
    await chat.send("Long Đống")
    await chat.reply()
    # the name is exact: its successor alone, not the look-alikes ("Đồng Nơ", "Tỉnh Đồng Nai")
    assert chat.choices() == ["Xã Bắc Sơn, Tỉnh Lạng Sơn (trước đây: Xã Long Đống)", "Bỏ qua",
                              "Quay lại"]
    await chat.send("1")
    assert "Đơn vị: Xã Bắc Sơn, Tỉnh Lạng Sơn" in await chat.reply()
