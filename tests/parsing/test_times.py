"""Moments typed as people say them ("8 giờ sáng mai"), read against a fixed now."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.common.parsing import DateError, TimeError, parse_moment

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 10, 15, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("typed", "moment"), [
    ("20:00", at(25, 20)),
    ("20h", at(25, 20)),
    ("2 giờ chiều", at(25, 14)),
    ("2 gio chieu", at(25, 14)),
    ("7 giờ tối", at(25, 19)),
    ("tối nay 7 giờ", at(25, 19)),
    ("11 giờ đêm", at(25, 23)),
    ("12 giờ trưa", at(25, 12)),
    ("1 giờ trưa", at(25, 13)),
    ("14h chiều", at(25, 14)),
    ("8 giờ sáng mai", at(26, 8)),
    ("sáng mai 8 giờ", at(26, 8)),
    ("8 gio sang mai", at(26, 8)),
    ("mai 8h", at(26, 8)),
    ("lúc 9h ngày mai", at(26, 9)),
    ("8h30 ngày mai", at(26, 8, 30)),
    ("mai 8 giờ rưỡi", at(26, 8, 30)),
    ("mai 8 giờ kém 15", at(26, 7, 45)),
    ("mai 8g30", at(26, 8, 30)),
    ("mai 8 giờ 30 phút", at(26, 8, 30)),
    ("thứ 2 tuần sau 8h", at(30, 8)),
    ("20/4 8h30", at(20, 8, 30, month=4)),
    ("08:00 20/04", at(20, 8, month=4)),
    ("20/04/2027 08:00", at(20, 8, month=4, year=2027)),
])
def test_moments(typed: str, moment: datetime) -> None:
    assert parse_moment(typed, NOW) == moment


def test_a_time_already_past_today_moves_to_tomorrow_only_when_allowed() -> None:
    assert parse_moment("8 giờ", NOW) == at(25, 8)
    assert parse_moment("8 giờ", NOW, roll_forward=True) == at(26, 8)
    assert parse_moment("8h", NOW, roll_forward=True) == at(26, 8)
    assert parse_moment("20:00", NOW, roll_forward=True) == at(25, 20)
    # A day said explicitly is kept even when past: the caller says it has passed.
    assert parse_moment("hôm nay 8h", NOW, roll_forward=True) == at(25, 8)


def test_the_answer_is_in_the_timezone_of_now() -> None:
    assert parse_moment("8h", NOW).tzinfo is TZ


@pytest.mark.parametrize("typed", ["", "abc", "8", "25:00", "8:75", "8h 9h", "mai", "²h"])
def test_not_times(typed: str) -> None:
    with pytest.raises(TimeError):
        parse_moment(typed, NOW)


def test_an_impossible_day_is_a_date_error() -> None:
    with pytest.raises(DateError):
        parse_moment("31/4 8h", NOW)
    with pytest.raises(DateError):
        parse_moment("8h hôm nào đó", NOW)
