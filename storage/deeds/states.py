"""The stored vocabulary of good-deed reports: statuses, history actions, consent, age group.

These are the values written in the `deeds` and `deed_events` columns; the rules that move a
report between them live in `handlers/deeds/workflow.py`.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a report is in its review."""

    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    NOMINATED = "nominated"
    AWARDED = "awarded"
    REJECTED = "rejected"


class Action(StrEnum):
    """What can happen to a report; each is one row of its history."""

    SUBMIT = "submit"
    TAKE = "take"
    RELEASE = "release"
    RETURN = "return"
    ANSWER = "answer"
    APPROVE = "approve"
    NOMINATE = "nominate"
    AWARD = "award"
    REJECT = "reject"
    EDIT = "edit"
    NOTE = "note"
    CONSENT = "consent"
    # Not a decision: the reporter's identity was erased (consent withdrawn, account deleted).
    ERASE = "erase"


class NomineeConsent(StrEnum):
    """Whether the person a report is about agreed to their data being used beyond review."""

    SELF = "self"  # the reporter reported themselves
    PENDING = "pending"
    PERSON = "person"  # the nominee agreed
    GUARDIAN = "guardian"  # a parent or guardian agreed (nominee under 16)
    REFUSED = "refused"


class Minor(StrEnum):
    """Whether the nominee is under 16, as the reporter knows it."""

    NO = "no"
    YES = "yes"
    UNKNOWN = "unknown"


# What the reporter may read of the history: decisions about their report, never notes.
REPORTER_EVENTS = frozenset({Action.SUBMIT, Action.TAKE, Action.RETURN, Action.ANSWER,
                             Action.APPROVE, Action.NOMINATE, Action.AWARD, Action.REJECT})

# Reports that carry a nomination (listed in the council's export).
NOMINATIONS = frozenset({Status.NOMINATED, Status.AWARDED})
