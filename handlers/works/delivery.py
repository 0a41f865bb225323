"""Works and conference reminders and audiences: who is still behind, reached by liaison.

- `NoncompliantUnits` (broadcast audience `noncompliant`): liaisons of the units short of
  their minimum works (programme `works`) or of the communes with no conference registered
  (programme `conference`).
- `WorksDeadlineRule`: the works registration deadline of a campaign file, reminded N days
  before (its own `remind` settings) only to liaisons of units still short; re-checked just
  before sending, so a unit that registered enough in the meantime gets nothing.
- `ConferenceDeadlineRule`: the conference deadlines of a campaign file (the pilot's, the
  communes', the campaign unit's own), reminded only to liaisons of the units that still owe
  their conference: none registered, or registered for a day after the deadline and not yet
  reported held. A unit that registered in time, or closed its conference, gets nothing;
  re-checked just before sending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING

from bot.delivery.audiences import NONCOMPLIANT, AudienceSpec
from bot.delivery.reminders import (
    DEADLINE_KIND,
    DeadlineOccasion,
    Moment,
    deadline_moments,
    deadline_occasions,
)
from content.schema import Campaign
from content.units import Unit, UnitTree
from handlers.works.rules import (
    ConferenceStatus,
    Status,
    conference_area,
    conference_compliance,
    works_area,
    works_compliance,
)
from storage.works.liaisons import LIAISON, is_liaison_of, liaison_ids, liaisons_of
from storage.works.repo import ConferenceRepo, WorksRepo

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

WORKS_DEADLINE_RULE = "works-deadline"
CONFERENCE_DEADLINE_RULE = "conference-deadline"


async def short_units(session: AsyncSession, tree: UnitTree, campaign: Campaign) -> list[str]:
    """Return the codes of the units that registered fewer works than the plan asks."""
    area = works_area(campaign, tree)
    if area is None:
        return []
    days = await WorksRepo(session).registration_days(campaign.id)
    return [row.unit.code for row in works_compliance(area.units, area.programme, days)
            if row.status is Status.SHORT]


async def unregistered_communes(session: AsyncSession, tree: UnitTree, campaign: Campaign
                                ) -> list[str]:
    """Return the codes of the communes that have no conference registered yet."""
    programme = campaign.programmes.conference
    if programme is None:
        return []
    communes = [u for u in tree.communes(campaign.unit, programme.levels[0].due.date)
                if u.code != campaign.unit]
    held = {c.unit_code: (c.held_on, True)
            for c in await ConferenceRepo(session).of_campaign(campaign.id)}
    return [row.unit.code
            for row in conference_compliance(communes, programme, campaign.unit, held)
            if row.status is ConferenceStatus.MISSING]


async def conference_owers(session: AsyncSession, campaign: Campaign, units: Iterable[Unit]
                           ) -> list[str]:
    """Return the codes of the units that still owe their conference: none registered, or
    one registered for a day after its due date and not reported held."""
    programme = campaign.programmes.conference
    if programme is None:
        return []
    conferences = {c.unit_code: c
                   for c in await ConferenceRepo(session).of_campaign(campaign.id)}
    registered = {code: (c.held_on, True) for code, c in conferences.items()}
    out = []
    for row in conference_compliance(units, programme, campaign.unit, registered):
        conference = conferences.get(row.unit.code)
        if row.status is ConferenceStatus.MISSING or (
                row.status is ConferenceStatus.LATE and conference is not None
                and not conference.closed):
            out.append(row.unit.code)
    return out


class NoncompliantUnits:
    """Broadcast audience: liaisons of the units not yet compliant on a programme."""

    type = NONCOMPLIANT

    def __init__(self, campaigns: dict[str, Campaign], tree: UnitTree) -> None:
        self._campaigns = campaigns
        self._tree = tree

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return the liaisons of the units behind on `spec["programme"]` of the campaign."""
        campaign = self._campaigns.get(spec.get("campaign", ""))
        units: list[str] = []
        if campaign is not None and spec.get("programme") == "works":
            units = await short_units(session, self._tree, campaign)
        elif campaign is not None and spec.get("programme") == "conference":
            units = await unregistered_communes(session, self._tree, campaign)
        return liaisons_of(units)


def works_deadline(campaign: Campaign) -> DeadlineOccasion | None:
    """Return the campaign-file deadline that is the works registration deadline, if any."""
    programme = campaign.programmes.works
    if programme is None:
        return None
    register_by = programme.register_by
    for occasion in deadline_occasions([campaign]):
        if occasion.due_date == register_by.date and occasion.inclusive == register_by.inclusive:
            return replace(occasion, to=LIAISON)
    return None


