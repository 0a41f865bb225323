"""The shared yes/no vocabulary and name rule: one meaning in every flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.errors import ContentError
from content.vocab import load_vocab
from handlers.common.steps import clean_name, yes_no

YES = ["đúng", "Đúng", "ừ", "có", "Có", "ok", "OK", "vâng", "Vâng", "dạ", "đồng ý", "Đồng Ý",
       "dong y", "  đồng   ý ", "chắc chắn", "yes"]
NO = ["không", "Không", "ko", "k", "hông", "chưa", "không đồng ý", "thôi", "no", "khg"]


@pytest.mark.parametrize("text", YES)
def test_yes_words_mean_yes(text: str) -> None:
    assert yes_no(text) == "yes"
    assert yes_no(text, "privacy") == "yes"


@pytest.mark.parametrize("text", NO)
def test_no_words_mean_no(text: str) -> None:
    assert yes_no(text) == "no"
    assert yes_no(text, "privacy") == "no"


@pytest.mark.parametrize("text", ["", "có lẽ", "maybe", "1", "đúng không", "xin chào"])
def test_anything_else_is_neither(text: str) -> None:
    assert yes_no(text) is None


def test_action_words_only_answer_their_own_confirmation() -> None:
    assert yes_no("Xoá tài khoản", "privacy") == "yes"
    assert yes_no("xóa", "privacy") == "yes"
    assert yes_no("giữ nguyên", "privacy") == "no"
    assert yes_no("không xoá", "privacy") == "no"
    assert yes_no("xoá") is None  # "xoá" does not answer "Bạn đồng ý lưu hồ sơ?"
    assert yes_no("giữ nguyên") is None
    assert yes_no("xoá", "no-such-set") is None


def test_a_word_cannot_mean_both(tmp_path: Path) -> None:
    path = tmp_path / "vocab.yaml"
    path.write_text("yes_words: [có, Không]\nno_words: [không]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="khong"):
        load_vocab(path)
    path.write_text("yes_words: [có]\nno_words: [không]\nconfirm:\n  x:\n    yes_words: [không]\n"
                    "    no_words: [giữ]\n",
                    encoding="utf-8")
    with pytest.raises(ContentError, match=r"confirm\.x"):
        load_vocab(path)


def test_a_vocabulary_needs_words(tmp_path: Path) -> None:
    path = tmp_path / "vocab.yaml"
    path.write_text("yes_words: []\nno_words: [không]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="yes_words"):
        load_vocab(path)
    path.write_text("yes_words: [có]\nno_words: [không]\nmaybe: [x]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="maybe"):
        load_vocab(path)


@pytest.mark.parametrize("text, expected", [
    ("nguyễn   thị lan", "nguyễn thị lan"),
    ("H'Hen Niê", "H'Hen Niê"),
    ("Trần Thị-Mai", "Trần Thị-Mai"),
    ("Lê Văn T.", "Lê Văn T."),
    ("Chào Văn Minh", "Chào Văn Minh"),  # a family name that is also a greeting word
    ("Nguyễn Văn Mai", "Nguyễn Văn Mai"),  # "mai" alone is tomorrow, not in a full name
    ("Trần Văn Năm", "Trần Văn Năm"),
])
def test_names_are_tidied(text: str, expected: str) -> None:
    assert clean_name(text) == expected


@pytest.mark.parametrize("text", ["A", "Lan 2", "Lan_", "x" * 101, "<b>Lan</b>", ". Lan",
                                  "Lan..Mai", "@lan", "cảm ơn", "cam on nhe", "xin chào",
                                  "hướng dẫn", "Vâng ạ", "hôm qua", "tuần trước", "sáng nay",
                                  "thứ hai", "20 tháng 4"])
def test_non_names_are_refused(text: str) -> None:
    assert clean_name(text) is None
