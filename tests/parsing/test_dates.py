"""Dates typed in forms as people say them, read against a fixed today."""

from datetime import date

import pytest

from handlers.common.parsing import DateError, DateProblem, Direction, Precision, parse_date

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(("typed", "day"), [
    ("20/4", date(2026, 4, 20)),
    ("20/04/2024", date(2024, 4, 20)),
    ("20-4-2024", date(2024, 4, 20)),
    ("20.4.2024", date(2024, 4, 20)),
    ("20/4/24", date(2024, 4, 20)),
    ("2024-04-20", date(2024, 4, 20)),
    ("ngày 20 tháng 4", date(2026, 4, 20)),
    ("ngay 20 thang 4", date(2026, 4, 20)),
    ("20 tháng 4 năm 2024", date(2024, 4, 20)),
    ("Ngày 20 tháng 4, năm 2024", date(2024, 4, 20)),
    ("hôm nay", TODAY),
    ("Hôm qua", date(2026, 11, 24)),
    ("hom qua", date(2026, 11, 24)),
    ("hôm kia", date(2026, 11, 23)),
    ("mai", date(2026, 11, 26)),
    ("ngày mai", date(2026, 11, 26)),
    ("ngày kia", date(2026, 11, 27)),
    ("thứ 2 tuần trước", date(2026, 11, 16)),
    ("thứ hai tuần trước", date(2026, 11, 16)),
    ("thu 2 tuan truoc", date(2026, 11, 16)),
    ("chủ nhật tuần trước", date(2026, 11, 22)),
    ("thứ 6 tuần sau", date(2026, 12, 4)),
    ("thứ 2", date(2026, 11, 23)),
])
def test_days(typed: str, day: date) -> None:
    said = parse_date(typed, TODAY)
    assert said.day == day
    assert said.precision is Precision.DAY


def test_a_weekday_alone_is_the_nearest_on_the_allowed_side() -> None:
    assert parse_date("thứ 6", TODAY).day == date(2026, 11, 27)
    assert parse_date("thứ 6", TODAY, Direction.PAST).day == date(2026, 11, 20)
    assert parse_date("hôm thứ 2", TODAY, Direction.PAST).day == date(2026, 11, 23)
    assert parse_date("thứ 2", TODAY, Direction.FUTURE).day == date(2026, 11, 30)


def test_a_part_of_the_day_before_the_day_is_ignored() -> None:
    assert parse_date("sáng hôm qua", TODAY).day == date(2026, 11, 24)
    assert parse_date("tối qua", TODAY).day == date(2026, 11, 24)
    assert parse_date("chiều nay", TODAY).day == TODAY


def test_last_week_is_seven_days_ago_with_week_precision() -> None:
    said = parse_date("tuần trước", TODAY, Direction.PAST)
    assert said.day == date(2026, 11, 18)
    assert said.precision is Precision.WEEK
    assert parse_date("tuan truoc", TODAY).day == date(2026, 11, 18)
    assert parse_date("tuần này", TODAY).day == TODAY


def test_parts_of_a_month() -> None:
    early = parse_date("đầu tháng 3", TODAY)
    assert (early.day, early.precision) == (date(2026, 3, 1), Precision.PART_OF_MONTH)
    assert parse_date("giữa tháng 3", TODAY).day == date(2026, 3, 11)
    assert parse_date("cuoi thang 2", TODAY).day == date(2026, 2, 21)
    assert parse_date("cuối tháng trước", TODAY).day == date(2026, 10, 21)
    # "cuối tháng" for something that happened: the late part of this month has begun → today.
    assert parse_date("cuối tháng", TODAY, Direction.PAST).day == TODAY
    assert parse_date("cuối tháng", TODAY).day == date(2026, 11, 21)


def test_months() -> None:
    said = parse_date("tháng trước", TODAY)
    assert (said.day, said.precision) == (date(2026, 10, 1), Precision.MONTH)
    assert parse_date("tháng 3/2024", TODAY).day == date(2024, 3, 1)
    assert parse_date("tháng 3 năm 2024", TODAY).day == date(2024, 3, 1)
    assert parse_date("3/2024", TODAY).day == date(2024, 3, 1)
    assert parse_date("tháng này", TODAY, Direction.PAST).day == TODAY


def test_a_day_without_year_takes_the_side_the_question_allows() -> None:
    assert parse_date("20/12", TODAY).day == date(2026, 12, 20)
    assert parse_date("20/12", TODAY, Direction.PAST).day == date(2025, 12, 20)
    assert parse_date("20/4", TODAY, Direction.FUTURE).day == date(2027, 4, 20)
    assert parse_date("tháng 12", TODAY, Direction.PAST).day == date(2025, 12, 1)
    assert parse_date("29/2", TODAY, Direction.PAST).day == date(2024, 2, 29)


