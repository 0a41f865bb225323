"""Amounts of money, dates, counts and percentages as people type them."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.works.parsing import (
    AmountError,
    AmountProblem,
    DateError,
    DateProblem,
    Precision,
    format_vnd,
    format_vnd_short,
    month_end,
    parse_count,
    parse_typed_date,
    parse_vnd,
    quarter_end,
)


@pytest.mark.parametrize(("text", "amount"), [
    ("1,5 tỷ", 1_500_000_000),
    ("1.5 tỷ", 1_500_000_000),
    ("1,5 tỉ", 1_500_000_000),
    ("800 triệu", 800_000_000),
    ("800 trieu", 800_000_000),
    ("800tr", 800_000_000),
    ("800.000.000", 800_000_000),
    ("800,000,000", 800_000_000),
    ("800.000.000 đồng", 800_000_000),
    ("800.000.000đ", 800_000_000),
    ("1.500.000.000 VNĐ", 1_500_000_000),
    ("2 tỷ 300 triệu", 2_300_000_000),
    ("2 tỷ 3", 2_300_000_000),
    ("1tr5", 1_500_000),
    ("500 nghìn", 500_000),
    ("500 ngàn", 500_000),
    ("500k", 500_000),
    ("12,5 nghìn", 12_500),
    ("150000000", 150_000_000),
    ("  3   TỶ  ", 3_000_000_000),
])
def test_amounts_people_type_are_read(text: str, amount: int) -> None:
    assert parse_vnd(text) == amount


@pytest.mark.parametrize(("text", "problem", "readings"), [
    ("800", AmountProblem.AMBIGUOUS, (800_000_000, 800_000)),
    ("5", AmountProblem.AMBIGUOUS, (5_000_000_000, 5_000_000)),
    ("1,5", AmountProblem.AMBIGUOUS, (1_500_000_000, 1_500_000)),
    ("1.500 triệu", AmountProblem.AMBIGUOUS, (1_500_000_000, 1_500_000)),
    ("5 triệu 2 tỷ", AmountProblem.AMBIGUOUS, ()),
    ("1.500.000,50", AmountProblem.AMBIGUOUS, ()),
    ("-5 triệu", AmountProblem.NEGATIVE, ()),
    ("âm 5 triệu", AmountProblem.NEGATIVE, ()),
    ("0", AmountProblem.ZERO, ()),
    ("0 đồng", AmountProblem.ZERO, ()),
    ("khoảng vài trăm", AmountProblem.NOT_A_NUMBER, ()),
    ("800 kg", AmountProblem.NOT_A_NUMBER, ()),
    ("1,2,3", AmountProblem.NOT_A_NUMBER, ()),
    ("", AmountProblem.NOT_A_NUMBER, ()),
    ("0,0005 nghìn", AmountProblem.FRACTION, ()),
    ("200.000 tỷ", AmountProblem.AMBIGUOUS, (200_000 * 10**9, 200 * 10**9)),
    ("200000 tỷ", AmountProblem.TOO_LARGE, ()),
])
def test_unclear_or_impossible_amounts_are_refused(text: str, problem: AmountProblem,
                                                   readings: tuple[int, ...]) -> None:
    with pytest.raises(AmountError) as error:
        parse_vnd(text)
    assert error.value.problem is problem
    assert error.value.suggestions == readings


def test_amounts_are_shown_in_full_and_spoken_forms() -> None:
    assert format_vnd(1_500_000_000) == "1.500.000.000 đồng"
    assert format_vnd(800_000) == "800.000 đồng"
    assert format_vnd_short(1_500_000_000) == "1,5 tỷ"
    assert format_vnd_short(2_350_000_000) == "2,35 tỷ"
    assert format_vnd_short(800_000_000) == "800 triệu"
    assert format_vnd_short(1_000_000_000_000) == "1.000 tỷ"


@pytest.mark.parametrize(("text", "day", "precision"), [
    ("25/10/2024", date(2024, 10, 25), Precision.DAY),
    ("25-10-2024", date(2024, 10, 25), Precision.DAY),
    ("25.10.2024", date(2024, 10, 25), Precision.DAY),
    ("2024-10-25", date(2024, 10, 25), Precision.DAY),
    ("25/10/24", date(2024, 10, 25), Precision.DAY),
    ("ngày 25/10/2024", date(2024, 10, 25), Precision.DAY),
    ("ngày 25 tháng 10 năm 2024", date(2024, 10, 25), Precision.DAY),
    ("10/2025", date(2025, 10, 31), Precision.MONTH),
    ("tháng 2/2024", date(2024, 2, 29), Precision.MONTH),
    ("hết tháng 6 năm 2025", date(2025, 6, 30), Precision.MONTH),
    ("quý 2/2025", date(2025, 6, 30), Precision.QUARTER),
    ("quý II/2025", date(2025, 6, 30), Precision.QUARTER),
    ("Quý I năm 2025", date(2025, 3, 31), Precision.QUARTER),
    ("q4/2025", date(2025, 12, 31), Precision.QUARTER),
    ("năm 2025", date(2025, 12, 31), Precision.YEAR),
    # natural forms, read by the shared date parser (today is 10/1/2025, a Friday)
    ("ngày 20 tháng 4", date(2025, 4, 20), Precision.DAY),
    ("20/4", date(2025, 4, 20), Precision.DAY),
    ("tuần sau", date(2025, 1, 17), Precision.DAY),
    ("tuần trước", date(2025, 1, 3), Precision.DAY),
    ("cuối tháng 10", date(2025, 10, 31), Precision.MONTH),
    ("trước 30/6/2025", date(2025, 6, 30), Precision.DAY),
])
def test_dates_months_and_quarters_are_read(text: str, day: date, precision: Precision) -> None:
    typed = parse_typed_date(text, TODAY)
    assert (typed.day, typed.precision) == (day, precision)


TODAY = date(2025, 1, 10)


@pytest.mark.parametrize(("text", "problem"), [
    ("31/2/2025", DateProblem.NO_SUCH_DAY),
    ("13/2025", DateProblem.NO_SUCH_DAY),
    ("31/4", DateProblem.NO_SUCH_DAY),
    ("sắp tới", DateProblem.NOT_A_DATE),
    ("quý 5/2025", DateProblem.NOT_A_DATE),
    ("1,5 tỷ", DateProblem.NOT_A_DATE),
])
def test_wrong_dates_are_refused(text: str, problem: DateProblem) -> None:
    with pytest.raises(DateError) as error:
        parse_typed_date(text, TODAY)
    assert error.value.problem is problem


def test_end_of_quarter_one_2025_is_31_march() -> None:
    assert quarter_end(2025, 1) == date(2025, 3, 31)
    assert quarter_end(2024, 4) == date(2024, 12, 31)
    assert month_end(2025, 2) == date(2025, 2, 28)
    with pytest.raises(ValueError):
        quarter_end(2025, 5)


def test_counts_of_people() -> None:
    assert parse_count("200") == 200
    assert parse_count("khoảng 200 người") == 200
    assert parse_count("1.200 đại biểu") == 1200
    assert parse_count("khoảng hai trăm") == 200
    assert parse_count("một trăm năm mươi đại biểu") == 150
    for bad in ("nhiều", "-5", "2,5"):
        with pytest.raises(ValueError):
            parse_count(bad)
