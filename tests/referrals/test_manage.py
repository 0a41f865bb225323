"""/tiendo for liaisons and admins: progress, who owes a week, exports, imports, reassign."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.types import AttachmentKind
from handlers.referrals import manage_views
from storage.access import GrantRepo
from storage.people import PeopleRepo
from tests.harness import Chat, pick
from tests.referrals.helpers import (
    become,
    document,
    join,
    lan_with_two,
    register,
    send_as,
    set_unit,
)

OFFICIAL_WEEK_3 = (
    "\ufeffSTT;Họ và tên;Số điện thoại;Email;Điểm\n"
    "1;Nguyễn Thị Lan;+84 912 345 678;;9\n"
    "2;Người ngoài;0933 000 111;;7\n"
    "3;Nguyễn Thị Lan;0912.345.678;;9\n"
    "4;Sai số;0912 34;;5\n"
    "5;Trần Thu Hoa;;HOA.TRAN@gmail.com;8\n"
).encode()


async def as_liaison(chat: Chat, app: App, unit: str = "ls.bac-son") -> None:
    """Become a liaison of a unit (the role is granted on the profile's unit)."""
    await app.role_of("console", "can")
    await set_unit(app, "can", unit)
    await become(chat, "can", "liaison")


async def marked_week_3(chat: Chat) -> None:
    """Lan marks herself and Minh as having taken part in week 3 (not Hoa)."""
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    assert "Tuần 3 (" in await chat.reply()
    for line in ("3", "4"):  # after "Tất cả" and "Xong": Bạn, then Minh
        await chat.send(line)
        await chat.reply()


async def test_liaison_sees_unit_progress(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    await as_liaison(chat, app)
    await chat.send("/menu")
    assert "Tiến độ Dân vận khéo của đơn vị (cán bộ)" in await chat.reply()
    await chat.send("/tiendo")
    progress = await chat.reply()
    assert "Tiến độ «Dân vận khéo Bắc Sơn 2024» — Huyện Bắc Sơn" in progress
    assert "Tuần 3/5 (08/04 – 14/04/2024)" in progress
    assert "• Người tham gia vận động: 1 (đã ghi đủ 02 người: 1)" in progress
    assert "• Người được vận động: 2" in progress
    assert "• Đã thi tuần này: 2/3 tài khoản" in progress
    assert "• Đang đạt tiêu chí đến nay: 0 người" in progress
    assert "• Xã Long Đống: 1 người · 2 được vận động · tuần này 2/3 · đạt 0" in progress
    assert "Còn 22 đơn vị chưa có ai tham gia" in progress


async def test_residents_cannot_open_progress(chat: Chat) -> None:
    await chat.send("/tiendo")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()


async def test_liaison_without_a_unit_sets_it_and_lands_on_the_progress(chat: Chat) -> None:
    """Registered without a unit: "Chọn đơn vị của tôi" asks only the unit, then shows the
    progress of the unit chosen."""
    await become(chat, "can", "liaison")
    await register(chat, "Cán Văn Bộ", unit="Bỏ qua")
    await chat.send("/tiendo")
    assert "Hồ sơ của bạn chưa có đơn vị" in await chat.reply()
    await pick(chat, "Chọn đơn vị của tôi")
    assert "đơn vị nào" in await chat.reply()
    await chat.send("Long Đống")
    replies = await chat.replies()
    assert replies[0] == "Đã cập nhật hồ sơ."
    assert "Tiến độ «Dân vận khéo Bắc Sơn 2024» — Xã Long Đống" in replies[1]


async def test_liaison_of_another_district_is_told_it_is_outside_the_area(
        chat: Chat, app: App) -> None:
    """A liaison of Chi Lăng is told plainly that the Bắc Sơn campaign does not cover their
    unit: never a table of zeros that reads as if nobody there took part."""
    await lan_with_two(chat)
    await as_liaison(chat, app, unit="ls.chi-lang")
    await chat.send("/tiendo")
    reply = await chat.reply()
    assert ("Đơn vị bạn phụ trách (Huyện Chi Lăng) không thuộc địa bàn của «Dân vận khéo "
            "Bắc Sơn 2024» (Huyện Bắc Sơn), nên phong trào này không có tiến độ nào để bạn "
            "theo dõi.") in reply
    assert "Người tham gia vận động" not in reply and "Trong thời gian phong trào" not in reply
    assert chat.choices()[-1] == "Xem phong trào nơi khác"  # the main menu, Bắc Sơn's behind
    for choice in ("rq:pg:ls.bac-son", "rq:pg:", "rq:ow:3:"):  # forged or old buttons
        forged = await send_as(app, "console", "can", choice=choice)
        assert "Người tham gia vận động" not in forged[0].text
        assert "tài khoản" not in forged[0].text


async def test_liaison_of_a_commune_created_in_2025_sees_its_former_communes(
        chat: Chat, app: App, clock: MovableClock) -> None:
    """Xã Bắc Sơn (from 1/7/2025) took in thị trấn Bắc Sơn, xã Long Đống and xã Bắc Quỳnh:
    in 2025 its liaison opens the 2024 campaign's progress and sees the participants of those
    former communes, each named with the xã it now belongs to, and may open who owes a week
    there; a unit of the district it did not take in stays out of reach."""
    await lan_with_two(chat)
    await marked_week_3(chat)
    clock.set(datetime(2025, 9, 1, 8, 0, tzinfo=clock.tz))
    await as_liaison(chat, app, unit="ls.xa-bac-son")
    await chat.send("/tiendo")
    reply = await chat.reply()
    assert "Tiến độ «Dân vận khéo Bắc Sơn 2024» — Xã Bắc Sơn" in reply
    assert ("Trong thời gian phong trào, địa bàn Xã Bắc Sơn gồm: Thị trấn Bắc Sơn, Xã Long "
            "Đống, Xã Bắc Quỳnh.") in reply
    assert "• Người tham gia vận động: 1 (đã ghi đủ 02 người: 1)" in reply
    assert "• Xã Long Đống cũ (nay thuộc Xã Bắc Sơn): 1 người · 2 được vận động" in reply
    assert "không thuộc địa bàn" not in reply and "phân quyền" not in reply
    await pick(chat, "Ai chưa thi tuần 5")
    owing = await chat.reply()
    assert "Nguyễn Thị Lan (Xã Long Đống cũ (nay thuộc Xã Bắc Sơn))" in owing, owing
    for choice in ("rq:pg:ls.bac-son.long-dong", "rq:pg:ls.xa-bac-son"):
        opened = await send_as(app, "console", "can", choice=choice)
        assert "• Người tham gia vận động: 1" in opened[0].text
    for choice in ("rq:pg:ls.bac-son.tan-tri", "rq:pg:ls.bac-son"):  # not merged into it
        refused = await send_as(app, "console", "can", choice=choice)
        assert "Người tham gia vận động" not in refused[0].text


async def test_a_liaison_of_two_units_sees_the_one_in_the_area(chat: Chat, app: App) -> None:
    """Liaison of Bình Định (listed first) and of Long Đống: /tiendo opens Long Đống's
    progress, not the "outside the area" answer."""
    await lan_with_two(chat)
    await as_liaison(chat, app, unit="bd")
    async with app.sessions() as session:
        account = await PeopleRepo(session).account("console", "can")
        assert account is not None
        await GrantRepo(session).grant(account.person_id, "liaison", "ls.bac-son.long-dong",
                                       app.services.clock.now(), granted_by=None,
                                       reason="test")
        await session.commit()
    await chat.send("/tiendo")
    progress = await chat.reply()
    assert "Tiến độ «Dân vận khéo Bắc Sơn 2024» — Xã Long Đống" in progress
    assert "• Người tham gia vận động: 1 (đã ghi đủ 02 người: 1)" in progress


async def test_a_province_liaison_sees_the_whole_area(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await as_liaison(chat, app, unit="ls")
    await chat.send("/tiendo")
    progress = await chat.reply()
    assert "Tiến độ «Dân vận khéo Bắc Sơn 2024» — Tỉnh Lạng Sơn" in progress
    assert "• Người tham gia vận động: 1 (đã ghi đủ 02 người: 1)" in progress


async def test_who_still_owes_the_week(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    await as_liaison(chat, app)
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Ai chưa thi tuần 3")
    owing = await chat.reply()
    assert "còn 1 tài khoản của 1 người tham gia chưa thi" in owing
    assert "• Nguyễn Thị Lan (Xã Long Đống): Trần Thu Hoa" in owing
    await chat.send("Tuần 2 (01/04 – 07/04/2024)")
    week2 = await chat.reply()
    assert "Tuần 2" in week2 and "chính mình, Hoàng Văn Minh, Trần Thu Hoa" in week2


async def test_a_unit_with_nobody_followed_is_not_told_everyone_took_part(
        chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await as_liaison(chat, app, unit="ls.bac-son.bac-quynh")
    await chat.send("/tiendo")
    assert "Xã Bắc Quỳnh" in await chat.reply()
    await chat.send("Ai chưa thi tuần 3")
    owing = await chat.reply()
    assert "chưa có tài khoản nào để theo dõi" in owing and "đều đã thi" not in owing


async def test_a_unit_where_everyone_took_the_week_is_told_so(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await chat.send("/vandong")
    await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    await chat.reply()
    await chat.send("Tất cả")
    await chat.reply()
    await as_liaison(chat, app)
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Ai chưa thi tuần 3")
    assert "mọi tài khoản đang theo dõi đều đã thi" in await chat.reply()


async def test_progress_export_is_a_workbook(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    await as_liaison(chat, app)
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Xuất bảng tiến độ (XLSX)")
    assert "Bảng tiến độ của Huyện Bắc Sơn (tệp XLSX đính kèm)" in await chat.reply()
    assert chat.last is not None
    [attachment] = chat.last.attachments
    assert attachment.kind is AttachmentKind.DOCUMENT and attachment.data
    assert attachment.filename == "bac-son-dan-van-kheo-2024-tien-do-ls.bac-son-20240410.xlsx"
    book = load_workbook(io.BytesIO(attachment.data), read_only=True)
    units = [list(r) for r in book["Theo đơn vị"].iter_rows(values_only=True)]
    assert ["Xã Long Đống, Huyện Bắc Sơn, Tỉnh Lạng Sơn", 1, 2, 1, 3, 2, 0] in units
    accounts = [list(r) for r in book["Từng tài khoản"].iter_rows(values_only=True)]
    assert accounts[0][:7] == ["Đơn vị", "Người vận động", "Mã giới thiệu", "Vai trò",
                               "Họ tên / tên gọi", "Quan hệ", "Tài khoản dự thi"]
    hoa = next(r for r in accounts if r[4] == "Trần Thu Hoa")
    assert hoa[5:12] == ["Bạn bè", "hoa.tran@gmail.com", "Không thi", "Không thi",
                         "Chưa đến", "Chưa đến", "Chưa đến"]


async def test_export_on_zalo_points_to_the_server_command(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await send_as(app, "zalo", "z-can", text="/start")
    async with app.sessions() as session:
        from storage.access import GrantRepo
        from storage.people import PeopleRepo

        account = await PeopleRepo(session).account("zalo", "z-can")
        assert account is not None
        await GrantRepo(session).grant(account.person_id, "liaison", "ls.bac-son",
                                       app.services.clock.now(), granted_by=None, reason="test")
        await session.commit()
    [reply] = await send_as(app, "zalo", "z-can", choice="rq:xe:ls.bac-son")
    assert "Kênh này chưa gửi được tệp" in reply.text
    assert ("thidua export referrals --campaign bac-son-dan-van-kheo-2024 --unit ls.bac-son "
            "--eligible --out") in reply.text
    assert not reply.attachments


async def test_eligible_list_with_evidence(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    for week in ("1", "2"):
        await chat.send("Đánh dấu một tuần trước")
        await chat.reply()
        await chat.send(week)
        await chat.reply()
        await chat.send("Tất cả đã thi tuần này")
        assert "Đã đánh dấu tất cả đã thi tuần" in await chat.reply()
    await become(chat, "admin")
    await chat.send("/tiendo")
    progress = await chat.reply()
    assert "Đang đạt tiêu chí đến nay: 1 người" in progress
    await chat.send("Danh sách đạt tiêu chí kèm minh chứng (XLSX)")
    assert "Danh sách 1 người đạt tiêu chí của Huyện Bắc Sơn" in await chat.reply()
    assert chat.last is not None
    data = chat.last.attachments[0].data
    assert data is not None
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in book["Đạt tiêu chí"].iter_rows(values_only=True)]
    assert "tính đến tuần 3/5" in str(rows[2][0])
    lan = [r for r in rows if len(r) > 1 and r[1] == "Nguyễn Thị Lan"]
    assert len(lan) == 3 and lan[0][2] == 1990 and lan[0][5] == "Bản thân"
    assert lan[0][9:11] == ["Tự báo", "Tự báo"] and lan[0][-1] == "Có"
    basis = [list(r) for r in book["Căn cứ"].iter_rows(values_only=True)]
    assert any("III.1.b" in str(r) for r in basis)


async def import_file(chat: Chat, app: App, user: str, data: bytes | None,
                      filename: str = "tuan3.csv", url: str | None = None) -> str:
    """Send a file while the import form waits for one; return the reply text."""
    replies = await send_as(app, "console", user, document=document(data, filename, url))
    return "\n".join(r.text for r in replies)


async def start_import(chat: Chat, week: str = "3") -> None:
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Nhập danh sách chính thức của một tuần")
    assert "của tuần nào" in await chat.reply()
    await chat.send(week)
    assert f"tuần {week}" in await chat.reply()


async def test_import_in_chat_verifies_weeks_and_shows_conflicts(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    await become(chat, "admin")
    await start_import(chat)
    report = await import_file(chat, app, "admin", OFFICIAL_WEEK_3)
    assert "Đã nhập danh sách chính thức tuần 3 (tệp tuan3.csv)" in report
    assert "• Số dòng đọc được: 5" in report
    assert "• Khớp với tài khoản đang theo dõi: 2 (mới xác nhận 2" in report
    assert "• Không khớp (không thuộc chương trình trên Trợ lý): 1 — ví dụ dòng 3" in report
    assert "• Trùng lặp trong tệp: 1 — dòng 4" in report
    assert "• Dòng lỗi: 1 — dòng 5: số điện thoại không hợp lệ" in report
    assert ("• Tự báo đã thi tuần 3 nhưng không có trong danh sách: 1 — "
            "Hoàng Văn Minh (của Nguyễn Thị Lan)") in report
    # Lan is told of the contradiction (the console shows what the outbox sent her).
    await chat.send("/menu")
    told = [text for text in await chat.replies() if text.startswith("[Tin gửi tới lan]")]
    assert len(told) == 1 and "không có tài khoản dự thi của Hoàng Văn Minh" in told[0]
    await start_import(chat)
    again = await import_file(chat, app, "admin", OFFICIAL_WEEK_3, "ban-sao.csv")
    assert "Tệp này đã được nhập ngày 10/04/2024 cho tuần 3; không có gì thay đổi." in again
    await become(chat, "lan")
    await chat.send("/vandong")
    board = await chat.reply()
    assert "• Bạn — 0912 345 678\n   T1 ❌ · T2 ❌ · T3 🔒" in board
    assert "• Hoàng Văn Minh (Người thân) — 0987 654 321\n   T1 ❌ · T2 ❌ · T3 ⚠️" in board
    assert "• Trần Thu Hoa (Bạn bè) — hoa.tran@gmail.com\n   T1 ❌ · T2 ❌ · T3 🔒" in board
    await chat.send("Đánh dấu đã thi tuần 3")
    week = await chat.reply()
    assert "Bạn — 🔒 đã xác nhận chính thức" in week
    assert "Hoàng Văn Minh — ⚠️ không có trong danh sách chính thức" in week
    await chat.send("3")
    assert "đã được xác nhận theo danh sách chính thức, không cần đánh dấu" in \
        await chat.reply()


async def test_import_scoped_to_a_liaison_unit(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await as_liaison(chat, app, unit="ls.bac-son.vu-lang")
    await start_import(chat)
    report = await import_file(chat, app, "can", OFFICIAL_WEEK_3)
    assert "• Khớp với tài khoản đang theo dõi: 0" in report
    assert "thuộc đơn vị ngoài phạm vi của bạn (không xác nhận): 2" in report


async def test_bad_import_files_keep_the_step(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await become(chat, "admin")
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Nhập danh sách chính thức của một tuần")
    await chat.reply()
    await chat.send("4")
    assert "Tuần 4 bắt đầu ngày 15/04/2024" in await chat.reply()
    await chat.send("3")
    await chat.reply()
    await chat.send("đây là danh sách")
    assert "Trợ lý cần một tệp CSV hoặc XLSX" in await chat.reply()
    await chat.send_photo()
    assert "không phải ảnh chụp" in await chat.reply()
    pdf = await import_file(chat, app, "admin", b"%PDF-1.4 scan", "danh-sach.pdf")
    assert "chỉ đọc được tệp CSV hoặc XLSX" in pdf
    old = await import_file(chat, app, "admin", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "ds.xls")
    assert "tệp Excel đời cũ (.xls)" in old
    headless = await import_file(chat, app, "admin", "Họ tên;Điểm\nLan;9\n".encode())
    assert "Không tìm thấy dòng tiêu đề có cột tài khoản" in headless
    remote = await import_file(chat, app, "admin", None, "ds.xlsx", url="telegram-file:abc")
    assert "Kênh này chưa tải được tệp" in remote
    assert "thidua import referrals FILE.xlsx --campaign bac-son-dan-van-kheo-2024 --week 3" \
        in remote
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ tên", "SĐT"])
    sheet.append(["Lan", 912345678])
    out = io.BytesIO()
    book.save(out)
    ok = await import_file(chat, app, "admin", out.getvalue(), "tuan3.xlsx")
    assert "• Khớp với tài khoản đang theo dõi: 1 (mới xác nhận 1" in ok


async def test_admin_reassigns_a_claimed_account(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await become(chat, "binh")
    await register(chat, name="Đỗ Văn Bình", year="1980")
    code = await join(chat, "0911 111 111")
    await become(chat, "admin")
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Gán lại tài khoản dự thi (quản trị)")
    assert "tài khoản dự thi cần gán lại" in await chat.reply()
    await chat.send("0933 333 333")
    assert "Chưa ai ghi tài khoản 0933 333 333" in await chat.reply()
    await chat.send("0912345678")
    assert "tài khoản của chính một người tham gia" in await chat.reply()
    await chat.send("0987 654 321")
    assert "Hoàng Văn Minh (0987 654 321), đang thuộc danh sách của Nguyễn Thị Lan" in \
        await chat.reply()
    await chat.send("VD-ZZZZZZ")
    assert "Không tìm thấy người tham gia có mã này" in await chat.reply()
    await chat.send(code)
    assert "Chuyển Hoàng Văn Minh" in await chat.reply()
    await chat.send("Chuyển")
    assert "Đã chuyển Hoàng Văn Minh (0987 654 321)" in await chat.reply()
    await become(chat, "binh")
    await chat.send("/vandong")
    assert "Hoàng Văn Minh (Người thân) — 0987 654 321" in await chat.reply()


async def test_other_unit_for_a_liaison_and_an_admin(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    await become(chat, "admin")
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Xem đơn vị khác")
    assert "tên đơn vị muốn xem" in await chat.reply()
    await chat.send("long dong")
    assert "Xã Long Đống" in await chat.reply()
    await chat.send("1")
    progress = await chat.reply()
    assert "— Xã Long Đống" in progress and "• Người tham gia vận động: 1" in progress
    await chat.send("/tiendo")
    await chat.reply()
    await chat.send("Xem đơn vị khác")
    await chat.reply()
    await chat.send("Chi Lăng")  # another district: outside the campaign's area
    assert "Chi Lăng" not in "\n".join(await chat.replies())


async def test_console_saves_an_export_and_says_where(app: App, tmp_path: Path) -> None:
    from bot.channels.console import save_files
    from bot.core.types import Attachment, Reply

    reply = Reply("Bảng tiến độ", attachments=[
        Attachment(AttachmentKind.DOCUMENT, data=b"PK..", filename="../tien-do.xlsx")])
    [path] = save_files(reply, tmp_path / "exports")
    assert path == tmp_path / "exports" / "tien-do.xlsx" and path.read_bytes() == b"PK.."


async def test_a_huge_export_goes_to_the_server(chat: Chat, app: App,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    await lan_with_two(chat)
    monkeypatch.setattr(manage_views, "CHAT_EXPORT_LIMIT", 2)
    await become(chat, "admin")
    await chat.send("/tiendo")
    assert "Tiến độ «" in await chat.reply()
    await chat.send("Xuất bảng tiến độ (XLSX)")
    reply = await chat.reply()
    assert "Bảng này có 3 tài khoản, quá lớn" in reply
    assert "thidua export referrals --campaign bac-son-dan-van-kheo-2024 --unit ls.bac-son" \
        in reply
    assert chat.last is not None and not chat.last.attachments
