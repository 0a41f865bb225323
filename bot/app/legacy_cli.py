"""TEMPORARY: the exports and imports that used to be inline in bot/__main__.py, wrapped as
CliCommands until the works and referrals features list their own in their manifests
(FEATURE.cli; deeds already does). A feature's command with the same path replaces the one here;
delete this module once every feature has merged.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cli import CliApp, CliError, ExportFile
from handlers.common.feature import CliCommand
from handlers.referrals import cli as referrals_cli
from handlers.works.export import export_conferences, export_works


def _export_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--campaign", required=True, help="cli.help.campaign")
    parser.add_argument("--out", type=Path, required=True, help="cli.help.out")


def _export_unit_lists(kind: str) -> CliCommand:
    wanted = "works" if kind == "works" else "conference"
    make = export_works if kind == "works" else export_conferences

    async def run(args: argparse.Namespace, app: CliApp) -> int:
        services = app.services
        known = sorted(c.id for c in services.campaigns.values()
                       if getattr(c.programmes, wanted) is not None)
        campaign = services.campaigns.get(args.campaign)
        if campaign is None or campaign.id not in known:
            raise CliError(services.messages.t("cli.works_no_campaign",
                                               campaign=repr(args.campaign),
                                               known=", ".join(known)))

        async def build(session: AsyncSession) -> ExportFile:
            data, count = await make(session, services.messages, services.units, campaign,
                                     lambda _code: True)
            return ExportFile(data, count, kind, scope=campaign.id,
                              done=lambda out: services.messages.t(
                                  f"cli.{kind}_exported", count=count, path=out))

        return await app.export(args.out, build)

    return CliCommand(("export", kind), f"cli.help.export_{kind}",
                      _export_args, run)


def _import_referrals_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)
    parser.add_argument("--campaign", required=True, help="cli.help.programme")
    parser.add_argument("--week", required=True, type=int, help="cli.help.week")
    parser.add_argument("--unit", default=None, help="cli.help.unit_confirm")


async def _import_referrals(args: argparse.Namespace, app: CliApp) -> int:
    return await referrals_cli.run_import(app.settings, args.file, args.campaign, args.week,
                                          args.unit, app.services.clock)


def _export_referrals_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--campaign", required=True, help="cli.help.programme")
    parser.add_argument("--unit", default=None, help="cli.help.unit_export")
    parser.add_argument("--eligible", action="store_true", help="cli.help.eligible")
    parser.add_argument("--out", required=True, type=Path, help="cli.help.out")


async def _export_referrals(args: argparse.Namespace, app: CliApp) -> int:
    return await referrals_cli.run_export(app.settings, args.campaign, args.unit,
                                          args.eligible, args.out, app.services.clock)


LEGACY_COMMANDS: tuple[CliCommand, ...] = (
    _export_unit_lists("works"),
    _export_unit_lists("conferences"),
    CliCommand(("import", "referrals"), "cli.help.import_referrals", _import_referrals_args,
               _import_referrals),
    CliCommand(("export", "referrals"), "cli.help.export_referrals", _export_referrals_args,
               _export_referrals),
)
