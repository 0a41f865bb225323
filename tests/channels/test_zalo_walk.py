"""Flows walked as people over the Zalo Bot fake (no buttons: numbered text only), with the
real bot: what each person reads when they answer in their own words."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.app import create_app
from bot.app.runtime import make_channels, run_bot
from bot.channels.runner import start_channels, stop_channels
from bot.core.clock import MovableClock
from bot.core.config import Settings
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, ZaloChat, text_event


@pytest.fixture
async def zalo_bot(db_url: str, fake_zalo: FakeZalo) -> AsyncIterator[FakeZalo]:
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=fake_zalo.base_url,
                        zalo_poll_timeout=1, admin_ids="zalo:z-admin", rate_limit_messages=0)
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    yield fake_zalo
    stop.set()
    await asyncio.wait_for(task, timeout=30)


@pytest.fixture
async def zalo_in_april(db_url: str, fake_zalo: FakeZalo) -> AsyncIterator[FakeZalo]:
    """The bot over the Zalo fake on 10/4/2024, week 3 of the Bắc Sơn contest."""
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=fake_zalo.base_url,
                        zalo_poll_timeout=1, rate_limit_messages=0)
    app = create_app(settings, MovableClock(start=datetime(2024, 4, 10, 9, 0)))
    await app.start()
    channels = make_channels(app)
    await start_channels(channels)
    yield fake_zalo
    await stop_channels(channels)
    await app.close()


async def _say(chat: ZaloChat, line: str, expected: str) -> str:
    chat.send(line)
    shown = await chat.reply()
    assert expected in shown, shown
    return shown


async def _invite_to_confirm(admin: ZaloChat) -> str:
    """The admin asks for a liaison invite of Trạm Tấu, up to "Thông tin đã đúng chưa?"."""
    await _say(admin, "/quyen", "1. Tạo mã mời")
    await _say(admin, "1", "vai trò nào")
    await _say(admin, "1", "đơn vị nào")
    shown = await _say(admin, "tram tau", "Trạm Tấu")
    if "Thông tin đã đúng chưa?" not in shown:
        shown = await _say(admin, "1", "Thông tin đã đúng chưa?")
    return shown


async def test_an_invite_code_typed_before_registering_is_used_once_registered(
    zalo_bot: FakeZalo
) -> None:
    admin = ZaloChat(zalo_bot, "z-admin")
    await _invite_to_confirm(admin)
    shown = await _say(admin, "đúng rồi", "Mã mời:")  # words, not the number, save it
    code = re.search(r"/nhanquyen ([A-Z0-9]{4}-[A-Z0-9]{4})", shown)
    assert code is not None, shown

    liaison = ZaloChat(zalo_bot, "z-lien")
    liaison.send(f"/nhanquyen {code.group(1)}")
    assert "không cần gõ lại" in await liaison.reply()
    assert "Bạn có đồng ý không?" in await liaison.reply()  # registration starts at once
    await _say(liaison, "vâng ạ", "nhắc hạn")  # a polite yes is a yes
    await _say(liaison, "dạ không", "họ và tên")  # and a polite no a no
    await _say(liaison, "Phạm Thị Liên", "sinh năm nào")
    await _say(liaison, "1980", "đơn vị nào")
    await _say(liaison, "tram tau", "Thông tin đã đúng chưa?")
    await _say(liaison, "đúng rồi ạ", "Đăng ký xong")
    accepted = await liaison.reply()
    assert "Bạn đã được giao vai trò Cán bộ đầu mối đơn vị" in accepted
    assert "Công trình, phần việc của đơn vị" in accepted  # the new menu, no code typed again
    assert accepted.endswith("Xem phong trào nơi khác")  # Bắc Sơn's Dân vận khéo behind it
    assert all(len(text) <= 2000 for text in zalo_bot.texts_to("z-lien"))


async def test_the_confirm_question_names_only_its_own_choices(zalo_bot: FakeZalo) -> None:
    admin = ZaloChat(zalo_bot, "z-admin")
    summary = await _invite_to_confirm(admin)
    assert summary.endswith("1. Lưu\n2. Huỷ")  # this form has no "Sửa"
    hint = await _say(admin, "để tôi xem", "Bạn chọn Lưu hoặc Huỷ")
    assert "Sửa" not in hint and hint.endswith("1. Lưu\n2. Huỷ")
    command = await _say(admin, "/thongbao", "chưa dùng được lệnh /thongbao")
    assert command.endswith("1. Lưu\n2. Huỷ")
    await _say(admin, "huỷ", "")
    await _say(admin, "/quyen", "3. Mã mời chưa dùng")
    assert "Không có mã mời nào đang chờ" in await _say(admin, "3", "")  # nothing was saved


async def test_a_profile_made_by_a_good_deed_report_says_what_it_misses(
    zalo_bot: FakeZalo
) -> None:
    resident = ZaloChat(zalo_bot, "z-tam")
    for line, expected in (("/baoguong", "Bạn có đồng ý không?"), ("co", "Họ và tên"),
                           ("nguyen van tam", "xã, phường nào"), ("tram tau", "Ai đã làm"),
                           ("chinh toi", "kể ngắn gọn"),
                           ("Quet don duong lang ngo xom sach se", "ngày nào"),
                           ("hom qua", "Gửi báo cáo"), ("gui", "Đã gửi báo cáo #1")):
        await _say(resident, line, expected)
    shown = await _say(resident, "/nhacnho", "Hồ sơ của bạn còn thiếu: năm sinh")
    assert "cần có hồ sơ" not in shown  # the person has one: only the birth year is missing
    assert "sinh năm nào" in await resident.reply()
    await _say(resident, "1964", "Thông tin đã đúng chưa?")
    await _say(resident, "dạ vâng", "Đăng ký xong")
    assert "Bác đang không nhận tin nhắc" in await resident.reply()  # and why


async def test_a_number_tapped_twice_marks_the_week_once(zalo_in_april: FakeZalo) -> None:
    zalo_bot = zalo_in_april
    student = ZaloChat(zalo_bot, "z-mai")
    for line, expected in (("/vandong", "Tiêu chí cá nhân"), ("1", "Bạn có đồng ý không?"),
                           ("1", "họ và tên"), ("Trần Thị Mai", "sinh năm nào"),
                           ("2003", "đơn vị nào"), ("long dong", "tài khoản dự thi"),
                           ("0912345678", "Thông tin đã đúng chưa?"), ("Lưu", "Mã giới thiệu"),
                           ("Để sau", "Bảng theo dõi")):
        await _say(student, line, expected)
    week = await _say(student, "1", "chọn người đã thi")
    assert "3. Bạn — chưa đánh dấu" in week
    tapped = int(time.time() * 1000) - 500  # "3" tapped twice, 0,2 s apart, before any answer
    zalo_bot.push(text_event("z-mai", "3", date=tapped))
    zalo_bot.push(text_event("z-mai", "3", date=tapped + 200))
    marked = await student.reply()
    assert marked.startswith("Đã ghi: bạn đã thi tuần") and "3. Bạn — ✅ đã thi" in marked
    await student.assert_silent()  # the second "3" did not unmark it


async def test_a_former_commune_name_leads_to_the_commune_it_became(zalo_bot: FakeZalo) -> None:
    admin = ZaloChat(zalo_bot, "z-admin")  # today: Long Đống merged into Bắc Sơn on 1/7/2025
    await _say(admin, "/quyen", "1. Tạo mã mời")
    await _say(admin, "1", "vai trò nào")
    await _say(admin, "1", "đơn vị nào")
    units = await _say(admin, "long dong", "các đơn vị sau")
    assert "1. Xã Bắc Sơn, Tỉnh Lạng Sơn (trước đây: Xã Long Đống" in units, units
    assert "Đồng Nai" not in units  # no look-alike when the former name is typed exactly
    await _say(admin, "huỷ", "")
    await _say(admin, "/thongbao", "Chưa có thông báo nào")
    assert "nội dung thông báo" in await admin.reply()
    await _say(admin, "Họp dân thôn Nà Mười lúc 8 giờ sáng Chủ nhật", "Gửi thông báo tới ai?")
    await _say(admin, "3", "gõ tên đơn vị")
    audience = await _say(admin, "long dong", "(trước đây: Xã Long Đống")
    assert audience.split("\n\n")[1].startswith("1. Xã Bắc Sơn, Tỉnh Lạng Sơn")


async def test_the_programmes_of_other_areas_keep_their_numbers_behind_one_choice(
    zalo_in_april: FakeZalo
) -> None:
    """A resident of xã Nhân Lý (huyện Chi Lăng) on Zalo: the main menu no longer offers
    Bắc Sơn's Dân vận khéo among their own entries; the last number opens the programmes of
    other areas, and a number typed there opens the one it names."""
    resident = ZaloChat(zalo_in_april, "z-dan")
    menu = await _say(resident, "/menu", "Dân vận khéo")  # no unit yet: everything shown
    assert "Xem phong trào nơi khác" not in menu
    for line, expected in (("/toi", "1. Đăng ký"), ("1", "Bạn có đồng ý không?"),
                           ("1", "nhắc hạn"), ("1", "họ và tên"), ("Vi Thị Dân", "sinh năm"),
                           ("1980", "đơn vị nào"), ("nhan ly chi lang", "")):
        shown = await _say(resident, line, expected)
    if "kiểm tra lại" not in shown:
        await _say(resident, "1", "kiểm tra lại")
    await _say(resident, "Lưu", "Đăng ký xong")
    await resident.reply()  # the profile
    menu = await _say(resident, "/menu", "Bạn muốn làm gì?")
    assert "Dân vận khéo" not in menu
    last = menu.rstrip().split("\n")[-1]
    number, _, label = last.partition(". ")
    assert label == "Xem phong trào nơi khác", menu
    others = await _say(resident, number, "thuộc phong trào của địa bàn khác")
    assert others.endswith("1. Dân vận khéo: vận động và theo dõi hằng tuần\n"
                           "2. Về danh sách chức năng"), others
    await _say(resident, "1", "Dân vận khéo Bắc Sơn 2024")
    listed = await _say(resident, "/chuongtrinh", "của địa bàn bạn")
    assert "1. Đại hội thi đua yêu nước - Hội nghị điển hình tiên tiến Chi Lăng 2025" in listed
    assert listed.endswith("2. Xem phong trào nơi khác (4)"), listed
    await _say(resident, "2", "của địa bàn khác")
