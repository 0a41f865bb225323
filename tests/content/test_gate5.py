"""Rule lookup, the "not found" gate, fifth round (issue #12): kinds of short and medium questions
refused although the plan states the answer, and kinds of questions answered with a passage
although no plan answers them. Checked on a plan imported with no hand-written field (no keyword
can have been added for a question) and on the committed plans.

Answered (the plan states it):
- "mấy" in a yes-no question is "those", no count asked ("có phê bình mấy người chậm trễ ko");
- "ký" of a document the question names by its kind is issuing it: the date of its citation
  answers ("Hướng dẫn 318 ký ngày nào");
- "… có tên đầy đủ là gì": the words asking for a name are no topic;
- "được xét khen thưởng": being considered for an award frames the question;
- a question opening with "kết thúc …" and asking something else asks no date;
- a filler after a count word ("tờ trình số mấy của phòng …") is no unit counted;
- "Luật … năm nào": the year of the law's name answers;
- "tuyên truyền cho những đối tượng nào": the people named answer;
- "X phải lo việc gì": a body's duty, like "phụ trách";
- "kinh phí làm phong trào … lấy ở đâu": "phong trào" is no office asked the address of;
- a pair of words the plans write together once ("huyện chọn") is met by a passage holding
  both apart ("huyện sẽ lựa chọn").

"Not found" (no plan answers): the assistant's opinion or advice ("theo bạn … có cần thiết
không", "tôi có nên … không"), what is new against an earlier plan ("… có gì mới"), a kind of
venue named ("tổ chức ở nhà văn hóa nào"), a count of something the subject has that the
passage does not name ("Quốc hội có bao nhiêu đại biểu"), an event's arrangements ("có ăn
trưa không", "mặc trang phục gì").
"""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from tests.content.answers import quoted

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN LỤC YÊN
Số: 45/KH-UBND
Lục Yên, ngày 20 tháng 2 năm 2025

KẾ HOẠCH
Tổ chức phong trào thi đua “Chung tay xây dựng nông thôn mới kiểu mẫu” năm 2025

Căn cứ Luật Thi đua, khen thưởng năm 2022;

Căn cứ Hướng dẫn số 318/HD-BTĐKT ngày 25/02/2025 của Ban Thi đua - Khen thưởng tỉnh về \
khen thưởng phong trào thi đua;

Xét đề nghị của Trưởng phòng Nội vụ tại Tờ trình số 207/TTr-NV ngày 10/02/2025, Ủy ban nhân \
dân huyện ban hành Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Tuyên truyền sâu rộng trong cán bộ, đảng viên, hội viên nông dân và các tầng lớp Nhân dân \
về xây dựng nông thôn mới kiểu mẫu.

2. Yêu cầu

- Phê bình, nhắc nhở các trường hợp chậm trễ, né tránh trong thực hiện tiêu chí nông thôn mới.

II. NỘI DUNG

1. Thời gian thực hiện

- Từ tháng 3 năm 2025 đến hết tháng 11 năm 2025.

2. Mô hình tiêu biểu

- Ủy ban nhân dân huyện sẽ lựa chọn 03 mô hình tiêu biểu về hiệu quả kinh tế để biểu dương \
tại hội nghị tổng kết.

- Mỗi xã đăng ký ít nhất 01 mô hình.

- Hồ sơ đề nghị khen thưởng của các xã do cấp huyện chọn lọc, thẩm định.

3. Đối tượng khen thưởng

- Khen thưởng các tập thể, cá nhân, kể cả người nước ngoài đang sinh sống trên địa bàn \
huyện, có nhiều đóng góp cho phong trào.

III. HÌNH THỨC KHEN THƯỞNG

- Giấy khen của Chủ tịch Ủy ban nhân dân huyện.

IV. KINH PHÍ

- Kinh phí thực hiện phong trào được bố trí từ nguồn ngân sách huyện năm 2025.

V. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Tham mưu Ủy ban nhân dân huyện tổng hợp hồ sơ đề nghị khen thưởng; theo \
dõi, đôn đốc các xã thực hiện.

