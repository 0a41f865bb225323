"""No typed text makes a parser fail other than with its own refusal (a ValueError)."""

import contextlib
import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.common.parsing import (
    AmountError,
    BirthYearError,
    DateError,
    Direction,
    NumberError,
    TimeError,
    parse_birth_year,
    parse_date,
    parse_moment,
    parse_money,
    parse_number,
    parse_percent,
    parse_ratio,
    parse_relation,
)
from handlers.referrals.common import RELATIONS

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PIECES = ["²", "①", "٣", "𝟗", "9" * 40, "0", "00", "/", "-", ".", ",", ":", "%", " ", "\x00",
          "\n", "\u200b", "h", "giờ", "rưỡi", "tỷ", "triệu", "nghìn", "k", "tr", "mươi", "một",
          "năm", "tháng", "ngày", "tuần", "trước", "thứ", "mai", "nửa", "phần", "khoảng", "sáng",
          "chiều", "kém", "linh", "chục", "trăm", "sinh", "tuổi", "anh", "của", "31", "4", "2024",
          "99999999999999999999", "-1", "1e9", "½", "Ⅳ"]
CASES = ["", " ", "²", "①", "٣٣/٤", "9" * 5000, "\x00\x01", "tuần trước nữa", "1/0",
         "0/0", "31/2/2024", "24:00", "24h30", "99h", "8 giờ kém 60", "rưỡi rưỡi",
         "một nghìn tỷ tỷ tỷ", "0 tuổi", "999 tuổi", "000"]
_rng = random.Random(13)
CASES += ["".join(_rng.choice(PIECES) + _rng.choice(["", " "]) for _ in range(_rng.randint(1, 7)))
          for _ in range(400)]


@pytest.mark.parametrize("typed", CASES)
def test_every_parser_refuses_cleanly(typed: str) -> None:
    for parse, refusal in (
        (lambda t: parse_date(t, TODAY), DateError),
        (lambda t: parse_date(t, TODAY, Direction.PAST), DateError),
        (lambda t: parse_moment(t, NOW, roll_forward=True), (TimeError, DateError)),
        (parse_number, NumberError),
        (parse_money, AmountError),
        (parse_ratio, NumberError),
        (parse_percent, NumberError),
        (lambda t: parse_birth_year(t, TODAY, min_age=16), BirthYearError),
    ):
        with contextlib.suppress(refusal):
            parse(typed)
    assert parse_relation(typed) in (None, *RELATIONS)
