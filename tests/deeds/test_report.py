"""Reporting a good deed as a resident, with every kind of bad input, as transcripts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.types import AttachmentKind
from storage.models import ConsentRow, DeedEventRow, DeedPhotoRow, DeedRow, PersonRow
from tests.deeds.helpers import (
    become,
    pick,
    pushed_to,
    register,
    report_other,
    say,
    send_photo,
)
from tests.harness import Chat

FRESH_REPORT = (
    ("/baoguong", "hỏi một lần cho cả hai việc"),
    ("Đồng ý", "Họ và tên của bạn"),
    ("hoàng thị lan", "xã, phường nào"),
    ("long dong", "Ai đã làm việc tốt"),
    ("nguyễn văn bình", "kể ngắn gọn"),
    ("Bác Bình nhặt được ví có 2 triệu đồng ở chợ Long Đống, trả lại cho chị Mai.",
     "ngày nào"),
    ("hôm qua", "Báo cáo của bạn"),
    ("Gửi báo cáo", "Đã gửi báo cáo #1"),
)


async def test_a_fresh_account_reports_a_good_deed_in_eight_messages(
        chat: Chat, app: App) -> None:
    """From the first message to the report sent: consents once, name and commune inside
    the report, the campaign of the reporter's own area, optional parts not asked."""
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await become(chat, "lan")
    replies = [await say(chat, line, expected) for line, expected in FRESH_REPORT]
    assert len(FRESH_REPORT) == 8  # inputs from a fresh account, the command included
    review = replies[6]
    assert "• Người báo: Hoàng Thị Lan (Xã Long Đống, Huyện Bắc Sơn" in review
    assert "• Phong trào: Dân vận khéo Bắc Sơn 2024" in review
    assert "• Người làm việc tốt: Nguyễn Văn Bình" in review
    assert "• Ngày: 9/4/2024" in review
    assert "Trợ lý đã nhắn cho cán bộ duyệt." in replies[7]
    [new] = pushed_to(chat, "minh")
    assert "Có báo cáo gương tốt mới #1 ở Xã Long Đống" in new
    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
        person = await session.get(PersonRow, deed.reporter_id)
        consents = sorted((c.purpose, c.granted) for c in await session.scalars(
            select(ConsentRow).where(ConsentRow.person_id == deed.reporter_id)))
    assert (deed.campaign_id, deed.unit_code) == ("bac-son-dan-van-kheo-2024",
                                                  "ls.bac-son.long-dong")
    assert deed.nominee_name == "Nguyễn Văn Bình" and not deed.is_self
    assert person is not None and person.full_name == "Hoàng Thị Lan"
    assert person.unit_code == "ls.bac-son.long-dong" and person.registered_at is not None
    # No birth year asked here: the default word is stored, as /toi would store it.
    assert person.address == "bạn"
    assert consents == [("deeds", True), ("profile", True)]
    # The next report asks nothing already known: no consent, no name, no commune.
    await say(chat, "/baoguong", "Ai đã làm việc tốt")
    await say(chat, "/huy", "Đã dừng")


async def test_no_campaign_of_ones_own_area_gives_a_general_report_never_another_provinces(
        chat: Chat, app: App) -> None:
    """29/4/2024: Bắc Sơn's campaign has ended; Tuy Phước's (Bình Định) runs but is not
    Long Đống's, so it is never offered: the report is a general one, and said so."""
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await say(chat, "/clock 2024-04-29 09:00", "Giờ thử")
    seen = [await say(chat, "/baoguong", "Bạn có đồng ý không")]
    for line, expected in (("Đồng ý", "Ai đã làm việc tốt"), ("Chính tôi", "kể ngắn gọn"),
                           ("Tôi cùng đoàn viên dọn rác ven suối sau lũ.", "ngày nào"),
                           ("hôm nay", "Báo cáo chung (không thuộc phong trào nào)"),
                           ("Gửi báo cáo", "báo cáo gương tốt chung")):
        seen.append(await say(chat, line, expected))
    assert not any("Tuy Phước" in text or "Chỉ thị 19" in text for text in seen)
    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
    assert deed.campaign_id == "" and deed.is_self
    await become(chat, "minh")
    detail = await say(chat, "/duyet 1", "Phong trào: Báo cáo chung")
    assert "Tuy Phước" not in detail
    await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét")
    refused = await say(chat, "Đề nghị khen thưởng", "báo cáo chung")
    assert "Tuy Phước" not in refused


