"""/hoinghi as transcripts: register a conference, composition, deadlines, compliance."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from storage.models import ConferenceRow
from tests.harness import Chat
from tests.works.helpers import (
    CHI_LANG,
    CONFERENCE_CAMPAIGN,
    DONG_MO,
    HUU_KIEN,
    NHAN_LY,
    become,
    pick,
    press,
    register_conference,
)


async def test_commune_registers_its_conference_and_learns_the_document_deadline(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    await chat.send("/hoinghi")
    home = await chat.reply()
    assert "Xã Hữu Kiên (Hội nghị cấp xã) chưa đăng ký hội nghị" in home
    assert "chậm nhất ngày 31/03/2025" in home
    await chat.send("Đăng ký hội nghị")
    form = await chat.reply()
    assert "theo hình thức nào" in form and "Đại hội thi đua yêu nước" in form
    await chat.send("hội nghị gì cũng được")
    assert "chọn một hình thức trong danh sách" in await chat.reply()
    await chat.send("đại hội thi đua")
    assert "Ngày tổ chức" in await chat.reply()
    await chat.send("sau Tết")
    assert "Trợ lý chưa hiểu thời gian \"sau Tết\"" in await chat.reply()
    await chat.send("cuối tháng ba")  # read as a part of March: not one day
    assert "cần một ngày cụ thể" in await chat.reply()
    await chat.send("3/2025")
    assert "cần một ngày cụ thể" in await chat.reply()
    await chat.send("1/1/2024")
    assert "trước khi phong trào bắt đầu (01/06/2024)" in await chat.reply()
    await chat.send("ngày 20 tháng 3")  # the year is the nearest one
    assert "(tối đa 300)" in await chat.reply()
    await chat.send("đông lắm")
    assert "gõ một số người" in await chat.reply()
    await chat.send("0")
    assert "từ 1 đến 300" in await chat.reply()
    await chat.send("10000")
    assert "từ 1 đến 300" in await chat.reply()
    await chat.send("khoảng hai trăm người")
    assert "Kế hoạch yêu cầu 70%" in await chat.reply()
    await chat.send("250")
    assert "không thể lớn hơn tổng số 200" in await chat.reply()
    await chat.send("150")
    summary = await chat.reply()
    assert "Hồ sơ gửi chậm nhất ngày 05/03/2025 (15 ngày trước hội nghị)" in summary
    assert "✓ Thành phần đạt yêu cầu" in summary
    await chat.send("Lưu")
    saved = await chat.reply()
    assert "Đã lưu đăng ký hội nghị của Xã Hữu Kiên" in saved
    assert "Hình thức: Đại hội thi đua yêu nước" in saved
    async with app.sessions() as session:
        row = (await session.scalars(select(ConferenceRow))).one()
    assert (row.unit_code, row.level, str(row.held_on), row.delegates, row.grassroots) == (
        HUU_KIEN, "xa", "2025-03-20", 200, 150)


async def test_shortfall_of_grassroots_delegates_is_explained_in_numbers(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    saved = await register_conference(chat, "20/3/2025", "200", "120")
    assert "Đại biểu cơ sở cần ít nhất 140 người (70% của 200); hiện có 120, còn thiếu 20" in saved
    assert "tổng số không quá 171 (bớt 29 đại biểu khách mời, lãnh đạo)" in saved
    await chat.send("Sửa thông tin hội nghị")
    assert "Bạn muốn sửa mục nào?" in await chat.reply()
    await chat.send(pick(chat, "Số đại biểu cơ sở"))
    assert "Trong 200 đại biểu" in await chat.reply()
    await chat.send("140")
    assert "✓ Thành phần đạt yêu cầu" in await chat.reply()
    await chat.send("Lưu")
    assert "140 (70%)" in await chat.reply()
    async with app.sessions() as session:
        rows = (await session.scalars(select(ConferenceRow))).all()
    assert [(r.delegates, r.grassroots) for r in rows] == [(200, 140)]


async def test_lowering_the_total_below_the_grassroots_count_is_refused(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    await register_conference(chat, "20/3/2025", "200", "150")
    await chat.send("Sửa thông tin hội nghị")
    assert "Bạn muốn sửa mục nào?" in await chat.reply()
    await chat.send(pick(chat, "Tổng số đại biểu"))
    assert "Dự kiến tổng số đại biểu" in await chat.reply()
    await chat.send("100")
    assert "không thể ít hơn số đại biểu cơ sở đã nhập (150)" in await chat.reply()


async def test_district_conference_is_capped_at_300(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=3, day=1))
    await become(chat, app, "huyen", "liaison", CHI_LANG)
    await chat.send("/hoinghi")
    assert "Hội nghị" in await chat.reply()
    await chat.send("Đăng ký hội nghị")
    assert "theo hình thức nào" in await chat.reply()
    await chat.send("1")
    assert "Ngày tổ chức" in await chat.reply()
    await chat.send("15/4/2025")
    assert "(tối đa 300)" in await chat.reply()
    await chat.send("320")
    assert "từ 1 đến 300" in await chat.reply()
    await chat.send("300")
    assert "đại biểu cơ sở" in await chat.reply()
    await chat.send("210")
    assert "Thông tin đã đúng chưa?" in await chat.reply()
    await chat.send("Lưu")
    saved = await chat.reply()
    assert "(Hội nghị cấp huyện)" in saved and "vượt mức tối đa" not in saved
    assert "Hội nghị cấp xã: 0/" in saved


async def test_pilot_commune_is_due_in_february_and_late_dates_are_flagged(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "ly", "liaison", NHAN_LY)
    saved = await register_conference(chat, "10/3/2025", "100", "70")
    assert "đơn vị chỉ đạo điểm, chậm nhất ngày 28/02/2025" in saved
    assert "Ngày tổ chức sau hạn 28/02/2025" in saved


async def test_documents_overdue_are_pointed_out(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=3, day=15))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    saved = await register_conference(chat, "20/3/2025", "100", "80")
    assert "Hạn gửi hồ sơ đã qua 10 ngày" in saved


async def test_an_unregistered_commune_is_told_it_is_overdue(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=3, day=30))
    await become(chat, app, "mo", "liaison", DONG_MO)
    await chat.send("/hoinghi")
    home = await chat.reply()
    assert "chưa đăng ký hội nghị" in home and "quá hạn" not in home
    clock.set(clock.now().replace(month=4, day=6))
    await chat.send("/hoinghi")
    home = await chat.reply()
    assert "⚠ Đã quá hạn 6 ngày (hạn: chậm nhất ngày 31/03/2025" in home


async def test_a_conference_is_closed_by_reporting_documents_sent_and_held(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=3, day=15))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    saved = await register_conference(chat, "20/3/2025", "100", "80")
    assert "Hạn gửi hồ sơ đã qua 10 ngày" in saved
    choices = chat.choices()
    assert choices == ["Sửa thông tin hội nghị", "Báo đã gửi hồ sơ hội nghị",
                       "Báo đã tổ chức hội nghị"]
    await chat.send("3")
    assert "Ngày tổ chức đã đăng ký là 20/03/2025, chưa tới" in await chat.reply()
    await chat.send("2")
    sent = await chat.reply()
    assert "Đã ghi nhận: Xã Hữu Kiên đã gửi hồ sơ hội nghị" in sent
    assert "Hạn gửi hồ sơ đã qua" not in sent and "✓ Đã gửi hồ sơ (báo ngày 15/03/2025)" in sent
    assert chat.choices()[:2] == ["Sửa thông tin hội nghị", "Đã gửi hồ sơ ✓"]
    await chat.send("2")
    assert "đã được ghi nhận ngày 15/03/2025" in await chat.reply()
    clock.set(clock.now().replace(day=21))
    await chat.send("/hoinghi")
    assert "Ngày tổ chức 20/03/2025 đã qua" in await chat.reply()
    await chat.send("3")
    held = await chat.reply()
    assert "đã tổ chức hội nghị. Việc này đã hoàn thành" in held
    assert "✓ Đã tổ chức hội nghị (báo ngày 21/03/2025)" in held
    assert len(chat.choices()) == 3
    async with app.sessions() as session:
        row = (await session.scalars(select(ConferenceRow))).one()
    assert (str(row.documents_sent_on), str(row.held_confirmed_on)) == (
        "2025-03-15", "2025-03-21")
    await become(chat, app, "admin", "admin", None)
    await chat.send("/hoinghi")
    await chat.reply()
    await chat.send(pick(chat, "đúng hạn"))
    assert "• Xã Hữu Kiên: ngày 20/03/2025 (hạn 31/03/2025), 100 đại biểu — ✓ đã tổ chức" in (
        await chat.reply())


async def test_admin_lists_communes_not_registered_or_late_and_exports(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    await register_conference(chat, "20/3/2025", "200", "150")
    clock.set(clock.now().replace(month=3, day=4))
    await chat.send("2")  # "Báo đã gửi hồ sơ hội nghị", offered with the saved conference
    assert "Đã ghi nhận: Xã Hữu Kiên đã gửi hồ sơ hội nghị" in await chat.reply()
    await become(chat, app, "ly", "liaison", NHAN_LY)
    await register_conference(chat, "10/4/2025", "100", "50")
    clock.set(clock.now().replace(month=4, day=2))
    await become(chat, app, "admin", "admin", None)
    await chat.send("/hoinghi")
    overview = await chat.reply()
    assert "Hội nghị cấp xã: 2/20 đơn vị đã đăng ký (hạn 31/03/2025)" in overview
    assert "• Chưa đăng ký: 18 (đã quá hạn: 18)" in overview
    assert "• Tổ chức sau hạn: 1" in overview
    assert "• Thành phần đại biểu chưa đạt: 1" in overview
    await chat.send(pick(chat, "chưa đăng ký"))
    missing = await chat.reply()
    assert "• Xã Quan Sơn — quá hạn 2 ngày (hạn 31/03/2025)" in missing
    assert "Hữu Kiên" not in missing and "Nhân Lý" not in missing
    await chat.send("Quay lại")
    assert "Hội nghị cấp xã: 2/20 đơn vị đã đăng ký" in await chat.reply()
    await chat.send(pick(chat, "sau hạn"))
    late = await chat.reply()
    assert ("• Xã Nhân Lý: ngày 10/04/2025 (hạn 28/02/2025), 100 đại biểu"
            " — thành phần chưa đạt") in late
    await chat.send("Quay lại")
    assert "Hội nghị cấp xã: 2/20 đơn vị đã đăng ký" in await chat.reply()
    await chat.send("Xuất tệp Excel")
    assert "hoi-nghi-chi-lang-dai-hoi-thi-dua-2025-04-02.xlsx: 2 hội nghị" in await chat.reply()
    assert chat.last is not None
    sheet = load_workbook(io.BytesIO(chat.last.attachments[0].data or b""))["Hội nghị"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Xã Hữu Kiên"][11] == "Đúng hạn" and rows["Xã Hữu Kiên"][9] == 75
    assert rows["Xã Nhân Lý"][10] == "Không" and rows["Xã Quan Sơn"][11] == "Chưa đăng ký"
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header[12:] == ("Đã gửi hồ sơ (ngày báo)", "Đã tổ chức (ngày báo)")
    assert rows["Xã Hữu Kiên"][12] == datetime(2025, 3, 4) and rows["Xã Hữu Kiên"][13] is None
    assert rows["Xã Nhân Lý"][12] is None and rows["Xã Quan Sơn"][12] is None


async def test_liaison_of_another_commune_cannot_edit_a_conference(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    await register_conference(chat, "20/3/2025", "200", "150")
    async with app.sessions() as session:
        conference = (await session.scalars(select(ConferenceRow))).one()
    await become(chat, app, "ly", "liaison", NHAN_LY)
    await press(chat, f"h:e:{conference.id}")
    assert "hội nghị này thuộc Xã Hữu Kiên" in await chat.reply()
    await press(chat, "h:l:chi-lang-dai-hoi-thi-dua:m")
    listing = await chat.reply()
    assert "(0)" in listing or "Nhân Lý" in listing
    await press(chat, "h:e:12345")
    assert "không còn hiệu lực" in await chat.reply()


async def test_resident_cannot_open_conferences(chat: Chat) -> None:
    await chat.send("/hoinghi")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()


async def test_cancelling_an_edit_says_the_saved_conference_stays(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "kien", "liaison", HUU_KIEN)
    await register_conference(chat, "20/3/2025", "200", "150")
    await chat.send("Sửa thông tin hội nghị")
    assert "Bạn muốn sửa mục nào?" in await chat.reply()
    await chat.send("/huy")
    cancelled = await chat.reply()
    assert "Bản đã lưu trước đó vẫn giữ nguyên" in cancelled
    assert "Những gì bạn đã nhập" not in cancelled
    await chat.send("/hoinghi")
    assert "Ngày tổ chức: 20/03/2025" in await chat.reply()


async def test_a_unit_that_holds_no_conference_is_told_so(
        chat: Chat, app: App, clock: MovableClock) -> None:
    """The province's liaison sees the district's campaign but holds none of its
    conferences: registering says so instead of opening the form."""
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become(chat, app, "tinh", "liaison", "ls")
    await press(chat, f"h:n:{CONFERENCE_CAMPAIGN}")
    assert ("Tỉnh Lạng Sơn không thuộc danh sách đơn vị tổ chức hội nghị của phong trào này"
            in await chat.reply())
