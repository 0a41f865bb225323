"""Rule lookup in chat, for the kinds of question read this round: the plan document itself,
yes-no questions typed on a feature screen, a district no plan covers."""

from __future__ import annotations

from tests.harness import Chat


async def test_who_signed_the_plan_is_answered_from_its_signature(chat: Chat) -> None:
    await chat.send("người ký kế hoạch Chi Lăng là ai?")
    answer = await chat.reply()
    assert answer.startswith("CHỦ TỊCH Vi Nông Trường (Phần chữ ký)")
    assert "Nguồn: Đại hội thi đua yêu nước" in answer


async def test_a_plan_without_a_number_says_not_found(chat: Chat) -> None:
    await chat.send("kế hoạch trạm tấu số mấy")
    assert "Chưa tìm thấy" in await chat.reply()


async def test_a_yes_no_rule_question_on_a_feature_screen_is_answered(chat: Chat) -> None:
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("tuy phước có khen người ở vùng khó khăn ko ạ")
    answer = await chat.reply()
    assert "gõ số của một mục" not in answer and "vùng khó khăn" in answer
    assert "(Mục II.4.b)" in answer


async def test_a_district_typed_otherwise_than_the_plans_is_not_found(chat: Chat) -> None:
    await chat.send("kế hoạch phong trào thi đua của huyện văn bàn là gì")
    assert "Chưa tìm thấy" in await chat.reply()
