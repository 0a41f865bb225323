"""Rule lookup in chat, for units reached by their place in the plan (`reach` round): a cited
document's date, the plan's signer asked yes-no, the neighbours of a programme item."""

from __future__ import annotations

from tests.harness import Chat


async def test_a_cited_document_asked_when_signed(chat: Chat) -> None:
    await chat.send("văn bản 1686-CV/HU ký ngày nào")
    answer = await chat.reply()
    assert "Văn bản số 1686-CV/HU ngày 04/3/2024" in answer and "(Phần mở đầu)" in answer


async def test_whether_the_chairman_signed_the_plan(chat: Chat) -> None:
    await chat.send("có phải chủ tịch ký kế hoạch chi lăng không")
    answer = await chat.reply()
    assert "Vi Nông Trường" in answer and "(Phần chữ ký)" in answer


async def test_what_comes_after_and_before_a_programme_item(chat: Chat) -> None:
    await chat.send("chi lăng sau phần chào cờ thì đến phần gì")
    answer = await chat.reply()
    assert "Tuyên bố lý do, giới thiệu đại biểu và khai mạc" in answer and "(Mục II.1)" in answer
    await chat.send("trước phần tổng kết và bế mạc là phần gì")
    answer = await chat.reply()
    assert "Thông qua danh sách đại biểu đi dự Đại hội cấp trên" in answer
