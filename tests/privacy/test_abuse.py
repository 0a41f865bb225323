"""Hostile input: rate limit, size caps, cleaned text, forged payloads, nothing leaked."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.__main__ import quiet_noisy_loggers
from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.core.types import Attachment, AttachmentKind, Incoming
from storage.models import ChatStateRow, PersonRow
from storage.people import ChatStateRepo, PeopleRepo
from tests.harness import Chat, register, send_as
from tests.privacy.conftest import MakeApp


async def test_a_flood_gets_one_polite_warning_then_silence_and_is_counted(
    make_app: MakeApp, clock: MovableClock
) -> None:
    app = await make_app(rate_limit_messages=20, rate_limit_window_seconds=60)
    for _ in range(20):
        assert await send_as(app, "zalo", "z-flood", "hạn chót là khi nào?")
    (warning,) = await send_as(app, "zalo", "z-flood", "hạn chót là khi nào?")
    assert "gửi tin nhắn hơi nhanh" in warning.text
    assert await send_as(app, "zalo", "z-flood", "còn đó không?") == []
    assert await send_as(app, "zalo", "z-flood", "/toi") == []
    assert await send_as(app, "zalo", "z-other", "/toi")  # other people are not affected
    clock.advance(timedelta(seconds=61))
    assert "chưa có hồ sơ" in (await send_as(app, "zalo", "z-flood", "/toi"))[0].text
    stats = await send_as(app, "console", "admin", "/thongke")
    assert "Tin nhắn bị bỏ qua vì gửi quá nhanh: 3" in stats[0].text


async def test_a_100kb_message_is_refused_before_any_processing(app: App) -> None:
    (reply,) = await send_as(app, "zalo", "z1", "A" * 100_000)
    assert "Tin nhắn quá dài" in reply.text and "4000 ký tự" in reply.text
    async with app.sessions() as session:
        assert (await session.scalars(select(PersonRow))).all() == []


async def test_too_many_or_too_big_photos_are_refused(app: App) -> None:
    photos = tuple(Attachment(AttachmentKind.PHOTO, url=f"https://x/{i}.jpg") for i in range(6))
    replies = await app.handle(Incoming("zalo", "z1", "z1", attachments=photos))
    assert "tối đa 5 ảnh" in replies[0].text
    big = (Attachment(AttachmentKind.PHOTO, url="https://x/big.jpg", size=25_000_000),)
    replies = await app.handle(Incoming("zalo", "z1", "z1", attachments=big))
    assert "tối đa 20 MB" in replies[0].text


async def test_control_characters_and_direction_overrides_never_reach_storage(
    chat: Chat, app: App
) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1"):
        await chat.send(line)
        await chat.reply()
    await chat.send("Nguyễn\u202e Thị\x00\x07 Lan\u2066")
    assert "sinh năm nào" in await chat.reply()
    for line in ("1990", "Bỏ qua", "Lưu"):
        await chat.send(line)
        await chat.reply()
    await chat.reply()
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
    assert person.full_name == "Nguyễn Thị Lan"


async def test_user_text_is_shown_literally_never_used_as_a_template(chat: Chat) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1", "Phạm An", "1990"):
        await chat.send(line)
        await chat.reply()
    await chat.send("{full_name} {0} %s <b>x</b>")
    assert "chưa tìm thấy đơn vị \"{full_name} {0} %s <b>x</b>\"" in await chat.reply()


async def test_a_forged_start_payload_is_dropped_and_logged(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await send_as(app, "zalo", "z1", "/start ../../etc/passwd'; DROP TABLE persons")
    assert any("start payload refused" in r.getMessage() for r in caplog.records)
    await app.handle(Incoming("zalo", "z2", "z2", text="/start", start_payload="ref_ABC-123"))
    async with app.sessions() as session:
        repo = ChatStateRepo(session)
        assert (await repo.load("zalo", "z1")).start_payload is None
        assert (await repo.load("zalo", "z2")).start_payload == "ref_ABC-123"


@pytest.mark.parametrize("payload", ["x" * 200, "pv:wd:profile\x00", "pv:xoá", "", "pv:delete "])
async def test_malformed_choice_payloads_change_nothing(
    chat: Chat, app: App, caplog: pytest.LogCaptureFixture, payload: str
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    with caplog.at_level(logging.INFO):
        replies = await send_as(app, "console", "lan", choice=payload)
    assert "không còn hiệu lực" in replies[0].text
    assert caplog.records
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
        state = await session.get(ChatStateRow, ("console", "lan"))
    assert person.full_name == "Nguyễn Thị Lan" and person.deleted_at is None
    assert state is not None and state.flow is None


async def test_forged_privacy_payloads_cannot_skip_the_confirm_step(chat: Chat,
                                                                    app: App) -> None:
    await register(chat, "Nguyễn Thị Lan", reminders=False)
    for payload in ("f:yes", "pv:wd:reminders", "pv:wd:nothing", "pv:wd:profile:x"):
        replies = await send_as(app, "console", "lan", choice=payload)
        assert "Đã rút lại" not in replies[0].text and "Đã xoá" not in replies[0].text
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
    assert person.full_name == "Nguyễn Thị Lan"


async def test_logs_never_hold_tokens_or_personal_data(
    make_app: MakeApp, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = await make_app(telegram_bot_token="777:TOKEN-never-logged",
                         zalo_bot_token="888:ZALO-never-logged")
    chat = Chat(ConsoleChannel(app, clock, "hoa-0912345678"))
    with caplog.at_level(logging.DEBUG):
        quiet_noisy_loggers()  # as `thidua` sets logging up
        await register(chat, "Đinh Thị Hoa")
        await chat.send("tôi ở số 12 phố Lý Thường Kiệt")
        await chat.reply()
        await chat.send("/lienket")
        await chat.reply()
        await chat.send("/quyenriengtu")
        await chat.reply()
        await chat.send("1")
        await chat.replies()
        await send_as(app, "console", "hoa-0912345678", choice="ro:rv:1")
        await send_as(app, "console", "hoa-0912345678", "/start <script>0912345678</script>")
        await chat.send("/quyenriengtu")
        await chat.reply()
        await chat.send("4")
        await chat.reply()
        await chat.send("1")
        await chat.reply()
    logged = caplog.text
    assert caplog.records
    for secret in ("TOKEN-never-logged", "ZALO-never-logged", "Đinh", "Hoa", "0912345678",
                   "Lý Thường Kiệt", "1990"):
        assert secret not in logged, secret


async def test_a_failed_statement_does_not_carry_personal_values(app: App) -> None:
    async with app.sessions() as session:
        people = PeopleRepo(session)
        await people.create_with_account("zalo", "0912345678", "c", app.services.clock.now())
        with pytest.raises(IntegrityError) as error:
            await people.create_with_account("zalo", "0912345678", "c",
                                             app.services.clock.now())
    assert "0912345678" not in str(error.value)


async def test_a_forged_form_payload_cannot_fill_a_typed_step(chat: Chat, app: App) -> None:
    # Found by the fuzz test: "f:abc" at the birth-year step was stored unparsed.
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1", "Phạm Văn An"):
        await chat.send(line)
        await chat.reply()
    replies = await send_as(app, "console", "lan", choice="f:abc")
    assert "chưa hiểu năm sinh" in replies[0].text
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()
    async with app.sessions() as session:
        state = await session.get(ChatStateRow, ("console", "lan"))
    assert state is not None and state.data["birth_year"] == 1990
