"""Reminder rules as data: moments of campaign deadlines, the registry, content checks."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.delivery.reminders import (
    DeadlineRule,
    ReminderRegistry,
    deadline_moments,
    deadline_occasions,
)
from content.loader import load_campaigns
from content.messages import Messages
from content.schema import DeadlineReminder
from content.units import load_units

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def rule() -> DeadlineRule:
    return DeadlineRule(load_campaigns(), load_units(), time(8, 0), TZ)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_bac_son_deadline_reminds_7_3_1_days_before_and_on_the_day_at_eight() -> None:
    moments = [m for m in rule().due(at("2024-04-28 23:00"))
               if m.key.startswith("bac-son-dan-van-kheo-2024:")]
    assert [m.at for m in moments] == [at("2024-04-21 08:00"), at("2024-04-25 08:00"),
                                       at("2024-04-27 08:00"), at("2024-04-28 08:00")]
    assert {m.expires_at for m in moments} == {at("2024-04-29 00:00")}
    assert moments[-1].message_key == "reminders.deadline.today"
    assert moments[0].params["days"] == 7 and moments[0].params["date"] == "28/04/2024"


def test_a_deadline_before_a_date_counts_from_the_day_before() -> None:
    works = next(o for o in deadline_occasions(load_campaigns())
                 if o.campaign_id == "tram-tau-dai-hoi-dang" and "đăng ký" in o.what)
    assert str(works.last_day) == "2024-10-24" and works.to == "liaisons"
    moments = [m for m in rule().due(at("2024-10-24 12:00")) if m.key.startswith(works.key)]
    assert [m.at.day for m in moments] == [17, 21, 23, 24]
    assert moments[0].message_key == "reminders.deadline.before_exclusive"


def test_nothing_is_due_after_the_deadline_and_commemorations_remind_nobody() -> None:
    assert not [m for m in rule().due(at("2024-04-29 08:00"))
                if m.key.startswith("bac-son-dan-van-kheo-2024:")]
    keys = {o.key for o in deadline_occasions(load_campaigns())}
    assert not any(k.startswith("hon-quan-tong-tuyen-cu-80:20260106") for k in keys)


def test_office_deadlines_go_to_that_office_only() -> None:
    plan = next(o for o in deadline_occasions(load_campaigns())
                if o.campaign_id == "chi-lang-dai-hoi-thi-dua"
                and o.what == "Kế hoạch tuyên truyền")
    assert plan.units == ("ls.chi-lang.phong-van-hoa-thong-tin",) and plan.to == "liaisons"


def test_every_deadline_message_exists_in_the_catalog_with_its_params() -> None:
    catalog = Messages.load()
    for occasion in deadline_occasions(load_campaigns()):
        for moment in deadline_moments(occasion, time(8, 0), TZ):
            assert catalog.t(moment.message_key, **moment.params)


def test_rule_ids_are_unique_and_safe_for_dedupe_keys() -> None:
    registry = ReminderRegistry()
    registry.add(rule())
    with pytest.raises(ValueError, match="twice"):
        registry.add(rule())
    bad = rule()
    bad.id = "dead:line"  # type: ignore[misc]
    with pytest.raises(ValueError, match="bad reminder rule id"):
        ReminderRegistry().add(bad)
    assert registry.kinds() == ["deadline"]


def test_reminder_days_are_validated_in_content() -> None:
    with pytest.raises(ValidationError, match="repeat"):
        DeadlineReminder(days_before=[3, 3])
    with pytest.raises(ValidationError, match="between 0 and 60"):
        DeadlineReminder(days_before=[90])
    assert DeadlineReminder().days_before == [7, 3, 1, 0]
