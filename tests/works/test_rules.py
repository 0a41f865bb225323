"""Pure rules: which units owe works, compliance, delegate composition, deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import load_content
from content.schema import Campaign
from handlers.works.rules import (
    ConferenceStatus,
    Status,
    bound_units,
    by_status,
    check_composition,
    conference_compliance,
    conference_due,
    delegate_cap,
    documents_due,
    is_late,
    level_for,
    minimum_for_unit,
    works_compliance,
)
from handlers.works.works_forms import PLAN_FIELDS

DEADLINE = date(2024, 10, 25)


def _campaign(campaign_id: str) -> Campaign:
    return load_content().campaigns[campaign_id]


def test_tram_tau_units_owing_works_are_its_communes_and_agencies() -> None:
    content = load_content()
    units = bound_units(content.units, "yb.tram-tau", DEADLINE)
    communes = [u for u in units if u.commune_level]
    assert len(communes) == 12
    assert "yb.tram-tau.phong-noi-vu" in {u.code for u in units}
    programme = _campaign("tram-tau-dai-hoi-dang").programmes.works
    assert programme is not None
    minimums = {u.code: minimum_for_unit(programme, u) for u in units}
    # thị trấn Trạm Tấu is written 'thi_tran' in the unit table and 'thi-tran' in the plan.
    assert minimums["yb.tram-tau.tt-tram-tau"] == 2
    assert minimums["yb.tram-tau.ban-cong"] == 2
    assert minimums["yb.tram-tau.phong-noi-vu"] == 1


def test_units_valid_after_the_reform_are_not_asked_for_the_old_plan() -> None:
    content = load_content()
    assert bound_units(content.units, "yb.tram-tau", date(2025, 7, 1)) == []


def test_registering_on_the_deadline_day_is_late_when_the_plan_says_before() -> None:
    assert not is_late(date(2024, 10, 24), DEADLINE, inclusive=False)
    assert is_late(date(2024, 10, 25), DEADLINE, inclusive=False)
    assert not is_late(date(2024, 10, 25), DEADLINE, inclusive=True)
    assert is_late(date(2024, 10, 26), DEADLINE, inclusive=True)


def test_compliance_puts_each_unit_in_exactly_one_list() -> None:
    content = load_content()
    programme = _campaign("tram-tau-dai-hoi-dang").programmes.works
    assert programme is not None
    units = bound_units(content.units, "yb.tram-tau", DEADLINE)
    early, late = date(2024, 10, 20), date(2024, 11, 2)
    registrations = {
        "yb.tram-tau.ban-cong": [early, early],           # 2 of 2 in time
        "yb.tram-tau.pa-lau": [early, late],              # 2 of 2, one late
        "yb.tram-tau.xa-ho": [early],                     # 1 of 2
        "yb.tram-tau.phong-noi-vu": [late],               # 1 of 1, late
        "yb.tram-tau.phong-van-hoa-thong-tin": [early],   # 1 of 1
    }
    rows = works_compliance(units, programme, registrations)
    lists = by_status(rows)
    names = {status: {r.unit.code for r in rows} for status, rows in lists.items()}
    assert names[Status.COMPLETE] == {"yb.tram-tau.ban-cong",
                                      "yb.tram-tau.phong-van-hoa-thong-tin"}
    assert names[Status.LATE] == {"yb.tram-tau.pa-lau", "yb.tram-tau.phong-noi-vu"}
    assert "yb.tram-tau.xa-ho" in names[Status.SHORT]
    assert sum(len(v) for v in lists.values()) == len(units)
    xa_ho = next(r for r in rows if r.unit.code == "yb.tram-tau.xa-ho")
    assert (xa_ho.required, xa_ho.registered, xa_ho.missing) == (2, 1, 1)


def test_every_field_the_plans_require_is_asked_by_the_works_form() -> None:
    for campaign in load_content().campaigns.values():
        works = campaign.programmes.works
        if works is not None:
            assert {f.key for f in works.required_fields} <= set(PLAN_FIELDS)


def test_every_unit_type_named_by_a_works_minimum_exists() -> None:
    content = load_content()
    known = {code.replace("_", "-") for code in content.units.types}
    for campaign in content.campaigns.values():
        works = campaign.programmes.works
        if works is not None:
            for rule in works.minimum_per_unit:
                assert set(rule.unit_types) - {"*"} <= known


@pytest.mark.parametrize(("total", "grassroots", "cap", "missing", "over", "ok"), [
    (200, 140, 300, 0, 0, True),      # exactly 70 %
    (200, 139, 300, 1, 0, False),
    (201, 140, 300, 1, 0, False),     # 70 % of 201 is 140.7: 141 needed
    (320, 230, 300, 0, 20, False),    # share fine, too many people
    (300, 210, 300, 0, 0, True),
    (10, 0, None, 7, 0, False),
])
def test_composition_needs_seventy_percent_grassroots_and_a_size_cap(
        total: int, grassroots: int, cap: int | None, missing: int, over: int, ok: bool
) -> None:
    check = check_composition(total, grassroots, 70, cap)
    assert (check.grassroots_shortfall, check.over_cap, check.ok) == (missing, over, ok)


def test_composition_offers_fewer_guests_as_the_other_way() -> None:
    check = check_composition(200, 120, 70, 300)
    assert check.required_grassroots == 140
    assert check.max_total_for_grassroots == 171  # 120 is 70.2 % of 171
    assert check.guests_to_drop == 29
    with pytest.raises(ValueError):
        check_composition(100, 120, 70, 300)


def test_conference_deadlines_and_caps_from_the_chi_lang_plan() -> None:
    campaign = _campaign("chi-lang-dai-hoi-thi-dua")
    programme = campaign.programmes.conference
    assert programme is not None
    commune = level_for(programme, "ls.chi-lang.huu-kien", campaign.unit)
    district = level_for(programme, campaign.unit, campaign.unit)
    assert (commune.level, district.level) == ("xa", "huyen")
    # A commune conference may not exceed the district one: 300.
    assert delegate_cap(programme, commune) == delegate_cap(programme, district) == 300
    assert conference_due(programme, commune, "ls.chi-lang.huu-kien") == date(2025, 3, 31)
    assert conference_due(programme, commune, "ls.chi-lang.nhan-ly") == date(2025, 2, 28)
    assert documents_due(date(2025, 3, 20), programme.documents_days_before.number) == date(
        2025, 3, 5)


def test_conference_compliance_missing_late_on_time() -> None:
    content = load_content()
    campaign = _campaign("chi-lang-dai-hoi-thi-dua")
    programme = campaign.programmes.conference
    assert programme is not None
    communes = content.units.communes(campaign.unit, date(2025, 3, 31))
    rows = conference_compliance(communes, programme, campaign.unit, {
        "ls.chi-lang.huu-kien": (date(2025, 3, 31), True),
        "ls.chi-lang.quan-son": (date(2025, 4, 1), False),
        "ls.chi-lang.nhan-ly": (date(2025, 3, 10), True),  # the pilot is due in February
    })
    status = {r.unit.code: r.status for r in rows}
    assert status["ls.chi-lang.huu-kien"] is ConferenceStatus.ON_TIME
    assert status["ls.chi-lang.quan-son"] is ConferenceStatus.LATE
    assert status["ls.chi-lang.nhan-ly"] is ConferenceStatus.LATE
    assert status["ls.chi-lang.van-an"] is ConferenceStatus.MISSING
    van_an = next(r for r in rows if r.unit.code == "ls.chi-lang.van-an")
    assert not van_an.overdue(date(2025, 3, 31)) and van_an.overdue(date(2025, 4, 1))
