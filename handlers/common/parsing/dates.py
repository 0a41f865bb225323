"""Dates typed the way people say them, read against a given today (no clock inside).

"20/4", "20/04/2024", "20-4-2024", "ngày 20 tháng 4", "20 tháng 4 năm 2024", "hôm nay",
"hôm qua", "hôm kia", "mai", "tuần trước", "thứ 2 tuần trước", "đầu tháng 3", "cuối tháng",
"tháng trước", "tháng 3/2024", with or without diacritics. Months may be named ("tháng tư",
"tháng giêng", "ngày 20 tháng tư", "cuối tháng ba") and a year counted from this one ("tháng ba
năm sau", "20/4 năm ngoái"); the words are data in content/natural.yaml.

The answer is a date and how precisely it was said (Precision). A week, a part of a month or
a month stands for one representative day, chosen for a "when did it happen" question:
- "tuần trước" is the same weekday 7 days ago (precision WEEK); "tuần này" is today;
- "đầu/giữa/cuối tháng 3" is the 1st/11th/21st of March (precision PART_OF_MONTH);
- "tháng 3" is the 1st of March (precision MONTH).
With Direction.PAST, a part of a month or a month that has begun but not ended stands for
today, and a day and month typed without a year that would be in the future is last year's
("20/12" typed on 25/11/2026 is 20/12/2025). With Direction.FUTURE a day already past is next
year's. What cannot be read raises DateError; what is on the wrong side of today raises
DateError(IN_FUTURE / IN_PAST), so the caller picks a catalog message.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from content.natural import folded, natural


class Precision(StrEnum):
    """How precisely a date was said."""

    DAY = "day"
    WEEK = "week"
    PART_OF_MONTH = "part_of_month"
    MONTH = "month"


class Direction(StrEnum):
    """Which side of today the question allows (ANY: both)."""

    ANY = "any"
    PAST = "past"  # today or before ("when did it happen")
    FUTURE = "future"  # today or after ("when will it happen")


class DateProblem(StrEnum):
    """Why a typed date was refused; the caller turns it into a catalog message."""

    NOT_A_DATE = "not_a_date"
    NO_SUCH_DAY = "no_such_day"  # 31/4, 30/2, tháng 13
    IN_FUTURE = "in_future"
    IN_PAST = "in_past"


class DateError(ValueError):
    """A refused date; `day` is the date read when the problem is its side of today."""

    def __init__(self, problem: DateProblem, day: date | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.day = day


@dataclass(frozen=True, slots=True)
class SaidDate:
    """The day a typed date stands for, and how precisely it was said."""

    day: date
    precision: Precision


_SEP = r"\s*[/.\-]\s*"
_DMY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}|\s+nam\s+)(\d{{4}}|\d{{2}})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DM = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}})$")
_WORDS = re.compile(r"^(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+(?:nam\s+)?(\d{4}))?$")
_MONTH = re.compile(rf"^(?:thang\s+)?(\d{{1,2}})(?:{_SEP}|\s+nam\s+|\s+)(\d{{4}})$")
_MONTH_ONLY = re.compile(r"^thang\s+(\d{1,2})$")
_PREFIX = re.compile(r"^(?:vao\s+)?(?:hom|ngay|bua|vao)\s+")


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(DateProblem.NO_SUCH_DAY) from None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _month_start(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise DateError(DateProblem.NO_SUCH_DAY)
    return date(year, month, 1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _without_year(month: int, day: int, today: date, direction: Direction) -> date:
    """A day and month said without a year: this year, or the nearest on the allowed side."""
    _make(2024, month, day)  # 29/2 exists in some year; 31/4 in none
    try:
        said = date(today.year, month, day)
    except ValueError:  # 29/2 in a common year
        said = None
    if direction is Direction.PAST and (said is None or said > today):
        year = today.year - 1
        while not calendar.isleap(year) and (month, day) == (2, 29):
            year -= 1
        return date(year, month, day)
    if direction is Direction.FUTURE and (said is None or said < today):
        year = today.year + 1
        while not calendar.isleap(year) and (month, day) == (2, 29):
            year += 1
        return date(year, month, day)
    if said is None:
        raise DateError(DateProblem.NO_SUCH_DAY)
    return said


def _period(start: date, end: date, precision: Precision, today: date,
            direction: Direction) -> SaidDate:
    """A stretch of days (part of a month, a month) stands for its first day, or today."""
    if direction is Direction.PAST and start <= today <= end:
        return SaidDate(today, precision)
    return SaidDate(start, precision)


def _month_part(words: str, today: date, direction: Direction) -> SaidDate | None:
    vocab = natural()
    for part, (first, last) in vocab.month_parts.items():
        if not words.startswith(part + " thang"):
            continue
        rest = words[len(part):].strip()
        month = _month_of(rest, today, direction)
        if month is None:
            return None
        end_of_month = _month_end(month)
        start = month.replace(day=min(first, end_of_month.day))
        end = month.replace(day=min(last, end_of_month.day))
        return _period(start, end, Precision.PART_OF_MONTH, today, direction)
    return None


def _month_of(words: str, today: date, direction: Direction) -> date | None:
    """Read 'tháng', 'tháng này', 'tháng trước', 'tháng 3', 'tháng 3 năm 2024' → 1st day."""
    vocab = natural()
    if words in ("thang", "thang nay"):
        return today.replace(day=1)
    if words in vocab.relative_months:
        return _add_months(today.replace(day=1), vocab.relative_months[words])
    if m := _MONTH.match(words):
        return _month_start(int(m[2]), int(m[1]))
    if m := _MONTH_ONLY.match(words):
        month = int(m[1])
        start = _month_start(today.year, month)
        if direction is Direction.PAST and start > today:
            return start.replace(year=today.year - 1)
        if direction is Direction.FUTURE and _month_end(start) < today:
            return start.replace(year=today.year + 1)
        return start
    return None


def _weekday(words: str, today: date, direction: Direction) -> SaidDate | None:
    """'thứ 2 tuần trước', 'chủ nhật tuần này', 'thứ 6 tuần sau', 'thứ 5' (this week, or the
    nearest on the allowed side when no week is said)."""
    vocab = natural()
    for name, number in sorted(vocab.weekdays.items(), key=lambda kv: -len(kv[0])):
        if words != name and not words.startswith(name + " "):
            continue
        rest = words[len(name):].strip()
        if rest and rest not in vocab.relative_weeks:
            return None
        weeks = vocab.relative_weeks.get(rest, 0)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        day = monday + timedelta(days=number - 1)
        if not rest and direction is Direction.PAST and day > today:
            day -= timedelta(weeks=1)
        if not rest and direction is Direction.FUTURE and day < today:
            day += timedelta(weeks=1)
        return SaidDate(day, Precision.DAY)
    return None


def _read(words: str, today: date, direction: Direction) -> SaidDate:
    vocab = natural()
    if words in vocab.relative_days:
        return SaidDate(today + timedelta(days=vocab.relative_days[words]), Precision.DAY)
    if words in vocab.relative_weeks:
        weeks = vocab.relative_weeks[words]
        return SaidDate(today + timedelta(weeks=weeks), Precision.WEEK)
    if said := _weekday(words, today, direction):
        return said
    if said := _month_part(words, today, direction):
        return said
    if m := _DMY.match(words):
        return SaidDate(_make(_year(m[3]), int(m[2]), int(m[1])), Precision.DAY)
    if m := _ISO.match(words):
        return SaidDate(_make(int(m[1]), int(m[2]), int(m[3])), Precision.DAY)
    if m := _WORDS.match(words):
        if m[3]:
            return SaidDate(_make(int(m[3]), int(m[2]), int(m[1])), Precision.DAY)
        return SaidDate(_without_year(int(m[2]), int(m[1]), today, direction), Precision.DAY)
    if m := _DM.match(words):
        return SaidDate(_without_year(int(m[2]), int(m[1]), today, direction), Precision.DAY)
    month = _month_of(words, today, direction)
    if month is not None and words.startswith("thang"):
        return _period(month, _month_end(month), Precision.MONTH, today, direction)
    if m := _MONTH.match(words):
        month = _month_start(int(m[2]), int(m[1]))
        return _period(month, _month_end(month), Precision.MONTH, today, direction)
    raise DateError(DateProblem.NOT_A_DATE)


def _with_numbers(words: str, today: date, text: str) -> str:
    """'tháng tư' → 'tháng 4'; '… năm sau' → '… năm 2027' (so the figure forms read them).

    A name that folds like a relative month ("tháng sáu" / "tháng sau") is June only when
    typed with its tones; "thang sau" stays next month.
    """
    vocab = natural()
    for said in sorted(vocab.relative_years, key=len, reverse=True):
        if words.endswith(" " + said):
            year = today.year + vocab.relative_years[said]
            words = f"{words[: -len(said) - 1]} nam {year}"
            break
    names = "|".join(sorted((re.escape(n) for n in vocab.month_names), key=len, reverse=True))
    named = re.search(rf"(?:^|\s)thang\s+({names})(?=\s|$)", words)
    if named and f"thang {named[1]}" in vocab.relative_months:
        toned = " ".join(unicodedata.normalize("NFC", text.lower()).split())
        if not any(vocab.month_names_toned.get(word) == vocab.month_names[named[1]]
                   and f"tháng {word}" in toned for word in vocab.month_names_toned):
            named = None
    if named:
        start, end = named.span(1)
        words = f"{words[:start]}{vocab.month_names[named[1]]}{words[end:]}"
    return words


def parse_date(text: str, today: date, direction: Direction = Direction.ANY) -> SaidDate:
    """Return the date said in text, read against today (see the module for the forms)."""
    words = " ".join(folded(text).replace(",", " ").split())
    first, _, rest = words.partition(" ")
    if rest and first in natural().day_periods:  # "sáng hôm qua", "tối qua", "chiều nay"
        words = rest
    words = _PREFIX.sub("", words) if not _is_relative_day(words) else words
    said = _read(_with_numbers(words, today, text), today, direction)
    if direction is Direction.PAST and said.day > today:
        raise DateError(DateProblem.IN_FUTURE, said.day)
    if direction is Direction.FUTURE and said.day < today:
        raise DateError(DateProblem.IN_PAST, said.day)
    return said


def _is_relative_day(words: str) -> bool:
    return words in natural().relative_days