@pytest.mark.parametrize("typed", ["31/4", "31/4/2024", "30/2", "29/2/2025", "ngày 32 tháng 1",
                                   "tháng 13/2024", "0/5/2024"])
def test_impossible_days(typed: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(typed, TODAY)
    assert caught.value.problem is DateProblem.NO_SUCH_DAY


@pytest.mark.parametrize("typed", ["", "abc", "hôm", "20", "thứ 8", "tuần trước nữa nữa",
                                   "20/4/20244", "²/4", "1/2/3/4"])
def test_not_dates(typed: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(typed, TODAY)
    assert caught.value.problem in (DateProblem.NOT_A_DATE, DateProblem.NO_SUCH_DAY)


def test_wrong_side_of_today_is_a_typed_error_carrying_the_day() -> None:
    with pytest.raises(DateError) as caught:
        parse_date("ngày mai", TODAY, Direction.PAST)
    assert caught.value.problem is DateProblem.IN_FUTURE
    assert caught.value.day == date(2026, 11, 26)
    with pytest.raises(DateError) as caught:
        parse_date("hôm qua", TODAY, Direction.FUTURE)
    assert caught.value.problem is DateProblem.IN_PAST
    assert parse_date("hôm nay", TODAY, Direction.PAST).day == TODAY
    assert parse_date("hôm nay", TODAY, Direction.FUTURE).day == TODAY


@pytest.mark.parametrize(("typed", "day", "precision"), [
    ("tháng tư", date(2026, 4, 1), Precision.MONTH),
    ("thang tu", date(2026, 4, 1), Precision.MONTH),
    ("tháng giêng", date(2026, 1, 1), Precision.MONTH),
    ("tháng chạp", date(2026, 12, 1), Precision.MONTH),
    ("tháng mười một", date(2026, 11, 1), Precision.MONTH),
    ("tháng mười hai năm ngoái", date(2025, 12, 1), Precision.MONTH),
    ("tháng ba năm sau", date(2027, 3, 1), Precision.MONTH),
    ("tháng 3 năm sau", date(2027, 3, 1), Precision.MONTH),
    ("tháng năm năm sau", date(2027, 5, 1), Precision.MONTH),
    ("tháng tư năm 2024", date(2024, 4, 1), Precision.MONTH),
    ("ngày 20 tháng tư", date(2026, 4, 20), Precision.DAY),
    ("20 tháng tư năm sau", date(2027, 4, 20), Precision.DAY),
    ("20/4 năm ngoái", date(2025, 4, 20), Precision.DAY),
    ("20/4 năm 2024", date(2024, 4, 20), Precision.DAY),
    ("đầu tháng 5", date(2026, 5, 1), Precision.PART_OF_MONTH),
    ("đầu tháng năm", date(2026, 5, 1), Precision.PART_OF_MONTH),
    ("giữa tháng sáu", date(2026, 6, 11), Precision.PART_OF_MONTH),
    ("cuối tháng ba", date(2026, 3, 21), Precision.PART_OF_MONTH),
    ("cuối tháng ba năm sau", date(2027, 3, 21), Precision.PART_OF_MONTH),
])
def test_named_months_and_counted_years(typed: str, day: date, precision: Precision) -> None:
    said = parse_date(typed, TODAY)
    assert (said.day, said.precision) == (day, precision)


def test_named_months_follow_the_side_of_today() -> None:
    # Something that happened "tháng chạp" (December, not yet begun) was last December.
    assert parse_date("tháng chạp", TODAY, Direction.PAST).day == date(2025, 12, 1)
    # A meeting "tháng tư" (April, over) is next April.
    assert parse_date("tháng tư", TODAY, Direction.FUTURE).day == date(2027, 4, 1)
    assert parse_date("ngày 20 tháng tư", TODAY, Direction.FUTURE).day == date(2027, 4, 20)
    with pytest.raises(DateError) as refused:
        parse_date("tháng ba năm sau", TODAY, Direction.PAST)
    assert refused.value.problem is DateProblem.IN_FUTURE


def test_weekday_names_are_not_month_names() -> None:
    # "thứ tư" is a Wednesday, not April.
    assert parse_date("thứ tư tuần trước", TODAY).day == date(2026, 11, 18)


def test_next_month_is_not_june() -> None:
    # "tháng sau" (next month) and "tháng sáu" (June) fold alike: the tones decide.
    assert parse_date("tháng sau", TODAY).day == date(2026, 12, 1)
    assert parse_date("thang sau", TODAY).day == date(2026, 12, 1)
    assert parse_date("tháng sáu", TODAY).day == date(2026, 6, 1)
    assert parse_date("Tháng Sáu năm sau", TODAY).day == date(2027, 6, 1)
    assert parse_date("cuối tháng sau", TODAY).day == date(2026, 12, 21)
