"""Amounts of money (VND) typed in figures: "1,5 tỷ", "800 triệu", "800.000.000", "2 tỷ 3".

Moved from handlers/works/parsing.py (works imports it from here, unchanged); the natural
forms ("khoảng 1 tỷ rưỡi", "hai trăm triệu") are read by numbers.parse_money on top of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

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
    raise AmountError(AmountProblem.AMBIGUOUS,
                      bare_amount_readings(Fraction(number.numerator, number.denominator)))


def bare_amount_readings(value: Fraction) -> tuple[int, ...]:
    """Readings people usually mean by a figure said without a unit, largest first.

    Tỷ or triệu for small figures, triệu or nghìn from a hundred up ("800" is 800 triệu far
    more often than 800 tỷ).
    """
    small = value.denominator == 1 and 0 < value < 1000
    units = (10**6, 10**3) if small and value >= 100 else (10**9, 10**6)
    readings = tuple(int(value * unit) for unit in units if (value * unit).denominator == 1)
    return tuple(r for r in readings if r >= 1000)


def checked_amount(amount: int) -> int:
    """Refuse a zero or an implausibly large amount (AmountError)."""
    return _checked(amount)


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