async def test_consent_is_asked_once_and_refusal_saves_nothing(chat: Chat, app: App) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await say(chat, "/guongtot", "Gương người tốt, việc tốt — bạn muốn làm gì?")
    await say(chat, "1", "Bạn có đồng ý không")
    await say(chat, "không", "không được lưu")
    async with app.sessions() as session:
        assert (await session.scalars(select(DeedRow))).all() == []
        consent = (await session.scalars(
            select(ConsentRow).where(ConsentRow.purpose == "deeds"))).one()
    assert not consent.granted
    await say(chat, "/guongtot", "Gương người tốt, việc tốt — bạn muốn làm gì?")
    await say(chat, "1", "Bạn có đồng ý không")
    await say(chat, "Đồng ý", "Ai đã làm việc tốt")
    await say(chat, "/huy", "Đã dừng: Báo gương người tốt, việc tốt. Những gì")
    assert "Đã gửi báo cáo #1" in await report_other(chat)
    await say(chat, "/guongtot", "Gương người tốt, việc tốt — bạn muốn làm gì?")
    await say(chat, "1", "Ai đã làm việc tốt")  # consent is not asked again
    await say(chat, "/huy", "Đã dừng: Báo gương người tốt, việc tốt. Những gì")


async def test_cancel_at_the_review_saves_nothing(chat: Chat, app: App) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await reach_date(chat)
    await say(chat, "hôm qua", "Báo cáo của bạn")
    await say(chat, "Huỷ", "báo cáo chưa được gửi")
    async with app.sessions() as session:
        assert (await session.scalars(select(DeedRow))).all() == []


async def reach_date(chat: Chat) -> None:
    """As Lan (registered in Long Đống): answer the report form up to the date question."""
    await say(chat, "/guongtot", "Báo một gương tốt mới")
    first = await say(chat, "1", "")
    if "Bạn có đồng ý không" in first:
        await say(chat, "Đồng ý", "Ai đã làm việc tốt")
    await say(chat, "Chính tôi", "kể ngắn gọn")
    await say(chat, "Tôi hiến 200 mét vuông đất để mở rộng đường vào thôn.", "ngày nào")


@pytest.mark.parametrize(("typed", "expected"), [
    ("hôm trước nữa", "Trợ lý chưa hiểu ngày"),
    ("ngày mai", "chưa tới (hôm nay là 10/4/2024)"),
    ("20/4", "Ngày 20/4/2024 chưa tới"),
    ("31/2/2024", "Trợ lý chưa hiểu ngày"),
    ("1/1/2015", "đã quá lâu"),
])
async def test_bad_dates_are_explained_with_accepted_forms(chat: Chat, typed: str,
                                                           expected: str) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await reach_date(chat)
    answer = await say(chat, typed, expected)
    if "chưa hiểu" in answer:
        assert "hôm nay, hôm qua, tuần trước, ngày 20 tháng 4, 20/4, 20/4/2024" in answer
    await say(chat, "2024-04-08", "Báo cáo của bạn")
    await say(chat, "/huy", "Đã dừng")


@pytest.mark.parametrize("typed", ["hôm nay", "hôm qua", "8/4", "8/4/2024", "08-04-2024",
                                   "2024-04-08", "ngày 8/4", "tuần trước", "ngày 5 tháng 4",
                                   "hom kia"])
async def test_accepted_date_forms(chat: Chat, typed: str) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await reach_date(chat)
    await say(chat, typed, "Báo cáo của bạn")
    await say(chat, "/huy", "Đã dừng")


async def test_photos_and_phone_at_the_review_and_bad_ones_refused(chat: Chat,
                                                                   app: App) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await reach_date(chat)
    await say(chat, "hôm qua", "Có ảnh thì gửi ngay (tối đa 3 ảnh)")
    await say(chat, "ảnh đây", "hoặc gửi ảnh, hoặc gõ số điện thoại")
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
    await say(chat, "12345", "hoặc gõ số điện thoại")
    added = await say(chat, "+84 912 345 678", "Đã ghi số điện thoại 0912345678")
    assert "Ảnh: 3" in added and "cán bộ có thể gọi số 0912345678" in added
    await say(chat, "Gửi báo cáo", "Đã gửi báo cáo")
    async with app.sessions() as session:
        photos = (await session.scalars(select(DeedPhotoRow)
                                        .order_by(DeedPhotoRow.position))).all()
        deed = (await session.scalars(select(DeedRow))).one()
        events = (await session.scalars(select(DeedEventRow))).all()
    assert [p.ref for p in photos] == [f"https://zalo.example/p{i}.jpg" for i in (1, 2, 3)]
    assert deed.phone == "0912345678" and deed.contact_ok
    assert (deed.status, deed.is_self, deed.nominee_consent) == ("submitted", True, "self")
    assert [e.action for e in events] == ["submit"]


