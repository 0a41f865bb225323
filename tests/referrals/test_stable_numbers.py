"""On a text channel a number keeps its meaning: each /vandong choice stays in its place
across visits and weeks, and records are never numbered like the choices."""

from __future__ import annotations

import re

from tests.harness import Chat
from tests.referrals.helpers import add_referral, become, join, register

NUMBERED = re.compile(r"^\d+\. ", re.MULTILINE)


def without_week(labels: list[str]) -> list[str]:
    """Return the labels with week numbers taken out ("tuần 3" and "tuần 5" are one slot)."""
    return [re.sub(r"tuần \d+", "tuần N", label).replace("tuần này", "tuần N")
            for label in labels]


async def board(chat: Chat) -> tuple[str, list[str]]:
    await chat.send("/vandong")
    text = await chat.reply()
    return text, chat.choices()


async def test_dashboard_numbers_are_the_same_across_visits_and_weeks(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    _, first = await board(chat)  # week 3, nobody added yet
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await add_referral(chat, "Trần Thu Hoa", "hoa.tran@gmail.com", "Bạn bè")
    text, second = await board(chat)  # week 3, two people
    await chat.send("/clock +14d")
    await chat.replies()
    _, third = await board(chat)  # week 5
    await chat.send("/clock +10d")
    await chat.replies()
    _, after = await board(chat)  # the contest is over
    assert without_week(first) == without_week(second) == without_week(third)
    assert without_week(after) == without_week(first)
    assert first.index("Xoá người được vận động") == 3
    assert first.index("Xem kết quả xét khen thưởng") == 4
    # The people in the grid are bullets; only the choices are numbered.
    grid = text.split("Bảng theo dõi:")[1].split("\n\n")[0]
    assert "• Hoàng Văn Minh" in grid and not NUMBERED.search(grid)
    assert len(NUMBERED.findall(text)) == len(second)


async def test_a_choice_not_possible_now_explains_itself_in_place(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    await chat.send("4")  # "Xoá người được vận động", with nobody yet
    nobody = await chat.reply()
    assert "chưa có ai để xoá" in nobody
    await chat.send("/clock 2024-03-20 09:00")  # before the first week
    await chat.replies()
    await chat.send("/vandong")
    before = await chat.reply()
    assert chat.choices()[0] == "Đánh dấu đã thi tuần này"
    await chat.send("1")
    assert "Tuần thi đầu tiên bắt đầu ngày 25/03/2024" in await chat.reply()
    await chat.send("3")  # "Đánh dấu một tuần trước"
    assert "Chưa có tuần thi nào đã qua" in await chat.reply()
    assert "Bảng theo dõi" in before


async def test_the_weekly_list_keeps_its_fixed_choices_first(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await chat.send("/vandong")
    await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    week = await chat.reply()
    assert chat.choices()[:2] == ["Tất cả đã thi tuần này", "Xong, xem bảng theo dõi"]
    assert "3. Bạn — chưa đánh dấu" in week


async def test_the_referred_view_keeps_this_week_first_and_the_way_back_second(
        chat: Chat) -> None:
    await register(chat)
    code = await join(chat)
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await become(chat, "minh")
    await chat.send(f"/start {code}")
    await chat.reply()
    for line in ("0987 654 321", "Đồng ý", "Đúng"):
        await chat.send(line)
        await chat.reply()
    labels = chat.choices()
    assert labels[:2] == ["Tôi đã thi tuần 3", "Về danh sách chức năng"]
    assert labels[2:] == ["Tôi đã thi tuần 1 (ghi bù)", "Tôi đã thi tuần 2 (ghi bù)"]
    await chat.send("/clock +24d")
    await chat.replies()
    await chat.send("/vandong")
    await chat.reply()
    assert chat.choices()[:2] == ["Tôi đã thi tuần này", "Về danh sách chức năng"]
    await chat.send("1")
    assert "Cuộc thi đã kết thúc" in await chat.reply()
