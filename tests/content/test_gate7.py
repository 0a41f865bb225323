"""Rule lookup, the "not found" gate, seventh round (issue #12): kinds of questions refused
although the plan states the answer, and kinds answered with a passage although no plan answers
them.
Checked on a plan imported with no hand-written field (no keyword can have been added for a
question) and on the committed plans.

Answered (the plan states it):
- the name of a campaign or contest asked as "phong trào … tên là gì": the asking words are the
  kind of answer (the name in quotes), no topic the passage must write; "công trình … tên là
  gì" (one chosen) stays a topic;
- a rule asked as an obligation ("… có bắt buộc phải … không", "có nhất thiết phải …"): the
  modal words of the yes-no frame rank, they are no topic;
- what a body named is given to do ("UBND các xã được giao làm gì", "… được phân công làm
  gì"): the body's item of the plan answers, which seldom writes "được giao".

"Not found" (no plan answers):
- a count asked where the only number of the passage is part of a name ("dịch Covid-19") or
  names a document ("Chỉ thị 15"): no count is written;
- a count of a term whose first word is also a stopword ("bao nhiêu Bằng khen"): a passage
  saying how the count is set ("theo số lượng phân bổ của tỉnh"), or a number of something
  else ("100% cán bộ"), does not answer;
- the assistant's opinion on whether something still holds ("Theo bạn … có còn ý nghĩa
  không", "… giờ còn phù hợp không");
- a standing in the results ("ai đứng nhất", "xã nào đứng nhất", "xã tôi đứng thứ mấy");
- a fee asked of the asker ("có mất phí không", "có phải nộp tiền không");
- which company did something ("do công ty nào thi công"): a name the plans do not give;
- advice for the asker or the asker's unit ("tôi nên … hay không", "xã tôi có nên … không");
- a count of households ("bao nhiêu hộ …"), answered only by a number, not by a year;
- the date of the event a campaign is held in honour of, named with its term ("đại hội
  đảng bộ huyện … khóa XVII tổ chức ngày nào").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from content.search import SearchIndex
from tests.content.answers import quoted

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN SÌN HỒ
Số: 27/KH-UBND
Sìn Hồ, ngày 08 tháng 4 năm 2025

KẾ HOẠCH
Phong trào thi đua “Sìn Hồ chung tay xây dựng nông thôn mới” năm 2025

I. MỤC ĐÍCH, YÊU CẦU

- Tiếp tục thực hiện Chỉ thị 15 của Ủy ban nhân dân tỉnh, phát huy tinh thần phòng, chống \
dịch Covid-19 trong xây dựng nông thôn mới.

II. NỘI DUNG

1. Cuộc thi tìm hiểu nông thôn mới

- Cuộc thi tổ chức trên mạng Internet trong 04 tuần, mỗi tuần 20 câu hỏi trắc nghiệm.

2. Phong trào thi đua về chè

- Phát động phong trào thi đua “Chè sạch Sìn Hồ vươn xa” trong các hợp tác xã và hộ trồng chè.

3. Công khai

- Công khai kết quả bình xét thi đua trên Trang thông tin điện tử của huyện.

4. Công trình nông thôn mới

- Mỗi xã đăng ký ít nhất 02 công trình nông thôn mới, hoàn thành trước ngày 30/11/2025.

III. KHEN THƯỞNG

- Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh: thực hiện theo số lượng phân bổ của tỉnh.

- Giấy khen của Chủ tịch Ủy ban nhân dân huyện tặng tập thể, cá nhân tiêu biểu.

IV. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ

- Chủ trì, theo dõi, tổng hợp kết quả phong trào, tham mưu khen thưởng.

2. Ủy ban nhân dân các xã

- Cụ thể hóa phong trào thi đua phù hợp với đặc điểm của địa phương, báo cáo kết quả hằng quý.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Giàng A Lử
"""


@pytest.fixture(scope="module")
def imported(import_plan: Callable[[str, str, str], SearchIndex]) -> SearchIndex:
    return import_plan(PLAN, "sin-ho.txt", "sin-ho-nong-thon-moi")


def _reply(index: SearchIndex, question: str) -> str | None:
    """The passage quoted for the question, None for "not found"."""
    return quoted(index, question) if index.search(question) else None


