"""Registration with consent, /toi, and the first conversation, as transcripts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import ConsentRow, PersonRow
from tests.harness import Chat


async def register_lan(chat: Chat) -> None:
    """Walk a full registration as Lan, reading every reply."""
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("1")
    assert "đồng ý" in (await chat.reply()).lower()
    await chat.send("Đồng ý")
    assert "nhắc hạn" in await chat.reply()
    await chat.send("1")
    assert "họ và tên" in await chat.reply()
    await chat.send("nguyễn   thị lan")
    assert "sinh năm nào" in await chat.reply()
    await chat.send("1990")
    assert "đơn vị nào" in await chat.reply()
    await chat.send("nhan li")  # not a unit's exact name: a list to pick from
    assert "Nhân Lý" in await chat.reply()
    await chat.send("1")
    summary = await chat.reply()
    assert "1990 (34 tuổi)" in summary and "Nhân Lý" in summary
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()


async def test_start_says_it_is_automated_and_shows_the_menu(chat: Chat) -> None:
    await chat.send("/start")
    welcome = await chat.reply()
    assert "trợ lý tự động" in welcome
    assert "1. " in welcome and "Hồ sơ của tôi" in welcome


async def test_a_units_exact_name_is_taken_without_a_list(chat: Chat) -> None:
    for line, expected in (("/toi", "chưa có hồ sơ"), ("1", "đồng ý"), ("Đồng ý", "nhắc hạn"),
                           ("1", "họ và tên"), ("Trần Văn Minh", "sinh năm nào"),
                           ("1962", "đơn vị nào")):
        await chat.send(line)
        assert expected in await chat.reply()
    for typed in ("xã Nhân Lý", "UBND xa nhan ly", "Nhân Lý"):
        await chat.send(typed)
        summary = await chat.reply()
        assert "kiểm tra lại" in summary and "Đơn vị: Xã Nhân Lý" in summary, summary
        assert chat.choices()[:3] == ["Lưu", "Sửa", "Huỷ"]
        await chat.send("Sửa")
        await chat.reply()
        await chat.send("Đơn vị")
        assert "đơn vị nào" in await chat.reply()
    await chat.send("Nhân")  # part of a name: the list, never a guess
    assert "các đơn vị sau" in await chat.reply() and "Xã Nhân Lý" in chat.choices()[0]


async def test_full_registration_then_profile(chat: Chat, app: App) -> None:
    await register_lan(chat)
    profile = await chat.reply()
    assert "Họ và tên: Nguyễn Thị Lan" in profile
    assert "Hồ sơ tham gia phong trào: đồng ý ngày 10/04/2024" in profile
    assert "Nhận nhắc hạn và thông báo: đồng ý" in profile
    async with app.sessions() as session:
        consents = (await session.scalars(select(ConsentRow))).all()
    assert {(c.purpose, c.granted, c.policy_version) for c in consents} == {
        ("profile", True, "2026.1"), ("reminders", True, "2026.1")}


async def test_refusing_consent_stores_nothing_personal_and_lookup_still_works(
    chat: Chat, app: App
) -> None:
    await chat.send("/toi")
    await chat.reply()
    await chat.send("Đăng ký")
    await chat.reply()
    await chat.send("không")
    refused = await chat.reply()
    assert "không lưu thông tin cá nhân" in refused
    assert "vẫn tra cứu được" in refused
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
        consent = (await session.scalars(select(ConsentRow))).one()
    assert person.full_name is None and person.birth_year is None
    assert person.registered_at is None
    assert (consent.purpose, consent.granted) == ("profile", False)
    await chat.send("hạn chót đăng ký công trình là khi nào?")
    answer = await chat.reply()
    assert "25/10/2024" in answer and "(Mục IV.1.b)" in answer


async def test_consent_is_never_assumed_from_unclear_answers(chat: Chat) -> None:
    await chat.send("/toi")
    await chat.reply()
    await chat.send("1")
    await chat.reply()
    await chat.send("để sau")
    assert "gõ «đồng ý» hay «không đồng ý»" in await chat.reply()
    await chat.send("có")
    assert "nhắc hạn" in await chat.reply()


async def test_every_yes_no_question_understands_the_same_words(chat: Chat) -> None:
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("1")
    assert "đồng ý" in (await chat.reply()).lower()
    await chat.send("xoá")  # names another question's action: not an answer here
    assert "gõ «đồng ý» hay «không đồng ý»" in await chat.reply()
    await chat.send("Vâng")  # yes in every flow (it was not in /toi's words before)
    assert "nhắc hạn" in await chat.reply()
    await chat.send("chưa")
    assert "họ và tên" in await chat.reply()
    for line in ("Lê Văn T.", "1990", "Bỏ qua"):  # a dotted initial is a name everywhere
        await chat.send(line)
        await chat.reply()
    await chat.send("Lưu")
    assert "Cảm ơn bạn, Lê Văn T.!" in await chat.reply()
    assert "Nhận nhắc hạn và thông báo: không đồng ý" in await chat.reply()  # "chưa" is no
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Xoá tài khoản")
    assert "xoá" in (await chat.reply()).lower()
    await chat.send("dạ")
    assert "Đã xoá" in await chat.reply()


async def test_edit_a_field_from_the_summary(chat: Chat) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "2", "Trần Văn Minh", "1985"):
        await chat.send(line)
        await chat.reply()
    await chat.send("Bỏ qua")
    assert "Đơn vị: (chưa chọn)" in await chat.reply()
    await chat.send("Sửa")
    assert "sửa mục nào" in await chat.reply()
    await chat.send("Năm sinh")
    assert "sinh năm nào" in await chat.reply()
    await chat.send("1986")
    assert "1986 (38 tuổi)" in await chat.reply()
    await chat.send("1")
    assert "Đăng ký xong" in await chat.reply()
    profile = await chat.reply()
    assert "Trần Văn Minh" in profile and "Nhận nhắc hạn và thông báo: không đồng ý" in profile


async def test_back_returns_to_the_previous_question(chat: Chat) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1", "Lê Hoa"):
        await chat.send(line)
        await chat.reply()
    await chat.send("quay lại")
    assert "họ và tên" in await chat.reply()
    await chat.send("Lê Thị Hoa")
    assert "sinh năm nào" in await chat.reply()


async def test_edit_profile_and_toggle_reminders(chat: Chat) -> None:
    await register_lan(chat)
    await chat.reply()
    await chat.send("Sửa họ và tên")
    assert "họ và tên" in await chat.reply()
    await chat.send("Nguyễn Thị Lan Anh")
    edited = await chat.reply()
    assert "Đã cập nhật hồ sơ" in edited and "Nguyễn Thị Lan Anh" in edited
    await chat.send("Bật/tắt nhận nhắc hạn")
    toggled = await chat.reply()
    assert "Đã tắt nhận nhắc hạn" in toggled
    assert "Nhận nhắc hạn và thông báo: không đồng ý" in toggled


async def test_start_payload_is_kept_for_later_features(chat: Chat, app: App) -> None:
    await chat.send("/start REF-abc123")
    await chat.reply()
    async with app.sessions() as session:
        from storage.people import ChatStateRepo

        state = await ChatStateRepo(session).load("console", "lan")
    assert state.start_payload == "REF-abc123"


async def test_someone_registered_by_a_deed_report_is_asked_only_the_birth_year(
        chat: Chat) -> None:
    for line in ("/baoguong", "Đồng ý", "hoàng thị lan", "long dong", "nguyễn văn bình",
                 "Bác Bình nhặt được ví và trả lại cho chị Mai.", "hôm qua", "Gửi báo cáo"):
        await chat.send(line)
        await chat.replies()
    await chat.send("/toi")
    missing, question = await chat.replies()
    assert "còn thiếu: năm sinh" in missing
    assert "sinh năm nào" in question and "chưa có hồ sơ" not in missing
    await chat.send("1985")
    summary = await chat.reply()
    assert "Hoàng Thị Lan" in summary and "Long Đống" in summary and "1985" in summary
    await chat.send("Lưu")
    done, profile = await chat.replies()
    assert "Đăng ký xong" in done and "Năm sinh: 1985" in profile
    await chat.send("/toi")
    assert "Hồ sơ của bạn" in await chat.reply()


@pytest.mark.parametrize("typed", ["có", "Có", "không", "đúng rồi", "Lan", "ok"])
async def test_a_full_name_is_at_least_two_words_and_not_an_answer(chat: Chat,
                                                                  typed: str) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1"):
        await chat.send(line)
        await chat.reply()
    await chat.send(typed)
    assert "đầy đủ họ và tên" in await chat.reply()
    await chat.send("Nguyễn Thị Lan")
    assert "sinh năm nào" in await chat.reply()
