"""Works and conferences with delivery: the deadline reminder and broadcasts to units behind."""

from __future__ import annotations

from datetime import date, datetime

from bot.app import App
from bot.core.clock import MovableClock
from storage.works.repo import ConferenceRepo, WorksRepo
from tests.harness import Chat
from tests.works.helpers import (
    BAN_CONG,
    CONFERENCE_CAMPAIGN,
    HUU_KIEN,
    NHAN_LY,
    PA_LAU,
    WORKS_CAMPAIGN,
    become,
    pick,
    register_conference,
)


async def add_works(app: App, unit_code: str, count: int) -> None:
    """Register works for a unit (as its liaison would through /congtrinh)."""
    now = app.services.clock.now()
    async with app.sessions() as session:
        for n in range(count):
            await WorksRepo(session).add(
                WORKS_CAMPAIGN, unit_code,
                {"name": f"Đường bê tông thôn {n + 1}", "volume": "500 m", "location": "Thôn 1",
                 "value_vnd": 100_000_000, "funding": "Ngân sách xã", "due_on": date(2025, 6, 30),
                 "due_precision": "day"}, now.date(), None, now)
        await session.commit()


async def clock_to(chat: Chat, when: str) -> list[str]:
    """Move the clock; return the proactive messages that appeared after `Giờ thử`."""
    await chat.send(f"/clock {when}")
    assert "Giờ thử" in await chat.reply()
    return await chat.replies()


async def two_liaisons(chat: Chat, app: App) -> None:
    """Páo (Bản Công) registered two works, enough; Vàng (Pá Lau) none yet."""
    await become(chat, app, "pao", "liaison", BAN_CONG, reminders=True)
    await become(chat, app, "vang", "liaison", PA_LAU, reminders=True)
    await add_works(app, BAN_CONG, 2)
    await chat.send("/as admin")
    assert "Bây giờ bạn đang là \"admin\"" in await chat.reply()


async def test_the_works_deadline_reminds_only_liaisons_of_units_still_short(
    chat: Chat, app: App,
) -> None:
    await two_liaisons(chat, app)
    [reminder] = await clock_to(chat, "2024-10-17 08:00")
    assert reminder.startswith("[Tin gửi tới vang]")
    assert "Còn 7 ngày nữa là hết hạn \"Gửi đăng ký công trình, phần việc\"" in reminder
    assert "tức hết ngày 24/10/2024" in reminder
    assert "chưa đăng ký đủ số công trình" in reminder and "/congtrinh" in reminder
    assert await clock_to(chat, "+3h") == []  # never twice


async def test_a_unit_that_registers_enough_after_queueing_gets_nothing(
    chat: Chat, app: App, clock: MovableClock,
) -> None:
    await two_liaisons(chat, app)
    clock.set(datetime(2024, 10, 21, 8, 0))
    assert await app.delivery.tick(console_only=True) == 1
    clock.set(datetime(2024, 10, 20, 22, 0))
    await add_works(app, PA_LAU, 2)
    assert await clock_to(chat, "2024-10-21 08:30") == []
    assert await clock_to(chat, "2024-10-24 08:00") == []  # nobody is short any more


async def test_a_broadcast_to_units_short_of_works_reaches_their_liaisons(
    chat: Chat, app: App,
) -> None:
    await two_liaisons(chat, app)
    await chat.send("/thongbao")
    assert "Chưa có thông báo nào" in await chat.reply()
    assert "Bạn gõ nội dung thông báo" in await chat.reply()
    await chat.send("Đề nghị các đơn vị chưa đủ công trình gửi đăng ký trước ngày 25/10/2024.")
    assert "Gửi thông báo tới ai?" in await chat.reply()
    await chat.send("Đơn vị chưa đạt yêu cầu của một chương trình")
    assert "Phong trào nào?" in await chat.reply()
    await chat.send(pick(chat, "Trạm Tấu"))
    assert "Chương trình nào" in await chat.reply()
    await chat.send("Đăng ký công trình, phần việc")
    preview = await chat.reply()
    assert "cán bộ đầu mối các đơn vị chưa đạt yêu cầu" in preview
    assert "Số người nhận: 1" in preview
    await chat.send("Gửi ngay")
    assert "Đã nhận thông báo #1" in await chat.reply()
    delivered = await chat.reply()
    assert delivered.startswith("[Tin gửi tới vang]\nTHÔNG BÁO")
    assert "Thông báo #1 đã gửi xong: 1 người đã nhận" in await chat.reply()


