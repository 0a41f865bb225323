"""/congtrinh as transcripts: register, progress with photos, scope, compliance, flagships."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.clock import MovableClock
from bot.core.types import Attachment, AttachmentKind, Reply
from storage.models import AuditRow, ConsentRow, WorkRow, WorkUpdateRow
from tests.channels.fake_telegram import FakeTelegram
from tests.harness import Chat
from tests.works.helpers import (
    BAN_CONG,
    PA_LAU,
    TRAM_TAU,
    WORKS_CAMPAIGN,
    become,
    pick,
    press,
    register_work,
    send_photo,
)


async def test_liaison_registers_a_work_with_the_plan_fields(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await chat.send("/congtrinh")
    home = await chat.reply()
    assert "Hạn đăng ký: trước ngày 25/10/2024" in home
    assert "Xã Bản Công: cần đăng ký ít nhất 2 công trình" in home
    assert "Còn thiếu 2 công trình; còn 15 ngày (hạn cuối là hết ngày 24/10/2024)" in home
    await chat.send("1")
    assert "Kế hoạch yêu cầu" in await chat.reply()
    assert "Tên công trình" in await chat.reply()
    await chat.send("Nhà văn hóa thôn Tà Xùa")
    assert "Khối lượng công việc" in await chat.reply()
    await chat.send("1 nhà cấp 4, 120 m²")
    assert "Địa điểm thi công" in await chat.reply()
    await chat.send("thôn Tà Xùa")
    assert "Dự kiến giá trị thực hiện" in await chat.reply()
    await chat.send("chưa rõ lắm")
    refused = await chat.reply()
    assert "chưa đọc được số tiền" in refused and "800.000.000" in refused
    await chat.send("800")
    assert "có thể hiểu theo nhiều cách" in await chat.reply()
    assert chat.choices()[:2] == ["Ý bạn là 800 triệu đồng", "Ý bạn là 800 nghìn đồng"]
    await chat.send("1")
    assert "Nguồn kinh phí" in await chat.reply()
    await chat.send("ngân sách xã")
    prompt = await chat.reply()  # examples lie ahead of the clock (10/10/2024)
    assert "Thời gian dự kiến hoàn thành? Ví dụ: 31/01/2025; 1/2025 (hết tháng 1)" in prompt
    await chat.send("sang năm")
    assert "31/01/2025; ngày 25 tháng 1; 1/2025 (hết tháng 1); quý 1/2025" in await chat.reply()
    await chat.send("30/2/2025")
    assert "không có trên lịch" in await chat.reply()
    await chat.send("1/1/2024")
    assert "từ hôm nay (10/10/2024) trở đi" in await chat.reply()
    await chat.send("tuần trước")
    assert "từ hôm nay (10/10/2024) trở đi" in await chat.reply()
    await chat.send("6/2025")
    summary = await chat.reply()
    assert "Dự kiến giá trị thực hiện: 800.000.000 đồng" in summary
    assert "tháng 6/2025 (tính đến hết ngày 30/06/2025)" in summary
    await chat.send("Lưu")
    saved = await chat.reply()
    assert "Đã đăng ký \"Nhà văn hóa thôn Tà Xùa\" cho Xã Bản Công" in saved
    assert "1/2 công trình tối thiểu" in saved
    assert "Ngày đăng ký: 10/10/2024" in saved and "sau hạn" not in saved
    async with app.sessions() as session:
        row = (await session.scalars(select(WorkRow))).one()
    assert (row.unit_code, row.value_vnd, str(row.due_on), row.due_precision) == (
        BAN_CONG, 800_000_000, "2025-06-30", "month")


async def test_first_registration_asks_reporting_consent_and_refusal_saves_nothing(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG, consent=False)
    await chat.send("/congtrinh")
    assert "Xã Bản Công: cần đăng ký ít nhất 2 công trình" in await chat.reply()
    await chat.send("Đăng ký công trình mới")
    ask = await chat.reply()
    assert "họ và tên của bạn là người nhập" in ask and "Bạn có đồng ý không?" in ask
    await chat.send("Không đồng ý")
    assert "chưa đăng ký hay cập nhật thay đơn vị được" in await chat.reply()
    await chat.send("/congtrinh")
    assert "Xã Bản Công: cần đăng ký ít nhất 2 công trình" in await chat.reply()
    await chat.send("Đăng ký công trình mới")
    assert "Trợ lý cần bạn đồng ý" in await chat.reply()
    await chat.send("Đồng ý")
    assert "đã ghi nhận sự đồng ý" in await chat.reply()
    assert "Kế hoạch yêu cầu" in await chat.reply()
    assert "Tên công trình" in await chat.reply()
    async with app.sessions() as session:
        decisions = [(c.purpose, c.granted) for c in await session.scalars(
            select(ConsentRow).where(ConsentRow.purpose == "unit_reports")
            .order_by(ConsentRow.id))]
    assert decisions == [("unit_reports", False), ("unit_reports", True)]


async def test_unregistered_liaison_registers_from_the_works_screen_and_lands_back(
        chat: Chat) -> None:
    """No unit yet: one choice leads through registration (which asks the unit) and back to
    the works of the unit chosen, without retyping /congtrinh."""
    await chat.send("/as minh liaison")
    assert "Bây giờ bạn đang là \"minh\"" in await chat.reply()
    await chat.send("/congtrinh")
    assert "chưa có đơn vị" in await chat.reply()
    assert chat.choices() == ["Chọn đơn vị của tôi", "Về danh sách chức năng"]
    await chat.send("1")
    assert "Bạn có đồng ý không?" in await chat.reply()
    for line, answer in (("Đồng ý", "nhận tin nhắc"), ("Đồng ý", "họ và tên đầy đủ"),
                         ("Hà Văn Minh", "Bạn sinh năm nào?"), ("1985", "đơn vị nào?"),
                         ("Bản Công", "Thông tin đã đúng chưa?")):
        await chat.send(line)
        assert answer in await chat.reply()
    await chat.send("Lưu")
    replies = "\n".join(await chat.replies())
    assert "Đăng ký xong" in replies
    assert "Công trình, phần việc — Thi đua đặc biệt chào mừng Đại hội Đảng (Trạm Tấu)" in replies
    assert "Xã Bản Công: cần đăng ký ít nhất" in replies


async def test_late_registration_is_marked_and_counted_late(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=25))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    saved = await register_work(chat)
    assert "được ghi nhận là đăng ký sau hạn" in saved
    assert "Ngày đăng ký: 25/10/2024 (sau hạn đăng ký)" in saved
    await register_work(chat, "Sân văn hóa thôn Tà Xùa")
    await chat.send("/congtrinh")
    assert "Đã đủ số lượng, nhưng có công trình đăng ký sau hạn" in await chat.reply()


async def test_progress_with_note_and_photo_then_completion(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat)
    await chat.send("Cập nhật tiến độ")
    assert "đang ở 0%" in await chat.reply()
    await chat.send("gần xong")
    assert "số từ 0 đến 100" in await chat.reply()
    await chat.send("120")
    assert "số từ 0 đến 100" in await chat.reply()
    await chat.send("40%")
    assert "Ghi chú ngắn" in await chat.reply()
    await send_photo(chat)
    assert "Trợ lý hiện chỉ đọc" not in (reply := await chat.reply())
    assert "cần bạn gõ chữ" in reply
    await chat.send("đã đổ xong móng")
    assert "ảnh chụp hiện trường" in await chat.reply()
    await chat.send("ảnh đây")
    assert "Bước này cần một ảnh chụp hiện trường" in await chat.reply()
    await send_photo(chat, kind=AttachmentKind.STICKER)
    assert "không nhận nhãn dán hay tệp" in await chat.reply()
    await send_photo(chat, size=7_200_000)
    assert "Ảnh quá lớn (7,2 MB); Trợ lý nhận ảnh đến 5,0 MB" in await chat.reply()
    await send_photo(chat, size=900_000)
    shown = await chat.reply()
    assert "Đã ghi nhận tiến độ 40%." in shown
    assert "Tiến độ: 40%" in shown and "40% — đã đổ xong móng (có ảnh)" in shown
    await chat.send("Xem ảnh tiến độ")
    assert "Ảnh tiến độ gần nhất" in await chat.reply()
    assert chat.last is not None and chat.last.attachments[0].url == "file:///tmp/site.jpg"
    await chat.send("Quay lại")
    assert "Công trình: Đường bê tông thôn Tà Xùa" in await chat.reply()
    await chat.send("Đánh dấu đã hoàn thành")
    assert "đã hoàn thành hôm nay (10/10/2024)?" in await chat.reply()
    await chat.send("Đã hoàn thành")
    done = await chat.reply()
    assert "Tiến độ: 100%, hoàn thành ngày 10/10/2024" in done
    assert "Đánh dấu đã hoàn thành" not in chat.choices()
    async with app.sessions() as session:
        updates = [(u.progress, u.note, u.photo_ref) for u in await session.scalars(
            select(WorkUpdateRow).order_by(WorkUpdateRow.id))]
    assert updates == [(40, "đã đổ xong móng", "file:///tmp/site.jpg"), (100, None, None)]


async def test_photo_size_cap_comes_from_settings(db_url: str, clock: MovableClock) -> None:
    from bot.app import create_app
    from bot.channels.console import ConsoleChannel
    from tests.conftest import make_settings

    app = create_app(make_settings(db_url, max_photo_bytes=1_000_000), clock)
    await app.start()
    try:
        chat = Chat(ConsoleChannel(app, clock, "minh"))
        clock.set(clock.now().replace(year=2024, month=10, day=10))
        await become(chat, app, "minh", "liaison", BAN_CONG)
        await register_work(chat)
        await chat.send("Cập nhật tiến độ")
        assert "đang ở 0%" in await chat.reply()
        await chat.send("10")
        assert "Ghi chú ngắn" in await chat.reply()
        await chat.send("Bỏ qua")
        assert "ảnh chụp hiện trường" in await chat.reply()
        await send_photo(chat, size=1_500_000, caption="móng")
        assert "Ảnh quá lớn (1,5 MB); Trợ lý nhận ảnh đến 1,0 MB" in await chat.reply()
        chat.assert_all_read()
    finally:
        await app.close()


async def test_another_units_liaison_cannot_change_a_work_even_with_forged_choices(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat)
    async with app.sessions() as session:
        work = (await session.scalars(select(WorkRow))).one()
    await become(chat, app, "hoa", "liaison", PA_LAU)
    for action in ("e", "p", "d", "dy", "r", "ry", "v", "f"):
        await press(chat, f"w:{action}:{work.id}")
        refused = await chat.reply()
        assert "công trình này thuộc Xã Bản Công" in refused or "Chỉ quản trị" in refused, action
    await press(chat, "w:v:99999")
    assert "Không tìm thấy công trình" in await chat.reply()
    await press(chat, "w:e:abc")
    assert "Không tìm thấy công trình" in await chat.reply()
    await press(chat, "w:l:other-campaign:s")
    assert "không còn hiệu lực" in await chat.reply()
    await chat.send("/as dan resident")
    assert "Bây giờ bạn đang là \"dan\"" in await chat.reply()
    await press(chat, f"w:r:{work.id}")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    async with app.sessions() as session:
        after = (await session.scalars(select(WorkRow))).one()
        updates = (await session.scalars(select(WorkUpdateRow))).all()
    assert (after.withdrawn_at, after.progress, after.completed_on, after.name) == (
        None, 0, None, work.name)
    assert updates == []


async def test_liaison_edits_own_work_and_withdraws_it(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat)
    await chat.send("Sửa thông tin")
    assert "Bạn muốn sửa mục nào?" in await chat.reply()
    await chat.send(pick(chat, "Dự kiến giá trị"))
    assert "giá trị thực hiện" in await chat.reply()
    await chat.send("2 tỷ 300 triệu")
    assert "2.300.000.000 đồng" in await chat.reply()
    await chat.send("Lưu")
    edited = await chat.reply()
    assert "Đã lưu thông tin mới" in edited and "2.300.000.000 đồng" in edited
    await chat.send("Rút đăng ký công trình này")
    assert "không còn được tính cho đơn vị" in await chat.reply()
    await chat.send("Rút đăng ký")
    home = await chat.reply()
    assert "Đã rút đăng ký" in home and "Đơn vị chưa đăng ký công trình nào." in home
    async with app.sessions() as session:
        rows = (await session.scalars(select(WorkRow))).all()
    assert len(rows) == 1 and rows[0].withdrawn_at is not None


async def test_admin_sees_lists_of_units_short_late_and_complete(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat, "Công trình A")
    await register_work(chat, "Công trình B")
    await become(chat, app, "hoa", "liaison", PA_LAU)
    await register_work(chat, "Công trình C")
    clock.set(clock.now().replace(month=11, day=2))
    await register_work(chat, "Công trình D")
    await become(chat, app, "admin", "admin", None)
    await chat.send("/congtrinh")
    overview = await chat.reply()
    assert "Tình hình đăng ký của 21 đơn vị (4 công trình)" in overview
    assert "• Đủ và đúng hạn: 1" in overview
    assert "• Đủ nhưng đăng ký sau hạn: 1" in overview
    assert "• Còn thiếu: 19" in overview
    await chat.send(pick(chat, "Đơn vị còn thiếu"))
    short = await chat.reply()
    assert "• Xã Xà Hồ: 0/2" in short and "• Phòng Nội vụ: 0/1" in short
    assert "Bản Công" not in short
    await chat.send("Quay lại")
    assert "Tình hình đăng ký của 21 đơn vị" in await chat.reply()
    await chat.send(pick(chat, "sau hạn"))
    late = await chat.reply()
    assert "• Xã Pá Lau: 2/2 (1 công trình đăng ký sau hạn)" in late
    await chat.send("Quay lại")
    assert "Tình hình đăng ký của 21 đơn vị" in await chat.reply()
    await chat.send(pick(chat, "đã đủ"))
    assert "• Xã Bản Công: 2/2" in await chat.reply()


async def test_district_liaison_sees_the_overview_but_registers_nothing_for_a_commune(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "huyen", "liaison", TRAM_TAU)
    await chat.send("/congtrinh")
    overview = await chat.reply()
    assert "Tình hình đăng ký của 21 đơn vị" in overview
    assert "Đăng ký thay cho một đơn vị" not in chat.choices()
    await press(chat, f"w:n:{WORKS_CAMPAIGN}")
    assert "không thuộc danh sách đơn vị phải đăng ký" in await chat.reply()


async def test_admin_registers_for_a_unit_and_marks_up_to_two_flagships(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "admin", "admin", None)
    names = ["Cầu treo Pá Hu", "Trường mầm non Bản Mù", "Nhà văn hóa Xà Hồ"]
    for name in names:
        await chat.send("/congtrinh")
        assert "Tình hình đăng ký của 21 đơn vị" in await chat.reply()
        await chat.send("Đăng ký thay cho một đơn vị")
        assert "Kế hoạch yêu cầu" in await chat.reply()
        assert "cho đơn vị nào" in await chat.reply()
        await chat.send("Lào Cai")
        assert "chưa tìm thấy đơn vị" in await chat.reply()
        await chat.send("pa hu")
        assert "Xã Pá Hu" in await chat.reply()
        await chat.send("1")
        assert "Tên công trình" in await chat.reply()
        for answer in (name, "1 công trình", "xã Pá Hu", "3 tỷ", "ngân sách tỉnh", "12/2025"):
            await chat.send(answer)
            await chat.reply()
        await chat.send("Lưu")
        assert f"Đã đăng ký \"{name}\" cho Xã Pá Hu" in await chat.reply()
        await chat.send("Chọn làm công trình tiêu biểu")
        chosen = await chat.reply()
        if name != names[-1]:
            assert "là công trình tiêu biểu" in chosen
    assert "đã chọn đủ: Cầu treo Pá Hu; Trường mầm non Bản Mù" in chosen
    await chat.send("/congtrinh")
    assert "Tình hình đăng ký của 21 đơn vị" in await chat.reply()
    await chat.send("Công trình tiêu biểu")
    flagships = await chat.reply()
    assert "Công trình tiêu biểu đã chọn: 2/02" in flagships
    assert "• #1 Cầu treo Pá Hu (Xã Pá Hu)" in flagships


async def test_admin_exports_works_as_xlsx(chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat, value="1,5 tỷ")
    await become(chat, app, "admin", "admin", None)
    await chat.send("/congtrinh")
    assert "Tình hình đăng ký của 21 đơn vị" in await chat.reply()
    await chat.send("Xuất tệp Excel")
    assert "cong-trinh-tram-tau-dai-hoi-dang-2024-10-20.xlsx: 1 công trình" in await chat.reply()
    assert chat.last is not None
    document = chat.last.attachments[0]
    assert document.kind is AttachmentKind.DOCUMENT and document.data
    book = load_workbook(io.BytesIO(document.data))
    works = book["Công trình"]
    header = [c.value for c in works[1]]
    row = dict(zip(header, [c.value for c in works[2]], strict=True))
    assert row["Đơn vị"] == "Xã Bản Công" and row["Dự kiến giá trị (đồng)"] == 1_500_000_000
    assert row["Đúng hạn"] == "Có" and row["Người nhập"] == "Minh"
    units = book["Tình hình đăng ký"]
    assert units.max_row == 22
    async with app.sessions() as session:  # the list names people: its export is audited
        (audit,) = (await session.scalars(select(AuditRow)
                                          .where(AuditRow.action == "data.export"))).all()
    assert (audit.target_type, audit.target_id, audit.changes) == (
        "works", "tram-tau-dai-hoi-dang", {"after": {"rows": 1}})


async def test_export_on_zalo_explains_the_server_command(
        chat: Chat, app: App, clock: MovableClock) -> None:
    from bot.core.types import Incoming

    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "admin", "admin", None)
    replies = await app.handle(Incoming("zalo", "z1", "z1", choice=f"w:x:{WORKS_CAMPAIGN}"))
    # A new Zalo account is a resident: the export is not for them.
    assert "chỉ dành cho cán bộ được phân quyền" in replies[0].text
    await app.role_of("zalo", "z1", "admin")
    replies = await app.handle(Incoming("zalo", "z1", "z1", choice=f"w:x:{WORKS_CAMPAIGN}"))
    assert "thidua export works --campaign tram-tau-dai-hoi-dang" in replies[0].text
    assert not replies[0].attachments


async def test_telegram_delivers_the_xlsx_as_a_document(
        fake_telegram: FakeTelegram, make_telegram: Callable[..., TelegramChannel]) -> None:
    channel = make_telegram()
    document = Attachment(AttachmentKind.DOCUMENT, data=b"PK\x03\x04", filename="cong-trinh.xlsx")
    await channel.send("4004", Reply("Tệp cong-trinh.xlsx", attachments=[document]))
    text, sent = fake_telegram.sent_to(4004)
    assert text["text"] == "Tệp cong-trinh.xlsx"
    assert "<file cong-trinh.xlsx>" in sent.values()


async def test_over_long_answers_are_refused_and_the_step_is_kept(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await chat.send("/congtrinh")
    assert "Xã Bản Công: cần đăng ký ít nhất 2 công trình" in await chat.reply()
    await chat.send("Đăng ký công trình mới")
    assert "Kế hoạch yêu cầu" in await chat.reply()
    assert "Tên công trình" in await chat.reply()
    await chat.send("Nhà văn hóa " * 40)
    assert "Nội dung quá dài (479 ký tự)" in await chat.reply()
    await chat.send("/menu")
    menu = await chat.reply()
    assert "Tiếp tục: Đăng ký công trình, phần việc" in menu
    await chat.send(str(len(chat.choices())))  # the way back is the menu's last item
    assert "Tên công trình" in await chat.reply()


async def test_liaison_outside_any_works_campaign_is_told_so(
        chat: Chat, app: App, clock: MovableClock) -> None:
    await become(chat, app, "kien", "liaison", "ls.chi-lang.huu-kien")
    await chat.send("/congtrinh")
    assert "không thuộc phong trào nào có đăng ký công trình" in await chat.reply()
    await chat.send("/help")
    help_text = await chat.reply()
    assert "/congtrinh — Công trình, phần việc của đơn vị" in help_text
    assert "/hoinghi — Hội nghị điển hình tiên tiến của đơn vị" in help_text


def numbered_lines(text: str) -> list[str]:
    """Return the lines of a reply that start with a number and a dot ("2. …")."""
    return [line for line in text.splitlines() if line[:1].isdigit() and ". " in line[:5]]


async def test_numbers_keep_their_meaning_across_visits_and_never_number_records(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await chat.send("/congtrinh")
    await chat.reply()
    assert chat.choices()[0] == "Đăng ký công trình mới"
    await register_work(chat)
    await register_work(chat, name="Nhà văn hoá thôn Sáng Pao")
    await chat.send("/congtrinh")
    home = await chat.reply()
    assert "• #1 Đường bê tông thôn Tà Xùa — tiến độ 0%" in home
    assert "• #2 Nhà văn hoá thôn Sáng Pao" in home
    assert chat.choices() == ["Đăng ký công trình mới", "Xem #1: Đường bê tông thôn Tà Xùa",
                              "Xem #2: Nhà văn hoá thôn Sáng Pao"]
    assert len(numbered_lines(home)) == len(chat.choices())  # only choices carry numbers
    await chat.send("2")
    work = await chat.reply()
    assert "Công trình: Đường bê tông thôn Tà Xùa" in work
    before = chat.choices()
    assert before[2] == "Đánh dấu đã hoàn thành"
    await chat.send("3")
    assert "đã hoàn thành hôm nay" in await chat.reply()
    await chat.send("Đã hoàn thành")
    assert "hoàn thành ngày 10/10/2024" in await chat.reply()
    after = chat.choices()
    assert len(after) == len(before) and after[2] == "Đã hoàn thành ✓"
    assert [a for a in after if a != after[2]] == [b for b in before if b != before[2]]
    await chat.send("3")  # typed from memory: the same slot, now says it is done
    assert "đã được ghi nhận hoàn thành ngày 10/10/2024" in await chat.reply()
    await chat.send("4")
    assert "Rút đăng ký" in await chat.reply()


async def test_a_work_past_its_planned_completion_says_so_until_completed(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat, due="30/11/2024")
    clock.set(clock.now().replace(month=12, day=5))
    await chat.send("/congtrinh")
    home = await chat.reply()
    assert "• #1 Đường bê tông thôn Tà Xùa — tiến độ 0%, dự kiến xong 30/11/2024" in home
    assert "⚠ quá hạn 5 ngày" in home
    assert "Còn thiếu 1 công trình và đã quá hạn đăng ký 42 ngày" in home
    await chat.send("Xem #1: Đường bê tông thôn Tà Xùa")
    assert "quá thời gian dự kiến hoàn thành 5 ngày" in await chat.reply()
    await chat.send("Đánh dấu đã hoàn thành")
    await chat.reply()
    await chat.send("Đã hoàn thành")
    done = await chat.reply()
    assert "hoàn thành ngày 05/12/2024" in done and "quá thời gian" not in done
    await chat.send("/congtrinh")
    home = await chat.reply()
    assert "— đã hoàn thành" in home and "quá hạn 5 ngày" not in home
