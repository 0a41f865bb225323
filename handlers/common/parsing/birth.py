"""A birth year said the way people say it, read against a given today.

"2001", "sinh năm 2001", "năm 2001", "sn 2001", "năm sinh 2001", "01" (→ 2001; "85" → 1985:
the 20xx reading unless it is after this year), "20/4/2001" (a full birth date: its year),
"20 tuổi" (→ this year − 20; Vietnamese ages are counted loosely, so one year either way is
possible and the person confirms the summary). Out of range → BirthYearError.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from content.natural import folded
from handlers.common.parsing.numbers import NumberError, parse_number


class BirthYearProblem(StrEnum):
    """Why a birth year was refused; the caller turns it into a catalog message."""

    NOT_A_YEAR = "not_a_year"
    FUTURE = "future"
    TOO_OLD = "too_old"
    TOO_YOUNG = "too_young"


class BirthYearError(ValueError):
    """A refused birth year, with the year read (if any) and the age it gives."""

    def __init__(self, problem: BirthYearProblem, year: int | None = None,
                 age: int | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.year = year
        self.age = age


_PREFIX = re.compile(r"^(?:toi\s+|em\s+|minh\s+)?(?:sinh\s+nam|nam\s+sinh|sinh\s+ngay|sinh|sn|"
                     r"ns|nam|ngay\s+sinh)\s*[:.]?\s*")
_YEAR = re.compile(r"^(\d{4}|\d{2})$")
_FULL_DATE = re.compile(r"^\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(\d{4})$")
_AGE = re.compile(r"^(?:nam\s+nay\s+)?(\d{1,3})\s*tuoi$|^tuoi\s+(\d{1,3})$")


def _year_in_words(words: str) -> int:
    """"hai nghìn lẻ một", "một nghìn chín trăm tám mươi lăm" → the year."""
    try:
        value = parse_number(words)
    except NumberError:
        raise BirthYearError(BirthYearProblem.NOT_A_YEAR) from None
    if value.denominator != 1 or not 1000 <= value <= 9999:
        raise BirthYearError(BirthYearProblem.NOT_A_YEAR)
    return int(value)


def parse_birth_year(text: str, today: date, *, min_age: int = 0,
                     oldest: int = 1900) -> int:
    """Return the birth year said in text, of someone at least min_age, born from oldest on."""
    words = " ".join(folded(text).split()).strip(" .")
    if m := _AGE.match(words):
        age = int(m[1] or m[2])
        year = today.year - age
    else:
        words = _PREFIX.sub("", words).strip()
        if m := _FULL_DATE.match(words):
            year = int(m[1])
        elif m := _YEAR.match(words):
            year = int(m[1])
            if len(m[1]) == 2:
                year += 2000 if 2000 + year <= today.year else 1900
        else:
            year = _year_in_words(words)
    if year > today.year:
        raise BirthYearError(BirthYearProblem.FUTURE, year)
    if year < oldest:
        raise BirthYearError(BirthYearProblem.TOO_OLD, year, today.year - year)
    if today.year - year < min_age:
        raise BirthYearError(BirthYearProblem.TOO_YOUNG, year, today.year - year)
    return year
