"""Reviewing good-deed reports: the whole workflow, notices to the reporter, scope, races."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.app import App, create_app
from bot.core.clock import MovableClock
from bot.core.types import AttachmentKind
from storage.models import DeedEventRow, DeedRow, NotificationRow
from tests.conftest import make_settings
from tests.deeds.helpers import (
    become,
    open_report,
    pick,
    press,
    press_as,
    pushed_to,
    register,
    send_photo,
    setup_people,
)
from tests.delivery.helpers import outbox_rows
from tests.harness import Chat


async def test_whole_review_and_the_reporter_is_told_at_every_decision(
        chat: Chat, app: App) -> None:
    await setup_people(chat, photos=2)
    await become(chat, "minh")
    [new] = pushed_to(chat, "minh")  # pushed to Minh's chat when Lan sent it
    assert "Có báo cáo gương tốt mới #1 ở Xã Long Đống" in new and "/duyet 1" in new
    await chat.send("/duyet")
    overview = await chat.reply()
    assert "thuộc Huyện Bắc Sơn" in overview and "Chờ cán bộ nhận: 1" in overview
    await pick(chat, "Chờ cán bộ nhận (1)")
    listing = await chat.reply()
    assert "#1 · 9/4/2024 · Hoàng Văn Nam" in listing
    await pick(chat, "Mở báo cáo #1")
    detail = await chat.reply()
    assert "Người được nêu: Hoàng Văn Nam (chưa rõ tuổi; chưa ghi nhận đồng ý" in detail
    assert "Ảnh: 2" in detail and "không muốn được liên hệ trực tiếp" in detail
    assert chat.choices()[0] == "Nhận xem xét"
    await chat.send("Nhận xem xét")
    assert "Bạn đã nhận xem xét báo cáo #1. Người báo đã được thông báo" in await chat.reply()
    assert "đã được cán bộ nhận và đang xem xét" in pushed_to(chat, "lan")[-1]
    await chat.send("Thêm ghi chú nội bộ")
    assert "Gõ ghi chú nội bộ (chỉ cán bộ duyệt thấy, người" in await chat.reply()
    await chat.send("Trưởng thôn xác nhận sự việc qua điện thoại.")
    assert "người báo không thấy ghi chú này" in await chat.reply()
    await chat.send("Yêu cầu người báo bổ sung")
    assert "Gõ câu hỏi" in await chat.reply()
    await chat.send("Anh/chị cho biết tên người đánh rơi ví?")
    assert "Đã gửi yêu cầu bổ sung" in await chat.reply()
    pushed = pushed_to(chat, "lan")[-1]  # pushed to Lan's chat at once
    assert pushed.startswith("[Tin gửi tới lan]") and "Báo cáo #1" in pushed
    assert "Cán bộ hỏi: “Anh/chị cho biết tên người đánh rơi ví?”" in pushed
    assert "Trưởng thôn" not in pushed

    await become(chat, "lan")
    await chat.send("/guongtot")  # already pushed: not shown a second time in the app
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await pick(chat, "Trả lời yêu cầu bổ sung cho báo cáo #1")
    assert "Anh/chị cho biết tên người đánh rơi ví?" in await chat.reply()
    await chat.send("Bà Lường Thị Hạnh ở thôn Khuôn Pục.")
    sent = await chat.reply()
    assert "Đã gửi phần bổ sung cho báo cáo #1. Trợ lý đã nhắn cho cán bộ duyệt." in sent
    answered = pushed_to(chat, "minh")[-1]
    assert "Người báo đã trả lời yêu cầu bổ sung cho báo cáo #1" in answered
    assert "Lường Thị Hạnh" not in answered  # the words are read in /duyet, not pushed
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await pick(chat, "Báo cáo của tôi")
    assert "Báo cáo của bạn" in await chat.reply()
    await pick(chat, "#1")
    mine = await chat.reply()
    assert "Báo cáo #1 — Đang xem xét" in mine and "Bà Lường Thị Hạnh" in mine
    assert "Trưởng thôn" not in mine and "ghi chú nội bộ" not in mine

    await become(chat, "minh")
    await chat.send("/duyet")
    assert "Báo cáo gương tốt thuộc Huyện Bắc Sơn, Tỉnh Lạng" in await chat.reply()
    await open_report(chat)
    await chat.send("Ghi nhận là gương tốt")
    assert "Đã ghi nhận báo cáo #1 là gương tốt" in await chat.reply()
    await chat.send("Đề nghị khen thưởng")
    assert "Cần ghi nhận sự đồng ý của người được nêu" in await chat.reply()
    await chat.send("Ghi nhận ý kiến của người được nêu")
    assert "Người được nêu (hoặc cha mẹ, người giám hộ) đã" in await chat.reply()
    await chat.send("1")
    assert "Ghi nhận bằng cách nào (ví dụ: đồng ý bằng văn" in await chat.reply()
    await chat.send("Anh Nam đồng ý qua điện thoại ngày 11/4/2024")
    assert "người được nêu đã đồng ý" in await chat.reply()
    await chat.send("Lưu")
    assert "Đã ghi nhận ý kiến của người được nêu" in await chat.reply()
    await chat.send("Đề nghị khen thưởng")
    rewards = await chat.reply()
    assert "Giấy khen (Chủ tịch UBND huyện) — Mục III.2" in rewards
    await chat.send("1")
    assert "Ghi chú nội bộ cho đề nghị này (không bắt buộc" in await chat.reply()
    await chat.send("Bỏ qua")
    assert "Hình thức: Giấy khen (Chủ tịch UBND huyện)" in await chat.reply()
    await chat.send("Lưu")
    assert "Đã đề nghị khen thưởng cho báo cáo #1" in await chat.reply()
    await chat.send("Xác nhận đã khen thưởng")
    assert "Số, ngày quyết định khen thưởng (ví dụ: Quyết" in await chat.reply()
    await chat.send("Quyết định 123/QĐ-UBND ngày 20/5/2024")
    assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    awarded = await chat.reply()
    assert "Báo cáo #1 — Đã được khen thưởng" in awarded

    told = "\n".join(pushed_to(chat, "lan"))
    assert "đã được ghi nhận là gương người tốt, việc tốt" in told
    assert "đã được đề nghị khen thưởng: Giấy khen (Chủ tịch UBND huyện)" in told
    assert "người làm việc tốt đã được khen thưởng" in told
    await become(chat, "lan")
    await chat.send("/guongtot")
    assert "Gương người tốt, việc tốt — bạn muốn làm gì?" in await chat.reply()
    await chat.send("Các gương tốt đã được ghi nhận")
    public = await chat.reply()
    assert "Hoàng Văn Nam (Xã Long Đống" in public
    assert "Đã được khen thưởng: Giấy khen (Chủ tịch UBND huyện)" in public
    async with app.sessions() as session:
        actions = list(await session.scalars(select(DeedEventRow.action)
                                             .order_by(DeedEventRow.id)))
        undelivered = (await session.scalars(select(NotificationRow).where(
            NotificationRow.delivered_at.is_(None)))).all()
    assert actions == ["submit", "take", "note", "return", "answer", "approve", "consent",
                       "nominate", "award"]
    assert undelivered == []


async def test_rejection_tells_the_reason_in_plain_words(chat: Chat) -> None:
    await setup_people(chat, photos=2)
    await become(chat, "minh")
    await open_report(chat)
    await chat.send("Nhận xem xét")
    assert "Bạn đã nhận xem xét báo cáo #1. Người báo đã được" in await chat.reply()
    await chat.send("Không ghi nhận (từ chối)")
    assert "Lý do không ghi nhận" in await chat.reply()
    await chat.send("anh ấy không làm")
    assert "gõ số thứ tự" in await chat.reply()
    await pick(chat, "Trùng với một báo cáo")
    assert "Bạn gõ lời giải thích ngắn gửi người báo (người" in await chat.reply()
    await chat.send("Việc này đã được báo ở báo cáo #7.")
    assert "Lý do: Trùng với một báo cáo đã có" in await chat.reply()
    await chat.send("Lưu")
    rejected = await chat.reply()
    assert "Đã từ chối báo cáo #1. Người báo đã được thông báo qua tin nhắn." in rejected
    assert "Báo cáo #1 — Không được ghi nhận" in rejected
    told = pushed_to(chat, "lan")[-1]
    assert "chưa được ghi nhận. Lý do: Trùng với một báo cáo đã có" in told
    assert "“Việc này đã được báo ở báo cáo #7.”" in told


async def test_reviewer_outside_the_unit_can_neither_see_nor_act(chat: Chat) -> None:
    await setup_people(chat, photos=2)
    await register(chat, "tuan", "Đỗ Văn Tuấn", "chi lang", "Huyện Chi Lăng", "liaison")
    await chat.send("/duyet")
    assert "Chờ cán bộ nhận: 0" in await chat.reply()
    outside = await open_report(chat)
    assert "không thuộc đơn vị bạn phụ trách" in outside and "Hoàng Văn Nam" not in outside
    await press(chat, "gtd:a:1:1:take")
    assert "không thuộc đơn vị bạn phụ trách" in await chat.reply()
    await become(chat, "lan")
    await press(chat, "gtd:d:1")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    await chat.send("/duyet 1")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    await become(chat, "minh")
    await chat.send("/duyet 99")
    assert "Không có báo cáo #99" in await chat.reply()
    await chat.send("/duyet abc")
    assert "ví dụ: /duyet 12" in await chat.reply()


async def test_a_report_number_out_of_range_or_not_ascii_gets_a_clear_answer(
        chat: Chat) -> None:
    await setup_people(chat, photos=2)
    await become(chat, "minh")
    for typed in ("²", "#①", "1:2", "-1"):
        await chat.send(f"/duyet {typed}")
        answer = await chat.reply()
        assert "Số báo cáo gồm chữ số, ví dụ: /duyet 12." in answer, typed
    for typed in ("99999999999", "9223372036854775808", "2147483648"):
        await chat.send(f"/duyet {typed}")  # digits, but beyond any report's number
        assert f"Không có báo cáo #{typed}." in await chat.reply()
    for forged in ("gtd:d:²", "gtd:d:9223372036854775808", "gtd:a:1:²:take", "gt:v:①",
                   "gt:v:99999999999", "gtd:d:2147483648"):
        await press(chat, forged)
        answer = await chat.reply()
        assert "Lựa chọn này không còn hiệu lực" in answer and "gặp sự cố" not in answer, forged
    await press(chat, "gt:v:2147483647")
    assert "không tìm thấy báo cáo này trong các báo cáo của bạn" in await chat.reply()


async def test_two_reviewers_deciding_at_once_one_wins_the_other_is_told(
        chat: Chat, app: App) -> None:
    await setup_people(chat, photos=2)
    await register(chat, "hoa", "Lê Thị Hoa", "long dong", "Long Đống", "liaison")
    assert "Nhận xem xét" in await open_report(chat)  # Hoa looks at version 1
    await become(chat, "minh")
    await open_report(chat)
    await chat.send("Nhận xem xét")
    assert "Bạn đã nhận xem xét" in await chat.reply()
    await chat.send("Không ghi nhận (từ chối)")  # Minh starts rejecting version 2
    assert "Lý do không ghi nhận?" in await chat.reply()
    await become(chat, "hoa")
    await chat.send("1")  # Hoa presses "Nhận xem xét" on her old screen
    lost = await chat.reply()
    assert "vừa được Trần Văn Minh xử lý trước bạn" in lost
    assert "trạng thái hiện tại: Đang xem xét" in lost
    # Minh holds it: the decision keeps its number, marked as not available to Hoa
    assert chat.choices()[1] == "Ghi nhận là gương tốt (chưa áp dụng lúc này)"
    await press(chat, "gtd:a:1:2:approve")
    assert "đang do cán bộ khác xem xét" in await chat.reply()
    await become(chat, "admin")
    await open_report(chat)
    await chat.send("Ghi nhận là gương tốt")  # an admin decides meanwhile
    assert "Đã ghi nhận báo cáo #1" in await chat.reply()
    await become(chat, "minh")
    await chat.send("2")  # "Chưa xác minh được sự việc" on Minh's screen
    assert "lời giải thích" in await chat.reply()
    await chat.send("Không liên lạc được với nhân chứng.")
    assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    late = await chat.reply()
    assert "vừa được Quản trị xử lý trước bạn (trạng thái hiện tại: Đã được ghi nhận)" in late
    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
    notices = [r.message_key for r in await outbox_rows(app.sessions)
               if r.person_id == deed.reporter_id]
    assert deed.status == "approved" and deed.version == 3
    assert "deeds.notice.reject" not in notices and "deeds.notice.approve" in notices


async def test_two_processes_deciding_at_once_leave_one_decision(
        chat: Chat, app: App, db_url: str, clock: MovableClock) -> None:
    await setup_people(chat, photos=2)
    await register(chat, "hoa", "Lê Thị Hoa", "long dong", "Long Đống", "liaison")
    await open_report(chat)
    await chat.send("Nhận xem xét")
    assert "Bạn đã nhận xem xét báo cáo #1. Người báo đã được" in await chat.reply()
    other = create_app(make_settings(db_url), clock)  # a second process on the same database
    await other.start()
    try:
        first, second = await asyncio.gather(
            press_as(app, "hoa", "gtd:a:1:2:approve"),
            press_as(other, "admin", "gtd:a:1:2:release"))
    finally:
        await other.close()
    texts = [first[0], second[0]]
    assert sum("xử lý trước bạn" in t for t in texts) == 1, texts
    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
        decisions = list(await session.scalars(select(DeedEventRow.action).where(
            DeedEventRow.action.in_(["approve", "release"]))))
    assert len(decisions) == 1 and deed.version == 3


async def test_reviewer_receives_the_photos_by_reference(chat: Chat) -> None:
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    await chat.send("/baoguong")
    assert "Trợ lý cần sự đồng ý của bạn" in await chat.reply()
    for line in ("Đồng ý", "Chính tôi", "Tôi cùng đoàn viên dọn rác ven suối sau lũ.",
                 "hôm nay"):
        await chat.send(line)
        await chat.reply()
    for index in (1, 2):
        await send_photo(chat, size=200_000, url=f"https://zalo.example/{index}.jpg")
        await chat.reply()
    await chat.send("Gửi báo cáo")
    assert "Đã gửi báo cáo #1" in await chat.reply()
    await become(chat, "minh")
    await chat.send("/duyet 1")
    assert "Ảnh: 2" in await chat.reply()
    assert chat.last is not None
    assert [(a.kind, a.url) for a in chat.last.attachments] == [
        (AttachmentKind.PHOTO, "https://zalo.example/1.jpg"),
        (AttachmentKind.PHOTO, "https://zalo.example/2.jpg")]
