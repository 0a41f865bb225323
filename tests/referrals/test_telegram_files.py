"""Files over the Telegram fake with the real app: a liaison sends the week's official list
as a document (downloaded through getFile) and the referrer's grid shows 🔒/⚠️."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from bot.app import App
from bot.channels.telegram import TelegramChannel
from tests.channels.conftest import TELEGRAM_TOKEN
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.harness import Chat
from tests.referrals.helpers import become, lan_with_two, send_as
from tests.referrals.test_manage import OFFICIAL_WEEK_3, marked_week_3

ADMIN = 4242


class Liaison(TelegramChat):
    """The admin's Telegram chat; each read waits for the bot's answer."""

    async def say(self, text: str) -> str:
        self.send(text)
        return (await self.reply(timeout=10.0))["text"]

    async def send_file(self, fields: dict[str, Any]) -> str:
        self.send_content(**fields)
        return (await self.reply(timeout=10.0))["text"]


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    await fake.start()
    channel = TelegramChannel(TELEGRAM_TOKEN, handle=app.handle, on_blocked=app.mark_blocked,
                              texts=app.services.messages.t, api_base=fake.base_url,
                              poll_timeout=1, typing_delay=5.0,
                              max_download_bytes=app.settings.max_upload_bytes)
    await channel.start()
    await app.role_of("telegram", str(ADMIN), "admin")
    yield fake
    await channel.stop()
    await fake.close()


async def start_import(liaison: Liaison) -> None:
    assert "Tiến độ «" in await liaison.say("/tiendo")
    assert "photo" in await liaison.reply(timeout=10.0)  # the chart follows the text
    assert "của tuần nào" in await liaison.say("Nhập danh sách chính thức của một tuần")
    assert "Bạn gửi tệp danh sách tham gia tuần 3" in await liaison.say("3")


async def test_the_weekly_list_sent_as_a_document_is_imported(
        chat: Chat, app: App, telegram: FakeTelegram) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    liaison = Liaison(telegram, ADMIN)
    await start_import(liaison)
    fields = telegram.document_fields("doc-w3", OFFICIAL_WEEK_3, "tuan3.csv")
    report = await liaison.send_file(fields)
    assert "Đã nhập danh sách chính thức tuần 3 (tệp tuan3.csv)" in report
    assert "• Khớp với tài khoản đang theo dõi: 2 (mới xác nhận 2" in report
    assert telegram.downloads == ["documents/doc-w3_tuan3.csv"]
    # Minh was marked but is not on the list: Lan (on the console) is told through the outbox.
    await chat.send("/menu")
    told = [text for text in await chat.replies() if "không có tài khoản dự thi" in text]
    assert len(told) == 1 and "Hoàng Văn Minh" in told[0]
    await become(chat, "lan")
    await chat.send("/vandong")
    board = await chat.reply()
    assert "• Bạn — 0912 345 678\n   T1 ❌ · T2 ❌ · T3 🔒" in board
    assert "• Hoàng Văn Minh (Người thân) — 0987 654 321\n   T1 ❌ · T2 ❌ · T3 ⚠️" in board


async def test_a_hostile_or_oversized_document_keeps_the_step(
        chat: Chat, app: App, telegram: FakeTelegram) -> None:
    await lan_with_two(chat)
    liaison = Liaison(telegram, ADMIN)
    await start_import(liaison)
    wide = ("SĐT;" + ";".join(f"c{n}" for n in range(300)) + "\n0912345678\n").encode()
    refused = await liaison.send_file(telegram.document_fields("doc-wide", wide, "rong.csv"))
    assert "Dòng 1 có hơn 200 cột" in refused
    big = b"SDT\n" + b"0912345678\n" * 2_000_000  # 22 MB, over MAX_UPLOAD_BYTES (20 MB)
    too_big = await liaison.send_file(telegram.document_fields("doc-big", big, "lon.csv"))
    assert "Tệp quá lớn (tối đa 20 MB)" in too_big
    assert telegram.downloads == ["documents/doc-wide_rong.csv"]  # never fetched
    # The step was kept through both: the next file is imported.
    ok = await liaison.send_file(telegram.document_fields("doc-ok", OFFICIAL_WEEK_3, "t3.csv"))
    assert "Đã nhập danh sách chính thức tuần 3 (tệp t3.csv)" in ok


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_tiendo_sends_the_progress_chart_as_a_png_photo(
        chat: Chat, app: App, telegram: FakeTelegram) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    liaison = Liaison(telegram, ADMIN)
    text = await liaison.say("/tiendo")
    assert "Tiến độ «" in text and "Theo đơn vị" in text  # the text is unchanged
    photo = await liaison.reply(timeout=10.0)
    assert photo["caption"].startswith("Tài khoản đã làm tuần 3 / tổng tài khoản, theo đơn vị")
    [(method, filename, data)] = telegram.sent_files
    assert (method, filename) == ("sendPhoto", "tien-do.png")
    assert data.startswith(PNG_SIGNATURE) and 2_000 < len(data) < 200_000
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width == 900 and 80 < image.height < 2_000
    # One unit, Xã Long Đống: 2 of its 3 accounts did week 3 (Hoa did not), an orange bar
    # (below its target) reaching two thirds of the way to the dashed target mark.
    pixels = image.convert("RGB")
    rows = [[x for x in range(image.width) if pixels.getpixel((x, y)) == (230, 81, 0)]
            for y in range(image.height)]
    bar_rows = [row for row in rows if row]
    assert 10 < len(bar_rows) < 30  # one bar
    bar = bar_rows[len(bar_rows) // 2]
    y = rows.index(bar)
    guide = [x for x in range(bar[-1], image.width)
             if any(pixels.getpixel((x, y + d)) == (0, 0, 0) for d in range(-4, 5))]
    assert guide and 0.6 < (bar[-1] - bar[0]) / (guide[0] - bar[0]) < 0.72


async def test_chats_that_cannot_show_a_drawn_picture_get_the_text_only(
        chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    for channel in ("console", "zalo"):  # the Zalo Bot API sends photos by URL only
        await app.role_of(channel, "admin-1", "admin")
        [progress] = await send_as(app, channel, "admin-1", "/tiendo")
        assert "Tiến độ «" in progress.text and "Theo đơn vị" in progress.text
        assert progress.attachments == []
