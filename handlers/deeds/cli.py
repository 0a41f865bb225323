"""`thidua export deeds --out FILE.xlsx [--campaign ID]`: the nominations list on the server.

The same workbook and the same audit entry as the reviewers' export in chat, for every unit
(no actor: it is run on the server).
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

from content.messages import Messages
from handlers.common.feature import CliCommand
from handlers.deeds.export import nominations_xlsx
from storage.deeds.repo import audit_export, load_nominations


@functools.cache
def _catalog() -> Messages:
    return Messages.load()


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of `thidua export deeds`."""
    t = _catalog().t
    parser.add_argument("--out", type=Path, required=True, help=t("deeds.cli.out_help"))
    parser.add_argument("--campaign", default=None, help=t("deeds.cli.campaign_help"))


async def run(args: argparse.Namespace, app: Any) -> int:
    """Write the nominations of every unit (or of one campaign) to an XLSX file; audit it."""
    services = app.services
    t = services.messages.t
    campaign_id: str | None = args.campaign
    if campaign_id is not None and campaign_id not in services.campaigns:
        known = ", ".join(sorted(services.campaigns))
        sys.stderr.write(t("deeds.cli.no_campaign", campaign=repr(campaign_id),
                           known=known) + "\n")
        return 2
    async with app.sessions() as session:
        data = await load_nominations(session, None, campaign_id)
        await audit_export(session, services.clock.now(), None, len(data.items), None,
                           campaign_id)
        await session.commit()
    content = nominations_xlsx(data, services.messages, services.units, services.campaigns,
                               services.clock.tz)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    sys.stdout.write(t("deeds.cli.done", count=len(data.items), out=out) + "\n")
    return 0


EXPORT = CliCommand(("export", "deeds"), "deeds.cli.export_help", configure, run)
