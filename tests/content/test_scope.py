"""Rule lookup, honest "not found": questions that look like the plans but ask what they do
not state (another edition, a cited document's date for an event, prize money, results, an
office holder's name or phone number), for the committed plans and for a plan as imported."""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from content.search_scope import asked_editions, cited_dates_removed, roman_value
from tests.harness import Chat


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("I", 1), ("iv", 4), ("VI", 6), ("XIV", 14), ("XIX", 19), ("xx", 20), ("XXII", 22)],
)
def test_roman_numerals_are_read(numeral: str, value: int) -> None:
    assert roman_value(numeral) == value


@pytest.mark.parametrize("word", ["", "vay", "xa", "12", "lan"])
def test_a_word_is_not_a_roman_numeral(word: str) -> None:
    assert roman_value(word) is None


@pytest.mark.parametrize(
    ("question", "editions"),
    [
        ("Đại hội Thi đua yêu nước tỉnh Lạng Sơn lần thứ V tổ chức năm nào?", [5]),
        ("dai hoi lan thu 10 to chuc nam nao", [10]),
        ("Quốc hội khóa XVI bầu ngày nào?", [16]),
        ("Cuộc thi Dân vận khéo lần 2 năm 2024 kết thúc ngày nào?", [2]),
        ("lần thứ mấy?", []),
        ("thi lại lần 2 có được không", []),  # no event named before: a second try
        ("Nghị quyết Đại hội Đảng bộ tỉnh lần thứ mấy", []),
    ],
)
def test_the_edition_a_question_names_is_read_as_typed(question: str, editions: list[int]) -> None:
    assert asked_editions(question) == editions


def test_a_cited_documents_date_is_not_a_date_of_the_plan() -> None:
    text = ("Thực hiện Văn bản số 1686-CV/HU ngày 04/3/2024 của Huyện ủy về cuộc thi; "
            "Chỉ thị số 19/CT-TTg ngày 16 tháng 7 năm 2021; gửi trước ngày 25/10/2024.")
    left = cited_dates_removed(text)
    assert "04/3/2024" not in left and "16 tháng 7 năm 2021" not in left
    assert "25/10/2024" in left


@pytest.fixture
def index(committed: SearchIndex) -> SearchIndex:
    return committed


@pytest.mark.parametrize(
    "question",
    [
        # another edition than the plans name
        "Đại hội Thi đua yêu nước tỉnh Lạng Sơn lần thứ V tổ chức năm nào?",
        "Đại hội thi đua yêu nước toàn quốc lần thứ 10 tổ chức năm nào?",
        # a when-question about something the plans do not schedule
        "Giấy khen Dân vận khéo được trao vào ngày nào?",
        "Buổi gặp gỡ các thế hệ đại biểu HĐND ở Hớn Quản tổ chức vào ngày nào?",
        # results, counts of a group, money, contact details, office holders
        "Phong trào thi đua đặc biệt Trạm Tấu đã khen bao nhiêu hộ gia đình?",
        "tram tau da co bao nhieu ctrinh hoan thanh roi ad",
        "Hội nghị điển hình tiên tiến cấp huyện Chi Lăng có bao nhiêu đại biểu nữ?",
        "Kinh phí tổ chức hội nghị điển hình tiên tiến cấp huyện là bao nhiêu?",
        "sđt ban dân vận huyện ủy bắc sơn",
        "ai là chủ tịch ubnd huyện bắc sơn hiện nay",
        "hn điển hình cấp huyện chi lăng có phát quà ko, quà gì",
        # another time than the plans' own
        "Năm sau cuộc thi Dân vận khéo có tổ chức nữa không?",
        "dvk năm tới thi khi nào",
        # a body no plan names
        "Phòng Tư pháp huyện Chi Lăng có nhiệm vụ gì trong hội nghị điển hình tiên tiến?",
        # a deadline asked without "ngày nào", where the plan gives none
        "hạn cuối nộp hồ sơ khen thưởng dvk",
        # a district named, the date from another district's plan (or a cited document's)
        "Tuy Phước tổ chức hội nghị điển hình tiên tiến vào ngày nào?",
        # the assistant itself, everyday topics
        "Bạn bao nhiêu tuổi?",
        "Năm nay nghỉ lễ 30/4 mấy ngày?",
    ],
)
def test_what_the_plans_do_not_state_is_not_found(index: SearchIndex, question: str) -> None:
    assert index.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Hạn đăng ký công trình chào mừng đại hội ở Trạm Tấu là ngày nào?", "25/10/2024"),
        ("Văn bản 1686 của Huyện ủy Bắc Sơn ngày nào?", "04/3/2024"),
        ("tor trinh 1316 cua phong noi vu ngay nao", "30/10/2024"),
        ("Đại hội thi đua yêu nước toàn quốc lần thứ XI tổ chức năm nào?", "2025"),
        ("Đại hội Thi đua yêu nước toàn quốc lần thứ 11 tổ chức năm nào?", "2025"),
        ("Xã Nhân Lý tổ chức hội nghị điểm khi nào?", "02/2025"),
        ("Bao nhiêu tuổi thì được thi dân vận khéo?", "16 tuổi"),
        ("Hội nghị cấp huyện Chi Lăng tối đa bao nhiêu đại biểu?", "300"),
        ("deadline công trình trạm tấu", "25/10/2024"),
        ("mỗi xã ở trạm tấu phải đăng ký tối thiểu bao nhiêu công trình", "02"),
        ("Phòng Tài chính - Kế hoạch Chi Lăng làm gì?", "dự trù kinh phí"),
        ("Chi Lăng tổ chức hội nghị điển hình tiên tiến cấp huyện khi nào?", "tháng 4 năm 2025"),
    ],
)
def test_what_the_plans_state_is_still_answered(
    index: SearchIndex, question: str, expected: str
) -> None:
    hits = index.search(question)
    assert hits and expected in (hits[0].sentence or hits[0].text)


PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN HÒA AN
Số: 27/KH-UBND
Hòa An, ngày 12 tháng 5 năm 2025

KẾ HOẠCH
Tổ chức Hội thi tuyên truyền viên giỏi lần thứ III năm 2025

Thực hiện Văn bản số 310-CV/HU ngày 02/4/2025 của Huyện ủy Hòa An về hội thi tuyên truyền;

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Nâng cao kỹ năng của đội ngũ tuyên truyền viên ở cơ sở.

II. NỘI DUNG

1. Đối tượng dự thi: Mỗi xã cử ít nhất 03 tuyên truyền viên.

2. Thời gian: Các xã gửi danh sách dự thi về Phòng Văn hóa trước ngày 20/6/2025.

3. Khen thưởng: Chủ tịch UBND huyện tặng Giấy khen cho các đội đạt giải.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lê Văn Minh
"""


IMPORTED = ("hoa-an.txt", "hoa-an-hoi-thi")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Các xã gửi danh sách dự thi trước ngày nào?", "20/6/2025"),
        ("Đối tượng dự thi: mỗi xã cử ít nhất mấy người?", "03"),
        ("Văn bản 310 của Huyện ủy ban hành ngày nào?", "02/4/2025"),
        ("Hội thi tuyên truyền viên giỏi lần thứ III tổ chức năm nào?", "2025"),
    ],
)
def test_an_imported_plan_answers_what_it_states(
    imported: SearchIndex, question: str, expected: str
) -> None:
    hits = imported.search(question)
    assert hits and expected in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(
    "question",
    [
        "Hội thi tuyên truyền viên giỏi lần thứ 2 tổ chức năm nào?",  # its own edition is III
        "Hội thi tuyên truyền viên giỏi lần thứ II tổ chức năm nào?",
        # the plan only gives the date of the document it follows
        "Huyện ủy Hòa An tổ chức hội thi tuyên truyền vào ngày nào?",
        "Lễ trao giải hội thi tuyên truyền viên tổ chức ngày nào?",
        "Đội đạt giải nhất hội thi tuyên truyền viên được thưởng bao nhiêu tiền?",
        "Đã có bao nhiêu tuyên truyền viên đăng ký dự thi rồi?",
        "Số điện thoại Phòng Văn hóa huyện Hòa An là bao nhiêu?",
    ],
)
def test_an_imported_plan_does_not_answer_what_it_does_not_state(
    imported: SearchIndex, question: str
) -> None:
    assert imported.search(question) == []


async def test_a_near_miss_question_gets_not_found_in_chat(chat: Chat) -> None:
    await chat.send("Giấy khen Dân vận khéo được trao vào ngày nào?")
    answer = await chat.reply()
    assert "Chưa tìm thấy" in answer and "04/3/2024" not in answer
    await chat.send("Đại hội Thi đua yêu nước tỉnh Lạng Sơn lần thứ V tổ chức năm nào?")
    assert "Chưa tìm thấy" in await chat.reply()
    await chat.send("Đại hội Thi đua yêu nước tỉnh Lạng Sơn lần thứ VI tổ chức năm nào?")
    answer = await chat.reply()
    assert "Chưa tìm thấy" not in answer and "lần thứ VI" in answer
