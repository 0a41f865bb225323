"""⚠️ contradictions: when an official weekly list lacks an account marked as having taken
part, the participant who follows it is told through the outbox, once, within quiet hours.

Two accounts: Lan on the Zalo OA (the real OA channel and its fake), the administrator who
imports the list on the console of the same app.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.channels.zalo_oa import ZaloOAChannel
from bot.core.clock import MovableClock
from tests.channels.fake_zalo_oa import FakeZaloOA
from tests.delivery.helpers import outbox_rows
from tests.harness import Chat
from tests.referrals.helpers import lan_with_two
from tests.referrals.test_delivery import mark_all_this_week
from tests.referrals.test_manage import OFFICIAL_WEEK_3, import_file, start_import
from tests.referrals.test_zalo_oa_week import WeekChat, week  # noqa: F401 (fixture)

# The same week again from a second export: one more stranger, Minh still missing.
OFFICIAL_WEEK_3_AGAIN = OFFICIAL_WEEK_3 + "6;Người khác;0944 000 222;;6\n".encode()


async def test_the_referrer_is_told_once_and_not_at_night(
        week: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:  # noqa: F811
    app, fake, channel = week
    lan = WeekChat(fake, channel, "oa-lan")
    await lan_with_two(cast(Chat, lan))
    await mark_all_this_week(cast(Chat, lan))  # Lan, Minh and Hoa self-reported week 3
    sender = app.delivery.sender("zalo_oa", channel)
    await sender.drain()
    await lan.replies()

    # 22:00: the administrator imports the official list of week 3 (Minh is not on it).
    clock.set(datetime(2024, 4, 10, 22, 0))
    admin = Chat(ConsoleChannel(app, clock, "admin"))
    await start_import(admin)
    report = await import_file(admin, app, "admin", OFFICIAL_WEEK_3)
    assert "nhưng không có trong danh sách: 1 — Hoàng Văn Minh (của Nguyễn Thị Lan)" in report
    assert "Trợ lý đã nhắn cho từng người vận động" in report
    assert await sender.drain() == 0  # quiet hours: held, not dropped
    assert await lan.replies() == []

    # 07:00 the next morning it arrives, once.
    clock.set(datetime(2024, 4, 11, 7, 0))
    assert await sender.drain() == 1
    [notice] = await lan.replies()
    assert notice.startswith("⚠️ Dân vận khéo Bắc Sơn 2024: danh sách chính thức tuần 3")
    assert "không có tài khoản dự thi của Hoàng Văn Minh" in notice and "/vandong" in notice
    assert len(notice) <= 2000

    # A second list for the same week with the same contradiction tells nobody again.
    admin.pending.clear()
    await start_import(admin)
    again = await import_file(admin, app, "admin", OFFICIAL_WEEK_3_AGAIN)
    assert "Hoàng Văn Minh (của Nguyễn Thị Lan)" in again
    clock.set(datetime(2024, 4, 11, 9, 0))
    assert await sender.drain() == 0
    assert await lan.replies() == []
    told = [r for r in await outbox_rows(app.sessions)
            if (r.dedupe_key or "").startswith("ref:conflict:")]
    assert len(told) == 1 and told[0].status == "sent"
