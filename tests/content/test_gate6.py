"""Rule lookup, the "not found" gate, sixth round (issue #12): kinds of questions refused although
the plan states the answer, and kinds answered with a passage although no plan answers them.
Checked on a plan imported with no hand-written field (no keyword can have been added for a
question) and on the committed plans.

Answered (the plan states it):
- a date asked part by part ("… là ngày nào tháng nào"): "tháng" is the asking frame, no topic;
- a deciding act said to be the last ("ai quyết định khen thưởng cuối cùng"): "cuối cùng"
  stresses who decides, it is no end of a period.

"Not found" (no plan answers):
- the assistant's opinion after a frank opener ("Nói thật đi, bạn thấy … có ý nghĩa không") or
  set against its contrary ("… có ý nghĩa thật không hay chỉ hình thức");
- the day of an event within the month the question names ("ngày mấy tháng 6") where the plan
  gives only the month.
"""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from tests.content.answers import quoted

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN MƯỜNG LA
Số: 61/KH-UBND
Mường La, ngày 12 tháng 3 năm 2025

KẾ HOẠCH
Phong trào thi đua chào mừng “Kỷ niệm 30 năm Ngày thành lập huyện Mường La (20/9/1995 - \
20/9/2025)”

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Khơi dậy niềm tự hào của cán bộ và Nhân dân các dân tộc huyện Mường La.

II. NỘI DUNG

1. Hội nghị sơ kết

- Tổ chức hội nghị sơ kết phong trào tại xã Ít Ong. Hoàn thành trong tháng 6/2025.

2. Hội nghị tổng kết

- Tổ chức hội nghị tổng kết phong trào vào ngày 15/9/2025 tại Hội trường huyện.

III. KHEN THƯỞNG

- Phòng Nội vụ thẩm định hồ sơ, trình Chủ tịch Ủy ban nhân dân huyện xem xét, quyết định \
khen thưởng.

- Giấy khen của Chủ tịch Ủy ban nhân dân huyện tặng tập thể, cá nhân tiêu biểu.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lò Văn Mạnh
"""


IMPORTED = ("muong-la.txt", "muong-la-30-nam")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A date asked part by part.
        ("hội nghị tổng kết phong trào tổ chức vào ngày nào tháng nào", "15/9/2025"),
        # A deciding act said to be the last.
        ("Ai là người quyết định khen thưởng cuối cùng trong phong trào?", "Chủ tịch"),
        # The day asked within the month the plan gives it.
        ("hội nghị tổng kết tổ chức vào ngày mấy tháng 9", "15/9/2025"),
    ],
)
def test_an_in_scope_question_of_the_kind_is_answered_on_an_imported_plan(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


@pytest.mark.parametrize(
    "question",
    [
        # The assistant's opinion after a frank opener, or set against its contrary.
        "Nói thật đi, bạn thấy phong trào kỷ niệm thành lập huyện có ý nghĩa không?",
        "bot thấy phong trào thi đua có ý nghĩa thật không hay chỉ hình thức",
        # The day within the month the question names, where the plan gives only the month.
        "Hội nghị sơ kết ở xã Ít Ong tổ chức vào ngày mấy tháng 6?",
    ],
)
def test_a_near_miss_of_the_kind_stays_not_found(imported: SearchIndex, question: str) -> None:
    assert imported.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The month of the same event is still answered.
        ("Hội nghị sơ kết ở xã Ít Ong tổ chức vào tháng mấy?", "tháng 6/2025"),
        # "bạn thấy" before a rule asked is no opinion.
        ("bạn thấy hội nghị tổng kết tổ chức ở đâu", "Hội trường huyện"),
    ],
)
def test_the_near_questions_keep_their_answer(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Ai quyết định khen thưởng cuối cùng trong đợt thi đua Dân vận khéo Bắc Sơn?",
         "Chủ tịch UBND huyện"),
    ],
)
def test_the_committed_plans_answer_the_kind(
    committed: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(committed, question)


@pytest.mark.parametrize(
    "question",
    [
        "Nói thật đi, bạn thấy phong trào Dân vận khéo có ý nghĩa không?",
        "Xã Nhân Lý tổ chức hội nghị chỉ đạo điểm vào ngày mấy tháng 2?",
    ],
)
def test_the_committed_plans_say_not_found_for_the_kind(
    committed: SearchIndex, question: str
) -> None:
    assert committed.search(question) == []
