"""Wrong passages of the `rank5` round (issue #12): a bare label quoted with nothing after its
colon, a list question answered with one item, items of one section ranked alike, "X xong thì
tới gì" answered with X, a name asked ("chủ đề … là gì") answered by a passage merely using the
word, criteria asked for one kind of actor answered by another's. Checked on a plan of our own,
imported as an admin would (no keyword, no hand-written field)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from content.search import SearchIndex
from content.search_base import SIBLING_MARGIN, Hit
from tests.content.answers import quoted, top_answer

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG HÀ
Số: 45/KH-UBND
Đông Hà, ngày 03 tháng 3 năm 2025

KẾ HOẠCH
Tổ chức Ngày hội đoàn kết các dân tộc huyện Đông Hà năm 2025

Thực hiện Văn bản số 118-CV/HU ngày 20/02/2025 của Huyện ủy Đông Hà về việc tổ chức ngày hội;
UBND huyện ban hành Kế hoạch tổ chức Ngày hội như sau:

I. MỤC ĐÍCH, YÊU CẦU

Tôn vinh bản sắc văn hóa các dân tộc, tăng cường khối đại đoàn kết toàn dân.

Các hoạt động cần có chủ đề, nội dung phong phú, dễ tuyên truyền, phù hợp \
từng giai đoạn 2025 - 2030.

Các cơ quan, đơn vị, doanh nghiệp trên địa bàn tạo điều kiện cho người lao động \
tham gia ngày hội.

Ngày hội năm 2025 mang chủ đề “Sắc màu các dân tộc Đông Hà - Đoàn kết và phát triển”.

II. NỘI DUNG

1. Ngày hội cấp thôn

- Hình thức: tổ chức giao lưu văn nghệ, thể thao tại nhà văn hóa thôn.

- Thời gian: hoàn thành trong tháng 5 năm 2025.

- Khách mời, số người tham dự:

+ Thôn có dưới 100 hộ thì mời toàn bộ các hộ gia đình tham dự.

+ Khách mời gồm: đại diện chi bộ, ban công tác Mặt trận, người có uy tín trong \
cộng đồng và nghệ nhân dân gian.

2. Ngày hội cấp huyện

- Hình thức: tổ chức liên hoan văn hóa các dân tộc.

- Thời gian: hoàn thành trong tháng 9 năm 2025.

3. Chương trình ngày hội cấp huyện

- Khai mạc;

- Trình diễn trang phục truyền thống các dân tộc;

- Thi ẩm thực dân tộc;

- Trao giải và bế mạc.

III. KHEN THƯỞNG

1. Hình thức khen thưởng

- Giấy khen của Chủ tịch UBND huyện.

- Giấy chứng nhận của Ban Tổ chức.

- Tặng hoa và quà lưu niệm.

2. Tiêu chí khen thưởng

a) Đối với hộ gia đình

- Tích cực tham gia các hoạt động của ngày hội; giữ gìn trang phục, nghề truyền thống.

b) Đối với các hợp tác xã, doanh nghiệp

- Tài trợ hoặc góp sản phẩm đặc trưng cho gian hàng ẩm thực của ngày hội.

IV. TỔ CHỨC THỰC HIỆN

1. UBND các xã, thị trấn

- Xây dựng kế hoạch tổ chức ngày hội cấp thôn trên địa bàn.

- Bố trí địa điểm, bảo đảm an ninh trật tự trong thời gian diễn ra ngày hội.

2. Phòng Văn hóa và Thông tin: Chủ trì hướng dẫn nội dung các hoạt động văn hóa.

Nơi nhận:
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Hà Văn Minh
"""


IMPORTED = ("dong-ha-ngay-hoi.txt", "dong-ha-ngay-hoi")  # the `imported` fixture (conftest)


