"""Wrong passages of the `rank7` round (issue #12), checked on a plan of our own imported as an
admin would (no keyword, no hand-written field):
- a level named by its last word after another ("… của cấp huyện, xã") names both levels, and
  the passage naming the level asked ranks before one naming none;
- "… kết thúc khi nào" asks the period a campaign runs ("Từ tháng … đến hết tháng …"), not the
  deadline of one of its steps;
- "… thì được khen bằng hình thức gì" asks the kind of award: the passage naming one ("Giấy
  khen của …"), not the criteria the asker's condition repeats;
- everyday words for the plans' own: "được giao làm gì" (a body's duty), "đoàn thể" (the
  plans' "tổ chức chính trị - xã hội"), "phải đạt điều kiện gì" (criteria asked, "đạt" its
  frame), "muốn được khen … cần làm những gì" (the criteria that earn it);
- a subsection's passage ranked as near as the title or opening line of the section above
  it, and saying more of the question in its own text, is quoted before them (checked on the
  committed plans: a near tie of real headings);
- "khen thưởng <campaign>" alone asks the awards given: a passage naming one ranks higher."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from content.search import SearchIndex
from tests.content.answers import top_answer

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN PHÚ LƯƠNG
Số: 41/KH-UBND
Phú Lương, ngày 03 tháng 3 năm 2025

KẾ HOẠCH
Phát động phong trào thi đua "Chung tay xây dựng đô thị văn minh" huyện Phú Lương năm 2025

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

Khơi dậy tinh thần tự giác của Nhân dân trong giữ gìn vệ sinh môi trường, trật tự đô thị.

2. Yêu cầu

Việc bình xét khen thưởng phải bảo đảm công khai, dân chủ, đúng đối tượng.

II. NỘI DUNG

1. Thời gian thực hiện phong trào

Từ tháng 3/2025 đến hết tháng 11/2025.

2. Thời hạn đăng ký thi đua

Các cơ quan, đơn vị gửi bản đăng ký thi đua về Phòng Nội vụ trước ngày 20/3/2025 để tổng hợp.

3. Cải cách thủ tục hành chính, ứng dụng công nghệ thông tin trong công tác thi đua, khen thưởng

a) Nghiên cứu, hoàn thiện quy trình xét chọn, rút gọn thủ tục khen thưởng trong phong trào.

b) Rà soát, rút gọn thủ tục khen thưởng của cấp huyện, xã. Niêm yết công khai thủ tục tại
trụ sở.

III. KHEN THƯỞNG

1. Tiêu chí xét khen

Tập thể, cá nhân tích cực tham gia phong trào bằng nhiều hình thức, đạt thành tích xuất sắc,
tiêu biểu trong giữ gìn vệ sinh môi trường được xét đề nghị khen thưởng.

a) Đối với công ty, doanh nghiệp: chấp hành tốt pháp luật về môi trường, đóng góp kinh phí
chỉnh trang vỉa hè, cây xanh.

b) Đối với tổ dân phố: không có rác thải tồn đọng, 100% hộ gia đình ký cam kết.

2. Hình thức khen thưởng

Giấy khen của Chủ tịch UBND huyện cho tập thể, cá nhân tiêu biểu.

IV. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: tổng hợp đăng ký thi đua, tham mưu khen thưởng.

2. UBND các xã, thị trấn: tuyên truyền, vận động Nhân dân tham gia phong trào.

3. Ủy ban Mặt trận Tổ quốc Việt Nam huyện và các tổ chức chính trị - xã hội: vận động hội
viên giữ gìn vệ sinh ngõ xóm, nhân rộng mô hình tự quản.

V. HỘI NGHỊ TỔNG KẾT PHONG TRÀO

1. Hình thức, thời gian, thành phần và số lượng đại biểu

Tổ chức theo thứ tự từ cấp cơ sở đến cấp huyện.

a) Đối với cấp xã

- Thời gian: 1/2 ngày, hoàn thành trong tháng 11/2025.

- Thành phần, số lượng đại biểu: không quá 80 đại biểu.

b) Đối với cấp huyện

- Thời gian: 1/2 ngày, hoàn thành trong tháng 12/2025.

- Thành phần, số lượng đại biểu: không quá 150 đại biểu.

- Đại biểu là những người có thành tích tiêu biểu do cơ sở lựa chọn; người trực tiếp lao
động chiếm 60% tổng số đại biểu.

Nơi nhận:
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lê Thị Hoa
"""


@pytest.fixture(scope="module")
def imported(import_plan: Callable[[str, str, str], SearchIndex]) -> SearchIndex:
    return import_plan(PLAN, "phu-luong-do-thi.txt", "phu-luong-do-thi")


LEVEL = ("II.3.b", "cấp huyện, xã")
PERIOD = ("II.1", "đến hết tháng 11/2025")
AWARD = ("III.2", "Giấy khen của Chủ tịch UBND huyện")


