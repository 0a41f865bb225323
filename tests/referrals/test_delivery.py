"""Referrals and delivery: the weekly nudge after `/clock`, broadcasts to participants."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.core.clock import MovableClock
from tests.harness import Chat
from tests.referrals.helpers import add_referral, become, join, lan_with_two, pick, register


async def clock_to(chat: Chat, when: str) -> list[str]:
    """Move the clock; return the proactive messages that appeared after `Giờ thử`."""
    await chat.send(f"/clock {when}")
    assert "Giờ thử" in await chat.reply()
    return await chat.replies()


async def mark_all_this_week(chat: Chat) -> None:
    """Mark the current week (3) done for every account on the dashboard."""
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    assert "Tuần 3 (" in await chat.reply()
    await chat.send("Tất cả đã thi tuần này")
    assert "Đã đánh dấu tất cả đã thi tuần 3" in await chat.reply()


async def lan_owes_and_hung_confirmed(chat: Chat) -> None:
    """Lan joins with two referrals and marks nothing; Hùng joins and marks his week."""
    await lan_with_two(chat)
    await become(chat, "hung")
    await register(chat, name="Hoàng Văn Hùng", year="1985")
    await join(chat, "0911 222 333")
    await add_referral(chat, "Lý Thị Mai", "0933 444 555")
    await mark_all_this_week(chat)


async def test_the_nudge_goes_two_days_before_the_week_ends_to_who_owes_it(chat: Chat) -> None:
    await lan_owes_and_hung_confirmed(chat)
    assert await clock_to(chat, "2024-04-12 07:59") == []
    [nudge] = await clock_to(chat, "2024-04-12 08:00")
    assert nudge.startswith("[Tin gửi tới lan]")
    assert "Dân vận khéo" in nudge and "tuần 3 (08/04 – 14/04/2024) sắp kết thúc" in nudge
    assert "trước hết ngày 14/04/2024" in nudge and "/vandong" in nudge
    assert "/nhacnho" in nudge
    assert await clock_to(chat, "2024-04-13 08:00") == []  # never twice
    week4 = await clock_to(chat, "2024-04-19 08:00")  # nobody marked week 4 yet
    assert len(week4) == 2 and all("tuần 4 (15/04 – 21/04/2024)" in text for text in week4)
    assert sum(text.startswith("[Tin gửi tới lan]") for text in week4) == 1


async def test_marking_the_week_after_it_was_queued_cancels_the_nudge(
    app: App, chat: Chat, clock: MovableClock,
) -> None:
    await lan_with_two(chat)
    clock.set(datetime(2024, 4, 12, 8, 0))
    assert await app.delivery.tick(console_only=True) == 1
    clock.set(datetime(2024, 4, 11, 22, 0))
    await chat.send("/nhacnho")
    shown = await chat.reply()
    assert "Nhắc đánh dấu tuần thi Dân vận khéo: đang bật" in shown
    assert "08:00 12/04/2024: Đánh dấu tuần thi 3 (Dân vận khéo Bắc Sơn 2024)" in shown
    await mark_all_this_week(chat)
    assert await clock_to(chat, "2024-04-12 08:30") == []


async def test_the_nudge_kind_can_be_switched_off_in_nhacnho(chat: Chat) -> None:
    await lan_with_two(chat)
    await chat.send("/nhacnho")
    await chat.reply()
    await chat.send("Tắt: Nhắc đánh dấu tuần thi Dân vận khéo")
    assert "Đã tắt: Nhắc đánh dấu tuần thi Dân vận khéo" in await chat.reply()
    assert await clock_to(chat, "2024-04-12 08:00") == []


async def test_a_broadcast_to_participants_reaches_those_who_joined_only(chat: Chat) -> None:
    await lan_with_two(chat)
    await become(chat, "hung")
    await register(chat, name="Hoàng Văn Hùng", year="1985")  # registered, never joined
    await become(chat, "admin")
    await chat.send("/thongbao")
    await chat.reply()
    assert "nội dung thông báo" in await chat.reply()
    await chat.send("Tuần này là tuần thi thứ 3, mời các bạn nhắc người thân cùng tham gia.")
    assert "Gửi thông báo tới ai?" in await chat.reply()
    await chat.send("Người tham gia một phong trào")
    assert "Phong trào nào?" in await chat.reply()
    await pick(chat, "Dân vận khéo Bắc Sơn")
    preview = await chat.reply()
    assert "Gửi tới: người tham gia Dân vận khéo Bắc Sơn 2024" in preview
    assert "Số người nhận: 1" in preview
    await chat.send("Gửi ngay")
    assert "Đã nhận thông báo #1" in await chat.reply()
    delivered = await chat.reply()
    assert delivered.startswith("[Tin gửi tới lan]\nTHÔNG BÁO") and "tuần thi thứ 3" in delivered
    assert "Thông báo #1 đã gửi xong: 1 người đã nhận" in await chat.reply()


async def test_no_nudge_once_the_referrals_consent_is_withdrawn(chat: Chat) -> None:
    await lan_with_two(chat)
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Rút lại đồng ý")
    await chat.reply()
    await pick(chat, "Theo dõi vận động Dân vận khéo")
    assert "Bạn có chắc muốn rút lại không?" in await chat.reply()
    await chat.send("Rút lại đồng ý")
    await chat.replies()
    assert await clock_to(chat, "2024-04-12 08:00") == []
