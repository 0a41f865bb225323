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
- `ConferenceDocumentsRule`: each unit's own documents deadline (the plan's "trước 15 ngày"
  before the day the unit registered for its conference), reminded 3 and 1 days before and
  on the day, only to liaisons of units that have not reported the documents sent (or the
  conference held). Its moments come from the registered days (`refresh`), so a unit that
  moves its conference is reminded for the new day and never for the old one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.delivery.audiences import NONCOMPLIANT, AudienceSpec
from bot.delivery.reminders import (
    DEADLINE_KIND,
    DeadlineOccasion,
    Moment,
    Param,
    deadline_moments,
    deadline_occasions,
    moments_due,
)
from bot.delivery.timing import at_time
from content.messages import Messages
from content.schema import Campaign
from content.units import Unit, UnitTree
from handlers.works.rules import (
    ConferenceStatus,
    Status,
    conference_area,
    conference_compliance,
    documents_due,
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
CONFERENCE_DOCUMENTS_RULE = "conference-documents"
DOCUMENTS_DAYS_BEFORE = (3, 1, 0)  # reminders before each unit's own documents deadline


def with_heirs(tree: UnitTree, codes: Iterable[str]) -> list[str]:
    """Return the units and those that took them in whole since (the new xã that a former
    xã of the plan merged into): their liaisons are the ones to remind."""
    out = list(dict.fromkeys(codes))
    out += [heir for code in list(out) for heir in tree.heirs(code) if heir not in out]
    return out


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
        return liaisons_of(with_heirs(self._tree, units))


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
        return moments_due(self._moments, now)

    def _campaign(self, key: str) -> Campaign | None:
        return self._campaigns.get(key.rsplit(":", 1)[0])

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the liaisons of the units that have not registered enough works."""
        campaign = self._campaign(moment.key)
        if campaign is None:
            return []
        return await liaison_ids(session, with_heirs(
            self._tree, await short_units(session, self._tree, campaign)))

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person is still the liaison of a unit that is short."""
        campaign = self._campaign(key)
        if campaign is None:
            return False
        return await is_liaison_of(session, person_id, with_heirs(
            self._tree, await short_units(session, self._tree, campaign)))


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
        self._tree = tree
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
        return moments_due(self._moments, now)

    async def _owers(self, session: AsyncSession, key: str) -> list[str]:
        owed = self._owed.get(key.rsplit(":", 1)[0])
        if owed is None:
            return []
        campaign, units = owed
        return await conference_owers(session, campaign, units)

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the liaisons of the units that still owe their conference."""
        return await liaison_ids(session, with_heirs(
            self._tree, await self._owers(session, moment.key)))

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person is still the liaison of a unit that owes its conference."""
        return await is_liaison_of(session, person_id, with_heirs(
            self._tree, await self._owers(session, key)))


class ConferenceDocumentsRule:
    """Each unit's conference documents deadline, reminded to the liaisons of the units that
    registered a conference and have not reported the documents sent."""

    id = CONFERENCE_DOCUMENTS_RULE
    kind = DEADLINE_KIND

    def __init__(self, campaigns: Iterable[Campaign], tree: UnitTree, hour: time,
                 tz: tzinfo, messages: Messages) -> None:
        self._tree = tree
        self._campaigns = {c.id: c for c in campaigns
                           if conference_area(c, tree) is not None}
        self._hour, self._tz, self._messages = hour, tz, messages
        self._moments: list[Moment] = []  # of the deadlines still owed, as of the last refresh

    async def _owers(self, session: AsyncSession, campaign: Campaign) -> dict[date, list[str]]:
        """Return, by documents deadline, the units of the campaign that still owe them."""
        programme = campaign.programmes.conference
        assert programme is not None
        owed: dict[date, list[str]] = {}
        for conference in await ConferenceRepo(session).of_campaign(campaign.id):
            if conference.documents_sent_on is None and not conference.closed:
                due = documents_due(conference.held_on, programme.documents_days_before.number)
                owed.setdefault(due, []).append(conference.unit_code)
        return owed

    async def refresh(self, session: AsyncSession) -> None:
        """Read the documents deadlines the registered conferences make, and their moments."""
        moments = []
        for campaign in self._campaigns.values():
            for due in sorted(await self._owers(session, campaign)):
                moments.extend(self._moments_of(campaign, due))
        self._moments = moments

    def _moments_of(self, campaign: Campaign, due: date) -> list[Moment]:
        programme = campaign.programmes.conference
        assert programme is not None
        before = programme.documents_days_before
        expires = at_time(due + timedelta(days=1), time(0, 0), self._tz)
        held = f"{due + timedelta(days=before.number):%d/%m/%Y}"
        params: dict[str, Param] = {
            "campaign": campaign.short_name, "date": f"{due:%d/%m/%Y}", "before": before.number,
            "held": held, "source": before.source, "send_to": programme.documents_send_to,
            "documents": ", ".join(programme.documents),
            "what": self._messages.t("conf.docs_remind.what", held=held)}
        return [Moment(f"{campaign.id}:{due.isoformat()}:{days}",
                       at_time(due - timedelta(days=days), self._hour, self._tz), expires,
                       "conf.docs_remind.today" if days == 0 else "conf.docs_remind.before",
                       {**params, "days": days})
                for days in DOCUMENTS_DAYS_BEFORE]

    def due(self, now: datetime) -> list[Moment]:
        """Return the moments at or before `now` of the deadlines not yet passed."""
        return moments_due(self._moments, now)

    async def _units(self, session: AsyncSession, key: str) -> list[str]:
        campaign_id, day, _days = key.rsplit(":", 2)
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            return []
        return (await self._owers(session, campaign)).get(date.fromisoformat(day), [])

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the liaisons of the units whose documents are due that day, not yet sent."""
        return await liaison_ids(session, with_heirs(
            self._tree, await self._units(session, moment.key)))

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person is still the liaison of a unit that owes those documents."""
        return await is_liaison_of(session, person_id, with_heirs(
            self._tree, await self._units(session, key)))
