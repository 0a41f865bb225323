"""Questions typed in teen code and initials (issue #12): the initials of a plan's own multiword
terms are read from its text ("pt" phong trào, "đb" đặc biệt / đại biểu, "ctrình" công trình /
chương trình), for any imported plan, and an initial of several terms is read by the other
words of the question."""

from __future__ import annotations

from collections import Counter

import pytest

from content import search_initials as initials
from content.search import SearchIndex
from content.text import fold_words
from tests.harness import Chat


def _folded(token: str) -> str:
    return "".join(fold_words(token))


def test_a_term_written_often_gives_its_initials_with_and_without_its_last_word() -> None:
    texts = [f"{w} chất lượng {v} hoạt động {i}." for i, (w, v) in enumerate(
        zip(("Nâng cao", "Bảo đảm", "Đánh giá", "Về", "Giữ", "Tăng"),
            ("và", "của", "trong", "cho", "các", "với"), strict=True))]
    counts, written = initials.term_counts(texts, frozenset({"và", "của", "trong", "cho",
                                                             "các", "với"}), _folded)
    table = initials.build_table(counts, written, frozenset())
    assert [r.name for r in table["cl"]] == ["chất lượng"]
    assert [r.name for r in table["cluong"]] == ["chất lượng"]
    assert [r.name for r in table["hdong"]] == ["hoạt động"]


def test_a_pair_always_written_inside_a_longer_name_is_no_term() -> None:
    texts = [f"Hội đồng thi đua huyện họp lần {i}." for i in range(6)]
    counts, written = initials.term_counts(texts, frozenset(), _folded)
    table = initials.build_table(counts, written, frozenset())
    assert "dt" not in table  # "đồng thi" is only part of "hội đồng thi đua"
    assert [r.name for r in table["hdtd"]] == ["hội đồng thi đua"]


def test_initials_the_plans_or_the_chat_vocabulary_use_as_words_are_left_alone() -> None:
    texts = [f"Hồ sơ khen thưởng số {i}." for i in range(6)]
    counts, written = initials.term_counts(texts, frozenset(), _folded)
    assert "hs" not in initials.build_table(counts, written, frozenset({"hs"}))


def test_an_initial_of_two_terms_is_read_by_the_other_words() -> None:
    readings = [
        initials.Reading("đại biểu", 30, 10, Counter({"hoi": 9, "nghi": 9})),
        initials.Reading("đặc biệt", 20, 10, Counter({"phong": 9, "trao": 9})),
    ]
    weight = {"hoi": 1.0, "nghi": 1.0, "phong": 1.0, "trao": 1.0}
    share = dict.fromkeys(weight, 0.2)
    assert initials.choose(readings, ["hoi", "nghi"], weight, share) == "đại biểu"
    assert initials.choose(readings, ["phong", "trao"], weight, share) == "đặc biệt"
    assert initials.choose(readings, [], weight, share) == "đại biểu"  # the most written
    # The pair the reading makes with the next word, as the plans write it, comes first.
    pairs = {"đại biểu": 0, "đặc biệt": 3}
    assert initials.choose(readings, ["hoi", "nghi"], weight, share, pairs=pairs) == "đặc biệt"
    # Pairs of a reading no longer offered (after "ở", only a place is) decide nothing.
    assert initials.choose(readings[:1], [], weight, share, pairs=pairs) == "đại biểu"
    assert initials.choose(readings, ["hoi"], weight, share, pairs={"đảng bộ": 5}) == "đại biểu"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("pt thi đua đb ở trạm tấu", "thi đua đặc biệt"),
        ("đb hđnd huyện phải làm gì", "đại biểu hđnd"),
        ("ctrình hn đhtt cấp xã gồm những gì", "chương trình hn"),
        ("xã mik phải đk mấy ctrình vậy ad", "mấy công trình"),
        ("tuy phước nâng cao cl công tác khen thưởng", "nâng cao chất lượng"),
        ("hội nghị ở cl họp khi nào", "ở chi lăng"),
        ("hn đhtt ở cl thì cấp xã xong trc bh", "ở chi lăng"),
        ("hq có ctrình gì ko", "hớn quản có công trình"),  # "ko" says nothing of the topic
        ("nguồn kp thực hiện kế hoạch", "nguồn kinh phí"),
        ("thôn tdp đạt mấy năm văn hóa", "tổ dân phố"),
        ("ứng dụng cntt", "công nghệ thông tin"),
        ("đhtđyn tỉnh lạng sơn", "đại hội thi đua yêu nước"),
    ],
)
def test_initials_of_the_committed_plans_are_written_out(
    committed: SearchIndex, typed: str, meant: str
) -> None:
    assert meant in committed._expand_acronyms(typed).lower()


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("pt thi đua đb ở trạm tấu kéo dài tới khi nào", "12/2025"),
        ("dvk thì cá nhân cần vận động thêm mấy tk", "02 tài khoản"),
        ("nguồn kp thực hiện kh trạm tấu lấy từ đâu", "ngân sách nhà nước"),
        ("thôn tdp mún đc khen cần mấy năm đạt thôn văn hóa", "05 năm"),
        ("tuy phước ứng dụng cntt trong tđkt ntn", "công nghệ thông tin"),
        # typed without diacritics: the name is written out without them too
        ("hdtdkt huyen hq thuong truc la phong nao", "Phòng Nội vụ"),
        ("hn dhtt huyen cl to chuc trong thang may", "tháng 4 năm 2025"),
    ],
)
def test_questions_in_teen_code_and_initials_are_answered(
    committed: SearchIndex, question: str, fragment: str
) -> None:
    hits = committed.search(question)
    assert hits and fragment in f"{hits[0].heading} {hits[0].sentence or hits[0].text}"


PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG SƠN
Số: 15/KH-UBND
Đông Sơn, ngày 10 tháng 3 năm 2025

KẾ HOẠCH
Phát động phong trào thi đua chuyển đổi số năm 2025

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Đẩy mạnh chuyển đổi số trong cơ quan nhà nước, nâng cao chất lượng phục vụ người dân.

2. Yêu cầu

- Chuyển đổi số phải gắn với cải cách hành chính, bảo đảm chất lượng, hiệu quả.

II. NỘI DUNG

1. Nội dung thi đua

- Mỗi xã xây dựng ít nhất 03 tổ công nghệ số cộng đồng để hướng dẫn người dân chuyển đổi số.

- Nâng cao chất lượng dịch vụ công trực tuyến; cải cách hành chính gắn với chuyển đổi số.

- Tổ công nghệ số cộng đồng báo cáo kết quả hằng quý về Phòng Văn hóa và Thông tin.

2. Thời gian: từ tháng 3/2025 đến hết tháng 11/2025.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: tham mưu khen thưởng, đánh giá chất lượng cải cách hành chính các xã.

2. Phòng Văn hóa và Thông tin: hướng dẫn tổ công nghệ số cộng đồng, theo dõi chuyển đổi số.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lê Văn Hùng
"""


IMPORTED = ("dong-son-cds.txt", "dong-son-cds")  # the `imported` fixture (conftest)


def test_the_initials_of_an_imported_plan_come_from_its_own_text(
    imported: SearchIndex,
) -> None:
    assert "chuyển đổi số" in imported._expand_acronyms("cđs là gì").lower()
    assert "cải cách hành chính" in imported._expand_acronyms("cchc xã").lower()
    assert "tổ công nghệ số" in imported._expand_acronyms("tcns ở xã").lower()


def test_a_question_in_initials_on_an_imported_plan_is_answered(imported: SearchIndex) -> None:
    hits = imported.search("mỗi xã xd mấy tcns cộng đồng z ad")
    assert hits and "03 tổ công nghệ số" in (hits[0].sentence or hits[0].text)
    hits = imported.search("thi đua cđs kéo dài tới bh")
    assert hits and "11/2025" in (hits[0].sentence or hits[0].text)


def test_initials_do_not_answer_what_the_plan_does_not_say(imported: SearchIndex) -> None:
    assert imported.search("thi đua cđs thưởng bn tiền") == []


def test_a_salary_asked_in_initials_is_not_found(committed: SearchIndex) -> None:
    # "đb" is written out, the plans state no salary.
    assert committed.search("đb hđnd huyện hq lương bn 1 tháng") == []
    assert committed.search("số lượng bao nhiêu đại biểu")  # "lượng" is no salary


async def test_a_question_in_teen_code_is_answered_in_chat(chat: Chat) -> None:
    await chat.send("pt thi đua đb ở trạm tấu kéo dài tới khi nào v ad")
    answer = await chat.reply()
    assert "12/2025" in answer and "(Mục II.4.b)" in answer
