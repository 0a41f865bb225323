"""Rule lookup, kinds of the `rank` round (issue #12) where the answer was another passage of the
right plan: on a plan imported with no hand-written field (so no keyword can have been added for
it) and on the committed plans.

- whom-questions ("… nhằm khích lệ, động viên ai"): a bare "ai" after what is done asks whom it
  is done to, the people a passage names, not a body; "nhằm" is a connective of purpose that
  ranks, never decides;
- order questions ("cấp huyện trước rồi mới tới các xã", "cấp nào tổ chức trước", "theo thứ
  tự nào"): the passage giving the order ("từ cấp cơ sở đến cấp huyện") answers;
- long messages whose clauses tell of the asker without an ask marker the vocabulary knows
  ("cho chú hỏi, chú là cựu chiến binh ở …, năm nay chú 70 tuổi, …"; the question may come
  first): those clauses are the story, they do not decide the answer;
- a story quoting the plan's own words, then "vậy ngoài ra / bên cạnh đó / sau đó còn … gì
  nữa": the passage after the one quoted answers (the next bullet of its section, or the item
  holding the words asked), never the quoted passage again;
- a passage introducing the items below it ("… và đạt các tiêu chí sau:") answering a question
  that names one qualifier value ("tiêu chí khen thưởng cá nhân"): the item for that value
  ("7.2. Đối với cá nhân") answers, whole for a list question.
"""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from tests.content.answers import quoted

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN NAM XUYÊN
Số: 21/KH-UBND
Nam Xuyên, ngày 12 tháng 4 năm 2025

KẾ HOẠCH
Tổ chức Hội nghị biểu dương người tốt, việc tốt năm 2025

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Biểu dương, khen thưởng kịp thời nhằm khích lệ, động viên các tập thể, cá nhân có nhiều \
đóng góp cho địa phương.

- Tuyên truyền sâu rộng về phong trào thi đua nhằm nâng cao nhận thức của cán bộ, công chức.

2. Yêu cầu

- Công tác khen thưởng bảo đảm công khai, dân chủ, đúng người, đúng việc.

II. NỘI DUNG

1. Hình thức và thời gian

Hội nghị được tổ chức lần lượt từ cấp xã đến cấp huyện.

- Hội nghị cấp xã hoàn thành trong tháng 6 năm 2025.

- Hội nghị cấp huyện hoàn thành trong tháng 8 năm 2025.

2. Khen thưởng

- Giấy khen của Chủ tịch Ủy ban nhân dân huyện cho các tập thể, cá nhân tiêu biểu.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Chủ trì, động viên các cơ quan, đơn vị tham gia hội nghị; tổng hợp danh \
sách đề nghị khen thưởng.