def test_a_bare_label_is_quoted_with_the_items_under_it(imported: SearchIndex) -> None:
    # "Khách mời, số người tham dự:" says nothing by itself: the items after it answer.
    hits = imported.search("khách mời ngày hội cấp thôn đông hà")
    assert hits and hits[0].source == "II.1"
    assert "Khách mời, số người tham dự" in hits[0].heading
    said = quoted(imported, "khách mời ngày hội cấp thôn đông hà")
    assert "nghệ nhân dân gian" in said
    assert "Hình thức" not in said  # (only the items under the label, not the whole section)


@pytest.mark.parametrize("question", [
    "ngày hội đông hà có những hình thức khen thưởng nào",
    "ngay hoi dong ha khen thuong bang nhung hinh thuc gi",
])
def test_a_list_question_gets_every_item(imported: SearchIndex, question: str) -> None:
    source, said = top_answer(imported, question)
    assert source == "III.1"
    assert "Giấy khen" in said and "Giấy chứng nhận" in said and "quà lưu niệm" in said


def test_items_ranked_alike_are_quoted_together(imported: SearchIndex) -> None:
    # Both duties of the communes match "trách nhiệm ubnd xã" alike: neither alone answers.
    source, said = top_answer(imported, "trách nhiệm ubnd xã ngày hội đông hà")
    assert source == "IV.1"
    assert "Xây dựng kế hoạch" in said and "Bố trí địa điểm" in said


def test_a_sibling_ranked_alike_below_another_answer_still_counts(imported: SearchIndex) -> None:
    # The best answer, then a passage of another section, then an item of the best one's
    # section within SIBLING_MARGIN of it: the section is what is asked.
    def ranked(text: str, score: float) -> Hit:
        ref = next(i for i in range(len(imported._docs))
                   if imported._docs[i].passage.text.startswith(text))
        hit = imported.passage(ref)
        assert hit is not None
        return dataclasses.replace(hit, score=score)

    first, other = ranked("Giấy khen", 1.0), ranked("Khai mạc", 0.99)
    assert imported._sibling_tie([first, other, ranked("Giấy chứng nhận", 1.0 - SIBLING_MARGIN)])
    assert not imported._sibling_tie([first, other, ranked("Giấy chứng nhận", 0.8)])


def test_one_fact_asked_keeps_its_one_passage(imported: SearchIndex) -> None:
    # A when-question is answered by its own item, not by the whole section.
    hits = imported.search("ngày hội cấp huyện đông hà hoàn thành khi nào")
    assert hits and not hits[0].section_texts
    assert "tháng 9 năm 2025" in (hits[0].sentence or hits[0].text)


def test_in_the_form_of_is_no_count_below(committed: SearchIndex) -> None:
    # "dưới hình thức nào" asks the form, not a number "dưới 200".
    said = quoted(committed, "hội nghị cấp xã ở chi lăng tổ chức dưới hình thức nào")
    assert "do đơn vị lựa chọn, quyết định" in said


@pytest.mark.parametrize(("question", "said"), [
    # "X xong thì tới gì": the item after X in the programme, not X.
    ("ngày hội đông hà khai mạc xong thì tới phần gì", "Trình diễn trang phục"),
    ("ngay hoi dong ha thi am thuc xong thi den muc nao", "Trao giải và bế mạc"),
    # A name asked: "có chủ đề, nội dung phong phú" only uses the word; the answer names the
    # theme in quotes.
    ("chủ đề ngày hội đông hà giai đoạn 2025 - 2030 là gì", "Sắc màu các dân tộc Đông Hà"),
    ("chu de ngay hoi dong ha la gi", "Sắc màu các dân tộc Đông Hà"),
])
def test_the_item_asked_is_quoted(imported: SearchIndex, question: str, said: str) -> None:
    assert said in quoted(imported, question)


def test_a_period_said_in_the_question_is_not_asked(committed: SearchIndex) -> None:
    # "giai đoạn 2021 - 2025" names the plan's period: the theme is asked, not a date.
    said = quoted(committed, "chủ đề thi đua của tuy phước giai đoạn 2021 - 2025 là gì")
    assert "Đoàn kết- Đổi mới - Sáng tạo" in said


