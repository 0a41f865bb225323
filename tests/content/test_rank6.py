"""Words people type for what the plans write otherwise, of the `rank6` round (issue #12):
"trên đài", "phát sóng" for the plan's "Đài Truyền thanh - Truyền hình" body,
whose name is only in its heading. Checked on a plan of our own, imported as an admin would (no
keyword, no hand-written field)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from content.search import SearchIndex
from tests.content.answers import top_answer

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN LONG MỸ
Số: 27/KH-UBND
Long Mỹ, ngày 12 tháng 2 năm 2025

KẾ HOẠCH
Tổ chức Hội thi nông dân sản xuất giỏi huyện Long Mỹ năm 2025

Thực hiện Văn bản số 64-CV/HU ngày 05/02/2025 của Huyện ủy Long Mỹ;
UBND huyện ban hành Kế hoạch tổ chức Hội thi như sau:

I. MỤC ĐÍCH, YÊU CẦU

Khơi dậy tinh thần lao động sáng tạo của hội viên nông dân, nhân rộng mô hình sản xuất hay, chào mừng Đại hội đại biểu
Hội Nông dân huyện lần thứ XII.

II. NỘI DUNG

1. Đối tượng dự thi: hội viên nông dân đang sản xuất trên địa bàn huyện.

2. Thời gian: hội thi cấp huyện tổ chức trong tháng 6 năm 2025; mỗi xã cử 03 đại biểu
dự thi, là hội viên đại diện cho các chi hội.

III. TỔ CHỨC THỰC HIỆN

1. Hội Nông dân huyện

- Chủ trì tổ chức hội thi; tuyên truyền, vận động hội viên đăng ký dự thi.

2. Phòng Văn hóa và Thông tin

- Tuyên truyền về hội thi trên cổng thông tin điện tử của huyện và mạng xã hội.

3. Đài Truyền thanh - Truyền hình huyện

- Xây dựng chuyên mục, đưa tin, tuyên truyền về hội thi và gương nông dân sản xuất giỏi.

4. UBND các xã, thị trấn

- Tuyên truyền sâu rộng về hội thi đến từng ấp; lựa chọn hội viên tiêu biểu dự thi.

Nơi nhận:
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Lâm
"""


@pytest.fixture(scope="module")
def imported(import_plan: Callable[[str, str, str], SearchIndex]) -> SearchIndex:
    return import_plan(PLAN, "long-my-hoi-thi.txt", "long-my-hoi-thi")


@pytest.mark.parametrize("question", [
    "ai tuyên truyền hội thi nông dân sản xuất giỏi trên đài",
    "hội thi nông dân sản xuất giỏi thì cơ quan nào lo phát sóng tuyên truyền",
])
def test_the_radio_asked_in_everyday_words_finds_the_broadcaster(
        imported: SearchIndex, question: str) -> None:
    source, _ = top_answer(imported, question)
    assert source == "III.3"
    assert "Đài Truyền thanh" in imported.search(question)[0].heading

