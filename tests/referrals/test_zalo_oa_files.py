"""Over the Zalo OA fake, files and photos come as URLs: the bot fetches them at once, so
the weekly list sent as a file is imported, and a voice message gets what the bot reads."""

from __future__ import annotations

from typing import cast

from bot.app import App
from bot.channels.zalo_oa import ZaloOAChannel
from tests.channels.fake_zalo_oa import FakeZaloOA
from tests.harness import Chat
from tests.referrals.helpers import lan_with_two
from tests.referrals.test_manage import OFFICIAL_WEEK_3
from tests.referrals.test_zalo_oa_week import WeekChat, week

__all__ = ["week"]  # the fixture


async def test_the_weekly_list_sent_as_a_file_on_the_oa(
        week: tuple[App, FakeZaloOA, ZaloOAChannel]) -> None:
    app, fake, channel = week
    lan = WeekChat(fake, channel, "oa-lan")
    await lan_with_two(cast(Chat, lan))
    await app.role_of("zalo_oa", "oa-admin", "admin")
    admin = WeekChat(fake, channel, "oa-admin")
    await admin.send("/tiendo")
    assert any("Tiến độ «" in text for text in await admin.replies())
    # The OA shows photos the bot uploads: the progress chart went along as a PNG image.
    [chart] = [u for u in fake.uploads if u["filename"] == "tien-do.png"]
    assert chart["path"] == "v2.0/oa/upload/image" and 2_000 < chart["size"] < 1_000_000
    await admin.send("Nhập danh sách chính thức của một tuần")
    assert any("của tuần nào" in text for text in await admin.replies())
    await admin.send("3")
    assert any("Bạn gửi tệp danh sách tham gia tuần 3" in t for t in await admin.replies())
    await fake.deliver(fake.file_event("oa-admin", "tuan3.csv", OFFICIAL_WEEK_3))
    report = "\n".join(await admin.replies())
    fake.expire("tuan3.csv")
    assert "Đã nhập danh sách chính thức tuần 3 (tệp tuan3.csv)" in report
    assert "• Khớp với tài khoản đang theo dõi: 2" in report
    assert fake.fetched == ["tuan3.csv"]


async def test_a_voice_message_on_the_oa_keeps_the_step(
        week: tuple[App, FakeZaloOA, ZaloOAChannel]) -> None:
    _app, fake, channel = week
    lan = WeekChat(fake, channel, "oa-lan")
    await lan.send("/toi")
    assert any("chưa có hồ sơ" in text for text in await lan.replies())
    await fake.deliver(fake.user_event("user_send_voice", "oa-lan", attachments=[
        {"type": "audio", "payload": {"url": "https://v/1"}}]))
    [said] = await lan.replies()
    assert "tin nhắn thoại" in said
    await lan.send("Đăng ký")
    assert any("đồng ý" in text for text in await lan.replies())