def test_a_movement_asked_is_the_one_named_in_quotes(committed: SearchIndex) -> None:
    said = quoted(committed, "ở trạm tấu lực lượng vũ trang thi đua theo phong trào nào")
    assert "Toàn dân bảo vệ an ninh Tổ quốc" in said


@pytest.mark.parametrize(("question", "source"), [
    ("công ty ở đông hà cần đạt những điều kiện gì mới được khen", "III.2.b"),
    ("hộ gia đình ở đông hà cần điều kiện gì mới được đề nghị khen", "III.2.a"),
])
def test_criteria_asked_for_one_actor_are_the_items_addressing_it(
        imported: SearchIndex, question: str, source: str) -> None:
    # "Đối với các hợp tác xã, doanh nghiệp" addresses the company asked about; the purpose
    # ("mới được đề nghị khen") does not decide, and "tạo điều kiện" is no criterion.
    assert top_answer(imported, question)[0] == source


# (The same issuer as PLAN: its first lines, with another number, date and title.)
DUTIES = PLAN.split("KẾ HOẠCH")[0].replace("45/KH", "52/KH").replace("03 tháng", "10 tháng") + """\
KẾ HOẠCH
Phát động phong trào thi đua “Đông Hà xanh - sạch - đẹp” năm 2025

Thực hiện Văn bản số 120-CV/HU ngày 01/3/2025 của Huyện ủy Đông Hà về việc phát động phong trào;
UBND huyện ban hành Kế hoạch như sau:

I. NỘI DUNG

UBND các xã, thị trấn ra quân vệ sinh môi trường vào sáng thứ Bảy hằng tuần, \
trồng cây xanh trên các tuyến đường liên thôn.

Các trường học tổ chức cho học sinh thu gom rác thải nhựa.

II. TỔ CHỨC THỰC HIỆN

1. Đề nghị Ủy ban Mặt trận Tổ quốc huyện, các đoàn thể huyện và UBND các xã, thị trấn

- Tuyên truyền, vận động đoàn viên, hội viên và Nhân dân hưởng ứng phong trào.

- Lựa chọn tập thể, cá nhân tiêu biểu đề nghị khen thưởng.

2. Phòng Tài nguyên và Môi trường: Hướng dẫn phân loại rác tại nguồn.

3. Ban Chỉ đạo phong trào huyện họp định kỳ hằng quý để đánh giá kết quả thực hiện trên địa \
bàn. Phân công các thành viên kiểm tra, giám sát việc ra quân vệ sinh môi trường của các thôn, \
tổ dân phố và báo cáo kết quả hằng tháng.

Nơi nhận:
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Hà Văn Minh
"""


@pytest.fixture(scope="module")
def duties(import_plan: Callable[[str, str, str], SearchIndex]) -> SearchIndex:
    return import_plan(DUTIES, "dong-ha-xanh.txt", "dong-ha-xanh")


def test_a_sentence_naming_a_body_but_not_what_is_asked_is_not_quoted_alone(
        duties: SearchIndex) -> None:
    # "ai" asks for a body; "Ban Chỉ đạo … họp định kỳ" names one but the sentence after it
    # says who checks: the passage is quoted whole.
    said = quoted(duties, "ban chỉ đạo phong trào đông hà phân công ai kiểm tra, giám sát "
                          "việc ra quân vệ sinh")
    assert "Phân công các thành viên kiểm tra" in said


@pytest.mark.parametrize("question", [
    "ubnd các xã đông hà phải làm gì trong phong trào xanh sạch đẹp",
    "nhiệm vụ của ubnd xã trong phong trào đông hà xanh sạch đẹp",
])
def test_a_bodys_duty_is_the_passage_it_is_the_subject_of(
        duties: SearchIndex, question: str) -> None:
    # "UBND các xã, thị trấn ra quân …" says what the communes do; the item addressed to the
    # Front, the unions and the communes together speaks of all of them.
    assert "ra quân vệ sinh môi trường" in quoted(duties, question)
