"""Relationship words and birth years as people type them."""

from datetime import date

import pytest

from handlers.common.parsing import (
    BirthYearError,
    BirthYearProblem,
    parse_birth_year,
    parse_relation,
)
from handlers.referrals.common import RELATIONS


@pytest.mark.parametrize(("typed", "code"), [
    ("anh trai", "nguoi_than"), ("em gái", "nguoi_than"), ("em gai", "nguoi_than"),
    ("mẹ", "nguoi_than"), ("bố", "nguoi_than"), ("ông nội", "nguoi_than"),
    ("cô", "nguoi_than"), ("chú", "nguoi_than"), ("Người thân", "nguoi_than"),
    ("anh trai tôi", "nguoi_than"), ("em gái của mình", "nguoi_than"),
    ("bạn", "ban_be"), ("bạn học", "ban_be"), ("bạn học cũ", "ban_be"), ("Bạn bè", "ban_be"),
    ("đồng nghiệp", "dong_nghiep"), ("dong nghiep", "dong_nghiep"),
    ("hàng xóm", "khac"), ("người quen", "khac"), ("Khác", "khac"),
])
def test_relations(typed: str, code: str) -> None:
    assert parse_relation(typed) == code


def test_every_relation_word_names_a_code_of_the_referral_form() -> None:
    from content.natural import natural
    assert set(natural().relations.values()) == set(RELATIONS)


@pytest.mark.parametrize("typed", ["", "xyz", "12", "anhtrai"])
def test_not_relations(typed: str) -> None:
    assert parse_relation(typed) is None


@pytest.mark.parametrize("typed", [
    "có lẽ", "Có lẽ.", "co le", "có lẽ là anh trai", "chắc là", "chắc vậy", "chắc là bạn",
    "không biết", "khong biet", "không rõ", "chưa biết", "hình như", "hình như là cô",
    "để xem", "để xem đã", "không chắc", "có thể là bạn",
])
def test_unsure_answers_are_never_a_relationship(typed: str) -> None:
    # "có lẽ" folds to "co le", which starts like "cô" (a relative): it must not save as one.
    assert parse_relation(typed) is None


def test_no_relation_word_starts_like_an_unsure_answer() -> None:
    from content.natural import natural
    vocab = natural()
    for word in vocab.relations:
        assert not any(word == o or word.startswith(o + " ") for o in vocab.unsure), word


TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("typed", "year"), [
    ("2001", 2001), ("sinh năm 2001", 2001), ("năm 2001", 2001), ("sn 2001", 2001),
    ("SN2001", 2001), ("năm sinh: 1975", 1975), ("01", 2001), ("85", 1985),
    ("20 tuổi", 2006), ("năm nay 60 tuổi", 1966), ("20/4/1990", 1990),
    ("hai nghìn lẻ một", 2001),
])
def test_birth_years(typed: str, year: int) -> None:
    assert parse_birth_year(typed, TODAY, min_age=16) == year


@pytest.mark.parametrize(("typed", "problem", "year"), [
    ("2030", BirthYearProblem.FUTURE, 2030),
    ("1850", BirthYearProblem.TOO_OLD, 1850),
    ("15", BirthYearProblem.TOO_YOUNG, 2015),
    ("10 tuổi", BirthYearProblem.TOO_YOUNG, 2016),
    ("abc", BirthYearProblem.NOT_A_YEAR, None),
    ("", BirthYearProblem.NOT_A_YEAR, None),
    ("200", BirthYearProblem.NOT_A_YEAR, None),
])
def test_refused_birth_years(typed: str, problem: BirthYearProblem, year: int | None) -> None:
    with pytest.raises(BirthYearError) as caught:
        parse_birth_year(typed, TODAY, min_age=16)
    assert caught.value.problem is problem
    assert caught.value.year == year