async def test_a_broadcast_to_communes_without_a_conference_reaches_their_liaisons(
    chat: Chat, app: App,
) -> None:
    await become(chat, app, "thu", "liaison", NHAN_LY, reminders=True)
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    now = app.services.clock.now()
    async with app.sessions() as session:
        await ConferenceRepo(session).save(CONFERENCE_CAMPAIGN, NHAN_LY, "xa",
                                           "Hội nghị điển hình tiên tiến", date(2025, 3, 20),
                                           120, 90, None, now)
        await session.commit()
    await chat.send("/as admin")
    assert "Bây giờ bạn đang là \"admin\"" in await chat.reply()
    await chat.send("/thongbao")
    assert "Chưa có thông báo nào" in await chat.reply()
    assert "Bạn gõ nội dung thông báo" in await chat.reply()
    await chat.send("Đề nghị các xã chưa đăng ký hội nghị điển hình tiên tiến gửi lịch tổ chức.")
    assert "Gửi thông báo tới ai?" in await chat.reply()
    await chat.send("Đơn vị chưa đạt yêu cầu của một chương trình")
    assert "Phong trào nào?" in await chat.reply()
    await chat.send(pick(chat, "Chi Lăng"))
    assert "Chương trình nào của phong trào này?" in await chat.reply()
    await chat.send("Tổ chức hội nghị điển hình tiên tiến")
    preview = await chat.reply()
    assert "Số người nhận: 1" in preview
    await chat.send("Gửi ngay")
    assert "Đã nhận thông báo #1" in await chat.reply()
    assert (await chat.reply()).startswith("[Tin gửi tới kien]\nTHÔNG BÁO")
    assert "Thông báo #1 đã gửi xong: 1 người đã nhận" in await chat.reply()


async def as_admin(chat: Chat) -> None:
    """Watch as the admin, so each reminder shows whose it is."""
    await chat.send("/as admin")
    assert "Bây giờ bạn đang là \"admin\"" in await chat.reply()


async def save_conference(app: App, unit_code: str, held_on: date) -> int:
    """Register a unit's conference (as its liaison would through /hoinghi)."""
    now = app.services.clock.now()
    async with app.sessions() as session:
        conference = await ConferenceRepo(session).save(
            CONFERENCE_CAMPAIGN, unit_code, "xa", "Hội nghị điển hình tiên tiến", held_on,
            120, 90, None, now)
        await session.commit()
    return conference.id


async def test_conference_deadline_reminds_only_communes_that_still_owe_one(
    chat: Chat, app: App,
) -> None:
    await become(chat, app, "thu", "liaison", NHAN_LY, reminders=True)
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    await save_conference(app, NHAN_LY, date(2025, 1, 15))  # held long before the deadline
    await as_admin(chat)
    [reminder] = await clock_to(chat, "2025-03-24 08:00")
    assert reminder.startswith("[Tin gửi tới kien]")
    assert "Còn 7 ngày nữa là hết hạn \"Hội nghị cấp xã\"" in reminder
    assert "chưa đăng ký hội nghị" in reminder and "/hoinghi" in reminder
    [reminder] = await clock_to(chat, "2025-03-28 08:00")
    assert reminder.startswith("[Tin gửi tới kien]") and "Còn 3 ngày" in reminder
    await save_conference(app, HUU_KIEN, date(2025, 3, 31))  # now Hữu Kiên is done too
    assert await clock_to(chat, "2025-03-30 08:00") == []
    assert await clock_to(chat, "2025-03-31 08:00") == []


async def test_a_conference_registered_after_queueing_stops_the_reminder(
    chat: Chat, app: App, clock: MovableClock,
) -> None:
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    clock.set(datetime(2025, 3, 24, 8, 0))
    assert await app.delivery.tick(console_only=True) == 1
    clock.set(datetime(2025, 3, 23, 22, 0))  # queued, held by the quiet hours
    await save_conference(app, HUU_KIEN, date(2025, 3, 27))
    assert await clock_to(chat, "2025-03-24 08:30") == []


async def test_a_late_conference_is_reminded_until_reported_held(
    chat: Chat, app: App,
) -> None:
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    conference_id = await save_conference(app, HUU_KIEN, date(2025, 4, 5))  # after 31/3
    await as_admin(chat)
    [reminder] = await clock_to(chat, "2025-03-24 08:00")
    assert "đã đăng ký ngày tổ chức sau hạn" in reminder
    now = app.services.clock.now()
    async with app.sessions() as session:
        await ConferenceRepo(session).close(conference_id, held_on=date(2025, 3, 25), now=now)
        await session.commit()
    assert await clock_to(chat, "2025-03-28 08:00") == []


