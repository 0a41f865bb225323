"""Pure parsers for typed amounts of money (VND), dates, months, quarters and counts."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from content.text import fold

# Largest amount accepted for one work: 100.000 tỷ đồng (anything above is a typo).
MAX_VND = 100_000 * 10**9

_UNITS: dict[str, int] = {
    "ty": 10**9, "ti": 10**9,
    "trieu": 10**6, "tr": 10**6,
    "nghin": 10**3, "ngan": 10**3, "k": 10**3,
}
_CURRENCY = re.compile(r"(?:\b|(?<=\d))(?:vnd|dong|d)\b")
_MONEY_TOKEN = re.compile(r"(\d[\d.,]*)\s*(ty|ti|trieu|tr|nghin|ngan|k)?(?![a-z])")


class AmountProblem(StrEnum):
    """Why a typed amount was refused; the handler turns it into a catalog message."""

    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS = "ambiguous"
    NEGATIVE = "negative"
    ZERO = "zero"
    FRACTION = "fraction"
    TOO_LARGE = "too_large"


class AmountError(ValueError):
    """A refused amount, with the readings that may have been meant (largest first)."""

    def __init__(self, problem: AmountProblem, suggestions: tuple[int, ...] = ()) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.suggestions = suggestions


@dataclass(frozen=True, slots=True)
class _Number:
    """A typed number as an exact fraction: value = numerator / denominator."""

    numerator: int
    denominator: int
    grouped: bool  # written with thousands separators, e.g. 800.000.000


class _Unclear(Exception):
    """'1.500' before a unit: 1500 units or 1,5 units."""

    def __init__(self, thousands: int) -> None:
        super().__init__(thousands)
        self.thousands = thousands


def _read_number(token: str, has_unit: bool) -> _Number:
    """Read '800', '1,5', '1.5', '800.000.000', '800,000,000'; refuse what is ambiguous."""
    token = token.rstrip(".,")
    separators = {ch for ch in token if ch in ".,"}
    if not separators:
        return _Number(int(token), 1, False)
    if len(separators) == 2:
        raise AmountError(AmountProblem.AMBIGUOUS)
    sep = separators.pop()
    parts = token.split(sep)
    if len(parts) > 2:
        if all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3:
            return _Number(int("".join(parts)), 1, True)
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    whole, frac = parts
    if not whole:
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    if len(frac) == 3:
        if has_unit:  # "1.500 triệu": one thousand five hundred, or one and a half?
            raise _Unclear(int(whole + frac))
        return _Number(int(whole + frac), 1, True)
    return _Number(int(whole + frac), 10 ** len(frac), False)


def parse_vnd(text: str) -> int:
    """Return an amount typed as '1,5 tỷ', '800 triệu', '800.000.000' or '2 tỷ 300 triệu'."""
    folded = " ".join(fold(text).split())
    if folded.startswith(("-", "am ")):
        raise AmountError(AmountProblem.NEGATIVE)
    folded = _CURRENCY.sub(" ", folded).strip()
    if not folded:
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    pos = 0
    total_num, total_den = 0, 1
    last_unit: int | None = None
    pieces = 0
    while pos < len(folded):
        if folded[pos] == " ":
            pos += 1
            continue
        match = _MONEY_TOKEN.match(folded, pos)
        if match is None:
            raise AmountError(AmountProblem.NOT_A_NUMBER)
        token, unit_word = match.group(1), match.group(2)
        pos = match.end()
        if unit_word is None:
            if last_unit is None:
                if pos < len(folded.rstrip()) or pieces:
                    raise AmountError(AmountProblem.NOT_A_NUMBER)
                number = _read_number(token, has_unit=False)
                return _bare_amount(number)
            # "2 tỷ 3", "1tr5": trailing digits continue the previous unit (2,3 tỷ; 1,5 triệu).
            if not token.isdigit() or len(token) > 3 or pos < len(folded.rstrip()):
                raise AmountError(AmountProblem.NOT_A_NUMBER)
            total_num = total_num * 10 ** len(token) + int(token) * total_den * last_unit
            total_den *= 10 ** len(token)
            break
        unit = _UNITS[unit_word]
        if last_unit is not None and unit >= last_unit:
            raise AmountError(AmountProblem.AMBIGUOUS)
        try:
            number = _read_number(token, has_unit=True)
        except _Unclear as unclear:
            readings = (unclear.thousands * unit, unclear.thousands * unit // 1000)
            raise AmountError(AmountProblem.AMBIGUOUS, readings) from None
        total_num = total_num * number.denominator + number.numerator * unit * total_den
        total_den *= number.denominator
        last_unit = unit
        pieces += 1
    if total_num % total_den:
        raise AmountError(AmountProblem.FRACTION)
    return _checked(total_num // total_den)


def _bare_amount(number: _Number) -> int:
    """Check an amount typed without 'tỷ/triệu/nghìn': small or decimal numbers are unclear."""
    small = number.denominator == 1 and 0 < number.numerator < 1000 and not number.grouped
    if number.denominator == 1 and not small:
        return _checked(number.numerator)
    # Offer the readings people usually mean: tỷ or triệu for small figures, triệu or nghìn
    # from a hundred up ("800" is 800 triệu far more often than 800 tỷ).
    units = (10**6, 10**3) if small and number.numerator >= 100 else (10**9, 10**6)
    readings = tuple(number.numerator * unit // number.denominator for unit in units
                     if (number.numerator * unit) % number.denominator == 0)
    raise AmountError(AmountProblem.AMBIGUOUS, tuple(r for r in readings if r >= 1000))


def _checked(amount: int) -> int:
    if amount == 0:
        raise AmountError(AmountProblem.ZERO)
    if amount > MAX_VND:
        raise AmountError(AmountProblem.TOO_LARGE)
    return amount


def format_vnd(amount: int) -> str:
    """Return '1.500.000.000 đồng'."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def format_vnd_short(amount: int) -> str:
    """Return a spoken form such as '1,5 tỷ' or '800 triệu' (used in choice labels)."""
    for size, word in ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn")):
        if amount >= size:
            whole, rest = divmod(amount, size)
            if rest == 0:
                return f"{whole:,}".replace(",", ".") + f" {word}"
            if (rest * 1000) % size == 0:
                decimals = f"{rest * 1000 // size:03d}".rstrip("0")
                return f"{whole},{decimals} {word}"
    return f"{amount}"


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
