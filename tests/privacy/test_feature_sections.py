"""Good deeds, unit works and conferences in /quyenriengtu: export, withdraw, delete."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from storage.deeds.personal_data import names_to_blank
from storage.models import (
    AuditRow,
    ConferenceRow,
    ConsentRow,
    DeedEventRow,
    DeedPhotoRow,
    DeedRow,
    NotificationRow,
    PersonRow,
    WorkRow,
    WorkUpdateRow,
)
from storage.personal_data import ANONYMOUS, name_variants, redact
from tests.deeds.conftest import DeedsChat
from tests.deeds.helpers import pushed_to, report_other, send_photo
from tests.harness import Chat, become, pick, register
from tests.privacy.helpers import read_export, scan_for
from tests.works.helpers import BAN_CONG, HUU_KIEN
from tests.works.helpers import become as become_liaison
from tests.works.test_conferences_chat import register_conference
from tests.works.test_works_chat import register_work

ME = "quynhanh-7f3a"
NAME = "Hoàng Thị Quỳnh Anh"
PHONE = "0912345678"
SELF_WHAT = "Tôi hiến 200 m² đất vườn để mở rộng đường vào bản."
SELF_PLACE = "ngõ nhà tôi ở đầu bản"
OTHER_WHAT = "Anh Nam giúp chị Quỳnh Anh lợp lại mái nhà sau cơn bão, không lấy tiền công."


@pytest.fixture(name="chat")
async def deeds_chat(app: App, clock: MovableClock) -> AsyncIterator[Chat]:
    """The deeds chat: notices pushed to other console users are set aside (`pushed_to`)."""
    conversation = DeedsChat(ConsoleChannel(app, clock, user="lan"))
    yield conversation
    conversation.assert_all_read()


async def open_privacy(chat: Chat) -> str:
    await chat.send("/quyenriengtu")
    return await chat.reply()


async def report(chat: Chat, *, self_report: bool, what: str, place: str, photo_url: str,
                 phone: str | None = None) -> str:
    """Send a report (about oneself or Hoàng Văn Nam) with one photo; return the answer."""
    await chat.send("/guongtot")
    await chat.reply()
    await chat.send("Báo một gương tốt mới")
    first = await chat.reply()
    if "Bạn có đồng ý không" in first:
        await chat.send("Đồng ý")
        await chat.reply()
    await chat.send("Chính tôi" if self_report else "Hoàng Văn Nam")
    await chat.reply()
    await chat.send(what)
    await chat.reply()
    await chat.send("hôm qua")
    assert "Báo cáo của bạn" in await chat.reply()
    await send_photo(chat, url=photo_url)
    await chat.reply()
    if phone:
        await chat.send(phone)
        assert "Đã ghi số điện thoại" in await chat.reply()
    await chat.send("Sửa")  # place and village are optional: reached by correcting
    await chat.reply()
    for field, value in (("Nơi diễn ra", place), ("Thôn, tổ dân phố, cơ quan", "thôn Khuôn Pục")):
        await chat.send("Sửa")
        await chat.reply()
        await pick(chat, field)
        await chat.reply()
        await chat.send(value)
        assert "Bạn kiểm tra lại thông tin" in await chat.reply()
    await chat.send("Lưu")
    replies = await chat.replies()  # the new report is also pushed to Minh's console
    return replies[0]


async def reporter_and_reviewer(chat: Chat) -> None:
    """Minh reviews Huyện Bắc Sơn; Quỳnh Anh (Xã Long Đống, born 1987) is registered."""
    await register(chat, "Trần Văn Minh", user="minh", year="1985", unit="bac son",
                   unit_label="Huyện Bắc Sơn", role="liaison")
    await become(chat, ME)
    await register(chat, NAME, year="1987", unit="long dong")


async def review(chat: Chat, deed_id: int, *lines: str) -> None:
    """As Minh, open a report and press/type each line, reading every reply."""
    await become(chat, "minh")
    await chat.send(f"/duyet {deed_id}")
    await chat.reply()
    for line in lines:
        await chat.send(line)
        await chat.replies()  # a return also pushes a message to the reporter's console


async def delete_account(chat: Chat) -> None:
    await open_privacy(chat)
    await chat.send("Xoá tài khoản")
    confirm = await chat.reply()
    assert "báo cáo gương tốt, công trình và hội nghị" in confirm
    await chat.send("Xoá tài khoản vĩnh viễn")
    assert "Đã xoá tài khoản" in await chat.reply()


async def test_after_deletion_deeds_works_and_conferences_hold_no_personal_value(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    # Quỳnh Anh reports a neighbour (with her phone and a photo) and herself; Minh takes
    # and approves the first, asks her a question on the second which she answers.
    await reporter_and_reviewer(chat)
    assert "Đã gửi báo cáo #1" in await report(
        chat, self_report=False, what=OTHER_WHAT, place="xóm Nà Pàn",
        photo_url="https://zalo.example/img/roof-1.jpg", phone="0912 345 678")
    assert "Đã gửi báo cáo #2" in await report(
        chat, self_report=True, what=SELF_WHAT, place=SELF_PLACE,
        photo_url="https://zalo.example/img/own-land-2.jpg")
    await chat.send("/guongtot")  # the "new report" notices for Minh are not hers
    await chat.reply()
    await review(chat, 1, "Nhận xem xét", "Ghi nhận là gương tốt")
    await chat.send("/duyet 2")
    await chat.reply()
    for line in ("Nhận xem xét", "Yêu cầu người báo bổ sung",
                 "Chị cho biết diện tích chính xác được không?"):
        await chat.send(line)
        await chat.replies()  # a return also pushes a message to the reporter's console
    # pushed to her chat
    assert any("đã được ghi nhận là gương" in text for text in pushed_to(chat, ME))
    await become(chat, ME)
    await chat.send("/guongtot")
    await chat.reply()
    await pick(chat, "Trả lời yêu cầu bổ sung cho báo cáo #2")
    await chat.reply()
    await chat.send("Đúng 200 m², Quỳnh Anh xin xác nhận, gọi 0912 345 678.")
    assert "Đã gửi phần bổ sung" in await chat.reply()
    await review(chat, 2, "Ghi nhận là gương tốt")  # and a decision still owed to her
    await become(chat, ME)

    # She is also a liaison: a work with a progress note, then a conference.
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become_liaison(chat, app, ME, "liaison", BAN_CONG)
    assert "Đã đăng ký" in await register_work(chat, name="Nhà văn hóa thôn Tà Xùa")
    await chat.send("Cập nhật tiến độ")
    await chat.reply()
    await chat.send("40%")
    await chat.reply()
    await chat.send("đã đổ xong móng, Quỳnh Anh kiểm tra")
    await chat.reply()
    await chat.send_photo()
    assert "Đã ghi nhận tiến độ 40%" in await chat.reply()
    clock.set(clock.now().replace(year=2025, month=1, day=10))
    await become_liaison(chat, app, ME, "liaison", HUU_KIEN)
    assert "Đã lưu đăng ký hội nghị" in await register_conference(chat, "20/03/2025", "200",
                                                                   "150")

    needles = ["Quỳnh Anh", ME, "1987", PHONE, "0912 345 678", "hiến 200 m²", "ngõ nhà tôi",
               "own-land-2.jpg", "Đúng 200 m²"]
    found = " ".join(await scan_for(app, needles))
    assert all(needle in found for needle in needles if needle != "0912 345 678"), found
    await delete_account(chat)

    assert await scan_for(app, needles) == []
    async with app.sessions() as session:
        deeds = (await session.scalars(select(DeedRow).order_by(DeedRow.id))).all()
        events = (await session.scalars(select(DeedEventRow).order_by(DeedEventRow.id))).all()
        photos = (await session.scalars(select(DeedPhotoRow))).all()
        work = (await session.scalars(select(WorkRow))).one()
        update = (await session.scalars(select(WorkUpdateRow))).one()
        conference = (await session.scalars(select(ConferenceRow))).one()
        me = (await session.scalars(select(PersonRow)
                                    .where(PersonRow.deleted_at.is_not(None)))).one()
        minh = (await session.scalars(select(PersonRow)
                                      .where(PersonRow.full_name == "Trần Văn Minh"))).one()
        left_for_me = await session.scalar(select(func.count()).select_from(NotificationRow)
                                           .where(NotificationRow.person_id == me.id))
    # The reports stay as the unit's records, without her.
    other, own = deeds
    assert (other.status, other.unit_code, other.campaign_id) == (
        "approved", "ls.bac-son.long-dong", "bac-son-dan-van-kheo-2024")
    assert (other.reporter_id, other.phone, other.contact_ok) == (None, None, False)
    assert other.nominee_name == "Hoàng Văn Nam" and other.place == "xóm Nà Pàn"
    assert other.what == "Anh Nam giúp chị *** lợp lại mái nhà sau cơn bão, không lấy tiền công."
    assert (own.status, own.unit_code, str(own.happened_on)) == (
        "approved", "ls.bac-son.long-dong", "2024-04-09")
    assert (own.nominee_name, own.what, own.place, own.village) == (
        ANONYMOUS, ANONYMOUS, ANONYMOUS, None)
    assert [p.ref for p in photos] == ["https://zalo.example/img/roof-1.jpg"]  # evidence kept
    assert {e.actor_id for e in events if e.action in ("submit", "answer", "erase")} == {None}
    assert {e.actor_id for e in events if e.action in ("take", "approve")} == {minh.id}
    assert [e.action for e in events if e.deed_id == 2] == [
        "submit", "take", "return", "answer", "approve", "erase"]
    assert left_for_me == 0
    assert (work.name, work.unit_code, work.progress, work.registered_by) == (
        "Nhà văn hóa thôn Tà Xùa", BAN_CONG, 40, None)
    assert (update.progress, update.note, update.person_id) == (
        40, "đã đổ xong móng, *** kiểm tra", None)
    assert update.photo_ref == "file:///tmp/p.jpg"
    assert (conference.unit_code, conference.delegates, conference.registered_by) == (
        HUU_KIEN, 200, None)

    # Reviewers still read the reports, told plainly what was erased.
    await review(chat, 2)
    await chat.send("/duyet 2")
    detail = await chat.reply()
    assert "(đã xoá cùng thông tin của người báo)" in detail
    assert "thông tin về người báo đã được xoá" in detail
    assert "Ảnh: 0" in detail and "anonymous" not in detail
    await chat.send("/duyet 1")
    detail = await chat.reply()
    assert "Hoàng Văn Nam" in detail and "Ảnh: 1" in detail and "0912" not in detail


async def test_export_shows_reports_decisions_notices_works_and_is_audited(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    await reporter_and_reviewer(chat)
    await report(chat, self_report=False, what=OTHER_WHAT, place="xóm Nà Pàn",
                 photo_url="https://zalo.example/img/roof-1.jpg", phone="0912 345 678")
    await review(chat, 1, "Nhận xem xét", "Thêm ghi chú nội bộ",
                 "Trưởng thôn Nà Pàn xác nhận qua điện thoại.", "Ghi nhận là gương tốt")
    await become(chat, ME)
    await open_privacy(chat)
    await chat.send("Xem và tải toàn bộ dữ liệu")
    text = await read_export(chat)
    assert "Báo cáo gương người tốt, việc tốt bạn đã gửi (1):" in text
    assert "Số báo cáo: 1; Phong trào: Dân vận khéo" in text
    assert "Trạng thái: Đã được ghi nhận" in text and "Người được nêu: Hoàng Văn Nam" in text
    assert "Số điện thoại: 0912345678" in text and "Ngày diễn ra: 09/04/2024" in text
    assert "Địa chỉ ảnh: https://zalo.example/img/roof-1.jpg" in text
    assert "Diễn biến: (Lúc: 09:00 10/04/2024; Thao tác: Gửi báo cáo; Do bạn thực hiện: có)" \
        in text
    assert "Thao tác: Ghi nhận là gương tốt; Do bạn thực hiện: không" in text
    assert "Trưởng thôn" not in text and "Ghi chú nội bộ" not in text
    # The decisions were pushed to her chat: they are in what was sent to her.
    assert "Tin nhắc và thông báo gửi cho tôi (2):" in text
    await chat.reply()
    assert chat.last is not None and chat.last.attachments[0].data is not None
    document = json.loads(chat.last.attachments[0].data)["data"]
    (deed,) = document["deeds"]
    assert deed["phone"] == PHONE and deed["photos"][0]["ref"].endswith("roof-1.jpg")
    assert [h["action"] for h in deed["history"]] == ["submit", "take", "approve"]
    assert {n["message_key"] for n in document["deliveries"]} == {
        "deeds.notice.take", "deeds.notice.approve"}
    await chat.reply()

    # The reviewer's own export: what they did, not what they wrote about others.
    await become(chat, "minh")
    await open_privacy(chat)
    await chat.send("Xem và tải toàn bộ dữ liệu")
    text = await read_export(chat)
    assert "Việc bạn đã làm khi xét duyệt báo cáo gương tốt (3):" in text
    assert "Thao tác: Ghi chú nội bộ" in text and "Trưởng thôn" not in text
    assert "Trạng thái trước: Đang xem xét; Trạng thái sau: Đã được ghi nhận" in text
    await chat.reply()
    await chat.reply()

    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become_liaison(chat, app, ME, "liaison", BAN_CONG)
    await register_work(chat, name="Nhà văn hóa thôn Tà Xùa")
    await open_privacy(chat)
    await chat.send("Xem và tải toàn bộ dữ liệu")
    text = await read_export(chat)
    assert "Công trình, phần việc bạn đăng ký cho đơn vị (1):" in text
    assert "Tên công trình: Nhà văn hóa thôn Tà Xùa" in text and "Dự kiến hoàn thành:" in text
    await chat.reply()
    await chat.reply()
    async with app.sessions() as session:
        exports = (await session.scalars(select(AuditRow)
                                         .where(AuditRow.action == "data.export"))).all()
    assert len(exports) == 3
    assert "deeds" in exports[0].changes["after"]["sections"]
    assert "deed_reviews" in exports[1].changes["after"]["sections"]
    assert "works" in exports[2].changes["after"]["sections"]


async def test_withdrawing_deeds_consent_unlinks_the_reports_and_keeps_them(
    chat: Chat, app: App
) -> None:
    await reporter_and_reviewer(chat)
    await report(chat, self_report=False, what=OTHER_WHAT, place="xóm Nà Pàn",
                 photo_url="https://zalo.example/img/roof-1.jpg", phone="0912 345 678")
    await review(chat, 1, "Nhận xem xét", "Yêu cầu người báo bổ sung",
                 "Anh Nam ở thôn nào?")
    await become(chat, ME)
    await open_privacy(chat)
    await chat.send("Rút lại đồng ý")
    await chat.reply()
    await chat.send("Báo gương người tốt, việc tốt")
    explained = await chat.reply()
    assert "gỡ tên bạn khỏi các báo cáo gương tốt bạn đã gửi, xoá số điện thoại" in explained
    assert "Báo cáo về người khác là hồ sơ của đơn vị nên vẫn được giữ" in explained
    await chat.send("Rút lại đồng ý")
    assert "Các báo cáo bạn đã gửi không còn gắn với bạn" in await chat.reply()

    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
        me = (await session.scalars(select(PersonRow).where(PersonRow.full_name == NAME))).one()
        mine = await session.scalar(select(func.count()).select_from(NotificationRow)
                                    .where(NotificationRow.person_id == me.id))
    assert (deed.reporter_id, deed.phone, deed.contact_ok) == (None, None, False)
    assert (deed.nominee_name, deed.status) == ("Hoàng Văn Nam", "in_review")  # was returned
    assert mine == 0
    await chat.send("/guongtot")
    await chat.reply()
    assert chat.choices() == ["Báo một gương tốt mới", "Báo cáo của tôi",
                              "Các gương tốt đã được ghi nhận"]
    await chat.send("/toi")
    assert f"Họ và tên: {NAME}" in await chat.reply()  # the profile is untouched
    await chat.send("/baoguong")
    assert "đồng ý" in await chat.reply()  # a new report asks again

    # Minh is told the question can no longer be answered, and can decide at once.
    await become(chat, "minh")
    await chat.send("/duyet")
    assert "không thể trả lời yêu cầu bổ sung" in await chat.reply()
    await chat.reply()
    await chat.send("/duyet 1")
    detail = await chat.reply()
    assert "Trạng thái: Đang xem xét" in detail or "Đang xem xét" in detail
    assert "0912" not in detail and "Ghi nhận là gương tốt" in chat.choices()


async def test_withdrawing_the_profile_also_unlinks_reports(chat: Chat, app: App) -> None:
    await reporter_and_reviewer(chat)
    await report(chat, self_report=False, what=OTHER_WHAT, place="xóm Nà Pàn",
                 photo_url="https://zalo.example/img/roof-1.jpg", phone="0912 345 678")
    await open_privacy(chat)
    await chat.send("Rút lại đồng ý")
    await chat.reply()
    await chat.send("Hồ sơ tham gia phong trào")
    explained = await chat.reply()
    assert "gỡ tên và số điện thoại của bạn khỏi các báo cáo gương tốt" in explained
    await chat.send("1")
    assert "Đã rút lại đồng ý và xoá hồ sơ" in await chat.reply()
    async with app.sessions() as session:
        deed = (await session.scalars(select(DeedRow))).one()
        withdrawn = (await session.scalars(
            select(ConsentRow.purpose).where(ConsentRow.withdrawn_at.is_not(None)))).all()
    assert (deed.reporter_id, deed.phone, deed.nominee_name) == (None, None, "Hoàng Văn Nam")
    assert set(withdrawn) == {"profile", "reminders", "deeds"}


async def test_withdrawing_unit_reports_consent_unlinks_works_and_conferences(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become_liaison(chat, app, ME, "liaison", BAN_CONG)
    await register_work(chat, name="Nhà văn hóa thôn Tà Xùa")
    await open_privacy(chat)
    await chat.send("Rút lại đồng ý")
    await chat.reply()
    await chat.send("Báo cáo thay mặt đơn vị (công trình, hội nghị)")
    explained = await chat.reply()
    assert "gỡ tên bạn khỏi các công trình, báo cáo tiến độ và hội nghị" in explained
    assert "hồ sơ của đơn vị nên vẫn được giữ" in explained
    await chat.send("1")
    assert "không còn gắn với tên bạn" in await chat.reply()
    async with app.sessions() as session:
        work = (await session.scalars(select(WorkRow))).one()
    assert (work.name, work.registered_by, work.withdrawn_at) == (
        "Nhà văn hóa thôn Tà Xùa", None, None)
    await chat.send("/congtrinh")
    assert "Nhà văn hóa thôn Tà Xùa" in await chat.reply()  # still the unit's work


async def test_a_deleted_reviewers_report_in_review_returns_to_the_queue(
    chat: Chat, app: App
) -> None:
    await register(chat, "Trần Văn Minh", user="minh", year="1985", unit="chi lang",
                   unit_label="Huyện Chi Lăng", role="liaison")
    await register(chat, "Lê Thị Hoa", user="hoa", year="1985", unit="chi lang",
                   unit_label="Huyện Chi Lăng", role="liaison")
    await register(chat, "Nguyễn Thị Lan", user="lan", year="1985", unit="nhan ly",
                   unit_label="Nhân Lý")
    await report_other(chat)
    await report_other(chat, name="Lò Văn Páo")
    await review(chat, 1, "Nhận xem xét", "Ghi nhận là gương tốt")
    await chat.send("/duyet 2")
    await chat.reply()
    await chat.send("Nhận xem xét")
    await chat.reply()
    await delete_account(chat)

    async with app.sessions() as session:
        deeds = (await session.scalars(select(DeedRow).order_by(DeedRow.id))).all()
        events = (await session.scalars(select(DeedEventRow).order_by(DeedEventRow.id))).all()
    assert [(d.status, d.reviewer_id) for d in deeds] == [("approved", None),
                                                          ("submitted", None)]
    assert [e.action for e in events if e.deed_id == 1] == ["submit", "take", "approve"]
    assert all(e.actor_id is None for e in events if e.action != "submit")
    await become(chat, "hoa")
    await chat.send("/duyet 2")
    detail = await chat.reply()
    assert "Chờ cán bộ nhận" in detail and "trả báo cáo về hàng chờ" in detail
    assert "Trần Văn Minh" not in detail
    await chat.send("Nhận xem xét")
    assert "Bạn đã nhận xem xét báo cáo #2" in await chat.reply()


def test_redaction_finds_names_without_tones_and_phones_in_any_form() -> None:
    names = name_variants(NAME)
    assert names == [NAME, "Thị Quỳnh Anh", "Quỳnh Anh"]
    text = ("Chị QUỲNH ANH và chi quynh anh (0912.345.678, +84 912 345 678) cùng Hoàng Thị "
            "Quỳnh Anh; Anh Nam; Quỳnh Anhh; 09123456789")
    assert redact(text, names, [PHONE]) == (
        "Chị *** và chi *** (***, ***) cùng ***; Anh Nam; Quỳnh Anhh; 09123456789")
    assert name_variants("Páo") == []  # a single word alone is never blanked
    assert redact(None, names) is None


def test_a_reporter_sharing_the_nominees_given_name_leaves_the_nominee_readable() -> None:
    names = name_variants("Nguyễn Văn Nam")
    other = DeedRow(is_self=False, nominee_name="Hoàng Văn Nam")
    own = DeedRow(is_self=True, nominee_name="Nguyễn Văn Nam")
    assert names_to_blank(names, other) == ["Nguyễn Văn Nam"]
    assert names_to_blank(names, own) == names
    text = "Anh Hoàng Văn Nam cứu người, Nguyễn Văn Nam (người báo) chứng kiến."
    assert redact(text, names_to_blank(names, other)) == (
        "Anh Hoàng Văn Nam cứu người, *** (người báo) chứng kiến.")