2. Hội nghị tổng kết: không quá 150 đại biểu.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lò Văn Thành
"""


IMPORTED = ("luc-yen.txt", "luc-yen-nong-thon-moi")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "mấy" in a yes-no question: those, no count.
        ("huyện có phê bình mấy người chậm trễ làm nông thôn mới ko ad", "chậm trễ, né tránh"),
        # "ký" of a document named by its kind: issuing it.
        ("hướng dẫn 318 về khen thưởng phong trào ký ngày nào", "25/02/2025"),
        # The name of what is named.
        ("phong trào thi đua về nông thôn mới kiểu mẫu có tên đầy đủ là gì",
         "Chung tay xây dựng nông thôn"),
        # Being considered for an award frames the question.
        ("người nước ngoài sống ở huyện có được xét khen thưởng không", "người nước ngoài"),
        # A stage the question opens with, another thing asked.
        ("kết thúc phong trào nông thôn mới có những hình thức khen thưởng nào", "Giấy khen"),
        # A filler after the count word.
        ("kế hoạch nông thôn mới ban hành theo tờ trình số mấy của phòng nội vụ", "207/TTr-NV"),
        # The year of a law's name.
        ("kế hoạch nông thôn mới căn cứ luật thi đua khen thưởng năm nào", "năm 2022"),
        # To whom something is done.
        ("kế hoạch nông thôn mới tuyên truyền sâu rộng cho những đối tượng nào",
         "hội viên nông dân"),
        # A body's duty in everyday words.
        ("phòng nội vụ huyện phải lo việc gì", "tổng hợp hồ sơ"),
        # "phong trào … ở đâu" asks no office's address.
        ("kinh phí làm phong trào nông thôn mới lấy ở đâu", "ngân sách huyện"),
        # A pair the plan writes together once ("cấp huyện chọn"), met apart.
        ("huyện chọn mấy mô hình để biểu dương", "03 mô hình"),
    ],
)
def test_an_in_scope_question_of_the_kind_is_answered_on_an_imported_plan(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


@pytest.mark.parametrize(
    "question",
    [
        # The assistant's opinion or advice.
        "Theo bạn phong trào nông thôn mới có thực sự cần thiết không?",
        "theo ad tôi có nên bỏ việc để đi làm mô hình kinh tế không",
        "ad thấy phong trào nông thôn mới có hay không",
        "tôi có nên xin nghỉ phép để dự hội nghị tổng kết không",
        # What is new against an earlier plan.
        "kế hoạch nông thôn mới năm 2025 của huyện có gì mới",
        # A kind of venue named, which one asked or claimed.
        "hội nghị tổng kết phong trào tổ chức ở nhà văn hóa nào",
        "hội nghị tổng kết phong trào tổ chức tại hội trường huyện phải không",
        # A count of what a subject has, which the passage does not name.
        "Hội nông dân có bao nhiêu đại biểu?",
        # An event's arrangements.
        "hội nghị tổng kết có ăn trưa cho đại biểu không",
        "đại biểu dự hội nghị tổng kết mặc trang phục gì",
    ],
)
def test_a_near_miss_of_the_kind_stays_not_found(imported: SearchIndex, question: str) -> None:
    assert imported.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Asked politely, a rule is still a rule.
        ("theo bạn thì hội nghị tổng kết mời bao nhiêu đại biểu", "không quá 150"),
        # A count asked in a yes-no question with a limit still needs the number.
        ("hội nghị tổng kết có được mời tối đa mấy đại biểu không", "không quá 150"),
        # The date of the time asked ("kết thúc ngày nào") is still asked.
        ("phong trào nông thôn mới kiểu mẫu kết thúc vào tháng mấy", "tháng 11 năm 2025"),
    ],
)
def test_the_near_questions_keep_their_answer(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("chỉ thị 19 của thủ tướng ký ngày nào", "16 tháng 7 năm 2021"),
        ("Chỉ thị 19/CT-TTg ký ngày nào?", "16 tháng 7 năm 2021"),
        ("tuy phước có phê bình mấy người lơ là chống dịch không", "lơ là, chủ quan"),
        ("Kế hoạch của Chi Lăng yêu cầu quán triệt Luật Thi đua, khen thưởng năm nào?",
         "năm 2022"),
        ("kinh phí làm phong trào thi đua trạm tấu lấy ở đâu", "ngân sách nhà nước"),
        ("huyện trạm tấu chọn mấy công trình để gắn biển chào mừng đại hội", "02 công trình"),
        ("Ngày Tổng tuyển cử đầu tiên bầu Quốc hội Việt Nam là ngày nào?", "06/01/1946"),
    ],
)
def test_the_kinds_are_answered_on_the_committed_plans(
    committed: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(committed, question)


@pytest.mark.parametrize(
    "question",
    [
        "Theo bạn tôi có nên nghỉ việc để mở cửa hàng không?",
        "Bạn có ủng hộ phong trào thi đua không?",
        "Hội nghị điển hình tiên tiến Chi Lăng tổ chức ở nhà văn hóa nào?",
        "kế hoạch tổng tuyển cử năm 2026 của hớn quản có gì mới",
        "Xã nào ở Trạm Tấu gắn biển công trình nhiều nhất?",
        "Quốc hội có bao nhiêu đại biểu?",
        # A day no plan names ("Ngày Tổng tuyển cử" is one of theirs).
        "Ngày Nhà giáo Việt Nam là ngày nào?",
        "Ngày Quốc khánh là ngày nào?",
        # The plan itself signed: its blank date line, never a cited document's date.
        "Kế hoạch thực hiện Chỉ thị 19 của huyện Tuy Phước được ký ngày nào?",
    ],
)
def test_the_near_misses_stay_not_found_on_the_committed_plans(
    committed: SearchIndex, question: str
) -> None:
    assert committed.search(question) == []
