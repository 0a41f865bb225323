"""The one export path of the `thidua` command: build, audit, write, say so.

Every `thidua export …` (a feature's CliCommand calls `app.export(out, build)`) reads its
rows in one session, appends the same audit entry (action `data.export`, what, which
campaign, how many rows; no actor: the server's operator), commits, then writes the file.
A file handed out by a download link (bot/app/web.py) gets the same entry, with the person
as the actor.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.core.cli import BuildExport, ExportFile
from bot.core.config import Settings
from bot.core.context import Services
from storage.audit import Action, AuditRepo


async def audit_export(session: AsyncSession, now: datetime, made: ExportFile,
                       actor_id: int | None) -> None:
    """Append the one audit entry of an export (the actor: None on the command line, the
    person on a download link)."""
    await AuditRepo(session).append(Action.PRIVACY_EXPORT, now, actor_id=actor_id,
                                    target_type=made.what, target_id=made.scope,
                                    after={"rows": made.rows, **made.details})


async def write_export(app: App, out: Path, build: BuildExport) -> int:
    """Build the file in one session, audit it, write it to `out`, print what was written."""
    async with app.sessions() as session:
        made = await build(session)
        await audit_export(session, app.services.clock.now(), made, None)
        await session.commit()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(made.data)
    sys.stdout.write(made.done(out).rstrip() + "\n")
    return 0


class CommandApp:
    """A started app handed to a subcommand (bot.core.cli.CliApp)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.settings: Settings = app.settings
        self.services: Services = app.services
        self.sessions: async_sessionmaker[AsyncSession] = app.sessions

    async def export(self, out: Path, build: BuildExport) -> int:
        """Build, audit and write one export file; return the exit code."""
        return await write_export(self.app, out, build)
