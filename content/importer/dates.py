"""Find the dates a plan's sections state, for an admin to confirm before reminders use them.

Full dates ("28/4/2024", "ngày 16 tháng 7 năm 2021"), months ("tháng 11/2024", "tháng 4 năm
2025") and quarters ("quý I năm 2025"). Dates that only identify a cited document ("Kế hoạch
số 231/KH-UBND ngày 10/7/2024") are left out. Each date comes with its sentence, verbatim,
and a kind: "deadline" (hạn, trước, hết, hoàn thành…), "period" (từ … đến …) or "event".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_DAY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})"
_DAY_WORDS = (r"ngày\s+(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+"
              r"(?P<y2>(?:19|20)\d{2})")
_MONTH = r"tháng\s+(?P<m3>\d{1,2})\s*(?:/|năm)\s*(?P<y3>(?:19|20)\d{2})"
_MONTH_SHORT = r"(?<![\d/])(?P<m4>\d{1,2})\s*/\s*(?P<y4>(?:19|20)\d{2})(?![\d/])"
_QUARTER = r"quý\s+(?P<q>I{1,3}|IV|[1-4])\s+(?:năm\s+)?(?P<y5>(?:19|20)\d{2})"
# The lookahead rejects most positions at once (a date starts with a digit, ngày, tháng, quý).
_DATE_RE = re.compile(
    "(?=[0-9nNtTqQ])(?:" + "|".join((_DAY, _DAY_WORDS, _MONTH, _QUARTER, _MONTH_SHORT)) + ")",
    re.IGNORECASE)
# "… số 231/KH-UBND ngày 10/7/2024", "Nghị quyết 27-NQ/TW ngày 09/11/2022": a document's date.
_CITED_RE = re.compile(r"\d[\w.-]*/[\w./-]*[A-ZĐ][\w./-]*,?\s*(?:ngày\s*)?$")
_SENTENCE_RE = re.compile(r"[^.;!?]*(?:[.;!?](?!\d)|$)")
_DEADLINE_WORDS = ("truoc", "han", "het ngay", "den het", "hoan thanh", "cham nhat", "xong")
_PERIOD_RE = re.compile(r"\btu\b.*\bden\b")
_QUARTERS = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def fold(text: str) -> str:
    """Fold text to lower-case ASCII (no tones, đ → d), fast enough for a 5 MB plan."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return decomposed.encode("ascii", "ignore").decode("ascii").casefold()


@dataclass(frozen=True)
class FoundDate:
    """A date stated in a section: its sentence, the day, its kind and its precision."""

    section: str
    text: str
    date: dt.date
    kind: str
    precision: str  # day | month | quarter


def _sentence_at(text: str, start: int, end: int) -> str:
    for m in _SENTENCE_RE.finditer(text):
        if m.start() <= start and end <= m.end() and m.group().strip():
            return m.group().strip()
    return text.strip()


def _kind(sentence: str, before: str) -> str:
    folded = fold(sentence)
    if _PERIOD_RE.search(folded):
        return "period"
    near = fold(before[-40:])
    if any(word in near for word in _DEADLINE_WORDS) or any(
        word in folded for word in ("hoan thanh", "han chot", "cham nhat")
    ):
        return "deadline"
    return "event"


def _resolve(m: re.Match[str], starts: bool) -> tuple[dt.date, str] | None:
    """Return the day a match stands for; a month or quarter ends on its last day."""
    try:
        if m["y"] or m["y2"]:
            day, month, year = (int(m["d"] or m["d2"]), int(m["m"] or m["m2"]),
                                int(m["y"] or m["y2"]))
            return dt.date(year, month, day), "day"
        if m["y5"]:
            quarter = _QUARTERS[m["q"].upper()]
            year, month = int(m["y5"]), quarter * 3 - (2 if starts else 0)
            precision = "quarter"
        else:
            year, month = int(m["y3"] or m["y4"]), int(m["m3"] or m["m4"])
            precision = "month"
        day = 1 if starts else calendar.monthrange(year, month)[1]
        return dt.date(year, month, day), precision
    except (ValueError, KeyError):
        return None


def find_dates(section: str, text: str, plan_year: int | None = None) -> list[FoundDate]:
    """Return the dates a passage states, in order, without those of cited documents."""
    found: list[FoundDate] = []
    for m in _DATE_RE.finditer(text):
        before = text[: m.start()]
        if _CITED_RE.search(before[-60:]):
            continue
        starts = bool(re.search(r"\btừ\s+(?:tháng\s+|ngày\s+)?$", before[-20:], re.IGNORECASE))
        resolved = _resolve(m, starts)
        if resolved is None:
            continue
        day, precision = resolved
        if plan_year is not None and day.year < plan_year - 1:
            continue
        sentence = _sentence_at(text, m.start(), m.end())
        found.append(FoundDate(section, sentence, day, _kind(sentence, before), precision))
    return found