async def test_nhacnho_lists_the_reminders_still_to_come(chat: Chat, app: App,
                                                         clock: MovableClock) -> None:
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    clock.set(datetime(2025, 3, 25, 10, 0))
    await chat.send("/nhacnho")
    shown = await chat.reply()
    assert "Sắp gửi cho bạn:" in shown
    assert "• 08:00 28/03/2025: Hội nghị cấp xã (còn 3 ngày)" in shown
    assert "• 08:00 30/03/2025: Hội nghị cấp xã (còn 1 ngày)" in shown
    assert "• 08:00 31/03/2025: Hội nghị cấp xã (ngày cuối cùng)" in shown
    await save_conference(app, HUU_KIEN, date(2025, 3, 29))  # nothing owed any more
    await chat.send("/nhacnho")
    assert "Hội nghị cấp xã" not in await chat.reply()


async def test_each_unit_is_reminded_to_send_its_documents_15_days_before_its_conference(
    chat: Chat, app: App, clock: MovableClock,
) -> None:
    clock.set(datetime(2025, 2, 10, 9, 0))
    await become(chat, app, "thu", "liaison", NHAN_LY, reminders=True)
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    await register_conference(chat, "20/3/2025", "100", "80")  # Hữu Kiên, by its liaison
    await save_conference(app, NHAN_LY, date(2025, 2, 25))  # documents due 10/02: none owed now
    await as_admin(chat)
    assert await clock_to(chat, "2025-03-01 08:00") == []
    [reminder] = await clock_to(chat, "2025-03-02 08:00")
    assert reminder.startswith("[Tin gửi tới kien]")
    assert "Còn 3 ngày nữa là hết hạn gửi hồ sơ hội nghị của đơn vị bạn" in reminder
    assert ("chậm nhất ngày 05/03/2025, 15 ngày trước ngày tổ chức 20/03/2025 (Mục IV.1)"
            in reminder)
    assert "Hồ sơ gồm: kế hoạch, lịch tổ chức hội nghị, báo cáo tổng kết" in reminder
    assert "(qua Phòng Nội vụ)" in reminder and "/hoinghi" in reminder
    assert await clock_to(chat, "+3h") == []  # never twice


async def test_a_moved_conference_is_reminded_for_its_new_day_and_sent_documents_stop_it(
    chat: Chat, app: App, clock: MovableClock,
) -> None:
    clock.set(datetime(2025, 2, 10, 9, 0))
    await become(chat, app, "kien", "liaison", HUU_KIEN, reminders=True)
    await register_conference(chat, "20/3/2025", "100", "80")
    clock.set(datetime(2025, 3, 1, 9, 0))
    await chat.send("/nhacnho")
    assert "• 08:00 02/03/2025: Gửi hồ sơ hội nghị (hội nghị ngày 20/03/2025) (còn 3 ngày)" in (
        await chat.reply())
    await chat.send("/hoinghi")
    assert "Hội nghị" in await chat.reply()
    await chat.send("Sửa thông tin hội nghị")
    assert "Bạn muốn sửa mục nào?" in await chat.reply()
    await chat.send(pick(chat, "Ngày tổ chức"))
    assert "Ngày tổ chức" in await chat.reply()
    await chat.send("ngày 25 tháng 3")  # moved: documents due 10/03
    assert "25/03/2025" in await chat.reply()
    await chat.send("Lưu")
    assert "Hồ sơ gửi chậm nhất ngày 10/03/2025" in await chat.reply()
    await as_admin(chat)
    assert await clock_to(chat, "2025-03-02 08:00") == []
    assert await clock_to(chat, "2025-03-05 08:00") == []
    [reminder] = await clock_to(chat, "2025-03-07 08:00")
    assert "Còn 3 ngày nữa" in reminder and "chậm nhất ngày 10/03/2025" in reminder
    await chat.send("/as kien liaison")
    assert "Bây giờ bạn đang là \"kien\"" in await chat.reply()
    await chat.send("/hoinghi")
    assert "Hội nghị" in await chat.reply()
    await chat.send("Báo đã gửi hồ sơ hội nghị")
    assert "Đã ghi nhận: Xã Hữu Kiên đã gửi hồ sơ hội nghị" in await chat.reply()
    await as_admin(chat)
    assert await clock_to(chat, "2025-03-09 08:00") == []
    assert await clock_to(chat, "2025-03-10 08:00") == []
