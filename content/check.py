"""Validate every content file and collect all problems (`thidua content check`)."""

from __future__ import annotations

from collections.abc import Iterable

from content.errors import ContentError
from content.loader import check_campaigns, load_campaigns
from content.messages import Messages
from content.privacy import load_policy
from content.schema import Campaign
from content.search import load_synonyms
from content.units import UnitTree, check_units, load_units


def unit_problems(campaigns: Iterable[Campaign], tree: UnitTree) -> list[ContentError]:
    """Return the campaign unit codes that are missing from the unit hierarchy."""
    problems = []
    for campaign in campaigns:
        file = f"{campaign.id}.yaml"
        refs = [("unit", campaign.unit)]
        referral = campaign.programmes.referral
        if referral is not None:
            refs.append(("programmes.referral.home_unit", referral.home_unit))
        conference = campaign.programmes.conference
        if conference is not None and conference.pilot is not None:
            refs.append(("programmes.conference.pilot.unit", conference.pilot.unit))
        for i, deadline in enumerate(campaign.deadlines):
            refs += [(f"deadlines[{i}].remind.units[{j}]", code)
                     for j, code in enumerate(deadline.remind.units)]
        problems += [ContentError(file, path, f"đơn vị {code!r} không có trong content/units")
                     for path, code in refs if tree.get(code) is None]
    return problems


def check_all() -> list[ContentError]:
    """Return every problem found in the content files (empty when all are valid)."""
    problems: list[ContentError] = []
    for loader in (Messages.load, load_policy, load_synonyms):
        try:
            loader()
        except ContentError as exc:
            problems.append(exc)
    unit_errors = check_units()
    campaign_errors = check_campaigns()
    problems += unit_errors + campaign_errors
    if not unit_errors and not campaign_errors:
        problems += unit_problems(load_campaigns(), load_units())
    return problems
