"""Wrong passages of the `rank7` round (issue #12), checked on a plan of our own imported as an
admin would (no keyword, no hand-written field):
- a level named by its last word after another ("… của cấp huyện, xã") names both levels, and
  the passage naming the level asked ranks before one naming none;
- "… kết thúc khi nào" asks the period a campaign runs ("Từ tháng … đến hết tháng …"), not the
  deadline of one of its steps."""

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

3. Cải cách thủ tục

a) Nghiên cứu, hoàn thiện quy trình xét chọn, rút gọn thủ tục khen thưởng trong phong trào.

b) Rà soát, rút gọn thủ tục khen thưởng của cấp huyện, xã. Niêm yết công khai thủ tục tại
trụ sở.

III. KHEN THƯỞNG

Giấy khen của Chủ tịch UBND huyện cho tập thể, cá nhân tiêu biểu.

IV. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: tổng hợp đăng ký thi đua, tham mưu khen thưởng.

2. UBND các xã, thị trấn: tuyên truyền, vận động Nhân dân tham gia phong trào.

Nơi nhận:
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lê Thị Hoa
"""


@pytest.fixture(scope="module")
def imported(import_plan: Callable[[str, str, str], SearchIndex]) -> SearchIndex:
    return import_plan(PLAN, "phu-luong-do-thi.txt", "phu-luong-do-thi")


@pytest.mark.parametrize(("question", "source", "said"), [
    # "cấp huyện, xã" names "cấp xã": the passage of that level, not its neighbour.
    ("đô thị văn minh có rút gọn thủ tục khen thưởng cấp xã không", "II.3.b", "cấp huyện, xã"),
    ("do thi van minh co rut gon thu tuc khen thuong cap xa khong", "II.3.b", "cấp huyện, xã"),
    ("thủ tục khen thưởng đô thị văn minh cấp xã có phải rút gọn không", "II.3.b",
     "cấp huyện, xã"),
])
def test_a_level_named_by_its_last_word_is_the_level_asked(
        imported: SearchIndex, question: str, source: str, said: str) -> None:
    found, text = top_answer(imported, question)
    assert found == source
    assert said in text


@pytest.mark.parametrize("question", [
    "phong trào đô thị văn minh phú lương kết thúc khi nào",
    "phong trao do thi van minh ket thuc khi nao",
    "phong trào đô thị văn minh kết thúc bao giờ",
    "phong trào đô thị văn minh phú lương kéo dài đến khi nào",
])
def test_when_a_campaign_ends_is_its_period_not_a_step_deadline(
        imported: SearchIndex, question: str) -> None:
    found, text = top_answer(imported, question)
    assert found == "II.1"
    assert "đến hết tháng 11/2025" in text


def test_a_step_deadline_still_answers_its_step(imported: SearchIndex) -> None:
    found, text = top_answer(imported, "hạn đăng ký thi đua là ngày nào")
    assert found == "II.2"
    assert "20/3/2025" in text
