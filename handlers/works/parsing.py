"""Typed dates of works and conferences, read by the shared parsers plus the two forms only
plans use for completion dates: a quarter ("quý 2/2025") and a year ("năm 2025").

Days, relative days, weeks, parts of months and months are read by
handlers/common/parsing/dates.py ("20/4", "ngày 20 tháng 4", "tuần sau", "cuối tháng 10",
"10/2025"); counts by handlers/common/parsing/numbers.py ("khoảng hai trăm người"); money
by handlers/common/parsing/money.py (re-exported here for works' callers). What is kept here
is how works store a completion date: the last day of the month, quarter or year said, and
how precisely it was said.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from content.text import fold
from handlers.common.parsing import Precision as Said
from handlers.common.parsing import parse_number
from handlers.common.parsing.dates import DateError, DateProblem, Direction, parse_date
from handlers.common.parsing.money import (
    MAX_VND,
    AmountError,
    AmountProblem,
    format_vnd,
    format_vnd_short,
    parse_vnd,
)
from handlers.common.parsing.numbers import NumberError

__all__ = ["MAX_VND", "AmountError", "AmountProblem", "DateError", "DateProblem",
           "format_vnd", "format_vnd_short", "parse_vnd"]


class Precision(StrEnum):
    """How precisely a completion date was typed (stored with each work)."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class TypedDate:
    """A date as typed: the day it stands for (last day of a month/quarter) and its precision."""

    day: date
    precision: Precision


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_RE = re.compile(r"^(?:quy|q)\s*([1-4]|i{1,3}|iv)\s*(?:[/.\-]|\s+nam\s+|\s+)\s*(\d{4})$")
_BAD_QUARTER_RE = re.compile(r"^(?:quy|q)\s*\w+\s*(?:[/.\-]|\s+nam\s+|\s+)\s*\d{4}$")
_YEAR_RE = re.compile(r"^(?:nam\s+)?(\d{4})$")
# Words before a completion date that say nothing about it ("hết tháng 6", "trước 30/6").
_LEAD_RE = re.compile(r"^(?:(?:truoc|han|het|vao|den|toi)\s+)+")


def quarter_end(year: int, quarter: int) -> date:
    """Return the last day of a quarter ("hết quý I/2025" is 31/3/2025)."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"no quarter {quarter}")
    return month_end(year, quarter * 3)


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_typed_date(text: str, today: date) -> TypedDate:
    """Read a day ('25/10/2024', 'ngày 20 tháng 4', '20/4', 'tuần sau'), a month ('10/2025',
    'cuối tháng 10': its last day), a quarter ('quý 2/2025') or a year ('năm 2025').

    A day and month without a year is the nearest such day from today. Raises DateError.
    """
    words = _LEAD_RE.sub("", " ".join(fold(text).replace(",", " ").split()))
    if m := _QUARTER_RE.match(words):
        quarter = int(m[1]) if m[1].isdigit() else _ROMAN[m[1]]
        return TypedDate(quarter_end(int(m[2]), quarter), Precision.QUARTER)
    if _BAD_QUARTER_RE.match(words):
        raise DateError(DateProblem.NOT_A_DATE)
    if m := _YEAR_RE.match(words):
        return TypedDate(date(int(m[1]), 12, 31), Precision.YEAR)
    said = parse_date(words, today, Direction.ANY)
    if said.precision in (Said.MONTH, Said.PART_OF_MONTH):
        return TypedDate(month_end(said.day.year, said.day.month), Precision.MONTH)
    return TypedDate(said.day, Precision.DAY)


def parse_count(text: str) -> int:
    """Read a whole number of people such as '200', '200 người', 'khoảng 1.200', 'hai trăm'."""
    folded = " ".join(fold(text).split())
    folded = re.sub(r"^(?:tong|tong cong|co|gom|du kien)\s+", "", folded)
    folded = re.sub(r"\s*(?:nguoi|dai bieu|db)$", "", folded)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", folded):
        folded = folded.replace(".", "").replace(",", "")
    try:
        value = parse_number(folded)
    except NumberError:
        raise ValueError(text) from None
    if value.denominator != 1 or value < 0:
        raise ValueError(text)
    return int(value)
