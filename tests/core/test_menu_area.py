"""The main menu and the campaign list of a person registered in one commune: their own
area's programmes, the others behind one "Xem phong trào nơi khác" (still open to them);
the rule lookup answers everyone, registered or not."""

from __future__ import annotations

from bot.app import App
from tests.harness import Chat, become, pick, register

REFERRALS = "Dân vận khéo: vận động và theo dõi hằng tuần"
ELSEWHERE = "Xem phong trào nơi khác"


async def test_a_resident_of_another_district_finds_dan_van_kheo_behind_one_choice(
        chat: Chat) -> None:
    await chat.send("/menu")
    assert REFERRALS in await chat.reply()  # no unit yet: every programme is shown
    assert ELSEWHERE not in " ".join(chat.choices())
    await register(chat, unit="nhan ly")  # xã Nhân Lý, huyện Chi Lăng: not Bắc Sơn's contest
    await chat.send("/menu")
    menu = await chat.reply()
    assert REFERRALS not in menu
    assert chat.choices()[-1] == ELSEWHERE  # after every entry of their own, always last
    await pick(chat, ELSEWHERE)
    assert "thuộc phong trào của địa bàn khác" in await chat.reply()
    assert chat.choices() == [REFERRALS, "Về danh sách chức năng"]
    await pick(chat, "Dân vận khéo")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()  # still open to them


async def test_a_resident_of_the_campaigns_district_sees_it_first(chat: Chat) -> None:
    await register(chat, unit="long dong")
    await chat.send("/menu")
    assert REFERRALS in await chat.reply()
    assert ELSEWHERE not in " ".join(chat.choices())


async def test_a_liaison_sees_their_own_districts_programme_and_the_others_behind(
        chat: Chat, app: App) -> None:
    await register(chat, "Vi Văn Lý", user="ly", unit="nhan ly", role="liaison")
    await chat.send("/menu")
    await chat.reply()
    labels = chat.choices()
    assert "Hội nghị điển hình tiên tiến của đơn vị" in labels  # Chi Lăng's conferences
    assert "Công trình, phần việc của đơn vị" not in labels  # Trạm Tấu's works
    assert "Tiến độ Dân vận khéo của đơn vị (cán bộ)" not in labels
    assert labels[-1] == ELSEWHERE
    await pick(chat, ELSEWHERE)
    await chat.reply()
    assert chat.choices() == [REFERRALS, "Tiến độ Dân vận khéo của đơn vị (cán bộ)",
                              "Công trình, phần việc của đơn vị", "Về danh sách chức năng"]
    await become(chat, "admin", "admin")  # an admin sees every programme in the menu
    await chat.send("/menu")
    await chat.reply()
    assert ELSEWHERE not in chat.choices() and REFERRALS in chat.choices()


async def test_the_campaign_list_puts_the_own_area_first_and_marks_it(chat: Chat) -> None:
    await register(chat, unit="nhan ly")
    await chat.send("/chuongtrinh")
    listed = await chat.reply()
    assert "Các chương trình thi đua của địa bàn bạn" in listed
    labels = chat.choices()
    assert labels[0].startswith("Đại hội thi đua yêu nước - Hội nghị điển hình tiên tiến Chi "
                                "Lăng 2025")
    assert labels[0].endswith("· địa bàn của bạn")
    assert labels == [labels[0], "Xem phong trào nơi khác (4)"]
    await chat.send("2")
    others = await chat.reply()
    assert "Chương trình thi đua của địa bàn khác" in others
    assert "Dân vận khéo Bắc Sơn 2024 — đang diễn ra" in chat.choices()
    assert chat.choices()[-1] == "Về chương trình của địa bàn bạn"
    await chat.send("dân vận khéo bắc sơn cần vận động mấy người?")  # a question, anywhere
    answer = await chat.reply()
    assert "02" in answer, answer
    await chat.replies()


async def test_the_campaign_list_of_someone_without_a_unit_lists_everything(
        chat: Chat) -> None:
    await chat.send("/chuongtrinh")
    assert "đang diễn ra xếp trước" in await chat.reply()
    assert len(chat.choices()) == 5 and not any("nơi khác" in c for c in chat.choices())