async def test_photo_where_text_is_expected_keeps_the_step(chat: Chat) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await reach_date(chat)
    await chat.send("/photo ảnh chiếc ví")
    assert "hỏi ảnh ở bước sau" in await chat.reply()
    await send_photo(chat)
    assert "cần bạn gõ chữ" in await chat.reply()
    await say(chat, "hôm qua", "Báo cáo của bạn")
    await say(chat, "/huy", "Đã dừng")


async def test_nominee_name_capitalised_and_optional_parts_reached_by_correcting(
        chat: Chat) -> None:
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await say(chat, "/baoguong", "Bạn có đồng ý không")
    # asked again in the words of its own choices
    await say(chat, "anh Nam giúp dân", "chọn 1 (Đồng ý) hoặc 2 (Không)")
    await say(chat, "Đồng ý", "Ai đã làm việc tốt")
    await say(chat, "Nam 123", "chỉ gồm chữ cái")
    # the date typed one step early is not taken for the person's name
    await say(chat, "hôm qua", "họ và tên người làm việc tốt")
    await say(chat, "lò thị mai", "kể ngắn gọn")
    await say(chat, "ngắn", "ít nhất 15 ký tự")
    await say(chat, "Em Mai dẫn cụ bà bị lạc về nhà an toàn.", "ngày nào")
    review = await say(chat, "hôm nay", "• Người làm việc tốt: Lò Thị Mai")
    assert "Dân vận khéo Bắc Sơn 2024" in review
    await say(chat, "Sửa", "Bạn kiểm tra lại thông tin")
    await say(chat, "Sửa", "Bạn muốn sửa mục nào?")
    await pick(chat, "Đơn vị của người làm việc tốt")
    assert "xã, phường hoặc cơ quan" in await chat.reply()
    await say(chat, "xyzxyz", "chưa tìm thấy đơn vị \"xyzxyz\"")
    await say(chat, "quan son", "Quan Sơn")
    await pick(chat, "Quan Sơn")
    assert "Quan Sơn" in await chat.reply()
    await say(chat, "Sửa", "Bạn muốn sửa mục nào?")
    await say(chat, "Tuổi người được nêu", "16 tuổi")
    await say(chat, "mười hai", "gõ số tuổi")
    summary = await say(chat, "12", "Lò Thị Mai (dưới 16 tuổi)")
    assert "Quan Sơn" in summary
    await say(chat, "Sửa", "Bạn muốn sửa mục nào?")
    await say(chat, "Ngày diễn ra", "Việc này diễn ra ngày nào?")
    await say(chat, "9/4/2024", "Ngày: 9/4/2024")
    await say(chat, "Lưu", "Đã gửi báo cáo #1")


async def test_several_campaigns_of_ones_area_the_reporter_chooses(chat: Chat, app: App) -> None:
    """A province-wide campaign and the district's both cover Long Đống: the reporter picks
    one (or none); another province's running campaign is never in the list."""
    dvk = app.services.campaigns["bac-son-dan-van-kheo-2024"]
    app.services.campaigns["ls-thi-dua-tinh"] = dvk.model_copy(update={
        "id": "ls-thi-dua-tinh", "unit": "ls", "short_name": "Thi đua toàn tỉnh Lạng Sơn"})
    try:
        await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
        await say(chat, "/baoguong", "Bạn có đồng ý không")
        asked = await say(chat, "Đồng ý", "Địa phương bạn đang có các phong trào dưới đây")
        assert chat.choices() == ["Dân vận khéo Bắc Sơn 2024", "Thi đua toàn tỉnh Lạng Sơn",
                                  "Không thuộc phong trào nào (báo cáo chung)", "Quay lại"]
        assert "Tuy Phước" not in asked
        await say(chat, "2", "Ai đã làm việc tốt")
        await say(chat, "Chính tôi", "kể ngắn gọn")
        await say(chat, "Tôi cùng đoàn viên dọn rác ven suối sau lũ.", "ngày nào")
        await say(chat, "hôm qua", "• Phong trào: Thi đua toàn tỉnh Lạng Sơn")
        await say(chat, "Gửi báo cáo", "Đã gửi báo cáo #1")
        async with app.sessions() as session:
            deed = (await session.scalars(select(DeedRow))).one()
        assert deed.campaign_id == "ls-thi-dua-tinh"
    finally:
        del app.services.campaigns["ls-thi-dua-tinh"]
