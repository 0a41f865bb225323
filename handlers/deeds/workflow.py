"""Pure rules of good-deed reports: statuses, who may do what, dates, phones (no I/O)."""

from __future__ import annotations

import re
from datetime import timedelta

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
