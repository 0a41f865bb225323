"""Rule lookup, the right passage among the candidates (issue #12): a question typed with
other words than the plan's still finds the passage that answers it, on a plan imported with
no hand-written field and on the committed plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.errors import ContentError
from content.search import SearchIndex, load_synonyms
from content.search_corpus import with_paraphrases

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG HƯNG
Số: 12/KH-UBND
Đông Hưng, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
Phát động cuộc thi tìm hiểu pháp luật về phòng cháy, chữa cháy năm 2025

Thực hiện Kế hoạch số 30/KH-UBND ngày 10/02/2025 của Ủy ban nhân dân tỉnh về công tác \
tuyên truyền, phổ biến pháp luật;

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Nâng cao ý thức chấp hành pháp luật của cán bộ, đoàn viên và Nhân dân.

2. Yêu cầu

- Cuộc thi được tổ chức thiết thực, tiết kiệm, tránh hình thức.

II. NỘI DUNG

1. Hình thức thi

- Thi trắc nghiệm trên Internet, mỗi tuần một đợt.

2. Khen thưởng

- Bằng khen của Ban Chỉ đạo Phòng cháy Chữa cháy tỉnh cho 02 tập thể xuất sắc nhất.

- Giấy khen của Chủ tịch UBND huyện cho các cá nhân đạt giải.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Văn hóa và Thông tin: Đăng tải thể lệ cuộc thi trên Trang thông tin điện tử của huyện.

2. Công an huyện: Chủ trì chấm thi, tổng hợp kết quả trước ngày 30/6/2025.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lê Văn An
"""


IMPORTED = ("dong-hung.txt", "dong-hung-pccc")  # the `imported` fixture (conftest)


def _answer(index: SearchIndex, question: str) -> tuple[str, str]:
    hits = index.search(question)
    assert hits, f"not found: {question}"
    top = hits[0]
    text = "\n".join(top.section_texts) if top.section_texts else (top.sentence or top.text)
    return top.source, f"{top.heading} {text}"


def test_acronyms_of_the_plans_names_are_read_as_the_names(imported: SearchIndex) -> None:
    # "pccc", "bcđ": initials of a name the plan writes with capitals.
    source, text = _answer(imported, "bằng khen của bcđ pccc tỉnh trao cho mấy tập thể")
    assert source == "II.2"
    assert "02 tập thể" in text


def test_acronyms_on_the_committed_plans(committed: SearchIndex) -> None:
    # A district of a campaign ("hq": Hớn Quản) and a body ("ubtvqh").
    assert committed._expand_acronyms("ở hq thì sao") == "ở hớn quản thì sao"
    _, text = _answer(committed, "có bằng khen ubtvqh không ad")
    assert "Ủy ban Thường vụ Quốc hội" in text
    _, text = _answer(committed, "kh thi đua ở hq có yêu cầu tiết kiệm ko")
    assert "tiết kiệm" in text


@pytest.mark.parametrize("word", ["hop", "tp", "ko", "dvk", "thi", "ubnd"])
def test_words_people_type_are_never_read_as_acronyms(committed: SearchIndex, word: str) -> None:
    # A word of the plans, of the chat vocabulary, or a place marker's initials ("tp").
    assert committed._expand_acronyms(f"hỏi {word} nhé") == f"hỏi {word} nhé"


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        # "trên mạng", "online" for the plan's "trên Internet".
        ("cuộc thi có thi online không", "II.1", "trên Internet"),
        ("thi qua mạng à", "II.1", "trên Internet"),
        ("thi online kiểu gì", "II.1", "trên Internet"),
        # "kịp", "chậm nhất", "trễ hạn" for the plan's "trước ngày …".
        ("tháng 7 mới tổng hợp kết quả thi thì có kịp không", "III.2", "trước ngày 30/6/2025"),
        ("tổng hợp kết quả thi chậm nhất khi nào", "III.2", "trước ngày 30/6/2025"),
        # "người dân" for the plan's "Nhân dân".
        ("người dân có được thi không", "I.1", "Nhân dân"),
    ],
)
def test_the_fields_paraphrases_find_the_plans_words(
    imported: SearchIndex, question: str, source: str, expected: str
) -> None:
    found, text = _answer(imported, question)
    assert (found, expected in text) == (source, True)


@pytest.mark.parametrize(
    ("question", "plan_words"),
    [
        # The plans' own words holding a paraphrase are not it: "kịp thời" is no deadline,
        # "sửa đổi" (a law) no remedy.
        ("khen thưởng kịp thời", "~han"),
        ("sửa đổi, bổ sung luật", "~khacphuc"),
    ],
)
def test_the_plans_own_words_are_not_paraphrases(
    committed: SearchIndex, question: str, plan_words: str
) -> None:
    assert plan_words not in committed._analyse(question).core


def test_a_paraphrase_joins_a_group_of_the_synonyms(committed: SearchIndex) -> None:
    # "chậm nhất" asks for the deadline as "hạn chót" does: the same feature, a date asked.
    late = committed._analyse("nộp hồ sơ chậm nhất")
    deadline = committed._analyse("hạn chót nộp hồ sơ")
    assert "~han" in late.core and "~han" in deadline.core


def test_a_broken_paraphrase_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "lookup_paraphrase.yaml"
    broken.write_text("groups:\n  - name: internet\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        with_paraphrases(load_synonyms(), broken)
    assert "lookup_paraphrase.yaml" in str(caught.value)


@pytest.mark.parametrize("message", ["ad có online ko", "bà con ơi", "sửa giúp tôi"])
def test_chat_words_alone_are_no_rule_question(committed: SearchIndex, message: str) -> None:
    # A paraphrase is a phrase of the field ("thi online"), not a chat word on its own.
    assert committed.search(message) == []
