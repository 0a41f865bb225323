"""Numbers, money and ratios typed in words or figures, the way people say them.

"hai mươi lăm" → 25, "một trăm linh năm" → 105, "năm chục" → 50, "1 tỷ rưỡi" → 1,5 tỷ,
"khoảng 800 triệu", "800tr", "5k", "một nửa", "3/4", "50%". Words are data in
content/natural.yaml (digits, scales, hedges such as "khoảng"); the grammar is here.
"""

from __future__ import annotations

import re
from fractions import Fraction

from content.natural import folded, natural
from handlers.common.parsing.money import (
    AmountError,
    AmountProblem,
    bare_amount_readings,
    checked_amount,
    parse_vnd,
)


class NumberError(ValueError):
    """Text that is not a number."""


_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_SPLIT = re.compile(r"(\d[\d.,]*\d|\d)|([a-z]+)|(%)|(/)")
_MAX_FIGURE = 40  # characters of one typed figure; longer is not a number anyone means
_TENS = "muoi"  # mười / mươi
_HALF_AFTER = "ruoi"  # rưỡi: half of the unit just said
_HALF = "nua"  # nửa
_ZERO_TENS = ("linh", "le")  # "một trăm linh năm"
_PERCENT_WORDS = ("phan tram",)


def strip_hedges(text: str) -> str:
    """Return text folded, without leading words such as "khoảng", "được", "tầm"."""
    words = folded(text)
    changed = True
    while changed:
        changed = False
        for hedge in natural().hedges:
            if words == hedge:
                return ""
            if words.startswith(hedge + " "):
                words = words[len(hedge) + 1:]
                changed = True
                break
    return words


def _figure(token: str) -> Fraction:
    """Read '25', '1,5', '1.5', '800.000', '800,000,000' (a comma is decimal unless repeated)."""
    if len(token) > _MAX_FIGURE:
        raise NumberError("too long")
    if m := _GROUPED.match(token):
        parts = token.split(m[1])
        if len(parts) > 2 or m[1] == ".":
            return Fraction(int("".join(parts)))
    if _DECIMAL.match(token):
        return Fraction(token.replace(",", "."))
    raise NumberError(token)


def _tokens(words: str) -> list[str | Fraction]:
    """Split folded text into figures and words ('800tr' → [800, 'tr'])."""
    out: list[str | Fraction] = []
    pos = 0
    for match in _SPLIT.finditer(words):
        if words[pos:match.start()].strip(" "):
            raise NumberError(words)
        pos = match.end()
        if match[1]:
            out.append(_figure(match[1]))
        else:
            out.append(match[0])
    if words[pos:].strip():
        raise NumberError(words)
    return out


def _value(tokens: list[str | Fraction]) -> tuple[Fraction, int]:
    """Return the value of number tokens and the largest scale said (1 when none)."""
    vocab = natural()
    total = Fraction(0)  # finished part (thousands and above)
    group = Fraction(0)  # part below the next scale word
    last: Fraction | None = None  # the last plain number said, not yet scaled
    last_scale = 1  # the unit the last number was scaled by (for "rưỡi" and "2 tỷ 3")
    largest = 1
    zero_tens = False
    seen_any = False
    for index, token in enumerate(tokens):
        if isinstance(token, Fraction) or token in vocab.digits:
            number = token if isinstance(token, Fraction) else Fraction(vocab.digits[token])
            if last is not None:
                raise NumberError("two numbers in a row")
            group += number
            last = number
            seen_any = True
            continue
        if token == _TENS:
            if last is not None and last < 10:
                group += last * 9  # "hai mươi": 2 → 20
            else:
                group += 10  # "mười"
            last = None
            zero_tens = False
            seen_any = True
            continue
        if token in _ZERO_TENS:
            zero_tens = True
            continue
        if token == _HALF and (index == 0 or tokens[index - 1] in ("mot",)):
            group = group - (last or 0) + Fraction(1, 2) if index else Fraction(1, 2)
            last = Fraction(1, 2)
            last_scale = 1
            seen_any = True
            continue
        if token == _HALF_AFTER:
            if not seen_any:
                raise NumberError("rưỡi alone")
            if last is not None:  # "hai rưỡi" → 2,5
                group += Fraction(1, 2)
            elif last_scale >= 1000:  # "1 tỷ rưỡi": half of the scale just said
                total += Fraction(last_scale, 2)
            else:  # "một trăm rưỡi" → 150, "mười rưỡi" → 10,5
                group += Fraction(last_scale, 2)
            last = Fraction(0)  # nothing may follow
            continue
        if token in vocab.scales:
            scale = vocab.scales[token]
            if scale < 1000:  # chục, trăm: inside a group
                unit = last if last is not None else Fraction(1)
                group = group - (last or 0) + unit * scale
                last = None
                last_scale = scale
                zero_tens = False
                seen_any = True
                continue
            chunk = group if seen_any and group else Fraction(1)
            if total and total < scale:  # "một nghìn tỷ"
                total = (total + chunk) * scale
            else:
                total += chunk * scale
            group = Fraction(0)
            last = None
            last_scale = scale
            largest = max(largest, scale)
            zero_tens = False
            seen_any = True
            continue
        raise NumberError(str(token))
    if not seen_any:
        raise NumberError("empty")
    # "2 tỷ 3", "một triệu hai", "ba trăm hai": a lone digit after a scale is its tenth.
    if (last is not None and last_scale > 1 and last.denominator == 1
            and 1 <= last <= 9 and not zero_tens and len(tokens) >= 2
            and isinstance(tokens[-2], str) and tokens[-2] in vocab.scales):
        group = group - last + last * last_scale / 10
    return total + group, largest


