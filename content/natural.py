"""The words of natural answers (content/natural.yaml), folded and checked when loaded.

Used by the form parsers in handlers/common/parsing/: hedges ("khoảng"), number words and
scales, relative days/weeks/months, weekdays, parts of a month and of a day, and the
relationship words of the referral form. Every key is folded ("hôm qua" → "hom qua").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from content.errors import ContentError
from content.text import fold

DEFAULT_NATURAL = Path(__file__).parent / "natural.yaml"


def folded(text: str) -> str:
    """Return text as it is matched: folded, with spaces collapsed."""
    return " ".join(fold(text).split())


class _Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pm: tuple[int, int] = Field()
    midnight: bool = False


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hedges: list[str]
    digits: dict[str, int]
    scales: dict[str, int]
    relative_days: dict[str, int]
    relative_weeks: dict[str, int]
    relative_months: dict[str, int]
    weekdays: dict[str, int]
    month_names: dict[str, int]
    relative_years: dict[str, int]
    month_parts: dict[str, tuple[int, int]]
    day_periods: dict[str, _Period]
    relations: dict[str, list[str]]
    relation_owners: list[str]
    unsure: list[str]


@dataclass(frozen=True, slots=True)
class DayPeriod:
    """A part of the day: a 12-hour clock hour in [pm_from, pm_to] is in the afternoon."""

    pm_from: int
    pm_to: int
    midnight: bool  # "12 giờ đêm" is 00:00

    def hour(self, typed: int) -> int:
        """Return the 24-hour clock hour of an hour typed with this part of the day."""
        if typed == 12 and self.midnight:
            return 0
        if 1 <= typed <= 11 and self.pm_from <= typed <= self.pm_to:
            return typed + 12
        return typed


@dataclass(frozen=True, slots=True)
class Natural:
    """All natural-answer words, folded."""

    hedges: tuple[str, ...]  # longest first
    digits: dict[str, int]
    scales: dict[str, int]
    relative_days: dict[str, int]
    relative_weeks: dict[str, int]
    relative_months: dict[str, int]
    weekdays: dict[str, int]
    month_names: dict[str, int]  # "tư" → 4
    month_names_toned: dict[str, int]  # "sáu" → 6, as written (lower case, NFC)
    relative_years: dict[str, int]  # "năm sau" → 1
    month_parts: dict[str, tuple[int, int]]
    day_periods: dict[str, DayPeriod]
    relations: dict[str, str]  # folded word → relation code
    relation_owners: tuple[str, ...]  # longest first
    unsure: tuple[str, ...]  # longest first


def _fold_keys(table: dict[str, int], where: str, file: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for word, value in table.items():
        key = folded(word)
        if not key:
            raise ContentError(file, where, "có từ trống")
        if key in out and out[key] != value:
            raise ContentError(file, where, f"từ '{word}' có hai nghĩa")
        out[key] = value
    return out


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted({folded(w) for w in words if folded(w)}, key=lambda w: (-len(w), w)))


def load_natural(path: Path = DEFAULT_NATURAL) -> Natural:
    """Load and check the natural-answer words (raises ContentError naming the problem)."""
    try:
        raw = _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(path.name, "", f"không đọc được tệp: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(path.name, where, first["msg"]) from exc
    name = path.name
    relations: dict[str, str] = {}
    for code, words in raw.relations.items():
        for word in words:
            key = folded(word)
            if key in relations and relations[key] != code:
                raise ContentError(name, f"relations.{code}",
                                   f"'{word}' đã thuộc {relations[key]}")
            relations[key] = code
    weekdays = _fold_keys(raw.weekdays, "weekdays", name)
    if set(weekdays.values()) != set(range(1, 8)):
        raise ContentError(name, "weekdays", "cần đủ bảy ngày, số 1 (thứ hai) đến 7 (chủ nhật)")
    month_names = _fold_keys(raw.month_names, "month_names", name)
    if not set(month_names.values()) <= set(range(1, 13)):
        raise ContentError(name, "month_names", "tháng phải từ 1 đến 12")
    return Natural(
        hedges=_longest_first(raw.hedges),
        digits=_fold_keys(raw.digits, "digits", name),
        scales=_fold_keys(raw.scales, "scales", name),
        relative_days=_fold_keys(raw.relative_days, "relative_days", name),
        relative_weeks=_fold_keys(raw.relative_weeks, "relative_weeks", name),
        relative_months=_fold_keys(raw.relative_months, "relative_months", name),
        weekdays=weekdays,
        month_names=month_names,
        month_names_toned={unicodedata.normalize("NFC", k.lower()): v
                           for k, v in raw.month_names.items()},
        relative_years=_fold_keys(raw.relative_years, "relative_years", name),
        month_parts={folded(k): v for k, v in raw.month_parts.items()},
        day_periods={folded(k): DayPeriod(p.pm[0], p.pm[1], p.midnight)
                     for k, p in raw.day_periods.items()},
        relations=relations,
        relation_owners=_longest_first(raw.relation_owners),
        unsure=_longest_first(raw.unsure),
    )


@lru_cache(maxsize=1)
def natural() -> Natural:
    """The shipped natural-answer words (loaded once)."""
    return load_natural()