# (question, words the answer quotes; None: "not found")
ON_THE_IMPORTED_PLAN: list[tuple[str, str | None]] = [
    # The only number of the passage names the disease or the document.
    ("Sìn Hồ có bao nhiêu người được khen vì phòng chống dịch Covid?", None),
    # A count of a term whose first word is a stopword.
    ("Sìn Hồ được phân bổ bao nhiêu Bằng khen của Chủ tịch tỉnh?", None),
    # The assistant's opinion on whether something still holds.
    ("Theo bạn cuộc thi tìm hiểu nông thôn mới bây giờ có còn hiệu quả không", None),
    ("theo ad cuộc thi tìm hiểu nông thôn mới giờ còn phù hợp ko", None),
    # A standing in the results.
    ("cuộc thi tìm hiểu nông thôn mới tuần 2 ai đứng nhất huyện", None),
    ("cuộc thi tìm hiểu nông thôn mới tuần 3 xã nào đứng nhất", None),
    # A fee asked of the asker.
    ("thi tìm hiểu nông thôn mới có mất phí không", None),
    # Which company (an instance the plan does not name), advice for the asker's unit, a
    # count of households (no year is one).
    ("công trình nông thôn mới ở Sìn Hồ do công ty nào thi công", None),
    ("xã tôi có nên đăng ký công trình nông thôn mới không", None),
    ("Sìn Hồ có bao nhiêu hộ trồng chè", None),
    # What a body named is given to do ("được giao làm gì", "được phân công làm gì").
    ("ubnd các xã được giao làm những gì trong phong trào nông thôn mới", "Cụ thể hóa"),
    ("phòng nội vụ sìn hồ được giao làm gì", "tổng hợp kết quả phong trào"),
    # Near questions keep their answer: the name of a campaign asked, a rule asked as an
    # obligation, a count the plan writes, how the Bằng khen are counted (no count word),
    # "theo bạn" before a rule asked.
    ("phong trào thi đua về chè ở Sìn Hồ tên là gì", "Chè sạch Sìn Hồ vươn xa"),
    ("kế hoạch có bắt buộc phải công khai kết quả bình xét thi đua không",
     "Trang thông tin điện tử"),
    ("mỗi xã đăng ký bao nhiêu công trình nông thôn mới", "02 công trình"),
    ("cuộc thi tìm hiểu nông thôn mới mỗi tuần có mấy câu hỏi", "20 câu"),
    ("bằng khen của chủ tịch tỉnh thì số lượng thế nào", "phân bổ của tỉnh"),
    ("theo bạn thì công trình nông thôn mới phải hoàn thành trước ngày nào", "30/11/2025"),
]

ON_THE_COMMITTED_PLANS: list[tuple[str, str | None]] = [
    # The name of a campaign asked after it.
    ("phong trào thi đua về na ở chi lăng tên là gì", "Sản xuất Na"),
    ("phong trào thi đua phòng chống dịch của tuy phước có tên là gì", "Cả nước đoàn kết"),
    # A rule asked as an obligation.
    ("trạm tấu có bắt buộc phải đăng ký công trình chào mừng đại hội không", "02 công trình"),
    # What a body named is given to do.
    ("Phòng Tài chính trạm tấu được phân công làm gì", "bố trí kinh phí"),
    # "Not found": a count, an opinion, a standing.
    ("Tuy Phước có bao nhiêu người được khen vì phòng chống dịch Covid?", None),
    ("Chi Lăng trao bao nhiêu bằng khen cho tập thể tiêu biểu", None),
    ("theo bot chỉ thị 19 giờ còn phù hợp không", None),
    ("cuộc thi dân vận khéo tuần này ai về nhất", None),
    ("công trình gắn biển ở trạm tấu do công ty nào thi công", None),
    ("tôi nên đăng ký thi dân vận khéo hay không", None),
    ("chi lăng có bao nhiêu hộ trồng na", None),
    # The date of the event a campaign is held in honour of, named with its term.
    ("đại hội đảng bộ huyện trạm tấu khóa XVII tổ chức ngày nào", None),
    # A name asked of what the plans do not name, a fee under a modal frame.
    ("phong trào thi đua về nuôi cá ở tuy phước có tên là gì", None),
    ("hội nghị điển hình tiên tiến chi lăng có bắt buộc phải nộp tiền không", None),
]


@pytest.mark.parametrize(("question", "expected"), ON_THE_IMPORTED_PLAN)
def test_an_imported_plan(imported: SearchIndex, question: str, expected: str | None) -> None:
    reply = _reply(imported, question)
    assert reply is None if expected is None else expected in (reply or "")


@pytest.mark.parametrize(("question", "expected"), ON_THE_COMMITTED_PLANS)
def test_the_committed_plans(
    committed: SearchIndex, question: str, expected: str | None
) -> None:
    reply = _reply(committed, question)
    assert reply is None if expected is None else expected in (reply or "")