def parse_number(text: str) -> Fraction:
    """Return the number said in text: "25", "hai mươi lăm", "1,5", "một trăm", "năm chục".

    Leading hedges ("khoảng", "được") are ignored. Raises NumberError when it is not a number.
    """
    words = strip_hedges(text)
    value, _ = _value(_tokens(words))
    return value


def parse_money(text: str) -> int:
    """Return an amount of money in đồng said as people say it.

    Accepts everything parse_vnd accepts ("1,5 tỷ", "800.000.000", "800tr", "2 tỷ 3") plus
    hedges ("khoảng 800 triệu"), number words ("hai trăm triệu", "một tỷ rưỡi", "năm chục
    nghìn") and "rưỡi" ("1 tỷ rưỡi" is 1.500.000.000). Raises AmountError like parse_vnd.
    """
    words = strip_hedges(text)
    words = re.sub(r"\s*(?:vnd|dong|d)$", "", words).strip()
    if not words or len(words) > 200:
        raise AmountError(AmountProblem.NOT_A_NUMBER)
    if re.search(r"\d{25,}", words):
        raise AmountError(AmountProblem.TOO_LARGE)
    try:
        return parse_vnd(words)
    except AmountError as exc:
        if exc.problem is not AmountProblem.NOT_A_NUMBER:
            raise
    try:
        value, largest = _value(_tokens(words))
    except NumberError:
        raise AmountError(AmountProblem.NOT_A_NUMBER) from None
    if largest == 1 and value < 1000:
        raise AmountError(AmountProblem.AMBIGUOUS, bare_amount_readings(value))
    if value.denominator != 1:
        raise AmountError(AmountProblem.FRACTION)
    return checked_amount(int(value))


def parse_ratio(text: str) -> Fraction:
    """Return a share between 0 and 1: "một nửa", "nửa", "50%", "50 phần trăm", "3/4",
    "ba phần tư", "0,5", "được khoảng một nửa". A whole number alone is a percentage ("40" is
    40%, "1" is 1%); a fraction alone is the share ("0,5"). Raises NumberError otherwise.
    """
    words = strip_hedges(text)
    for word in _PERCENT_WORDS:
        words = words.replace(word, "%")
    words = " ".join(words.split())
    if words.endswith("%"):
        value = parse_number(words[:-1]) / 100
    elif "/" in words or " phan " in f" {words} ":
        top, _, bottom = re.split(r"\s*(/|\bphan\b)\s*", words, maxsplit=1)
        numerator, denominator = parse_number(top), parse_number(bottom)
        if denominator == 0:
            raise NumberError(text)
        value = numerator / denominator
    else:
        value = parse_number(words)
        if value.denominator == 1:  # a whole number typed for a share is a percentage
            value /= 100
    if not 0 <= value <= 1:
        raise NumberError(text)
    return value


def parse_percent(text: str) -> int:
    """Return a share as a whole percentage 0–100 ("một nửa" → 50, "3/4" → 75)."""
    return round(parse_ratio(text) * 100)
