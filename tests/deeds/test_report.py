"""Reporting a good deed as a resident, with every kind of bad input, as transcripts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.types import AttachmentKind
from storage.models import ConsentRow, DeedEventRow, DeedPhotoRow, DeedRow, NotificationRow
from tests.deeds.helpers import pick, register, report_other, send_photo
from tests.harness import Chat


async def reach_date(chat: Chat) -> None:
    """Register Lan in Nhân Lý and answer the report form up to the date question."""
    await register(chat, "lan", "Nguyễn Thị Lan", "nhan ly", "Nhân Lý")
    await chat.send("/guongtot")
    assert "Báo một gương tốt mới" in await chat.reply()
    await chat.send("1")
    assert "Trước khi báo gương tốt" in await chat.reply()
    await chat.send("Có")
    assert "phong trào nào" in await chat.reply()
    await pick(chat, "Dân vận khéo")
    assert "Ai là người làm việc tốt" in await chat.reply()
    await chat.send("Chính tôi")
    assert "thôn, bản" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "kể ngắn gọn" in await chat.reply()
    await chat.send("Tôi hiến 200 mét vuông đất để mở rộng đường vào thôn.")
    assert "ngày nào" in await chat.reply()


async def test_self_report_by_text_alone_is_saved_and_reviewers_notified(
        chat: Chat, app: App) -> None:
    await register(chat, "minh", "Trần Văn Minh", "chi lang", "Huyện Chi Lăng", "liaison")
    await reach_date(chat)
    await chat.send("8/4")
    assert "ở đâu" in await chat.reply()
    await chat.send("thôn Khuôn Pục")
    assert "Gửi tối đa 3 ảnh" in await chat.reply()
    await chat.send("Không có ảnh")
    assert "liên hệ trực tiếp" in await chat.reply()
    await chat.send("không")
    summary = await chat.reply()
    assert "Người làm việc tốt: chính bạn (Nguyễn Thị Lan)" in summary
    assert "Ngày: 8/4/2024" in summary and "Ảnh: 0" in summary
    assert "Đơn vị: Xã Nhân Lý, Huyện Chi Lăng" in summary
    await chat.send("Lưu")
    sent = await chat.reply()
    assert "Đã gửi báo cáo #1" in sent and "Xã Nhân Lý" in sent
    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
        consent = (await session.scalars(
            select(ConsentRow).where(ConsentRow.purpose == "deeds"))).one()
        notice = (await session.scalars(select(NotificationRow))).one()
        events = (await session.scalars(select(DeedEventRow))).all()
    assert (deed.status, deed.is_self, deed.nominee_consent) == ("submitted", True, "self")
    assert deed.original["what"].startswith("Tôi hiến 200 mét vuông")
    assert consent.granted
    assert notice.text_key == "deeds.notice.new"
    assert [e.action for e in events] == ["submit"]


async def test_consent_is_asked_once_and_refusal_saves_nothing(chat: Chat, app: App) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "nhan ly", "Nhân Lý")
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("1")
    assert "Bạn có đồng ý không" in await chat.reply()
    await chat.send("không")
    refused = await chat.reply()
    assert "không được lưu" in refused
    async with app.sessions() as session:
        assert (await session.scalars(select(DeedRow))).all() == []
        consent = (await session.scalars(
            select(ConsentRow).where(ConsentRow.purpose == "deeds"))).one()
    assert not consent.granted
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("1")
    assert "Bạn có đồng ý không" in await chat.reply()
    await chat.send("có")
    assert "phong trào nào" in await chat.reply()
    await chat.send("/huy")
    assert "Đã dừng: Báo gương người tốt, việc tốt. Những gì" in await chat.reply()
    confirmation = await report_other(chat)
    assert "Đã gửi báo cáo #1" in confirmation
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("1")
    assert "phong trào nào" in await chat.reply()  # consent is not asked again
    await chat.send("/huy")
    assert "Đã dừng: Báo gương người tốt, việc tốt. Những gì" in await chat.reply()


async def test_unregistered_person_registers_first_then_reports(chat: Chat) -> None:
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("Báo một gương tốt mới")
    assert "cần sự đồng ý của bạn về việc xử lý dữ liệu" in await chat.reply()
    for line in ("1", "1", "Lê Thị Hoa", "1980", "nhan ly"):
        await chat.send(line)
        await chat.reply()
    await pick(chat, "Nhân Lý")
    assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()
    assert "Trước khi báo gương tốt" in await chat.reply()
    await chat.send("/huy")
    assert "Đã dừng: Báo gương người tốt, việc tốt. Những gì" in await chat.reply()


@pytest.mark.parametrize(("typed", "expected"), [
    ("hôm trước nữa", "Trợ lý chưa hiểu ngày"),
    ("ngày mai", "chưa tới (hôm nay là 10/4/2024)"),
    ("20/4", "Ngày 20/4/2024 chưa tới"),
    ("31/2/2024", "Trợ lý chưa hiểu ngày"),
    ("1/1/2015", "đã quá lâu"),
])
async def test_bad_dates_are_explained_with_accepted_forms(chat: Chat, typed: str,
                                                           expected: str) -> None:
    await reach_date(chat)
    await chat.send(typed)
    answer = await chat.reply()
    assert expected in answer
    if "chưa hiểu" in answer:
        assert "hôm nay, hôm qua, 20/4, 20/4/2024, 20-04-2024 hoặc 2024-04-20" in answer
    await chat.send("2024-04-08")
    assert "ở đâu" in await chat.reply()


@pytest.mark.parametrize("typed", ["hôm nay", "hôm qua", "8/4", "8/4/2024", "08-04-2024",
                                   "2024-04-08", "ngày 8/4"])
async def test_accepted_date_forms(chat: Chat, typed: str) -> None:
    await reach_date(chat)
    await chat.send(typed)
    assert "ở đâu" in await chat.reply()


async def reach_photos(chat: Chat) -> None:
    """Answer the form up to the photo question."""
    await reach_date(chat)
    await chat.send("hôm qua")
    assert "Việc này diễn ra ở đâu? (ví dụ: chợ Đồng Mỏ, quốc" in await chat.reply()
    await chat.send("nhà văn hoá thôn")
    assert "Gửi tối đa 3 ảnh, mỗi ảnh không quá 5,0 MB" in await chat.reply()


async def test_photos_too_large_too_many_or_not_photos_are_refused(chat: Chat,
                                                                    app: App) -> None:
    await reach_photos(chat)
    await chat.send("ảnh đây")
    assert "Trợ lý chờ ảnh (đã nhận 0/3)" in await chat.reply()
    await send_photo(chat, size=7_000_000)
    too_big = await chat.reply()
    assert "Ảnh quá lớn (7,0 MB); mỗi ảnh tối đa 5,0 MB" in too_big
    assert "Đã nhận 0/3 ảnh" in too_big
    await send_photo(chat, kind=AttachmentKind.STICKER)
    assert "chỉ nhận ảnh chụp" in await chat.reply()
    for count in (1, 2, 3):
        await send_photo(chat, size=1_000_000, url=f"https://zalo.example/p{count}.jpg")
        assert f"Đã nhận ảnh ({count}/3)" in await chat.reply()
    await send_photo(chat, size=1000)
    assert "tối đa 3 ảnh; ảnh vừa gửi không được lưu" in await chat.reply()
    await chat.send("Xong")
    assert "liên hệ trực tiếp" in await chat.reply()
    await chat.send("Có")
    assert "số điện thoại" in await chat.reply()
    await chat.send("12345")
    assert "10 chữ số bắt đầu bằng 0" in await chat.reply()
    await chat.send("+84 912 345 678")
    assert "Ảnh: 3" in await chat.reply()
    await chat.send("Lưu")
    assert "Đã gửi báo cáo" in await chat.reply()
    async with app.sessions() as session:
        photos = (await session.scalars(select(DeedPhotoRow)
                                        .order_by(DeedPhotoRow.position))).all()
        deed = (await session.scalars(select(DeedRow))).one()
    assert [p.ref for p in photos] == [f"https://zalo.example/p{i}.jpg" for i in (1, 2, 3)]
    assert deed.phone == "0912345678"


async def test_photo_where_text_is_expected_keeps_the_step(chat: Chat) -> None:
    await reach_date(chat)
    await chat.send("/photo ảnh chiếc ví")
    assert "hỏi ảnh ở bước sau" in await chat.reply()
    await send_photo(chat)
    assert "cần bạn gõ chữ" in await chat.reply()
    await chat.send("hôm qua")
    assert "ở đâu" in await chat.reply()


async def test_nominee_name_and_unit_bad_input(chat: Chat) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "nhan ly", "Nhân Lý")
    await chat.send("/baoguong")
    assert "Trước khi báo gương tốt, Trợ lý cần sự đồng ý của" in await chat.reply()
    await chat.send("Có")
    assert "Việc tốt này bạn muốn báo cho phong trào nào?" in await chat.reply()
    await pick(chat, "Tuy Phước")
    assert "Ai là người làm việc tốt?" in await chat.reply()
    await chat.send("Người khác")
    assert "Người làm việc tốt tên là gì? Gõ họ và tên đầy đủ" in await chat.reply()
    await chat.send("Nam 123")
    assert "chỉ gồm chữ cái" in await chat.reply()
    await chat.send("Lò Thị Mai")
    assert "16 tuổi" in await chat.reply()
    await chat.send("mười hai")
    assert "gõ số tuổi" in await chat.reply()
    await chat.send("12")
    assert "xã, phường hoặc cơ quan" in await chat.reply()
    await chat.send("xyzxyz")
    assert "chưa tìm thấy đơn vị \"xyzxyz\"" in await chat.reply()
    await chat.send("quan son")
    assert "Quan Sơn" in await chat.reply()
    await pick(chat, "Quan Sơn")
    assert "thôn, bản" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "Bạn kể ngắn gọn việc tốt đã xảy ra: ai đã làm gì" in await chat.reply()
    await chat.send("ngắn")
    assert "ít nhất 15 ký tự" in await chat.reply()
    await chat.send("Em Mai dẫn cụ bà bị lạc về nhà an toàn.")
    assert "Việc này diễn ra ngày nào? Bạn có thể gõ: hôm" in await chat.reply()
    await chat.send("hôm nay")
    assert "Việc này diễn ra ở đâu? (ví dụ: chợ Đồng Mỏ, quốc" in await chat.reply()
    await chat.send("đường liên thôn")
    assert "Bạn có ảnh về việc này không? Gửi tối đa 3 ảnh" in await chat.reply()
    await chat.send("Không có ảnh")
    assert "Cán bộ duyệt có thể liên hệ trực tiếp với bạn để" in await chat.reply()
    await chat.send("Không")
    summary = await chat.reply()
    assert "Lò Thị Mai (dưới 16 tuổi)" in summary and "Quan Sơn" in summary
    assert "Thi đua thực hiện Chỉ thị 19" in summary
    await chat.send("Sửa")
    assert "Bạn muốn sửa mục nào?" in await chat.reply()
    await chat.send("Ngày diễn ra")
    assert "Việc này diễn ra ngày nào? Bạn có thể gõ: hôm" in await chat.reply()
    await chat.send("9/4/2024")
    assert "Ngày: 9/4/2024" in await chat.reply()
    await chat.send("Lưu")
    assert "Đã gửi báo cáo #1" in await chat.reply()
