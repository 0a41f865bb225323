"""Rule lookup in chat, for the kinds of the `rank` round: a long message telling of the asker
before (or after) the question, a whom-question and an order question each get the passage
that answers, quoted with its section."""

from __future__ import annotations

from tests.harness import Chat


async def test_a_story_told_without_an_ask_marker_does_not_decide_the_answer(chat: Chat) -> None:
    await chat.send("cho chú hỏi, chú là cựu chiến binh ở Trạm Tấu, năm nay chú 70 tuổi, "
                    "hộ gia đình muốn được khen thì phải đạt tiêu chí gì")
    answer = await chat.reply()
    assert "mô hình sản xuất kinh doanh tiêu biểu" in answer
    assert "(Mục II.7.2.c)" in answer


async def test_a_question_before_the_story_is_answered(chat: Chat) -> None:
    await chat.send("Hạn gửi đăng ký công trình phần việc ở Trạm Tấu là ngày nào ạ, em là văn "
                    "thư của xã Bản Công, sếp em giao em tổng hợp mà em chưa rõ")
    answer = await chat.reply()
    assert "25/10/2024" in answer and "(Mục IV.1.b)" in answer


async def test_whom_and_order_questions(chat: Chat) -> None:
    await chat.send("tuy phước khen thưởng kịp thời nhằm khích lệ động viên ai")
    answer = await chat.reply()
    assert "khích lệ, động viên các tập thể, cá nhân tiêu biểu" in answer
    assert "(Mục II.4.a)" in answer
    await chat.send("chi lăng tổ chức hội nghị cấp huyện trước rồi mới tới các xã đúng ko")
    answer = await chat.reply()
    assert "từ cấp cơ sở đến Hội nghị điển hình tiên tiến cấp huyện" in answer
    assert "(Mục II.2)" in answer


async def test_what_follows_a_quote_of_the_plan_is_answered(chat: Chat) -> None:
    await chat.send("tôi đọc kế hoạch hớn quản thấy ban tuyên giáo huyện ủy phải xây dựng "
                    "hướng dẫn định hướng công tác thông tin tuyên truyền, vậy ngoài ra còn "
                    "phải làm gì nữa")
    answer = await chat.reply()
    assert "nắm chắc tình hình tư tưởng" in answer and "(Mục IV.1)" in answer
