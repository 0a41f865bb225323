"""On a text channel a number keeps its meaning on a screen between visits, and records in
a list are never numbered like the choices of the same message."""

from __future__ import annotations

import re

from tests.deeds.helpers import become, open_report, return_report, say, setup_people
from tests.harness import Chat

DECISIONS = ["Nhận xem xét", "Ghi nhận là gương tốt", "Đề nghị khen thưởng",
             "Xác nhận đã khen thưởng", "Yêu cầu người báo bổ sung", "Không ghi nhận (từ chối)",
             "Sửa thông tin báo cáo", "Ghi nhận ý kiến của người được nêu",
             "Thêm ghi chú nội bộ", "Trả về hàng chờ", "Về danh sách báo cáo"]


def _base(label: str) -> str:
    return label.removesuffix(" (chưa áp dụng lúc này)")


async def test_review_decisions_keep_their_numbers_before_and_after_taking(chat: Chat) -> None:
    await setup_people(chat)
    await become(chat, "minh")
    await open_report(chat)
    before = chat.choices()
    assert [_base(c) for c in before] == DECISIONS
    assert before[3] == "Xác nhận đã khen thưởng (chưa áp dụng lúc này)"  # not "ghi chú"
    await say(chat, "1", "Bạn đã nhận xem xét báo cáo #1")
    after = chat.choices()
    assert [_base(c) for c in after] == DECISIONS
    assert after[5] == "Không ghi nhận (từ chối)" and after[8] == "Thêm ghi chú nội bộ"
    # "4" typed from memory means the same thing on both visits: here, not yet possible.
    answer = await say(chat, "4", "chưa áp dụng được")
    assert "“Xác nhận đã khen thưởng” chưa áp dụng được: báo cáo đang ở trạng thái" in answer
    assert "Bạn kiểm tra lại" not in answer and "ghi chú" not in answer.split("\n")[0]
    await say(chat, "9", "Gõ ghi chú nội bộ")  # "9" is the note, before and after taking
    await say(chat, "/huy", "Đã dừng")


async def test_review_overview_keeps_its_slots_and_lists_records_by_number_sign(
        chat: Chat) -> None:
    await setup_people(chat)
    await become(chat, "minh")
    await say(chat, "/duyet", "Báo cáo gương tốt thuộc Huyện Bắc Sơn")
    first = chat.choices()
    await say(chat, "1", "Báo cáo “Chờ cán bộ nhận”")
    listing = chat.last
    assert listing is not None
    records = listing.text.split("\n")[1:]
    assert records and all(line.startswith("#") for line in records if line)
    assert not any(re.match(r"^\d+\.", line) for line in listing.text.split("\n"))
    await say(chat, "1", "Báo cáo #1 — Chờ cán bộ nhận")
    await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét")
    await say(chat, "/duyet", "Báo cáo gương tốt thuộc Huyện Bắc Sơn")
    second = chat.choices()
    assert [c.rsplit(" (", 1)[0] for c in first] == [c.rsplit(" (", 1)[0] for c in second]
    assert second[0] == "Chờ cán bộ nhận (0)" and second[1] == "Đang xem xét (1)"


async def test_reporter_menu_keeps_its_numbers_when_an_answer_is_owed(chat: Chat) -> None:
    await setup_people(chat)
    await say(chat, "/guongtot", "bạn muốn làm gì?")
    before = chat.choices()
    await return_report(chat, "Anh/chị cho biết tên người đánh rơi ví?")
    await become(chat, "lan")
    await say(chat, "/guongtot", "bạn muốn làm gì?")
    after = chat.choices()
    assert before == ["Báo một gương tốt mới", "Báo cáo của tôi",
                      "Các gương tốt đã được ghi nhận"]
    assert after == [*before, "Trả lời yêu cầu bổ sung cho báo cáo #1"]
    await say(chat, "Báo cáo của tôi", "Báo cáo của bạn")
    listing = chat.last
    assert listing is not None
    assert not any(re.match(r"^\d+\.", line) for line in listing.text.split("\n"))


async def test_cancelling_a_correction_says_the_report_stays_as_it_was(chat: Chat) -> None:
    await setup_people(chat)
    await become(chat, "minh")
    await open_report(chat)
    await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét")
    await say(chat, "Sửa thông tin báo cáo", "Bạn muốn sửa mục nào của báo cáo #1?")
    await say(chat, "Việc tốt", "Bạn gõ nội dung mới")
    cancelled = await say(chat, "/huy", "Đã dừng")
    assert "báo cáo vẫn giữ nguyên như trước khi sửa" in cancelled
    await say(chat, "/duyet 1", "Anh Nam nhặt được ví")
