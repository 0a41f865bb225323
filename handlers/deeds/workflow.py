"""Pure rules of good-deed reports: statuses, who may do what, dates, phones (no I/O)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from content.text import fold
from storage.deeds.states import Action, Minor, NomineeConsent, Status

MAX_PHOTOS = 3
MAX_AGE = timedelta(days=5 * 366)
NOMINEE_MIN_AGE = 16

OPEN = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED})
RECOGNISED = frozenset({Status.APPROVED, Status.NOMINATED, Status.AWARDED})
FINAL = frozenset({Status.AWARDED, Status.REJECTED})

# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.TAKE: (frozenset({Status.SUBMITTED}), Status.IN_REVIEW),
    Action.RELEASE: (frozenset({Status.IN_REVIEW}), Status.SUBMITTED),
    Action.RETURN: (frozenset({Status.IN_REVIEW}), Status.RETURNED),
    Action.ANSWER: (frozenset({Status.RETURNED}), Status.IN_REVIEW),
    Action.APPROVE: (frozenset({Status.IN_REVIEW}), Status.APPROVED),
    Action.NOMINATE: (frozenset({Status.IN_REVIEW, Status.APPROVED}), Status.NOMINATED),
    Action.AWARD: (frozenset({Status.NOMINATED}), Status.AWARDED),
    Action.REJECT: (frozenset({Status.IN_REVIEW}), Status.REJECTED),
    Action.EDIT: (frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED}), None),
    Action.NOTE: (frozenset(Status), None),
    Action.CONSENT: (frozenset(Status) - {Status.REJECTED}, None),
}

# Actions that need the report to be held by the one acting (or an admin).
HOLDER_ONLY = frozenset({Action.RELEASE, Action.RETURN, Action.APPROVE, Action.NOMINATE,
                         Action.REJECT, Action.EDIT})
# Actions that send the nominee's data beyond the reviewers.
NEED_NOMINEE_CONSENT = frozenset({Action.NOMINATE, Action.AWARD})
# Decisions the reporter is told about.
TOLD_TO_REPORTER = frozenset({Action.TAKE, Action.RETURN, Action.APPROVE, Action.NOMINATE,
                              Action.AWARD, Action.REJECT})

REJECT_REASONS: tuple[str, ...] = ("duplicate", "unverified", "not_good_deed", "wrong_unit",
                                   "insufficient", "other")

REVIEW_MENU: tuple[Action, ...] = (Action.TAKE, Action.APPROVE, Action.NOMINATE, Action.AWARD,
                                   Action.RETURN, Action.REJECT, Action.EDIT, Action.CONSENT,
                                   Action.NOTE, Action.RELEASE)


class Refusal(Exception):
    """An action that the rules forbid; `key` names the reason (`not_now`, `not_holder`…)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def consent_given(consent: str) -> bool:
    """Tell whether the nominee's data may be shown beyond reviewers."""
    return consent in (NomineeConsent.SELF, NomineeConsent.PERSON, NomineeConsent.GUARDIAN)


def next_status(action: Action, status: str) -> Status | None:
    """Return the status an action leads to (None: unchanged); raise Refusal if not now."""
    allowed_from, to = TRANSITIONS[action]
    if Status(status) not in allowed_from:
        raise Refusal("not_now")
    return to


def check_action(action: Action, status: str, *, holder_id: int | None, actor_id: int,
                 actor_is_admin: bool, reporter_id: int | None, consent: str) -> Status | None:
    """Return the status an action leads to, or raise Refusal saying why it may not happen."""
    to = next_status(action, status)
    if action is not Action.NOTE and reporter_id == actor_id and not actor_is_admin:
        raise Refusal("own_report")
    # Nobody holds a report in review only when its reviewer's account was deleted: then
    # any reviewer in scope may go on with it.
    if action in HOLDER_ONLY and status == Status.IN_REVIEW and holder_id is not None \
            and holder_id != actor_id and not actor_is_admin:
        raise Refusal("not_holder")
    if action in NEED_NOMINEE_CONSENT and not consent_given(consent):
        raise Refusal("needs_consent")
    return to


def available_actions(status: str, *, holder_id: int | None, actor_id: int,
                      actor_is_admin: bool, reporter_id: int | None, consent: str
                      ) -> list[Action]:
    """Return the actions to offer a reviewer (consent-gated ones included, to explain)."""
    offered: list[Action] = []
    for action in REVIEW_MENU:
        try:
            check_action(action, status, holder_id=holder_id, actor_id=actor_id,
                         actor_is_admin=actor_is_admin, reporter_id=reporter_id,
                         consent=NomineeConsent.PERSON)
        except Refusal:
            continue
        if action is Action.CONSENT and consent == NomineeConsent.SELF:
            continue
        offered.append(action)
    return offered


def check_consent_source(minor: str, source: str) -> None:
    """Refuse the nominee's own consent when they are under 16 (a guardian must agree)."""
    if source == NomineeConsent.PERSON and minor == Minor.YES:
        raise Refusal("guardian_needed")


# --- dates -------------------------------------------------------------------------------

_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")


class DateProblem(Exception):
    """A typed date that is not accepted: `kind` is format, future or too_old."""

    def __init__(self, kind: str, day: date | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.day = day


def parse_deed_date(text: str, today: date) -> date:
    """Read "hôm nay", "hôm qua", "20/4", "20/4/2024", "20-04-2024" or "2024-04-20"."""
    words = " ".join(fold(text).replace(",", " ").split())
    words = words.removeprefix("ngay ").strip()
    relative = {"hom nay": 0, "nay": 0, "hom qua": 1, "qua": 1, "hom kia": 2,
                "mai": -1, "ngay mai": -1}
    if words in relative:
        day = today - timedelta(days=relative[words])
        if day > today:
            raise DateProblem("future", day)
        return day
    match = _NUMERIC.match(words)
    if match is None:
        raise DateProblem("format")
    first, second, third = match.groups()
    try:
        if len(first) == 4:  # 2024-04-20
            if third is None:
                raise DateProblem("format")
            day = date(int(first), int(second), int(third))
        else:
            year = today.year if third is None else int(third)
            if third is not None and len(third) == 2:
                year += 2000
            elif third is not None and len(third) != 4:
                raise DateProblem("format")
            day = date(year, int(second), int(first))
    except ValueError as exc:
        raise DateProblem("format") from exc
    if day > today:
        raise DateProblem("future", day)
    if today - day > MAX_AGE:
        raise DateProblem("too_old", day)
    return day


# --- phone numbers -------------------------------------------------------------------------

_PHONE = re.compile(r"^0\d{9,10}$")


def parse_phone(text: str) -> str:
    """Return a Vietnamese phone number as 0xxxxxxxxx; raise ValueError when not one."""
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _PHONE.match(digits):
        raise ValueError("not a phone number")
    return digits
