"""Server commands: `thidua import referrals FILE …` and `thidua export referrals …`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from content.messages import Messages
from content.schema import Campaign
from content.units import UnitTree
from handlers.referrals.imports import ImportRefused, import_official_list
from handlers.referrals.manage import number, report_text
from handlers.referrals.rules import timeline
from handlers.referrals.xlsx import ExportScope, eligible_workbook, progress_workbook
from storage.db import create_engine, is_sqlite, session_factory
from storage.migrate import ensure_migrated
from storage.referrals.repo import ReferralRepo


def _out(text: str) -> None:
    sys.stdout.write(text.rstrip() + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip() + "\n")


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


async def run_import(settings: Settings, path: Path, campaign_id: str, week: int,
                     unit: str | None, clock: Clock | None = None) -> int:
    """Import an official weekly list from a file on the server; print the match report."""
    from bot.app import load_content

    content = load_content()
    t = content.messages
    clock = clock or SystemClock(settings.tz)
    campaign = _campaign(content.campaigns, campaign_id, t)
    if campaign is None:
        return 2
    prog = campaign.programmes.referral
    assert prog is not None
    if not path.is_file():
        _err(t.t("ref.cli.no_file", path=path))
        return 2
    if not 1 <= week <= len(prog.weeks):
        _err(t.t("ref.week.unknown", week=week, total=len(prog.weeks),
                 end=f"{prog.weeks[-1].end:%d/%m/%Y}"))
        return 2
    scope = _scope(content.units, prog.home_unit, unit, t)
    if scope is None:
        return 2
    units, _ = scope
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        await ensure_migrated(engine, settings.database_url,
                              auto=settings.auto_migrate or is_sqlite(settings.database_url))
        async with session_factory(engine)() as session:
            try:
                report = await import_official_list(
                    session, campaign_id=campaign.id, week=week,
                    week_start=prog.weeks[week - 1].start, today=clock.now().date(),
                    source=path, filename=path.name, units=units, scope_unit=unit,
                    imported_by=None, now=clock.now(),
                    progress=lambda n: _err(t.t("ref.cli.progress", count=number(n))),
                    commit_batches=True)
            except ImportRefused as exc:
                await session.rollback()
                reason = t.t(f"ref.import.err.{exc.kind}", row=exc.row or "", week=week)
                _err(t.t("ref.cli.refused", reason=reason))
                return 1
            await session.commit()
    finally:
        await engine.dispose()
    _out(report_text(t, report))
    return 0


async def run_export(settings: Settings, campaign_id: str, unit: str | None, eligible: bool,
                     out: Path, clock: Clock | None = None) -> int:
    """Write the progress (or eligible) workbook of a campaign or a unit to a file."""
    from bot.app import load_content

    content = load_content()
    t = content.messages
    clock = clock or SystemClock(settings.tz)
    campaign = _campaign(content.campaigns, campaign_id, t)
    if campaign is None:
        return 2
    prog = campaign.programmes.referral
    assert prog is not None
    scope = _scope(content.units, prog.home_unit, unit, t)
    if scope is None:
        return 2
    units, root = scope
    now: datetime = clock.now()
    export = ExportScope(campaign, prog, timeline(prog.weeks, now.date()), units, root, now)
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        await ensure_migrated(engine, settings.database_url,
                              auto=settings.auto_migrate or is_sqlite(settings.database_url))
        async with session_factory(engine)() as session:
            repo = ReferralRepo(session)
            if eligible:
                data, count = await eligible_workbook(repo, export, t, content.units)
                what = t.t("ref.cli.what_eligible", count=number(count))
            else:
                counts = await repo.unit_counts(campaign.id, units, export.line,
                                                prog.min_referrals.number)
                data = await progress_workbook(repo, export, counts, t, content.units)
                what = t.t("ref.cli.what_progress")
    finally:
        await engine.dispose()
    out.write_bytes(data)
    _out(t.t("ref.cli.exported", path=out, what=what))
    return 0