class WorksDeadlineRule:
    """The works registration deadline, reminded only to liaisons of units still short."""

    id = WORKS_DEADLINE_RULE
    kind = DEADLINE_KIND

    def __init__(self, campaigns: Iterable[Campaign], tree: UnitTree, hour: time,
                 tz: tzinfo) -> None:
        self._tree = tree
        self._campaigns: dict[str, Campaign] = {}
        self._moments: list[Moment] = []
        self.occasions: dict[str, DeadlineOccasion] = {}
        for campaign in campaigns:
            occasion = works_deadline(campaign)
            if occasion is None:
                continue
            self.occasions[occasion.key] = occasion
            self._campaigns[occasion.key] = campaign
            for moment in deadline_moments(occasion, hour, tz):
                self._moments.append(replace(
                    moment, message_key=moment.message_key.replace("reminders.deadline.",
                                                                   "works.remind.")))
        self._moments.sort(key=lambda m: m.at)

    def due(self, now: datetime) -> list[Moment]:
        """Return the reminder moments at or before `now` whose deadline has not passed."""
        return [m for m in self._moments if m.at <= now < m.expires_at]

    def _campaign(self, key: str) -> Campaign | None:
        return self._campaigns.get(key.rsplit(":", 1)[0])

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the liaisons of the units that have not registered enough works."""
        campaign = self._campaign(moment.key)
        if campaign is None:
            return []
        return await liaison_ids(session, await short_units(session, self._tree, campaign))

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person is still the liaison of a unit that is short."""
        campaign = self._campaign(key)
        if campaign is None:
            return False
        return await is_liaison_of(session, person_id,
                                   await short_units(session, self._tree, campaign))


def conference_deadlines(campaign: Campaign, tree: UnitTree
                         ) -> list[tuple[DeadlineOccasion, list[Unit]]]:
    """Return the campaign-file deadlines that are conference deadlines, each with the
    units that must hold their conference by it (the pilot, the communes, the campaign's
    own unit for the last level)."""
    area = conference_area(campaign, tree)
    if area is None:
        return []
    programme = area.programme
    communes = [u for u in area.units if u.code != campaign.unit]
    own = [u for u in area.units if u.code == campaign.unit]
    out = []
    for occasion in deadline_occasions([campaign]):
        units: dict[str, Unit] = {}
        pilot = programme.pilot
        if pilot is not None and occasion.due_date == pilot.due.date:
            units.update({u.code: u for u in communes if u.code == pilot.unit})
        if occasion.due_date == programme.levels[0].due.date:
            units.update({u.code: u for u in communes})
        if len(programme.levels) > 1 and occasion.due_date == programme.levels[-1].due.date:
            units.update({u.code: u for u in own})
        if units:
            out.append((replace(occasion, to=LIAISON), list(units.values())))
    return out


class ConferenceDeadlineRule:
    """Conference deadlines, reminded only to liaisons of the units that still owe one."""

    id = CONFERENCE_DEADLINE_RULE
    kind = DEADLINE_KIND

    def __init__(self, campaigns: Iterable[Campaign], tree: UnitTree, hour: time,
                 tz: tzinfo) -> None:
        self._moments: list[Moment] = []
        self.occasions: dict[str, DeadlineOccasion] = {}
        self._owed: dict[str, tuple[Campaign, list[Unit]]] = {}
        for campaign in campaigns:
            for occasion, units in conference_deadlines(campaign, tree):
                self.occasions[occasion.key] = occasion
                self._owed[occasion.key] = (campaign, units)
                for moment in deadline_moments(occasion, hour, tz):
                    self._moments.append(replace(
                        moment, message_key=moment.message_key.replace(
                            "reminders.deadline.", "conf.remind.")))
        self._moments.sort(key=lambda m: m.at)

    def due(self, now: datetime) -> list[Moment]:
        """Return the reminder moments at or before `now` whose deadline has not passed."""
        return [m for m in self._moments if m.at <= now < m.expires_at]

    async def _owers(self, session: AsyncSession, key: str) -> list[str]:
        owed = self._owed.get(key.rsplit(":", 1)[0])
        if owed is None:
            return []
        campaign, units = owed
        return await conference_owers(session, campaign, units)

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the liaisons of the units that still owe their conference."""
        return await liaison_ids(session, await self._owers(session, moment.key))

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person is still the liaison of a unit that owes its conference."""
        return await is_liaison_of(session, person_id, await self._owers(session, key))
