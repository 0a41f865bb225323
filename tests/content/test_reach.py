"""Passage reachability (issue #12, `reach` round): units of a plan that only a question about
their place in the plan reaches, on a plan imported with no hand-written field (so no keyword
can have been added for it) and on the committed plans.

- a document the preamble cites, named by its number, asked "ký ngày nào": its own date
  answers (signing is what the date of a document dates), a thing the plans never date stays
  "not found";
- "có phải (phó) chủ tịch ký kế hoạch … không": the signature answers, as printed;
- the next or the previous item of an ordered list ("sau phần X thì đến phần gì", "trước phần
  X là phần nào"), X named by its first words;
- the flag salute of a programme ("chào cờ") is no greeting ("chào cô") to drop;
- a short title heading above items that only set apart whom they are for ("Tiêu chí thi đua"
  above "a) Đối với tập thể", "b) Đối với cá nhân") is their topic, as their own heading is.

The mechanical bench (bench/reach.py) generates its questions deterministically, one kind of
unit each.
"""

from __future__ import annotations

import pytest

from bench.reach import Unit, plan_units, questions
from content.loader import load_campaigns
from content.search import SearchIndex
from tests.content.answers import quoted

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN NAM XUYÊN
Số: 31/KH-UBND
Nam Xuyên, ngày 12 tháng 4 năm 2025

KẾ HOẠCH
Tổ chức Hội nghị điển hình tiên tiến huyện Nam Xuyên năm 2025

Căn cứ Hướng dẫn số 2210/HD-BNV ngày 15/3/2025 của Bộ Nội vụ về tổ chức hội nghị điển hình \
tiên tiến các cấp;
Thực hiện Văn bản số 702-CV/HU ngày 02/4/2025 của Huyện ủy Nam Xuyên về việc tổ chức hội nghị;
UBND huyện ban hành Kế hoạch tổ chức Hội nghị điển hình tiên tiến như sau:

I. MỤC ĐÍCH, YÊU CẦU

Biểu dương các tập thể, cá nhân tiêu biểu trong phong trào thi đua yêu nước.

Việc bình xét khen thưởng phải bảo đảm đúng tiêu chuẩn, công khai, dân chủ.

II. NỘI DUNG

1. Nội dung chương trình

- Chào cờ;

- Văn nghệ chào mừng;

- Tuyên bố lý do, giới thiệu đại biểu;

- Báo cáo tổng kết phong trào thi đua giai đoạn 2020 - 2025;

- Trao khen thưởng cho các điển hình tiên tiến;

- Bế mạc hội nghị.

2. Thời gian

Hội nghị hoàn thành trong tháng 6 năm 2025.

III. TIÊU CHÍ VÀ KHEN THƯỞNG

1. Tiêu chí thi đua

a) Đối với tập thể

- Tổ chức tốt các hoạt động hưởng ứng hội nghị tại đơn vị.

b) Đối với cá nhân

- Có sáng kiến trong công tác được cấp có thẩm quyền công nhận.

IV. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Chủ trì tổng hợp danh sách đề nghị khen thưởng.

