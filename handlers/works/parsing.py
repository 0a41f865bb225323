"""Pure parsers for typed dates, months, quarters, counts and percentages of works.

Money is read by handlers/common/parsing/money.py (re-exported here for works' callers).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from content.text import fold
from handlers.common.parsing.money import (
    MAX_VND,
    AmountError,
    AmountProblem,
    format_vnd,
    format_vnd_short,
    parse_vnd,
)

__all__ = ["MAX_VND", "AmountError", "AmountProblem", "format_vnd", "format_vnd_short",
           "parse_vnd"]


# --------------------------------------------------------------------------- dates


class Precision(StrEnum):
    """How precisely a date was typed."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class DateProblem(StrEnum):
    """Why a typed date was refused."""

    NOT_A_DATE = "not_a_date"
    NO_SUCH_DAY = "no_such_day"
    NEED_YEAR = "need_year"


class DateError(ValueError):
    """A refused date."""

    def __init__(self, problem: DateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class TypedDate:
    """A date as typed: the day it stands for (last day of a month/quarter) and its precision."""

    day: date
    precision: Precision


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DAY_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_WORDS_RE = re.compile(r"^(\d{1,2})\s+thang\s+(\d{1,2})\s+(?:nam\s+)?(\d{4})$")
_MONTH_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_MONTH_WORDS_RE = re.compile(r"^(\d{1,2})\s+(?:nam\s+)?(\d{4})$")
_QUARTER_RE = re.compile(r"^(?:quy|q)\s*([1-4]|i{1,3}|iv)\s*(?:[/.\-]|\s+nam\s+|\s+)\s*(\d{4})$")
_YEAR_RE = re.compile(r"^(?:nam\s+)?(\d{4})$")
_SHORT_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})$")


def quarter_end(year: int, quarter: int) -> date:
    """Return the last day of a quarter ("hết quý I/2025" is 31/3/2025)."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"no quarter {quarter}")
    return month_end(year, quarter * 3)


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateError(DateProblem.NO_SUCH_DAY) from exc


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_typed_date(text: str) -> TypedDate:
    """Read '25/10/2024', '25-10-2024', '2024-10-25', '10/2025', 'quý 2/2025' or '2025'."""
    folded = " ".join(fold(text).replace(",", " ").split())
    folded = re.sub(r"^(?:ngay|vao|truoc|han|het)\s+", "", folded)
    folded = re.sub(r"^(?:ngay|het)\s+", "", folded)
    if m := _DAY_RE.match(folded):
        return TypedDate(_day(_year(m[3]), int(m[2]), int(m[1])), Precision.DAY)
    if m := _ISO_RE.match(folded):
        return TypedDate(_day(int(m[1]), int(m[2]), int(m[3])), Precision.DAY)
    if m := _DAY_WORDS_RE.match(folded):
        return TypedDate(_day(int(m[3]), int(m[2]), int(m[1])), Precision.DAY)
    month_text = folded.removeprefix("thang ").strip()
    for pattern in (_MONTH_RE, _MONTH_WORDS_RE):
        if (m := pattern.match(month_text)) and (month_text != folded or pattern is _MONTH_RE):
            if not 1 <= int(m[1]) <= 12:
                raise DateError(DateProblem.NO_SUCH_DAY)
            return TypedDate(month_end(int(m[2]), int(m[1])), Precision.MONTH)
    if m := _QUARTER_RE.match(folded):
        quarter = int(m[1]) if m[1].isdigit() else _ROMAN[m[1]]
        return TypedDate(quarter_end(int(m[2]), quarter), Precision.QUARTER)
    if m := _YEAR_RE.match(folded):
        return TypedDate(date(int(m[1]), 12, 31), Precision.YEAR)
    if _SHORT_RE.match(month_text):
        raise DateError(DateProblem.NEED_YEAR)
    raise DateError(DateProblem.NOT_A_DATE)


def parse_count(text: str) -> int:
    """Read a whole number of people such as '200', '200 người', 'khoảng 1.200'."""
    folded = " ".join(fold(text).split())
    folded = re.sub(r"^(?:khoang|tong|tong cong|co|gom|du kien)\s+", "", folded)
    folded = re.sub(r"\s*(?:nguoi|dai bieu|db)$", "", folded)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", folded):
        folded = folded.replace(".", "").replace(",", "")
    if not folded.isdigit():
        raise ValueError(text)
    return int(folded)


def parse_percent(text: str) -> int:
    """Read a progress percentage: '40', '40%', '40 %', '40 phần trăm'."""
    folded = " ".join(fold(text).split())
    folded = re.sub(r"\s*(?:%|phan tram)$", "", folded)
    folded = re.sub(r"^(?:dat|duoc|khoang)\s+", "", folded)
    if not folded.isdigit():
        raise ValueError(text)
    value = int(folded)
    if value > 100:
        raise ValueError(text)
    return value
