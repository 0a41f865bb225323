"""Pure rules of the "Dân vận khéo" referral programme: typed accounts, weeks, verdicts.

No I/O here: every function takes plain values and is unit-tested directly. The value types
they work on (QuizAccount, Timeline, Marks) live in storage/referrals/marks.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from storage.referrals.marks import (
    AccountKind,
    Marks,
    QuizAccount,
    Timeline,
    WeekStatus,
    bit,
)


class AccountError(ValueError):
    """A typed account is not a valid phone number, email or username; `kind` says which."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


_PHONE_CHARS_RE = re.compile(r"^\(?\+?[0-9 .\-()]+$")
_EMAIL_RE = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")
_USERNAME_RE = re.compile(r"^[a-z0-9._\-]{3,50}$")
# Mobile numbers start with 3, 5, 7, 8 or 9 after the trunk 0 (since the 2018 renumbering).
_MOBILE_FIRST = frozenset("35789")
# 11-digit mobile prefixes renumbered in 2018 (old → new); old lists still carry them.
_OLD_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076",
    "0128": "078", "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0186": "056", "0188": "058", "0199": "059",
}
MAX_ACCOUNT_LENGTH = 120


def normalize_phone(text: str) -> str:
    """Return a Vietnamese mobile number as +84XXXXXXXXX; raise AccountError('phone')."""
    raw = text.strip()
    if not _PHONE_CHARS_RE.match(raw):
        raise AccountError("phone")
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip("(").startswith("+"):
        if not digits.startswith("84"):
            raise AccountError("phone")
        digits = "0" + digits[2:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9:  # a spreadsheet dropped the leading zero
        digits = "0" + digits
    if len(digits) == 11 and digits[:4] in _OLD_PREFIXES:
        digits = _OLD_PREFIXES[digits[:4]] + digits[4:]
    if len(digits) != 10 or digits[0] != "0" or digits[1] not in _MOBILE_FIRST:
        raise AccountError("phone")
    return "+84" + digits[1:]


def normalize_account(text: str) -> QuizAccount:
    """Normalise what the quiz site uses as an account: phone, email or username."""
    raw = unicodedata.normalize("NFC", text).strip()
    if not raw:
        raise AccountError("empty")
    if len(raw) > MAX_ACCOUNT_LENGTH:
        raise AccountError("too_long")
    if "@" in raw:
        email = raw.casefold()
        if not _EMAIL_RE.match(email):
            raise AccountError("email")
        return QuizAccount(AccountKind.EMAIL, email)
    if _PHONE_CHARS_RE.match(raw) and sum(ch.isdigit() for ch in raw) >= 3:
        return QuizAccount(AccountKind.PHONE, normalize_phone(raw))
    username = raw.casefold()
    if not _USERNAME_RE.match(username) or not any(ch.isalpha() for ch in username):
        raise AccountError("username")
    return QuizAccount(AccountKind.USERNAME, username)


# --------------------------------------------------------------------------- weeks


class WeekLike(Protocol):
    """A dated week of the programme (content.schema.Week fits)."""

    @property
    def number(self) -> int: ...

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


def week_of(weeks: Sequence[WeekLike], day: date) -> int | None:
    """Return the number of the week that contains day, or None outside every week."""
    return next((w.number for w in weeks if w.start <= day <= w.end), None)


def timeline(weeks: Sequence[WeekLike], day: date) -> Timeline:
    """Return the timeline of the programme on day."""
    closed = sum(1 for w in weeks if w.end < day)
    return Timeline(len(weeks), closed, week_of(weeks, day))


class WeekProblem(StrEnum):
    """Why a week cannot be marked."""

    UNKNOWN = "unknown"
    NOT_STARTED = "not_started"
    ENDED = "ended"


def markable_week_problem(weeks: Sequence[WeekLike], week: int, day: date, until: date
                          ) -> WeekProblem | None:
    """Tell why a participant may not self-report week on day (None when they may)."""
    numbers = [w.number for w in weeks]
    if week not in numbers:
        return WeekProblem.UNKNOWN
    if day > until:
        return WeekProblem.ENDED
    start = next(w.start for w in weeks if w.number == week)
    if start > day:
        return WeekProblem.NOT_STARTED
    return None


# --------------------------------------------------------------------------- verdict


@dataclass(frozen=True, slots=True)
class Tracked:
    """One account followed by the programme: the participant's own or a referral."""

    name: str
    marks: Marks
    is_self: bool = False


class Gap(StrEnum):
    """Kinds of what is missing for the reward."""

    NEED_REFERRALS = "need_referrals"
    MISSED = "missed"
    CONFLICT = "conflict"
    THIS_WEEK = "this_week"
    TO_COME = "to_come"


@dataclass(frozen=True, slots=True)
class Missing:
    """One thing missing: a gap kind, and the week, person or count it is about."""

    gap: Gap
    week: int | None = None
    name: str | None = None
    count: int = 0
    is_self: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a participant meets the criterion so far (final once every week ended)."""

    eligible: bool
    final: bool
    referrals: int
    complete_referrals: int
    missing: list[Missing] = field(default_factory=list)


def evaluate(own: Tracked, referrals: Sequence[Tracked], line: Timeline, min_referrals: int
             ) -> Verdict:
    """Judge the criterion: own account and at least min_referrals accounts every week.

    Weeks that ended must count as taken part; the current week is reported as still to do;
    once every week ended the verdict is final.
    """
    closed = line.closed_mask
    complete = [r for r in referrals if r.marks.complete_over(closed)]
    eligible = own.marks.complete_over(closed) and len(complete) >= min_referrals
    missing: list[Missing] = []
    watched = [own] if len(complete) >= min_referrals else [own, *referrals]
    for week in range(1, line.closed + 1):
        for person in watched:
            status = person.marks.status(week, line)
            if status is WeekStatus.MISSED:
                missing.append(Missing(Gap.MISSED, week, person.name, is_self=person.is_self))
            elif status is WeekStatus.CONFLICT:
                missing.append(Missing(Gap.CONFLICT, week, person.name, is_self=person.is_self))
    if line.current is not None:
        enough = len(complete) >= min_referrals
        for person in [own, *complete] if enough else [own, *referrals]:
            if not person.marks.done & bit(line.current):
                missing.append(Missing(Gap.THIS_WEEK, line.current, person.name,
                                       is_self=person.is_self))
    if len(referrals) < min_referrals:
        missing.append(Missing(Gap.NEED_REFERRALS, count=min_referrals - len(referrals)))
    after = line.total - line.started
    if after > 0:
        missing.append(Missing(Gap.TO_COME, week=line.started + 1, count=after))
    return Verdict(eligible, line.finished, len(referrals), len(complete), missing)
