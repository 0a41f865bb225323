"""Pure parsers for natural answers inside forms (no I/O, no clock: today/now are passed in).

- dates.parse_date: "20/4", "ngày 20 tháng 4", "hôm qua", "tuần trước", "đầu tháng 3"…
- times.parse_moment: "8 giờ sáng mai", "2 giờ chiều", "20:00", "tối nay 7 giờ"…
- numbers.parse_number / parse_money / parse_ratio / parse_percent: "hai mươi lăm",
  "khoảng 1 tỷ rưỡi", "800tr", "một nửa", "3/4", "50%"…
- money.parse_vnd: figures only ("1,5 tỷ", "800.000.000"), as works has always read them.
- relations.parse_relation: "anh trai" → nguoi_than, "bạn học" → ban_be…
- birth.parse_birth_year: "sinh năm 2001", "sn 2001", "01", "20 tuổi"…
Words are data in content/natural.yaml. Errors are typed (…Error with a `problem`) so the
caller picks a catalog message.
"""

from handlers.common.parsing.birth import BirthYearError, BirthYearProblem, parse_birth_year
from handlers.common.parsing.dates import (
    DateError,
    DateProblem,
    Direction,
    Precision,
    SaidDate,
    parse_date,
)
from handlers.common.parsing.money import AmountError, AmountProblem, format_vnd, parse_vnd
from handlers.common.parsing.numbers import (
    NumberError,
    parse_money,
    parse_number,
    parse_percent,
    parse_ratio,
)
from handlers.common.parsing.relations import parse_relation
from handlers.common.parsing.times import TimeError, parse_moment

__all__ = [
    "AmountError",
    "AmountProblem",
    "BirthYearError",
    "BirthYearProblem",
    "DateError",
    "DateProblem",
    "Direction",
    "NumberError",
    "Precision",
    "SaidDate",
    "TimeError",
    "format_vnd",
    "parse_birth_year",
    "parse_date",
    "parse_moment",
    "parse_money",
    "parse_number",
    "parse_percent",
    "parse_ratio",
    "parse_relation",
    "parse_vnd",
]
