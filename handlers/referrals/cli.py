"""Server commands: `thidua import referrals FILE …` and `thidua export referrals …`.

Both are `CliCommand`s listed in the feature's manifest; `run(args, app)` gets a started app
(settings, services with the catalog, units, campaigns and clock, and its sessions).
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

from bot.core.clock import Clock
from bot.delivery.service import delivery_of
from content.messages import Messages
from content.schema import Campaign
from content.units import UnitTree
from handlers.common.feature import CliCommand
from handlers.referrals.imports import ImportRefused, import_official_list
from handlers.referrals.manage_views import number, report_text
from handlers.referrals.notices import tell_conflicts
from handlers.referrals.rules import timeline
from handlers.referrals.xlsx import ExportScope, eligible_workbook, progress_workbook
from storage.referrals.repo import ReferralRepo


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


# --------------------------------------------------------------------------- import


def configure_import(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `thidua import referrals`."""
    t = _catalog().t
    parser.add_argument("file", type=Path, help=t("ref.cli.arg_file"))
    parser.add_argument("--campaign", required=True, help=t("ref.cli.arg_campaign"))
    parser.add_argument("--week", required=True, type=int, help=t("ref.cli.arg_week"))
    parser.add_argument("--unit", default=None, help=t("ref.cli.arg_unit_import"))


async def run_import_command(args: argparse.Namespace, app: Any) -> int:
    """Import an official weekly list from a file on the server; print the match report."""
    services = app.services
    t: Messages = services.messages
    clock: Clock = services.clock
    path = Path(args.file)
    week = int(args.week)
    campaign = _campaign(services.campaigns, args.campaign, t)
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
    scope = _scope(services.units, prog.home_unit, args.unit, t)
    if scope is None:
        return 2
    units, _ = scope
    async with app.sessions() as session:
        repo = ReferralRepo(session)
        try:
            report = await import_official_list(
                repo, campaign_id=campaign.id, week=week,
                week_start=prog.weeks[week - 1].start, today=clock.now().date(),
                source=path, filename=path.name, units=units, scope_unit=args.unit,
                imported_by=None, now=clock.now(),
                progress=lambda n: _err(t.t("ref.cli.progress", count=number(n))),
                commit_batches=True)
        except ImportRefused as exc:
            await repo.rollback()
            reason = t.t(f"ref.import.err.{exc.kind}", row=exc.row or "", week=week)
            _err(t.t("ref.cli.refused", reason=reason))
            return 1
        if report.conflicts and not report.already_imported:
            await tell_conflicts(session, delivery_of(services), campaign, week, units,
                                 clock.now())
        await repo.commit()
    _out(report_text(t, report))
    return 0


# --------------------------------------------------------------------------- export


def configure_export(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `thidua export referrals`."""
    t = _catalog().t
    parser.add_argument("--campaign", required=True, help=t("ref.cli.arg_campaign"))
    parser.add_argument("--unit", default=None, help=t("ref.cli.arg_unit_export"))
    parser.add_argument("--eligible", action="store_true", help=t("ref.cli.arg_eligible"))
    parser.add_argument("--out", required=True, type=Path, help=t("ref.cli.arg_out"))


async def run_export_command(args: argparse.Namespace, app: Any) -> int:
    """Write the progress (or eligible) workbook of a campaign or a unit to a file."""
    services = app.services
    t: Messages = services.messages
    clock: Clock = services.clock
    campaign = _campaign(services.campaigns, args.campaign, t)
    if campaign is None:
        return 2
    prog = campaign.programmes.referral
    assert prog is not None
    scope = _scope(services.units, prog.home_unit, args.unit, t)
    if scope is None:
        return 2
    units, root = scope
    now = clock.now()
    export = ExportScope(campaign, prog, timeline(prog.weeks, now.date()), units, root, now)
    async with app.sessions() as session:
        repo = ReferralRepo(session)
        if args.eligible:
            data, count = await eligible_workbook(repo, export, t, services.units)
            what = t.t("ref.cli.what_eligible", count=number(count))
        else:
            counts = await repo.unit_counts(campaign.id, units, export.line,
                                            prog.min_referrals.number)
            data = await progress_workbook(repo, export, counts, t, services.units)
            what = t.t("ref.cli.what_progress")
    out = Path(args.out)
    out.write_bytes(data)
    _out(t.t("ref.cli.exported", path=out, what=what))
    return 0


IMPORT_COMMAND = CliCommand(("import", "referrals"), "ref.cli.help_import", configure_import,
                            run_import_command)
EXPORT_COMMAND = CliCommand(("export", "referrals"), "ref.cli.help_export", configure_export,
                            run_export_command)