2. Phòng Văn hóa và Thông tin: Tuyên truyền về hội nghị trên Trang thông tin điện tử huyện.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Trần Văn Minh
"""


IMPORTED = ("nam-xuyen.txt", "nam-xuyen-bieu-duong")  # the `imported` fixture (conftest)


@pytest.mark.parametrize("question", [
    "hội nghị nam xuyên khen thưởng nhằm khích lệ động viên ai",
    "nam xuyen bieu duong khen thuong de dong vien ai",
])
def test_whom_is_answered_by_the_people_a_passage_names(
    imported: SearchIndex, question: str
) -> None:
    # Not the office item whose text also says "động viên" (Phòng Nội vụ: a body).
    assert "các tập thể, cá nhân có nhiều đóng góp" in quoted(imported, question)


@pytest.mark.parametrize(("question", "said"), [
    ("trạm tấu phát động nhằm động viên khích lệ ai", "lực lượng vũ trang và nhân dân"),
    ("tuy phước khen thưởng kịp thời nhằm khích lệ động viên ai",
     "khích lệ, động viên các tập thể, cá nhân tiêu biểu"),
    ("hớn quản biểu dương khen thưởng động viên ai", "những tập thể, cá nhân có thành tích"),
])
def test_whom_on_the_committed_plans(committed: SearchIndex, question: str, said: str) -> None:
    assert said in quoted(committed, question)


@pytest.mark.parametrize("question", [
    "nam xuyên tổ chức hội nghị cấp huyện trước rồi mới tới các xã à",
    "hội nghị nam xuyên cấp nào tổ chức trước",
    "hoi nghi cap huyen hay cap xa lam truoc vay ad nam xuyen",
])
def test_an_order_question_is_answered_by_the_order_the_plan_gives(
    imported: SearchIndex, question: str
) -> None:
    assert "từ cấp xã đến cấp huyện" in quoted(imported, question)


@pytest.mark.parametrize("question", [
    "chi lăng tổ chức hội nghị cấp huyện trước rồi mới tới các xã đúng ko",
    "ở chi lăng cấp nào tổ chức hội nghị điển hình trước",
    "hội nghị điển hình tiên tiến tổ chức cấp huyện trước hay cấp xã trước",
])
def test_order_on_the_committed_plans(committed: SearchIndex, question: str) -> None:
    assert "từ cấp cơ sở đến Hội nghị điển hình tiên tiến cấp huyện" in quoted(committed, question)


def test_a_when_question_with_before_is_not_an_order_question(committed: SearchIndex) -> None:
    # "trước mấy ngày" asks how long before, not in what order.
    assert "trước 15 ngày" in quoted(
        committed, "các đơn vị chi lăng gửi kế hoạch tổ chức hội nghị trước mấy ngày")


@pytest.mark.parametrize("question", [
    "Bác ơi cho bác hỏi với, bác là hội viên hội phụ nữ thôn, nhà bác ở gần trường học, "
    "hội nghị cấp xã ở Nam Xuyên hoàn thành trong tháng mấy",
    "Hội nghị cấp xã ở Nam Xuyên hoàn thành trong tháng mấy ạ, em là văn thư của xã Đông Hòa, "
    "sếp em giao em tổng hợp mà em chưa rõ",
])
def test_clauses_telling_of_the_asker_are_the_story(imported: SearchIndex, question: str) -> None:
    assert "Hội nghị cấp xã hoàn thành trong tháng 6 năm 2025" in quoted(imported, question)


@pytest.mark.parametrize(("question", "said"), [
    ("cho chú hỏi, chú là cựu chiến binh ở Trạm Tấu, năm nay chú 70 tuổi, hộ gia đình muốn "
     "được khen thì phải đạt tiêu chí gì", "mô hình sản xuất kinh doanh tiêu biểu"),
    ("Hạn gửi đăng ký công trình phần việc ở Trạm Tấu là ngày nào ạ, em là văn thư của xã Bản "
     "Công, sếp em giao em tổng hợp mà em chưa rõ", "25/10/2024"),
])
def test_told_story_on_the_committed_plans(committed: SearchIndex, question: str,
                                           said: str) -> None:
    hits = committed.search(question)
    assert hits and any(said in t for t in (hits[0].text, *hits[0].section_texts))


@pytest.mark.parametrize("question", [
    # A clause naming a document ("Chỉ thị", folded "chi" like "chị") is no story.
    "Kế hoạch Chỉ thị 19 ở Tuy Phước có nhắc đến thi đua khuyến học, khuyến tài không?",
])
def test_a_plan_word_folding_to_a_kinship_word_is_no_story(committed: SearchIndex,
                                                          question: str) -> None:
    assert committed._told(question) == ("", question)


@pytest.mark.parametrize(("question", "said"), [
    ("tôi đọc kế hoạch nam xuyên thấy biểu dương khen thưởng kịp thời nhằm khích lệ động viên "
     "các tập thể cá nhân, vậy ngoài ra còn mục đích gì nữa",
     "Tuyên truyền sâu rộng về phong trào thi đua"),
    ("kế hoạch nam xuyên nói phòng nội vụ chủ trì động viên các cơ quan đơn vị tham gia hội "
     "nghị, vậy phòng văn hóa và thông tin phải làm gì nữa", "Trang thông tin điện tử huyện"),
])
def test_what_follows_the_quoted_words_answers(imported: SearchIndex, question: str,
                                               said: str) -> None:
    assert said in quoted(imported, question)


@pytest.mark.parametrize(("question", "said"), [
    ("kế hoạch chi lăng có nói đẩy mạnh tuyên truyền tư tưởng Hồ Chí Minh về thi đua yêu "
     "nước, vậy bên cạnh đó còn phải quán triệt luật gì", "Luật Thi đua, khen thưởng năm 2022"),
    ("tôi đọc kế hoạch hớn quản thấy ban tuyên giáo huyện ủy phải xây dựng hướng dẫn định "
     "hướng công tác thông tin tuyên truyền, vậy ngoài ra còn phải làm gì nữa",
     "nắm chắc tình hình tư tưởng"),
    ("kế hoạch chi lăng nói phòng nội vụ chủ trì xây dựng kế hoạch chương trình tổ chức, vậy "
     "phòng nội vụ còn hướng dẫn cái gì nữa", "hướng dẫn khen thưởng"),
])
def test_quoted_words_on_the_committed_plans(committed: SearchIndex, question: str,
                                             said: str) -> None:
    assert said in quoted(committed, question)


def test_a_story_naming_the_campaign_quotes_nothing(committed: SearchIndex) -> None:
    # The campaign's name and a few words in common are no quote: the ranking answers.
    hits = committed.search(
        "Chào ad, mình là giáo viên chủ nhiệm ở trường THPT Bắc Sơn, mình muốn động viên học "
        "sinh thi Dân vận khéo, cho mình hỏi để tập thể trường được khen thì ngoài tuyên "
        "truyền ra cần làm gì thường xuyên nữa không?")
    assert hits and "Thường xuyên chỉ đạo, kiểm tra, đôn đốc" in hits[0].text


@pytest.mark.parametrize(("question", "said", "not_said"), [
    ("tiêu chí khen thưởng cá nhân ở trạm tấu gồm những gì", "Có thành tích xuất sắc tiêu biểu",
     "Tập thể được xét"),
    ("trạm tấu tiêu chí khen tập thể là gì", "Tập thể được xét", "Có thành tích xuất sắc tiêu"),
])
def test_the_item_for_the_value_asked_answers_under_a_list_heading(
    committed: SearchIndex, question: str, said: str, not_said: str
) -> None:
    hits = committed.search(question)
    assert hits
    quoted = "\n".join(hits[0].section_texts or (hits[0].text,))
    assert said in quoted and not_said not in quoted


def test_a_question_naming_both_values_stays_on_the_list_heading(committed: SearchIndex) -> None:
    hits = committed.search("ở trạm tấu tập thể, cá nhân được đề nghị khen phải đáp ứng điều "
                            "kiện chung gì")
    assert hits and "đạt các tiêu chí sau" in hits[0].text
