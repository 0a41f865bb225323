"""Pure rules of good-deed reports: transitions, who may act, dates, phone numbers."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.deeds.workflow import (
    Action,
    NomineeConsent,
    Refusal,
    Status,
    available_actions,
    check_action,
    check_consent_source,
    parse_phone,
)

TODAY = date(2024, 4, 10)
REVIEWER, OTHER, REPORTER = 1, 2, 3


def act(action: Action, status: Status, *, actor: int = REVIEWER, holder: int | None = REVIEWER,
        admin: bool = False, consent: str = NomineeConsent.PERSON) -> Status | None:
    return check_action(action, status, holder_id=holder, actor_id=actor,
                        actor_is_admin=admin, reporter_id=REPORTER, consent=consent)


@pytest.mark.parametrize(("action", "status", "to"), [
    (Action.TAKE, Status.SUBMITTED, Status.IN_REVIEW),
    (Action.RETURN, Status.IN_REVIEW, Status.RETURNED),
    (Action.ANSWER, Status.RETURNED, Status.IN_REVIEW),
    (Action.APPROVE, Status.IN_REVIEW, Status.APPROVED),
    (Action.NOMINATE, Status.APPROVED, Status.NOMINATED),
    (Action.NOMINATE, Status.IN_REVIEW, Status.NOMINATED),
    (Action.AWARD, Status.NOMINATED, Status.AWARDED),
    (Action.REJECT, Status.IN_REVIEW, Status.REJECTED),
    (Action.RELEASE, Status.IN_REVIEW, Status.SUBMITTED),
    (Action.NOTE, Status.AWARDED, None),
])
def test_allowed_transitions(action: Action, status: Status, to: Status | None) -> None:
    assert act(action, status) == to


@pytest.mark.parametrize(("action", "status"), [
    (Action.APPROVE, Status.SUBMITTED),  # must be taken first
    (Action.REJECT, Status.APPROVED),
    (Action.AWARD, Status.APPROVED),  # nominate first
    (Action.TAKE, Status.IN_REVIEW),
    (Action.EDIT, Status.AWARDED),
    (Action.CONSENT, Status.REJECTED),
])
def test_transitions_not_allowed_now(action: Action, status: Status) -> None:
    with pytest.raises(Refusal) as refusal:
        act(action, status)
    assert refusal.value.key == "not_now"


def test_only_the_holder_or_an_admin_decides_a_report_in_review() -> None:
    with pytest.raises(Refusal, match="not_holder"):
        act(Action.APPROVE, Status.IN_REVIEW, actor=OTHER)
    assert act(Action.APPROVE, Status.IN_REVIEW, actor=OTHER, admin=True) == Status.APPROVED
    assert act(Action.NOTE, Status.IN_REVIEW, actor=OTHER) is None
    assert act(Action.CONSENT, Status.IN_REVIEW, actor=OTHER) is None


def test_a_report_in_review_whose_holder_was_deleted_is_open_to_any_reviewer() -> None:
    assert act(Action.APPROVE, Status.IN_REVIEW, actor=OTHER, holder=None) == Status.APPROVED


def test_nobody_reviews_their_own_report_except_with_a_note() -> None:
    with pytest.raises(Refusal, match="own_report"):
        act(Action.TAKE, Status.SUBMITTED, actor=REPORTER, holder=None)
    assert act(Action.NOTE, Status.SUBMITTED, actor=REPORTER, holder=None) is None


def test_nomination_and_award_need_the_nominees_consent() -> None:
    for consent in (NomineeConsent.PENDING, NomineeConsent.REFUSED):
        with pytest.raises(Refusal, match="needs_consent"):
            act(Action.NOMINATE, Status.APPROVED, consent=consent)
        with pytest.raises(Refusal, match="needs_consent"):
            act(Action.AWARD, Status.NOMINATED, consent=consent)
    for consent in (NomineeConsent.SELF, NomineeConsent.PERSON, NomineeConsent.GUARDIAN):
        assert act(Action.NOMINATE, Status.APPROVED, consent=consent) == Status.NOMINATED


def test_a_minor_needs_a_guardian() -> None:
    with pytest.raises(Refusal, match="guardian_needed"):
        check_consent_source("yes", NomineeConsent.PERSON)
    check_consent_source("yes", NomineeConsent.GUARDIAN)
    check_consent_source("unknown", NomineeConsent.PERSON)


def test_actions_offered_follow_the_rules() -> None:
    offered = available_actions(Status.SUBMITTED, holder_id=None, actor_id=REVIEWER,
                                actor_is_admin=False, reporter_id=REPORTER,
                                consent=NomineeConsent.SELF)
    assert offered == [Action.TAKE, Action.EDIT, Action.NOTE]
    offered = available_actions(Status.IN_REVIEW, holder_id=OTHER, actor_id=REVIEWER,
                                actor_is_admin=False, reporter_id=REPORTER,
                                consent=NomineeConsent.PENDING)
    assert offered == [Action.CONSENT, Action.NOTE]


@pytest.mark.parametrize(("typed", "expected"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("091.234.5678", "0912345678"),
])
def test_phone_numbers(typed: str, expected: str) -> None:
    assert parse_phone(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "abc", "1912345678", "09123456789012"])
def test_bad_phone_numbers(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_phone(typed)
