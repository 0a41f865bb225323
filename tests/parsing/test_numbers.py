"""Vietnamese numbers, money and shares typed in words or figures."""

from fractions import Fraction

import pytest

from handlers.common.parsing import (
    AmountError,
    AmountProblem,
    NumberError,
    parse_money,
    parse_number,
    parse_percent,
    parse_ratio,
    parse_vnd,
)


@pytest.mark.parametrize(("typed", "value"), [
    ("mười", 10), ("muoi", 10), ("ba mươi", 30), ("hai mươi lăm", 25), ("hai mươi mốt", 21),
    ("hai mươi tư", 24), ("mười lăm", 15), ("mười một", 11), ("một trăm", 100),
    ("một trăm linh năm", 105), ("một trăm lẻ năm", 105), ("một trăm hai mươi", 120),
    ("ba trăm hai", 320), ("năm chục", 50), ("5 nghìn", 5000), ("5k", 5000),
    ("hai nghìn không trăm lẻ một", 2001), ("một nghìn chín trăm chín mươi", 1990),
    ("25", 25), ("1,5", Fraction(3, 2)), ("khoảng 200", 200), ("tầm ba chục", 30),
    ("hai rưỡi", Fraction(5, 2)), ("một trăm rưỡi", 150), ("nửa", Fraction(1, 2)),
])
def test_numbers(typed: str, value: Fraction) -> None:
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["", "abc", "hai ba", "rưỡi", "khoảng", "1,2,3x", "²"])
def test_not_numbers(typed: str) -> None:
    with pytest.raises(NumberError):
        parse_number(typed)


@pytest.mark.parametrize(("typed", "amount"), [
    ("1 tỷ rưỡi", 1_500_000_000),
    ("khoảng 1 tỷ rưỡi", 1_500_000_000),
    ("một tỷ rưỡi", 1_500_000_000),
    ("1,5 tỷ", 1_500_000_000),
    ("khoảng 800 triệu", 800_000_000),
    ("800tr", 800_000_000),
    ("800 triệu đồng", 800_000_000),
    ("2 trăm triệu", 200_000_000),
    ("hai trăm triệu", 200_000_000),
    ("5 nghìn", 5_000),
    ("5k", 5_000),
    ("năm chục nghìn", 50_000),
    ("nửa tỷ", 500_000_000),
    ("một tỷ hai", 1_200_000_000),
    ("2 tỷ 3", 2_300_000_000),
    ("2 tỷ 300 triệu", 2_300_000_000),
    ("800.000.000", 800_000_000),
    ("ba triệu rưỡi", 3_500_000),
])
def test_money(typed: str, amount: int) -> None:
    assert parse_money(typed) == amount


def test_money_without_unit_is_ambiguous_with_readings() -> None:
    with pytest.raises(AmountError) as caught:
        parse_money("một trăm")
    assert caught.value.problem is AmountProblem.AMBIGUOUS
    assert caught.value.suggestions == (100_000_000, 100_000)
    with pytest.raises(AmountError) as caught:
        parse_money("800")
    assert caught.value.suggestions == (800_000_000, 800_000)


@pytest.mark.parametrize(("typed", "problem"), [
    ("", AmountProblem.NOT_A_NUMBER), ("khoảng", AmountProblem.NOT_A_NUMBER),
    ("abc", AmountProblem.NOT_A_NUMBER), ("-5 triệu", AmountProblem.NEGATIVE),
    ("0 đồng", AmountProblem.ZERO), ("1.500 triệu", AmountProblem.AMBIGUOUS),
    ("một triệu tỷ", AmountProblem.TOO_LARGE),
])
def test_refused_money(typed: str, problem: AmountProblem) -> None:
    with pytest.raises(AmountError) as caught:
        parse_money(typed)
    assert caught.value.problem is problem


def test_parse_vnd_still_reads_figures_only() -> None:
    assert parse_vnd("1,5 tỷ") == 1_500_000_000
    with pytest.raises(AmountError):
        parse_vnd("1 tỷ rưỡi")


@pytest.mark.parametrize(("typed", "share"), [
    ("một nửa", Fraction(1, 2)), ("được khoảng một nửa", Fraction(1, 2)),
    ("nửa", Fraction(1, 2)), ("50%", Fraction(1, 2)), ("50 %", Fraction(1, 2)),
    ("50 phần trăm", Fraction(1, 2)), ("3/4", Fraction(3, 4)),
    ("ba phần tư", Fraction(3, 4)), ("hai phần ba", Fraction(2, 3)),
    ("0,5", Fraction(1, 2)), ("40", Fraction(2, 5)), ("đạt 100%", Fraction(1)),
    ("0", Fraction(0)), ("1", Fraction(1, 100)), ("100", Fraction(1)),
])
def test_shares(typed: str, share: Fraction) -> None:
    assert parse_ratio(typed) == share


def test_percent_is_the_share_rounded() -> None:
    assert parse_percent("được khoảng một nửa") == 50
    assert parse_percent("3/4") == 75
    assert parse_percent("hai phần ba") == 67


@pytest.mark.parametrize("typed", ["150%", "5/4", "1/0", "abc", "một nửa rưỡi x"])
def test_refused_shares(typed: str) -> None:
    with pytest.raises(NumberError):
        parse_ratio(typed)
