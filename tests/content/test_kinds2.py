"""Rule lookup, kinds of near misses read in the `kinds2` round (issue #12), where the right
passage was among the candidates but not first: on a plan imported with no hand-written field
(so no keyword can have been added for it) and on the committed plans.

- "ai chủ trì …": the verb is a word of the question, so the office item saying "Chủ trì"
  answers, not a neighbouring office item sharing the other words;
- "… ở cấp nào", "… của tỉnh nào": a passage naming a level ("cấp huyện") or a place of that
  kind ("tỉnh Thanh Hóa") ranks above one that only uses the word ("cấp có thẩm quyền");
- "nhằm" alone is a connective of the plans, not "mục đích"; "điều gì" asks what, its
  "điều" is not a word of the topic;
- "qua những kênh nào": the channels the plans name (báo chí, mạng xã hội, trang thông tin
  điện tử…);
- the asker's own purpose after a long question ("… để trường em đăng ký cho phù hợp ạ");
- the issuer of a cited document ("Tỉnh ủy", "Bộ Chính trị" name bodies): the sentence of a
  long passage citing it;
- "thi xong": after the contest, not a deadline to finish by; "để thi đạt …" is a purpose,
  not "đề thi" (the quiz's questions, which no plan states).
"""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from tests.content.answers import top_answer

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG SƠN
Số: 12/KH-UBND
Đông Sơn, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
Phát động phong trào thi đua cải cách hành chính năm 2025

Thực hiện Kế hoạch số 30/KH-UBND ngày 10/02/2025 của Ủy ban nhân dân tỉnh Thanh Hóa về \
phong trào thi đua cải cách hành chính;

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Khơi dậy tinh thần đổi mới, sáng tạo của cán bộ, công chức trong giải quyết công việc của \
người dân.

2. Yêu cầu

- Việc bình xét khen thưởng phải công khai, dân chủ, đúng người, đúng việc.

II. NỘI DUNG

1. Nội dung thi đua

- Tổ chức phong trào thi đua tập huấn nghiệp vụ cho cán bộ một cửa nhằm nâng cao kỹ năng \
giao tiếp với người dân.

- Kiến nghị cấp có thẩm quyền đơn giản hóa thủ tục hành chính về đất đai.

- Rà soát, đơn giản hóa thủ tục hành chính trong lĩnh vực đất đai, xây dựng, tư pháp ở cấp \
huyện, xã.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Tài chính - Kế hoạch: Hướng dẫn các cơ quan, đơn vị xây dựng kế hoạch kinh phí tổ \
chức hội nghị cải cách hành chính.

2. Phòng Nội vụ: Chủ trì, phối hợp với các cơ quan, đơn vị liên quan xây dựng Kế hoạch, \
chương trình hội nghị cải cách hành chính; hướng dẫn các xã tổ chức hội nghị.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lê Văn Hùng
"""


IMPORTED = ("dong-son.txt", "dong-son-cchc")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        # Who leads: the office item saying "Chủ trì", not the one only sharing the words.
        ("ai chủ trì xây dựng kế hoạch tổ chức hội nghị cải cách hành chính", "III.2",
         "Chủ trì, phối hợp"),
        # Which level, which province: the passage naming one.
        ("đơn giản hóa thủ tục hành chính đất đai ở cấp nào", "II.1", "ở cấp huyện, xã"),
        ("kế hoạch thực hiện theo kế hoạch của tỉnh nào", "mở đầu", "tỉnh Thanh Hóa"),
        # "nhằm" in a passage does not make it the plan's purpose.
        ("mục đích của phong trào thi đua là gì", "I.1", "Khơi dậy tinh thần đổi mới"),
    ],
)
def test_near_misses_are_answered_on_an_imported_plan(
    imported: SearchIndex, question: str, source: str, expected: str
) -> None:
    found, text = top_answer(imported, question)
    assert found == source and expected in text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("tuy phước đơn giản hóa thủ tục hành chính về thi đua ở cấp nào", "của cấp huyện, xã"),
        ("dvk là cuộc thi của tỉnh nào", "tỉnh Lạng Sơn"),
        ("Em là học sinh ở Hớn Quản, cô giao bài tìm hiểu kế hoạch thi đua của huyện, cho em hỏi "
         "mục đích của kế hoạch là tuyên truyền điều gì ạ?", "ý nghĩa quan trọng của cuộc"),
        # "qua những kênh nào": the plans name the channels themselves.
        ("dvk tuyên truyền qua kênh nào", "Trang thông tin điện tử"),
        ("Cho cháu hỏi, Ban Tuyên giáo Huyện ủy Hớn Quản tuyên truyền kỷ niệm Tổng tuyển cử "
         "qua những kênh nào ạ?", "mạng xã hội"),
        # "thi xong": after the contest, not a deadline ("xong" = hoàn thành).
        ("dvk thi xong thì được khen hình thức gì", "Giấy khen của Chủ tịch UBND huyện"),
        # "để thi đạt kết quả tốt" is a purpose, not the quiz's questions ("đề thi").
        ("tập thể dvk phải làm gì để thi đạt kết quả tốt", "kiểm tra, đôn đốc"),
        ("tap the dvk phai lam gi de thi dat ket qua tot", "kiểm tra, đôn đốc"),
        # The issuer of a cited document: the sentence naming it ("… của Tỉnh ủy").
        ("trạm tấu quán triệt chỉ thị 05/CT-TU của cơ quan nào",
         "05/CT-TU ngày 23/3/2021 của Tỉnh ủy"),
        # The asker's purpose after the question is not its topic.
        ("Chào anh chị, em là giáo viên ở Trạm Tấu, em muốn biết kế hoạch thi đua đặc biệt của "
         "huyện đặt ra yêu cầu gì về chất lượng giáo dục để trường em đăng ký phần việc cho phù "
         "hợp ạ?", "giáo dục mũi nhọn"),
        # "điều gì" asks what: its "điều" is not "điều hành" of a "Yêu cầu" item.
        ("mục đích của kế hoạch hớn quản là tuyên truyền điều gì", "ý nghĩa quan trọng của cuộc"),
    ],
)
def test_near_misses_are_answered_on_the_committed_plans(
    committed: SearchIndex, question: str, expected: str
) -> None:
    _, text = top_answer(committed, question)
    assert expected in text


@pytest.mark.parametrize(
    "question", ["đề thi dvk có bao nhiêu câu", "de thi dvk o dau", "đáp án đề thi dvk"])
def test_the_quiz_itself_stays_not_found(committed: SearchIndex, question: str) -> None:
    assert committed.search(question) == []
