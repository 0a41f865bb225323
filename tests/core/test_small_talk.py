"""Greetings, thanks, "menu", "hướng dẫn", "vâng" and stray numbers are conversation, not
rule questions: they get the welcome, the menu or help, never a lookup answer."""

from __future__ import annotations

import pytest

from tests.harness import Chat

NOT_FOUND = "Chưa tìm thấy"


async def _menu_labels(chat: Chat) -> list[str]:
    await chat.send("/menu")
    await chat.reply()
    return chat.choices()


@pytest.mark.parametrize("greeting", ["Chào bạn", "xin chao", "hi", "Xin chào Trợ lý!"])
async def test_a_greeting_gets_the_welcome_and_the_menu(chat: Chat, greeting: str) -> None:
    menu = await _menu_labels(chat)
    await chat.send(greeting)
    reply = await chat.reply()
    assert reply.startswith("Xin chào! Đây là Trợ lý thi đua")
    assert NOT_FOUND not in reply and "(Mục " not in reply
    assert chat.choices() == menu


@pytest.mark.parametrize("thanks", ["cảm ơn bot nhé", "cam on ban", "ok cảm ơn ad"])
async def test_thanks_get_a_polite_answer_and_the_menu(chat: Chat, thanks: str) -> None:
    menu = await _menu_labels(chat)
    await chat.send(thanks)
    reply = await chat.reply()
    assert reply.startswith("Không có gì ạ!")
    assert chat.choices() == menu


@pytest.mark.parametrize("word", ["menu", "Vâng", "ok", "vang a"])
async def test_menu_and_yes_show_the_main_menu(chat: Chat, word: str) -> None:
    menu = await _menu_labels(chat)
    await chat.send(word)
    reply = await chat.reply()
    assert NOT_FOUND not in reply and "(Mục " not in reply
    assert chat.choices() == menu


@pytest.mark.parametrize("word", ["hướng dẫn", "huong dan"])
async def test_asking_for_help_shows_help(chat: Chat, word: str) -> None:
    await chat.send(word)
    reply = await chat.reply()
    assert reply.startswith("Hướng dẫn sử dụng Trợ lý thi đua")
    assert "/menu" in reply


async def test_a_number_not_on_the_last_menu_says_so_and_shows_the_menu(chat: Chat) -> None:
    menu = await _menu_labels(chat)
    await chat.send(str(len(menu) + 1))
    reply = await chat.reply()
    assert f"không có mục số {len(menu) + 1}" in reply
    assert NOT_FOUND not in reply
    assert chat.choices() == menu
    await chat.send("1")  # a number on the menu still picks its item
    assert "Các chương trình thi đua" in await chat.reply()


async def test_a_number_with_no_list_on_screen_claims_no_list(chat: Chat) -> None:
    # A first message "4": the bot has sent no list, so it must not speak of one that lacked it.
    await chat.send("4")
    reply = await chat.reply()
    assert "không có mục số" not in reply and NOT_FOUND not in reply
    assert "không có danh sách để chọn số 4" in reply
    menu = chat.choices()
    assert len(menu) >= 4
    await chat.send("1")  # the main menu now shown: its numbers pick its items
    assert "Các chương trình thi đua" in await chat.reply()


async def test_a_question_that_starts_with_a_greeting_is_still_answered(chat: Chat) -> None:
    await chat.send("Chào bạn, cho mình hỏi hạn thi dân vận khéo là ngày nào?")
    reply = await chat.reply()
    assert "28/4/2024" in reply and "(Mục II.3)" in reply


@pytest.mark.parametrize("sent", [
    "0912345678", "sđt của tôi là 0912 345 678", "CCCD 001234567890", "an.nguyen@gmail.com",
])
async def test_a_phone_card_number_or_email_out_of_any_form_is_not_a_question(
        chat: Chat, sent: str) -> None:
    menu = await _menu_labels(chat)
    await chat.send(sent)
    reply = await chat.reply()
    assert NOT_FOUND not in reply
    assert "không ghi vào hồ sơ" in reply and "Hồ sơ của tôi" in reply
    assert chat.choices() == menu


@pytest.mark.parametrize("question", ["2025", "0912345678 có phải số đường dây nóng không"])
async def test_a_number_inside_a_question_is_still_looked_up(chat: Chat, question: str) -> None:
    await chat.send(question)
    assert "không ghi vào hồ sơ" not in await chat.reply()
