"""A liaison of a commune formed on 1/7/2025 by merging former communes of a plan made
before (Trạm Tấu's works, Chi Lăng's conferences): they see, update and are reminded for the
former communes their xã took in, each named with the xã it now belongs to."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.core.clock import MovableClock
from tests.harness import Chat
from tests.works.helpers import BAN_CONG, PA_LAU, become, pick, press
from tests.works.test_delivery import add_works, as_admin, clock_to

HANH_PHUC = "lc.xa-hanh-phuc"  # from thị trấn Trạm Tấu and xã Bản Công, Hát Lừu, Xà Hồ
PHINH_HO = "lc.xa-phinh-ho"    # from xã Làng Nhì, Bản Mù, Phình Hồ
NEW_NHAN_LY = "ls.xa-nhan-ly"  # from xã Nhân Lý, Mai Sao, Bắc Thủy, Lâm Sơn (huyện Chi Lăng)


async def test_a_merged_communes_liaison_sees_and_updates_its_former_communes_works(
        chat: Chat, app: App, clock: MovableClock) -> None:
    await add_works(app, BAN_CONG, 2)   # registered in 2024 by the former xã Bản Công
    await add_works(app, PA_LAU, 1)     # Pá Lau went to xã Trạm Tấu, not Hạnh Phúc
    clock.set(datetime(2025, 9, 1, 8, 0, tzinfo=clock.tz))
    await become(chat, app, "hanh", "liaison", HANH_PHUC)
    await chat.send("/congtrinh")
    home = await chat.reply()
    assert ("Xã Hạnh Phúc nay gồm các đơn vị cũ trong kế hoạch: Thị trấn Trạm Tấu, Xã Bản "
            "Công, Xã Hát Lừu, Xã Xà Hồ.") in home
    assert "Tình hình đăng ký của 4 đơn vị (2 công trình)" in home
    assert "không thuộc phong trào" not in home
    await chat.send(pick(chat, "Đơn vị đã đủ"))
    complete = await chat.reply()
    assert "Xã Bản Công cũ (nay thuộc Xã Hạnh Phúc)" in complete
    await chat.send("/congtrinh")
    await chat.reply()
    await chat.send(pick(chat, "Danh sách công trình"))
    listed = await chat.reply()
    assert "Xã Bản Công cũ (nay thuộc Xã Hạnh Phúc)" in listed and "Pá Lau" not in listed
    await chat.send(pick(chat, "#1"))
    work = await chat.reply()
    assert "Cập nhật tiến độ" in " ".join(chat.choices()), work
    # Phình Hồ's liaison took in none of them: Bản Công's works are not theirs to see.
    await become(chat, app, "phinh", "liaison", PHINH_HO)
    await chat.send("/congtrinh")
    other = await chat.reply()
    assert "Bản Công" not in other and "2 công trình" not in other
    await press(chat, "w:v:1")
    assert "Cập nhật tiến độ" not in " ".join(chat.choices())
    await chat.replies()


async def test_a_merged_communes_liaison_registers_a_former_communes_conference_and_is_reminded(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(datetime(2025, 9, 1, 8, 0, tzinfo=clock.tz))
    await become(chat, app, "hanh", "liaison", HANH_PHUC, reminders=True)
    await become(chat, app, "ly", "liaison", NEW_NHAN_LY, reminders=True)
    await chat.send("/hoinghi")
    home = await chat.reply()
    assert ("Xã Nhân Lý nay gồm các đơn vị cũ trong kế hoạch: Xã Nhân Lý, Xã Mai Sao, Xã Bắc "
            "Thủy, Xã Lâm Sơn.") in home
    assert "Hội nghị cấp xã: 0/4 đơn vị đã đăng ký" in home
    await chat.send("Đăng ký hội nghị")
    assert "cho đơn vị nào" in await chat.reply()
    await chat.send("Mai Sao")
    assert "Xã Mai Sao, Huyện Chi Lăng" in await chat.reply()
    await chat.send("1")
    assert "Xã Mai Sao cũ (nay thuộc Xã Nhân Lý) (Hội nghị cấp xã)" in await chat.reply()
    for answer in ("1", "25/9/2025", "120", "90"):
        await chat.send(answer)
        await chat.reply()
    await chat.send("Lưu")
    assert "Đã lưu đăng ký hội nghị của Xã Mai Sao cũ (nay thuộc Xã Nhân Lý)." in (
        await chat.reply())
    # Its documents are due 15 days before (10/09/2025): the reminder reaches the new xã's
    # liaison, nobody of another xã.
    await as_admin(chat)
    [reminder] = await clock_to(chat, "2025-09-07 08:00")
    assert reminder.startswith("[Tin gửi tới ly]")
    assert "chậm nhất ngày 10/09/2025" in reminder
