"""The one export path of the `thidua` command: build, audit, write, say so.

Every `thidua export …` (a feature's CliCommand calls `app.export(out, build)`) reads its
rows in one session, appends the same audit entry (action `data.export`, what, which
campaign, how many rows; no actor: the server's operator), commits, then writes the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from bot.core.cli import BuildExport
from bot.core.config import Settings
from bot.core.context import Services
from storage.audit import Action, AuditRepo


async def write_export(app: App, out: Path, build: BuildExport) -> int:
    """Build the file in one session, audit it, write it to `out`, print what was written."""
    async with app.sessions() as session:
        made = await build(session)
        await AuditRepo(session).append(Action.PRIVACY_EXPORT, app.services.clock.now(),
                                        actor_id=None, target_type=made.what,
                                        target_id=made.scope,
                                        after={"rows": made.rows, **made.details})
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
