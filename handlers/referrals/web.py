"""What the referrals feature puts on the link pages: the weekly list upload, the XLSX
exports and the progress of a liaison's or admin's units.

Each part re-checks, at each request, that the link's person still manages the unit the
link names (liaison of it or above, or admin), so a link is worth no more than its owner's
rights today.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
from content.schema import Campaign, ReferralProgramme
from handlers.referrals.common import LIAISON, former_parts_on, unit_in_area
from handlers.referrals.imports import ImportRefused, import_official_list
from handlers.referrals.manage_views import number, report_text
from handlers.referrals.rules import timeline
from handlers.referrals.xlsx import ExportScope, eligible_workbook, progress_workbook
from storage.referrals.repo import ReferralRepo, UnitCounts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_KIND = "referrals_week"
PROGRESS_KIND = "referrals_progress"
ELIGIBLE_KIND = "referrals_eligible"
CHART_UNITS = 40


@dataclass(frozen=True, slots=True)
class _Scope:
    campaign: Campaign
    programme: ReferralProgramme
    unit: str


def _scope(call: WebCall) -> _Scope | None:
    """Return the campaign and unit a link names, if it still may be seen by its person
    (None: no such campaign, or the unit lies outside its area)."""
    campaign = call.services.campaigns.get(str(call.params.get("campaign", "")))
    if campaign is None or campaign.programmes.referral is None:
        return None
    prog = campaign.programmes.referral
    unit = str(call.params.get("unit") or prog.home_unit)
    if call.services.units.get(unit) is None and unit != prog.home_unit:
        raise WebRefused("web.refused.unknown")
    if not call.access.manages(unit, LIAISON):
        raise WebRefused("web.refused.not_allowed")
    if not unit_in_area(call.services.units, prog.home_unit, unit):
        return None  # the campaign does not concern the unit: nothing of it to show
    return _Scope(campaign, prog, unit)


def _area(call: WebCall, scope: _Scope) -> list[str] | None:
    """Return the units a query is limited to (None: the whole programme area)."""
    if scope.unit == scope.programme.home_unit:
        return None
    return call.services.units.within(scope.unit)


async def upload_week(call: WebCall, filename: str, data: bytes) -> str:
    """Import an official weekly list sent from the upload page; return the report."""
    scope = _scope(call)
    if scope is None:
        raise WebRefused("web.refused.unknown")
    prog = scope.programme
    week = int(call.params.get("week", 0))
    if not 1 <= week <= len(prog.weeks):
        raise WebRefused("web.refused.unknown")
    unit = None if call.access.is_admin else scope.unit
    units = call.services.units.within(unit) if unit else None
    try:
        report = await import_official_list(
            ReferralRepo(call.session), campaign_id=scope.campaign.id, week=week,
            week_start=prog.weeks[week - 1].start, today=call.now.astimezone(
                call.services.clock.tz).date(),
            source=data, filename=filename, units=units,
            scope_unit=unit, imported_by=call.person.id, now=call.now)
    except ImportRefused as exc:
        raise WebRefused(f"ref.import.err.{exc.kind}", row=exc.row or "", week=week) from exc
    return report_text(call.services.messages, report)


def _export_scope(call: WebCall, scope: _Scope) -> ExportScope:
    today = call.now.astimezone(call.services.clock.tz).date()
    return ExportScope(scope.campaign, scope.programme, timeline(scope.programme.weeks, today),
                       _area(call, scope), scope.unit, call.now)


def _filename(call: WebCall, scope: _Scope, kind: str) -> str:
    day = call.now.astimezone(call.services.clock.tz)
    return f"{scope.campaign.id}-{kind}-{scope.unit}-{day:%Y%m%d}.xlsx"


async def download_progress(call: WebCall) -> Download:
    """The unit progress workbook of the link's campaign and unit."""
    scope = _scope(call)
    if scope is None:
        raise WebRefused("web.refused.unknown")
    export = _export_scope(call, scope)
    repo = ReferralRepo(call.session)
    counts = await repo.unit_counts(scope.campaign.id, export.units, export.line,
                                    scope.programme.min_referrals.number)
    data = await progress_workbook(repo, export, counts, call.services.messages,
                                   call.services.units)
    rows = sum(c.accounts for c in counts.values())
    return Download(_filename(call, scope, "tien-do"), XLSX,
                    ExportFile(data, rows, "referrals", lambda _p: "", scope=scope.campaign.id,
                               details={"unit": scope.unit}))


async def download_eligible(call: WebCall) -> Download:
    """The eligible participants workbook of the link's campaign and unit."""
    scope = _scope(call)
    if scope is None:
        raise WebRefused("web.refused.unknown")
    export = _export_scope(call, scope)
    data, count = await eligible_workbook(ReferralRepo(call.session), export,
                                          call.services.messages, call.services.units)
    return Download(_filename(call, scope, "du-dieu-kien"), XLSX,
                    ExportFile(data, count, "referrals_eligible", lambda _p: "",
                               scope=scope.campaign.id, details={"unit": scope.unit}))


def _sum(counts: dict[str, UnitCounts], codes: list[str]) -> UnitCounts:
    total = UnitCounts()
    for code in codes:
        if code in counts:
            total = total + counts[code]
    return total


async def progress(call: WebCall) -> ProgressSection | None:
    """The referral programme's figures per unit below the link's unit, with charts."""
    scope = _scope(call)
    if scope is None:
        return None
    t = call.services.messages.t
    prog = scope.programme
    export = _export_scope(call, scope)
    line = export.line
    counts = await ReferralRepo(call.session).unit_counts(
        scope.campaign.id, export.units, line, prog.min_referrals.number)
    units = call.services.units
    day = min(call.now.astimezone(call.services.clock.tz).date(), prog.until.date)
    own = units.get(scope.unit)
    former = [u for u in map(units.get, former_parts_on(units, prog.home_unit, scope.unit, day))
              if u is not None]
    children = list(units.children(scope.unit, day)) or former or ([own] if own else [])
    rows: list[list[str]] = []
    done_bars: list[Bar] = []
    eligible_bars: list[Bar] = []
    for child in children:
        total = _sum(counts, call.services.units.within(child.code))
        if not total.participants:
            continue
        rows.append([child.full_name, number(total.participants), number(total.accounts),
                     number(total.done_this_week), number(total.with_enough_referrals),
                     number(total.eligible)])
        if len(done_bars) < CHART_UNITS:
            done_bars.append(Bar(child.full_name, total.done_this_week, total.accounts))
            eligible_bars.append(Bar(child.full_name, total.eligible, total.participants))
    week = line.current or line.closed
    params: dict[str, Any] = {"week": week or 0, "total": line.total}
    unit_name = units.path_text(scope.unit) if units.get(scope.unit) else scope.unit
    return ProgressSection(
        t("ref.web.title", name=scope.campaign.short_name, unit=unit_name),
        [t(f"ref.web.col.{c}") for c in ("unit", "participants", "accounts", "done",
                                          "enough", "eligible")],
        rows,
        [Chart(t("ref.web.chart_done", **params), done_bars),
         Chart(t("ref.web.chart_eligible"), eligible_bars)],
        note=t("ref.web.note", **params) if rows else t("ref.web.empty"))


WEB = WebParts(uploads={UPLOAD_KIND: upload_week},
               downloads={PROGRESS_KIND: download_progress, ELIGIBLE_KIND: download_eligible},
               progress=(progress,))