@pytest.mark.parametrize(("question", "expected"), [
    # "cấp huyện, xã" names "cấp xã": the passage of that level, not its neighbour.
    ("đô thị văn minh có rút gọn thủ tục khen thưởng cấp xã không", LEVEL),
    ("do thi van minh co rut gon thu tuc khen thuong cap xa khong", LEVEL),
    ("thủ tục khen thưởng đô thị văn minh cấp xã có phải rút gọn không", LEVEL),
    # When the campaign ends: the period it runs, not the deadline of registering.
    ("phong trào đô thị văn minh phú lương kết thúc khi nào", PERIOD),
    ("phong trao do thi van minh ket thuc khi nao", PERIOD),
    ("phong trào đô thị văn minh kết thúc bao giờ", PERIOD),
    ("phong trào đô thị văn minh phú lương kéo dài đến khi nào", PERIOD),
    # …and the deadline of a step still answers that step.
    ("hạn đăng ký thi đua là ngày nào", ("II.2", "20/3/2025")),
    # The kind of award asked: the passage naming one, not the criteria the condition repeats.
    ("ai tích cực trong phong trào đô thị văn minh thì được khen bằng hình thức gì", AWARD),
    ("đạt thành tích xuất sắc trong phong trào đô thị văn minh thì được nhận hình thức khen gì",
     AWARD),
    ("người tiêu biểu trong phong trào đô thị văn minh được khen hình thức gì", AWARD),
    ("kết thúc phong trào đô thị văn minh có những hình thức khen thưởng nào", AWARD),
    # Criteria asked with the verb of meeting them ("phải đạt điều kiện gì"): the actor's.
    ("doanh nghiệp muốn được khen trong phong trào đô thị văn minh phải đạt điều kiện gì",
     ("III.1.a", "vỉa hè")),
    ("tổ dân phố muốn được khen trong phong trào đô thị văn minh phải đạt được những gì",
     ("III.1.b", "ký cam kết")),
    # …or as what earns the award ("muốn được khen … cần làm những gì"): the criteria too.
    ("tập thể muốn được khen trong phong trào đô thị văn minh cần làm những gì",
     ("III.1", "tích cực tham gia phong trào")),
    ("cá nhân muốn được khen thưởng trong phong trào đô thị văn minh thì cần làm gì",
     ("III.1", "tích cực tham gia phong trào")),
    ("tổ dân phố muốn được khen trong phong trào đô thị văn minh cần làm những gì",
     ("III.1.b", "ký cam kết")),
    # A duty asked as given ("được giao làm gì"); "đoàn thể" for "tổ chức chính trị - xã hội".
    ("xã, thị trấn được giao làm gì trong phong trào đô thị văn minh", ("IV.2", "vận động")),
    ("các đoàn thể phải làm gì trong phong trào đô thị văn minh", ("IV.3", "mô hình tự quản")),
    ("đoàn thể được giao những gì trong phong trào đô thị văn minh", ("IV.3", "mô hình tự quản")),
])
def test_the_passage_holding_the_fact_asked_is_quoted(
        imported: SearchIndex, question: str, expected: tuple[str, str]) -> None:
    found, text = top_answer(imported, question)
    assert found == expected[0]
    assert expected[1] in text


def test_a_plan_naming_no_award_has_no_kind_of_award(
        import_plan: Callable[[str, str, str], SearchIndex]) -> None:
    # The same plan without its awards: the criteria are no kind of award.
    plan = PLAN.split("2. Hình thức khen thưởng")[0] + PLAN.split("cá nhân tiêu biểu.")[1]
    index = import_plan(plan, "phu-luong-khong-khen.txt", "phu-luong-khong-khen")
    assert not index.search(
        "ai tích cực trong phong trào đô thị văn minh thì được khen bằng hình thức gì")


@pytest.mark.parametrize(("question", "source", "said"), [
    # The section's own title line ("Cải cách thủ tục hành chính, …") or opening line (under
    # "Hình thức, thời gian, thành phần và số lượng đại biểu") matches by its heading; the
    # passage of the subsection below, ranked as near, holds the fact.
    ("cải cách thủ tục hành chính về thi đua", "II.6.a", "đơn giản hóa bộ thủ tục hành chính"),
    ("thủ tục hành chính thi đua khen thưởng cải cách thế nào", "II.6.a",
     "đơn giản hóa bộ thủ tục hành chính"),
    ("hội nghị cấp huyện thì thành phần đại biểu thế nào", "II.2.2", "chiếm 70%"),
    # Awards alone asked: the awards the plan gives, not the heading "Tiêu chuẩn khen thưởng"
    # above a criterion.
    ("khen thưởng kỷ niệm 80 năm ngày tổng tuyển cử", "III.2",
     "Bằng khen của Thủ tướng Chính phủ"),
    ("khen thuong tong tuyen cu", "III.2", "Bằng khen của Thủ tướng Chính phủ"),
    # What earns the award, asked before the goal ("… phải làm gì để được xét khen thưởng"):
    # the criteria addressed to that body, not its other duties.
    ("hội đồng nhân dân huyện hớn quản phải làm gì để được xét khen thưởng", "III.1.a",
     "Có sáng kiến, giải pháp"),
])
def test_on_the_committed_plans_the_passage_holding_the_fact(
        committed: SearchIndex, question: str, source: str, said: str) -> None:
    found, text = top_answer(committed, question)
    assert found == source
    assert said in text

