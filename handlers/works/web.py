"""What the works feature puts on the link pages: the works and conferences XLSX exports,
and on the progress page the works per unit against the required number and the
conferences held on time.

Each part re-checks at each request that the link's person is still a liaison or an admin
and shows only the units their grants cover today.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.cli import ExportFile
from bot.core.weblinks import (
    Bar,
    Chart,
    Download,
    ProgressSection,
    WebCall,
    WebParts,
    WebRefused,
)
from content.schema import Campaign
from content.units import Unit, UnitTree
from handlers.works.common import LIAISON, visible_units
from handlers.works.export import (
    conferences_filename,
    export_conferences,
    export_works,
    works_filename,
)
from handlers.works.rules import (
    Area,
    ConferenceStatus,
    P,
    conference_area,
    conference_compliance,
    works_area,
    works_compliance,
)
from storage.works.repo import ConferenceRepo, WorksRepo

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_UNITS = 40


def _visible(call: WebCall) -> Callable[[str], bool]:
    """Return which units the person may see today (refused when none at all)."""
    if call.access.is_admin:
        return lambda _code: True
    roots = call.access.units(LIAISON)
    if not roots:
        raise WebRefused("web.refused.not_allowed")
    return visible_units(call.services.units, roots).__contains__


def _campaign(call: WebCall) -> Campaign:
    campaign = call.services.campaigns.get(str(call.params.get("campaign", "")))
    if campaign is None:
        raise WebRefused("web.refused.unknown")
    return campaign


async def download_works(call: WebCall) -> Download:
    """The works of a campaign within the person's units."""
    campaign = _campaign(call)
    if works_area(campaign, call.services.units) is None:
        raise WebRefused("web.refused.unknown")
    data, count = await export_works(call.session, call.services.messages, call.services.units,
                                     campaign, _visible(call))
    day = call.now.astimezone(call.services.clock.tz).date()
    return Download(works_filename(campaign, day), XLSX,
                    ExportFile(data, count, "works", lambda _p: "", scope=campaign.id))


async def download_conferences(call: WebCall) -> Download:
    """The conferences of a campaign within the person's units."""
    campaign = _campaign(call)
    if conference_area(campaign, call.services.units) is None:
        raise WebRefused("web.refused.unknown")
    data, count = await export_conferences(call.session, call.services.messages,
                                           call.services.units, campaign, _visible(call))
    day = call.now.astimezone(call.services.clock.tz).date()
    return Download(conferences_filename(campaign, day), XLSX,
                    ExportFile(data, count, "conferences", lambda _p: "", scope=campaign.id))


def _campaigns(call: WebCall) -> list[Campaign]:
    """The campaign the link names, else every campaign (the page shows those with units)."""
    named = call.services.campaigns.get(str(call.params.get("campaign", "")))
    return [named] if named is not None else list(call.services.campaigns.values())


def _first_area(call: WebCall, find: Callable[[Campaign, UnitTree], Area[P] | None]
                ) -> tuple[Campaign, Area[P], list[Unit]] | None:
    """The first campaign (the link's, else any) whose programme covers units the person
    sees today, with those units; None for someone no longer a liaison or an admin."""
    if not (call.access.is_admin or call.access.units(LIAISON)):
        return None
    visible = _visible(call)
    for campaign in _campaigns(call):
        area = find(campaign, call.services.units)
        units = [u for u in area.units if visible(u.code)] if area is not None else []
        if area is not None and units:
            return campaign, area, units
    return None


async def works_progress(call: WebCall) -> ProgressSection | None:
    """Works registered per unit against the plan's minimum, for the units the person sees."""
    found = _first_area(call, works_area)
    if found is None:
        return None
    t = call.services.messages.t
    campaign, area, units = found
    rows = works_compliance(units, area.programme,
                            await WorksRepo(call.session).registration_days(campaign.id))
    return ProgressSection(
        t("works.web.title", campaign=campaign.short_name),
        [t(f"works.web.col.{c}") for c in ("unit", "required", "registered", "on_time",
                                            "status")],
        [[r.unit.full_name, str(r.required), str(r.registered), str(r.on_time),
          t(f"works.xlsx.status_{r.status.value}")] for r in rows],
        [Chart(t("works.web.chart"), [Bar(r.unit.full_name, r.registered, r.required)
                                      for r in rows[:CHART_UNITS]])],
        note=t("works.web.note", date=f"{area.programme.register_by.date:%d/%m/%Y}"))


async def conferences_progress(call: WebCall) -> ProgressSection | None:
    """Conferences held on time, late or not yet, for the units the person sees."""
    found = _first_area(call, conference_area)
    if found is None:
        return None
    t = call.services.messages.t
    campaign, area, units = found
    held = {c.unit_code: (c.held_on, True)
            for c in await ConferenceRepo(call.session).of_campaign(campaign.id)}
    rows = conference_compliance(units, area.programme, campaign.unit, held)
    counts = {status: sum(1 for r in rows if r.status is status)
              for status in ConferenceStatus}
    return ProgressSection(
        t("works.web.conf_title", campaign=campaign.short_name),
        [t(f"works.web.conf_col.{c}") for c in ("unit", "due", "held_on", "status")],
        [[r.unit.full_name, f"{r.due:%d/%m/%Y}",
          f"{r.held_on:%d/%m/%Y}" if r.held_on else "",
          t(f"works.xlsx.conf_{r.status.value}")] for r in rows],
        [Chart(t("works.web.conf_chart", total=len(rows)),
               [Bar(t(f"works.xlsx.conf_{s.value}"), counts[s]) for s in ConferenceStatus])])


WEB = WebParts(downloads={"works": download_works, "conferences": download_conferences},
               progress=(works_progress, conferences_progress))
