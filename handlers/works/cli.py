"""`thidua export works|conferences --campaign ID --out F.xlsx`: the same XLSX as in the chat,
every unit included, written on the server (a works export is audited: it names people)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from content.messages import Messages
from content.schema import Campaign
from content.units import UnitTree
from handlers.common.feature import CliCommand
from handlers.works.export import audit_works_export, export_conferences, export_works

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

Build = Callable[["AsyncSession", Messages, UnitTree, Campaign, Callable[[str], bool]],
                 Awaitable[tuple[bytes, int]]]
EXIT_USAGE = 2


def _configure(parser: argparse.ArgumentParser) -> None:
    t = Messages.load().t
    parser.add_argument("--campaign", required=True, help=t("works.cli.campaign"))
    parser.add_argument("--out", type=Path, required=True, help=t("works.cli.out"))


async def _export(args: argparse.Namespace, app: Any, *, programme: str, build: Build,
                  written: str, audited: bool) -> int:
    services = app.services
    t = services.messages.t
    known = sorted(c.id for c in services.campaigns.values()
                   if getattr(c.programmes, programme) is not None)
    campaign = services.campaigns.get(args.campaign)
    if campaign is None or campaign.id not in known:
        sys.stderr.write(t("works.cli.unknown_campaign", campaign=args.campaign,
                           known=", ".join(known)) + "\n")
        return EXIT_USAGE
    async with app.sessions() as session:
        data, count = await build(session, services.messages, services.units, campaign,
                                  lambda _code: True)
        if audited:
            await audit_works_export(session, services.clock.now(), None, campaign, count)
            await session.commit()
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    sys.stdout.write(t(written, count=count, out=out) + "\n")
    return 0


async def export_works_command(args: argparse.Namespace, app: Any) -> int:
    """Write a campaign's works and unit compliance to an XLSX file (audited)."""
    return await _export(args, app, programme="works", build=export_works,
                         written="works.cli.written_works", audited=True)


async def export_conferences_command(args: argparse.Namespace, app: Any) -> int:
    """Write a campaign's conferences, every commune listed, to an XLSX file."""
    return await _export(args, app, programme="conference", build=export_conferences,
                         written="works.cli.written_conferences", audited=False)


EXPORT_WORKS = CliCommand(("export", "works"), "works.cli.export_works", _configure,
                          export_works_command)
EXPORT_CONFERENCES = CliCommand(("export", "conferences"), "works.cli.export_conferences",
                                _configure, export_conferences_command)
