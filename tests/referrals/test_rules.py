"""Pure rules: account normalisation, weeks, marks and the eligibility verdict."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from content.loader import load_campaigns
from content.schema import Week
from handlers.referrals.common import programme, week_of_said_date
from handlers.referrals.rules import (
    AccountError,
    Gap,
    Tracked,
    WeekProblem,
    evaluate,
    markable_week_problem,
    normalize_account,
    normalize_phone,
    timeline,
    week_of,
)
from storage.referrals.marks import (
    AccountKind,
    Marks,
    Timeline,
    WeekStatus,
    bit,
    display_account,
    weeks_mask,
)

WEEKS = [Week(number=n, start=date(2024, 3, 25) + timedelta(weeks=n - 1),
              end=date(2024, 3, 31) + timedelta(weeks=n - 1)) for n in range(1, 6)]
UNTIL = date(2024, 4, 28)
ALL = weeks_mask(range(1, 6))


@pytest.mark.parametrize("typed", [
    "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "84912345678",
    "0084912345678", "912345678", "(+84) 912 345 678", " 0912345678 ",
])
def test_common_phone_forms_are_one_account(typed: str) -> None:
    assert normalize_account(typed) == normalize_account("0912345678")
    assert normalize_account(typed).value == "+84912345678"


def test_old_eleven_digit_numbers_are_renumbered() -> None:
    assert normalize_phone("0168 123 4567") == "+84381234567"
    assert normalize_phone("01291234567") == "+84821234567"


@pytest.mark.parametrize("typed", ["0912 345 67", "0212345678", "+1 202 555 0100",
                                   "0912 345 6789", "1234567890"])
def test_invalid_phones_are_refused(typed: str) -> None:
    with pytest.raises(AccountError) as error:
        normalize_account(typed)
    assert error.value.kind == "phone"


def test_emails_and_usernames_are_lowercased_and_checked() -> None:
    assert normalize_account(" Lan.Nguyen@Gmail.com ").value == "lan.nguyen@gmail.com"
    assert normalize_account("Lan.Nguyen@Gmail.com").kind is AccountKind.EMAIL
    assert normalize_account("LanNguyen90").value == "lannguyen90"
    assert normalize_account("LanNguyen90").kind is AccountKind.USERNAME
    for typed, kind in (("lan@", "email"), ("lan@gmail", "email"), ("Lưu Lan", "username"),
                        ("ab", "username"), ("", "empty"), ("x" * 121, "too_long")):
        with pytest.raises(AccountError) as error:
            normalize_account(typed)
        assert error.value.kind == kind, typed


def test_accounts_are_shown_the_way_people_write_them() -> None:
    assert display_account("+84912345678") == "0912 345 678"
    assert display_account("lan@gmail.com") == "lan@gmail.com"


def test_week_of_a_date_and_the_timeline() -> None:
    assert week_of(WEEKS, date(2024, 4, 10)) == 3
    assert week_of(WEEKS, date(2024, 4, 14)) == 3
    assert week_of(WEEKS, date(2024, 4, 15)) == 4
    assert week_of(WEEKS, date(2024, 3, 24)) is None
    assert week_of(WEEKS, date(2024, 4, 29)) is None
    line = timeline(WEEKS, date(2024, 4, 10))
    assert (line.closed, line.current, line.started, line.finished) == (2, 3, 3, False)
    assert line.closed_mask == bit(1) | bit(2)
    assert timeline(WEEKS, date(2024, 4, 29)).finished
    assert timeline(WEEKS, date(2024, 3, 1)).started == 0


def test_markable_weeks() -> None:
    today = date(2024, 4, 10)
    assert markable_week_problem(WEEKS, 3, today, UNTIL) is None
    assert markable_week_problem(WEEKS, 1, today, UNTIL) is None
    assert markable_week_problem(WEEKS, 4, today, UNTIL) is WeekProblem.NOT_STARTED
    assert markable_week_problem(WEEKS, 6, today, UNTIL) is WeekProblem.UNKNOWN
    assert markable_week_problem(WEEKS, 5, date(2024, 4, 29), UNTIL) is WeekProblem.ENDED


def test_official_list_outranks_a_self_report() -> None:
    line = timeline(WEEKS, date(2024, 4, 10))
    marks = Marks(reported=bit(1) | bit(2), verified=bit(3), official=bit(2) | bit(3))
    assert marks.status(1, line) is WeekStatus.DONE
    assert marks.status(2, line) is WeekStatus.CONFLICT
    assert marks.status(3, line) is WeekStatus.VERIFIED
    assert marks.status(4, line) is WeekStatus.PENDING
    assert marks.done == bit(1) | bit(3)
    assert Marks().status(1, line) is WeekStatus.MISSED


def _person(name: str, done: int, is_self: bool = False) -> Tracked:
    return Tracked(name, Marks(reported=done), is_self)


def test_final_verdict_eligible_with_two_complete_referrals() -> None:
    line = timeline(WEEKS, date(2024, 4, 29))
    verdict = evaluate(_person("Bạn", ALL, True),
                       [_person("Minh", ALL), _person("Hoa", ALL), _person("Nam", bit(1))],
                       line, 2)
    assert verdict.final and verdict.eligible
    assert verdict.complete_referrals == 2 and verdict.missing == []


def test_final_verdict_names_exactly_what_is_missing() -> None:
    line = timeline(WEEKS, date(2024, 4, 29))
    verdict = evaluate(_person("Bạn", ALL, True),
                       [_person("Lan", ALL - bit(3))], line, 2)
    assert verdict.final and not verdict.eligible
    gaps = [(m.gap, m.week, m.name, m.count) for m in verdict.missing]
    assert gaps == [(Gap.MISSED, 3, "Lan", 0), (Gap.NEED_REFERRALS, None, None, 1)]


def test_verdict_during_the_contest_lists_this_week_and_weeks_to_come() -> None:
    line = timeline(WEEKS, date(2024, 4, 10))
    verdict = evaluate(_person("Bạn", bit(1) | bit(2) | bit(3), True),
                       [_person("Minh", bit(1) | bit(2)), _person("Hoa", bit(1) | bit(2))],
                       line, 2)
    assert verdict.eligible and not verdict.final
    gaps = [(m.gap, m.week, m.name) for m in verdict.missing]
    assert gaps == [(Gap.THIS_WEEK, 3, "Minh"), (Gap.THIS_WEEK, 3, "Hoa"),
                    (Gap.TO_COME, 4, None)]


def test_extra_referrals_do_not_add_noise_once_enough_are_complete() -> None:
    line = timeline(WEEKS, date(2024, 4, 29))
    verdict = evaluate(_person("Bạn", ALL, True),
                       [_person("Minh", ALL), _person("Hoa", ALL), _person("Nam", 0)], line, 2)
    assert verdict.eligible and not verdict.missing


def test_own_missed_week_blocks_the_reward() -> None:
    line = Timeline(total=5, closed=5, current=None)
    verdict = evaluate(_person("Bạn", ALL - bit(5), True),
                       [_person("Minh", ALL), _person("Hoa", ALL)], line, 2)
    assert not verdict.eligible
    assert [(m.gap, m.week, m.is_self) for m in verdict.missing] == [(Gap.MISSED, 5, True)]


def test_conflict_counts_as_not_taken_part() -> None:
    line = Timeline(total=5, closed=5, current=None)
    contested = Tracked("Minh", Marks(reported=ALL, verified=ALL - bit(2), official=ALL))
    verdict = evaluate(_person("Bạn", ALL, True), [contested, _person("Hoa", ALL)], line, 2)
    assert not verdict.eligible
    assert [(m.gap, m.week, m.name) for m in verdict.missing] == [(Gap.CONFLICT, 2, "Minh")]


def test_a_week_can_be_said_as_a_day_in_it() -> None:
    campaign = next(c for c in load_campaigns()
                    if c.id == "bac-son-dan-van-kheo-2024")
    prog = programme(campaign)
    today = date(2024, 4, 10)  # a Wednesday of week 3
    assert week_of_said_date(prog, "tuần trước", today) == 2
    assert week_of_said_date(prog, "tuan nay", today) == 3
    assert week_of_said_date(prog, "hôm qua", today) == 3
    assert week_of_said_date(prog, "ngày 26 tháng 3", today) == 1
    assert week_of_said_date(prog, "28/3", today) == 1
    assert week_of_said_date(prog, "tuần sau", today) is None  # not yet: refused
    assert week_of_said_date(prog, "ngày 1 tháng 1", today) is None  # before week 1
    assert week_of_said_date(prog, "có lẽ", today) is None