Nơi nhận:
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lò Văn Sơn
"""


IMPORTED = ("nam-xuyen-dien-hinh.txt", "nam-xuyen-dien-hinh")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(("question", "said"), [
    ("văn bản 702-CV/HU ký ngày nào", "ngày 02/4/2025"),
    ("van ban 702-cv/hu ky ngay nao", "ngày 02/4/2025"),
    ("hướng dẫn 2210/HD-BNV ký ngày nào", "ngày 15/3/2025"),
])
def test_a_cited_document_asked_when_signed_is_dated_by_its_own_date(
    imported: SearchIndex, question: str, said: str
) -> None:
    assert said in quoted(imported, question)


@pytest.mark.parametrize("question", [
    "hợp đồng ký ngày nào",
    "quyết định khen thưởng ký ngày nào",
])
def test_a_thing_the_plan_never_dates_stays_not_found(committed: SearchIndex,
                                                       question: str) -> None:
    assert committed.search(question) == []


@pytest.mark.parametrize(("question", "said"), [
    ("văn bản 1686-CV/HU ký ngày nào", "ngày 04/3/2024"),
    ("kế hoạch 138/KH-UBND ký ngày nào", "ngày 10/6/2024"),
])
def test_cited_documents_of_the_committed_plans(committed: SearchIndex, question: str,
                                                said: str) -> None:
    assert said in quoted(committed, question)


@pytest.mark.parametrize(("index_name", "question", "name"), [
    ("imported", "có phải phó chủ tịch ký kế hoạch nam xuyên không", "Lò Văn Sơn"),
    ("imported", "kế hoạch nam xuyên có phải do phó chủ tịch ký không", "Lò Văn Sơn"),
    ("committed", "có phải chủ tịch ký kế hoạch chi lăng không", "Vi Nông Trường"),
    ("committed", "co phai pho chu tich ky ke hoach tram tau khong", "Vũ Lê Chung Anh"),
])
def test_whether_an_office_holder_signed_the_plan_gets_the_signature(
    request: pytest.FixtureRequest, index_name: str, question: str, name: str
) -> None:
    index: SearchIndex = request.getfixturevalue(index_name)
    hits = index.search(question)
    assert hits and name in hits[0].text and hits[0].source == "chữ ký"


@pytest.mark.parametrize(("question", "said"), [
    ("sau phần chào cờ thì đến phần gì", "Văn nghệ chào mừng"),
    ("sau phan bao cao tong ket thi den phan nao", "Trao khen thưởng"),
    ("trước phần bế mạc là phần gì", "Trao khen thưởng"),
    ("trước phần tuyên bố lý do thì là phần nào vậy", "Văn nghệ chào mừng"),
])
def test_the_next_or_previous_item_of_a_programme(imported: SearchIndex, question: str,
                                                  said: str) -> None:
    assert said in quoted(imported, question)


@pytest.mark.parametrize(("question", "said"), [
    ("sau phần chào cờ thì đến phần gì", "Tuyên bố lý do"),
    ("trước phần tổng kết và bế mạc là phần gì", "Thông qua danh sách đại biểu"),
    ("trước phần tuyên bố lý do là phần gì ở chi lăng", "Chào cờ"),
])
def test_programme_adjacency_on_the_committed_plans(committed: SearchIndex, question: str,
                                                    said: str) -> None:
    assert said in quoted(committed, question)


def test_before_a_date_is_no_adjacency(committed: SearchIndex) -> None:
    # "trước ngày 25/10 phải làm gì" names no item: the ranking answers, not a neighbour.
    hits = committed.search("trạm tấu trước ngày 25/10/2024 phải gửi đăng ký gì")
    assert hits and "25/10/2024" in f"{hits[0].heading} {hits[0].text}"


@pytest.mark.parametrize("question", [
    "tiêu chí thi đua gồm những gì",
    "tieu chi thi dua nam xuyen la gi",
])
def test_items_set_apart_by_whom_carry_the_title_above_them(imported: SearchIndex,
                                                            question: str) -> None:
    # Not the "Yêu cầu" passage saying "đúng tiêu chuẩn" in its own words.
    hits = imported.search(question)
    said = " ".join((hits[0].text, *hits[0].section_texts)) if hits else ""
    assert "hoạt động hưởng ứng hội nghị" in said or "Có sáng kiến" in said


def test_the_flag_salute_is_no_greeting(committed: SearchIndex) -> None:
    assert "Chào cờ" in quoted(committed, "chào cờ có trong chương trình hội nghị chi lăng không")


# The mechanical bench: every kind of unit, deterministic questions.
def _units() -> list[Unit]:
    return [u for c in load_campaigns() if c.plan is not None for u in plan_units(c, "Chi Lăng")]


def test_the_bench_finds_every_kind_of_unit() -> None:
    kinds = {u.kind for u in _units()}
    assert {"title", "preamble", "heading", "programme line", "plain passage",
            "sentence", "office duty"} <= kinds


def test_the_bench_questions_are_made_from_the_units_words_and_seeded() -> None:
    units = [u for u in _units() if u.kind == "programme line"]
    stops = frozenset({"và", "các", "của"})
    first = [questions(u, stops, 12, {}) for u in units]
    assert first == [questions(u, stops, 12, {}) for u in units]
    adjacency = [q for qs in first for form, q in qs if form == "next"]
    assert "sau phần chào cờ thì đến phần gì" in adjacency
