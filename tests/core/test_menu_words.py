"""People type the words of a choice, not only its number: "Tham gia" picks
"Tham gia: ghi tài khoản dự thi của tôi"; words shared by two choices pick neither."""

from __future__ import annotations

from bot.core.dispatcher import match_menu
from tests.harness import Chat

JOIN = [["Tham gia: ghi tài khoản dự thi của tôi", "r:join"],
        ["Tôi được người khác vận động (nhập mã)", "r:link"]]
CONSENT = [["Đồng ý, và nhận tin nhắc", "f:yes"], ["Đồng ý, không nhận tin nhắc", "f:quiet"],
           ["Không đồng ý", "f:no"]]


def test_the_words_before_punctuation_pick_the_choice() -> None:
    assert match_menu("Tham gia", JOIN) == "r:join"
    assert match_menu("tham gia", JOIN) == "r:join"
    assert match_menu("toi duoc nguoi khac van dong", JOIN) == "r:link"
    assert match_menu("Tôi được người khác vận động (nhập mã)", JOIN) == "r:link"


def test_words_shared_by_two_choices_pick_neither() -> None:
    assert match_menu("đồng ý", CONSENT) is None  # the step itself reads it as yes
    assert match_menu("Không đồng ý", CONSENT) == "f:no"
    assert match_menu("dong y, va nhan tin nhac", CONSENT) == "f:yes"


async def test_typing_the_start_of_a_choice_joins(chat: Chat) -> None:
    await chat.send("/vandong")
    assert "Dân vận khéo" in await chat.reply()
    assert "Tham gia: ghi tài khoản dự thi của tôi" in chat.choices()
    await chat.send("Tham gia")
    consent = await chat.reply()
    assert "cần sự đồng ý của bạn" in consent
    await chat.send("có lẽ")
    assert "gõ «đồng ý» hay «không đồng ý»" in await chat.reply()
    await chat.send("đồng ý")
    assert "họ và tên" in (await chat.reply()).lower()
