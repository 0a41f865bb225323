"""Adding a referred person: the relation may be said in everyday words ("anh trai")."""

from __future__ import annotations

import pytest

from tests.harness import Chat
from tests.referrals.helpers import add_referral, join, register


@pytest.mark.parametrize(("typed", "shown"), [
    ("anh trai", "Người thân"), ("em gái tôi", "Người thân"), ("mẹ", "Người thân"),
    ("ông nội", "Người thân"), ("ban hoc", "Bạn bè"), ("đồng nghiệp", "Đồng nghiệp"),
    ("hàng xóm", "Khác"),
])
async def test_the_relation_can_be_said_in_everyday_words(chat: Chat, typed: str,
                                                          shown: str) -> None:
    await register(chat)
    await join(chat)
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321", typed)
    await chat.send("/vandong")
    assert f"• Hoàng Văn Minh ({shown}) — 0987 654 321" in await chat.reply()


async def test_an_unknown_relation_is_explained_with_examples(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    await chat.send("/vandong")
    await chat.reply()
    await chat.send("Thêm người được vận động")
    await chat.reply()
    await chat.send("Hoàng Văn Minh")
    await chat.reply()
    await chat.send("0987 654 321")
    await chat.reply()
    await chat.send("người ngoài hành tinh")
    refused = await chat.reply()
    assert "chưa hiểu" in refused and "anh trai" in refused
    # The relation saves, so an unsure answer is never read as one ("có lẽ" is not "cô").
    await chat.send("có lẽ")
    assert "chưa hiểu" in await chat.reply()
    await chat.send("chú")
    assert "Đã lưu Hoàng Văn Minh (Người thân" in await chat.reply()
    chat.pending.clear()
