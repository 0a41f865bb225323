"""Value types of the referral programme shared by storage and handlers: accounts, weeks, marks.

Pure values (no I/O): a quiz account, the bit of a week in a mask, where a day falls in the
programme (Timeline) and the weeks of one account (Marks). The repository builds them from
rows; handlers/referrals/rules.py judges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    """What identifies an account on the quiz site."""

    PHONE = "phone"
    EMAIL = "email"
    USERNAME = "username"


@dataclass(frozen=True, slots=True)
class QuizAccount:
    """A normalised quiz-site account: phones as +84…, emails and usernames lowercase."""

    kind: AccountKind
    value: str


def display_account(value: str) -> str:
    """Return a stored account the way people write it (phones as 0912 345 678)."""
    if value.startswith("+84") and len(value) == 12:
        local = "0" + value[3:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return value


# --------------------------------------------------------------------------- weeks


def bit(week: int) -> int:
    """Return the mask bit of a week (week 1 is bit 0)."""
    return 1 << (week - 1)


def weeks_mask(numbers: Sequence[int] | range) -> int:
    """Return the mask with the bits of every given week set."""
    mask = 0
    for number in numbers:
        mask |= bit(number)
    return mask


@dataclass(frozen=True, slots=True)
class Timeline:
    """Where a day falls in the programme: weeks closed, the current week, the end."""

    total: int
    closed: int
    current: int | None

    @property
    def finished(self) -> bool:
        """Tell whether every week has ended."""
        return self.closed >= self.total

    @property
    def closed_mask(self) -> int:
        """Return the mask of the weeks that have ended."""
        return weeks_mask(range(1, self.closed + 1))

    @property
    def started(self) -> int:
        """Return how many weeks have started (closed ones plus the current one)."""
        return self.closed + (1 if self.current else 0)


# --------------------------------------------------------------------------- marks


class WeekStatus(StrEnum):
    """One cell of the people × weeks grid."""

    VERIFIED = "verified"
    DONE = "done"
    CONFLICT = "conflict"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Marks:
    """Weeks of one account: self-reported, verified by an official list, covered by one.

    A week covered by an official list outranks a self-report: if the list does not
    contain the account, the self-report is a conflict and does not count.
    """

    reported: int = 0
    verified: int = 0
    official: int = 0

    @property
    def done(self) -> int:
        """Return the mask of weeks that count as taken part."""
        return self.verified | (self.reported & ~self.official)

    @property
    def conflicts(self) -> int:
        """Return the weeks self-reported but missing from the official list covering them."""
        return self.reported & self.official & ~self.verified

    def status(self, week: int, line: Timeline) -> WeekStatus:
        """Return the grid cell of one week."""
        b = bit(week)
        if self.verified & b:
            return WeekStatus.VERIFIED
        if self.conflicts & b:
            return WeekStatus.CONFLICT
        if self.reported & b:
            return WeekStatus.DONE
        if week <= line.closed:
            return WeekStatus.MISSED
        return WeekStatus.PENDING

    def complete_over(self, mask: int) -> bool:
        """Tell whether every week of mask counts as taken part."""
        return self.done & mask == mask
