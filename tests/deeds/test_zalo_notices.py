"""Over the Zalo fake, two accounts: a resident reports, a reviewer decides, and each is
pushed what the other did (the outbox sends them, as `thidua run` does)."""

from __future__ import annotations

import re

from bot.app import create_app
from bot.app.runtime import make_channels
from bot.channels.runner import start_channels, stop_channels
from bot.core.clock import MovableClock
from bot.core.config import Settings
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, ZaloChat
from tests.conftest import START

INTERNAL = re.compile(r"\b(?:deeds|ls|bd|gtd?|f)[.:][a-z]|\b[a-z]+_[a-z_]+\b")


def number_of(text: str, label: str) -> str:
    """Return the number of the choice whose label contains `label` in a Zalo message."""
    found = re.search(rf"^(\d+)\. [^\n]*{re.escape(label)}", text, re.MULTILINE)
    assert found, f"{label!r} not offered in\n{text}"
    return found.group(1)


async def say(chat: ZaloChat, line: str, expected: str) -> str:
    """Send a line over Zalo and check the next message the bot sends to that chat."""
    chat.send(line)
    answer = await chat.reply()
    assert expected in answer, f"{line!r}: {expected!r} not in\n{answer}"
    return answer


async def test_reporter_and_reviewer_are_each_told_over_zalo(db_url: str) -> None:
    zalo = FakeZalo(ZALO_TOKEN)
    await zalo.start()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=zalo.base_url,
                        zalo_poll_timeout=1, rate_limit_messages=100)
    app = create_app(settings, MovableClock(start=START))  # 10/4/2024 09:00: not quiet
    await app.start()
    channels = make_channels(app)
    targets = {c.name: c for c in channels}
    await start_channels(channels)
    lan, minh = ZaloChat(zalo, "zalo-lan"), ZaloChat(zalo, "zalo-minh")

    async def pushed(chat: ZaloChat) -> str:
        """Run the outbox once over the real Zalo adapter (what the sender loop of
        `thidua run` does), then read what reached that chat."""
        for _attempt in range(20):  # Zalo's per-chat pacing may hold it a moment
            await app.delivery.run_once(targets, tick=False)
            try:
                return await chat.reply(timeout=0.3)
            except AssertionError:
                continue
        raise AssertionError(f"nothing pushed to {chat.chat_id}")
    try:
        # Minh registers over Zalo and is made the liaison of Huyện Bắc Sơn.
        await say(minh, "/toi", "chưa có hồ sơ")
        await say(minh, "1", "Bạn có đồng ý không?")
        await say(minh, "1", "nhắc hạn")
        await say(minh, "1", "họ và tên")
        await say(minh, "Trần Văn Minh", "sinh năm nào")
        await say(minh, "1975", "đơn vị nào")
        units = await say(minh, "bac son", "Huyện Bắc Sơn")
        await say(minh, number_of(units, "Huyện Bắc Sơn"), "kiểm tra lại")
        await say(minh, "Lưu", "Đăng ký xong")
        await minh.reply()  # the profile
        await app.role_of("zalo", "zalo-minh", "liaison")

        # Lan, a fresh account, reports in eight messages.
        for line, expected in (
                ("/baoguong", "Bạn có đồng ý không?"), ("1", "Họ và tên của bạn"),
                ("hoàng thị lan", "xã, phường nào"), ("long dong", "Ai đã làm việc tốt"),
                ("Hoàng Văn Nam", "kể ngắn gọn"),
                ("Anh Nam nhặt được ví có 5 triệu đồng ở chợ và trả lại người đánh rơi.",
                 "ngày nào"),
                ("hôm qua", "Báo cáo của bạn")):
            await say(lan, line, expected)
        sent = await say(lan, "1", "Đã gửi báo cáo #1")
        assert "Trợ lý đã nhắn cho cán bộ duyệt." in sent
        new = await pushed(minh)
        assert "Có báo cáo gương tốt mới #1 ở Xã Long Đống" in new and "/duyet 1" in new

        # Minh takes it and asks a question: Lan is told both.
        detail = await say(minh, "/duyet 1", "Báo cáo #1 — Chờ cán bộ nhận")
        assert "Phong trào: Dân vận khéo Bắc Sơn 2024" in detail
        taken = await say(minh, number_of(detail, "Nhận xem xét"), "Bạn đã nhận xem xét")
        assert "Người báo đã được thông báo qua tin nhắn." in taken
        assert "đã được cán bộ nhận và đang xem xét" in await pushed(lan)
        await say(minh, number_of(taken, "Yêu cầu người báo bổ sung"), "Gõ câu hỏi")
        await say(minh, "Anh/chị cho biết tên người đánh rơi ví?", "Đã gửi yêu cầu bổ sung")
        question = await pushed(lan)
        assert "Cán bộ hỏi: “Anh/chị cho biết tên người đánh rơi ví?”" in question

        # Lan answers: Minh is told.
        menu = await say(lan, "/guongtot", "bạn muốn làm gì?")
        await say(lan, number_of(menu, "Trả lời yêu cầu bổ sung cho báo cáo #1"),
                  "Anh/chị cho biết tên người đánh rơi ví?")
        answered = await say(lan, "Bà Lường Thị Hạnh ở thôn Khuôn Pục.",
                             "Đã gửi phần bổ sung cho báo cáo #1")
        assert "Trợ lý đã nhắn cho cán bộ duyệt." in answered
        assert "Người báo đã trả lời yêu cầu bổ sung cho báo cáo #1" in await pushed(minh)

        # Minh approves, records consent and nominates: Lan is told each decision.
        detail = await say(minh, "/duyet 1", "Báo cáo #1 — Đang xem xét")
        approved = await say(minh, number_of(detail, "Ghi nhận là gương tốt"),
                             "Đã ghi nhận báo cáo #1 là gương tốt. Người báo đã được")
        assert "đã được ghi nhận là gương người tốt, việc tốt" in await pushed(lan)
        asked = await say(minh, number_of(approved, "Ghi nhận ý kiến"), "đã cho ý kiến")
        await say(minh, number_of(asked, "Người được nêu đã đồng ý"), "Ghi nhận bằng cách nào")
        await say(minh, "Bỏ qua", "kiểm tra lại")
        consented = await say(minh, "Lưu", "Đã ghi nhận ý kiến")
        await say(minh, number_of(consented, "Đề nghị khen thưởng"), "hình thức khen thưởng")
        await say(minh, "1", "Ghi chú nội bộ")
        await say(minh, "Bỏ qua", "kiểm tra lại")
        await say(minh, "Lưu", "Đã đề nghị khen thưởng cho báo cáo #1. Người báo đã được")
        assert "đề nghị khen thưởng: Giấy khen" in await pushed(lan)
        await lan.assert_silent()
        everything = zalo.texts_to("zalo-lan") + zalo.texts_to("zalo-minh")
        assert all(len(text) <= 2000 for text in everything)
        for text in everything:  # no internal codes: catalog keys, unit codes, snake_case
            assert not INTERNAL.search(text), text
    finally:
        await stop_channels(channels)
        await app.close()
        await zalo.close()
