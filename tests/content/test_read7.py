"""Reading the question as typed (issue #12), kinds read from the training sets' misses (own
examples, from other parts of the plans):

- chat shorthand for awards and everyday words ("bk", "gk", "số lg", "trong cv", "khôg",
  "hn mik …" = hôm nay, "nd j" = nội dung gì) is written out;
- a question asking two things whose second is typed in shorthand ("…, số lg ntn") is split;
- a run of words the plans nearly always write inside a longer one, cutting a pair off
  ("thủ tướng chính" of "Thủ tướng Chính phủ"), gives no initials ("ttc" is "tổng tuyển cử");
- a word no Vietnamese syllable is spelled so ("điẻm", "ngiêp", "khôg", "truoc" among marked
  words) is a typo, never another word the plans do not write;
- a syllable-shaped word the plans never write, with a letter left out of its rhyme, is read
  by the pair it makes ("thờ gian" = thời gian); a letter left out with the typed marks kept
  ("khen thưng", "nân dân", "đểm") is a typo, not a word the plans do not write;
- typed without marks, a syllable one onset letter from a word of the plans ("ngam", "nam")
  is a word of its own, not a typo: a question off the plans stays "not found".
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from content import search_initials as initials
from content.query import normalise_words, sub_questions
from content.search import SearchIndex
from content.search_base import well_spelled
from content.text import fold_words


def _folded(token: str) -> str:
    return "".join(fold_words(token))


@pytest.mark.parametrize(("typed", "meant"), [
    ("thi dvk xong có đc bk hay gk", "bang khen hay giay khen"),
    ("hội nghị cấp huyện số lg đại biểu ntn", "so luong dai bieu"),
    ("có sáng kiến trong cv thì có được khen không", "trong cong viec"),
    ("hồ sơ khen nộp ở đâu khôg", "o dau khong"),
    ("cuộc thi tìm hiểu nd j", "tim hieu noi dung gi"),
])
def test_chat_shorthand_is_written_out(typed: str, meant: str) -> None:
    assert meant in " ".join(normalise_words(typed))


def test_hn_before_the_asker_is_hom_nay_elsewhere_hoi_nghi() -> None:
    assert "hom nay minh doc" in " ".join(normalise_words("hn mik đọc kế hoạch thấy có hội nghị"))
    assert "hoi nghi cap xa" in " ".join(normalise_words("hn cấp xã tổ chức mấy ngày"))


def test_a_second_question_typed_in_shorthand_is_split_off() -> None:
    assert sub_questions("kế hoạch có bằng khen của tỉnh không, số lg ntn") == [
        "kế hoạch có bằng khen của tỉnh không", "số lg ntn"]


def test_a_run_cutting_a_pair_off_gives_no_initials() -> None:
    texts = [f"Bằng khen của Thủ tướng Chính phủ đợt {i}." for i in range(6)]
    texts += [f"Nghị định của Chính phủ năm {i}." for i in range(6)]
    texts += [f"Kỷ niệm Tổng tuyển cử đầu tiên lần {i}." for i in range(3)]
    texts += [f"Hưởng ứng Tổng tuyển cử năm {i}." for i in range(6)]
    counts, written = initials.term_counts(texts, frozenset({"của"}), _folded)
    table = initials.build_table(counts, written, frozenset())
    assert [r.name for r in table["ttc"]] == ["tổng tuyển cử"]
    assert [r.name for r in table["ttcp"]] == ["thủ tướng chính phủ"]


def test_initials_of_a_committed_term_are_not_a_piece_of_a_name(
        committed: SearchIndex) -> None:
    expanded = committed._expand_acronyms("đợt ttc có bk của thủ tướng không")
    assert expanded.startswith("đợt tổng tuyển cử")


@pytest.mark.parametrize("token", ["điẻm", "ngiêp", "khôg", "truoc", "nguoi", "yeu"])
def test_a_word_no_syllable_is_spelled_so_is_not_well_spelled(token: str) -> None:
    assert not well_spelled(token)


@pytest.mark.parametrize("token", ["điểm", "nghiệp", "không", "trước", "người", "thuở",
                                   "ngâm", "gieo", "thi", "thang", "quốc", "khuya", "gì"])
def test_a_word_spelled_as_a_syllable_is_well_spelled(token: str) -> None:
    assert well_spelled(token)


@pytest.mark.parametrize(("right", "typed"), [
    ("hội thi trắc nghiệm dân vận khéo được tính điểm như thế nào",
     "hội thi trắc nghiệm dân vận khéo được tính điẻm như thế nào"),
    ("doanh nghiệp tiêu biểu phải đạt những tiêu chí gì",
     "doanh ngiêp tiêu biểu phải đạt những tiêu chí gì"),
    ("thời gian tổ chức hội nghị cấp huyện là khi nào",
     "thờ gian tổ chức hội nghị cấp huyện là khi nào"),
    ("thời gian phát động phong trào dân vận khéo",
     "thờ gian phát động phong trào dân vận khéo"),
    # A letter left out, the typed marks kept ("thưng" keeps the "ư" of "thưởng", "nân" the
    # "â" of "nhân"): not a word the plans do not write.
    ("hội đồng nhân dân huyện hớn quản tham mưu những nội dung gì",
     "hội đồng nân dân huyện hớn quản tham mưu những nội dung gì"),
    ("đối tượng khen thưởng phong trào chống dịch covid là ai",
     "đối tượng khen thưng phong trào chống dịch covid là ai"),
    ("kinh phí thực hiện phong trào tổng tuyển cử lấy từ đâu",
     "kinh phí thực hin phong trào tổng tuyển cử lấy từ đâu"),
    ("xã nhân lý được chọn chỉ đạo điểm để làm gì",
     "xã nhân lý được chọn chỉ đạo đểm để làm gì"),
])
def test_a_misspelled_word_finds_the_passage_of_the_word_meant(
        committed: SearchIndex, right: str, typed: str) -> None:
    meant, got = committed.search(right), committed.search(typed)
    assert meant and got
    assert got[0].ref == meant[0].ref


@pytest.mark.parametrize("question", [
    "Lua ngam u bao lau thi gieo duoc",
    "Dua muoi ngam may ngay thi an duoc",
])
def test_an_unmarked_word_off_the_plans_is_no_typo_of_a_plan_word(
        committed: SearchIndex, question: str) -> None:
    # "ngam" read as "nam" was answered with a conference's duration ("Thời gian: 1/2 ngày").
    assert committed.search(question) == []
    # …while a letter left out of an onset is still a typo ("pong" is "phong").
    meant = committed.search("khen thuong tong ket phong trao dac biet lam theo huong dan nao")
    got = committed.search("khen thuong tong ket pong trao dac biet lam theo huong dan nao")
    assert meant and got and got[0].ref == meant[0].ref


def test_an_imported_plan_reads_a_misspelled_word(
        import_plan: Callable[[str, str, str], SearchIndex]) -> None:
    plan = (
        "KẾ HOẠCH\nTổ chức Hội thi Nông dân giỏi năm 2025\n"
        "I. MỤC ĐÍCH\n1. Mục đích\nTôn vinh nông dân sản xuất giỏi trên địa bàn huyện.\n"
        "II. NỘI DUNG\n1. Thời gian tổ chức\nThời gian tổ chức Hội thi: tháng 9 năm 2025.\n"
        "2. Địa điểm\nHội thi tổ chức tại Nhà văn hóa huyện.\n"
        "3. Giải thưởng\nTrao giải thưởng cho 05 hộ nông dân có điểm thi cao nhất.\n"
    )
    index = import_plan(plan, "hoi-thi-nong-dan.txt", "hoi-thi-nong-dan")
    meant = index.search("hội thi nông dân giỏi tổ chức vào thời gian nào")
    got = index.search("hội thi nông dân giỏi tổ chức vào thờ gian nào")
    assert meant and got and got[0].ref == meant[0].ref
