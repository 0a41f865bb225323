"""Server commands: `thidua import referrals FILE …` and `thidua export referrals …`.

Both are `CliCommand`s listed in the feature's manifest; `run(args, app)` gets a started app
(settings, services with the catalog, units, campaigns and clock, and its sessions).
"""

from __future__ import annotations

import functools
import sys

from content.messages import Messages
from content.schema import Campaign
from content.units import UnitTree


def _out(text: str) -> None:
    sys.stdout.write(text.rstrip() + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip() + "\n")


@functools.cache
def _catalog() -> Messages:
    return Messages.load()


def _campaign(campaigns: dict[str, Campaign], campaign_id: str, t: Messages) -> Campaign | None:
    campaign = campaigns.get(campaign_id)
    if campaign is None or campaign.programmes.referral is None:
        known = ", ".join(c.id for c in campaigns.values() if c.programmes.referral) or "—"
        _err(t.t("ref.cli.no_campaign", campaign=campaign_id, known=known))
        return None
    return campaign


def _scope(units: UnitTree, home_unit: str, unit: str | None, t: Messages
           ) -> tuple[list[str] | None, str] | None:
    if unit is None:
        return None, home_unit
    area = {home_unit, *(u.code for u in units.descendants(home_unit))}
    if unit not in area:
        _err(t.t("ref.cli.bad_unit", unit=unit, example=home_unit))
        return None
    return [unit, *(u.code for u in units.descendants(unit))], unit
