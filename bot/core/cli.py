"""What a feature's `thidua …` subcommand receives, and how it exports a file.

A feature's `CliCommand.run(args, app)` (handlers/common/feature.py) gets a started app that
follows `CliApp`: the services, one session factory, and `export`, the one export path (it
writes the file and the same audit entry for every export). bot/app implements it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.config import Settings
from bot.core.context import Services


class CliError(Exception):
    """A command refused its input: `message` (from the catalog) goes to stderr, exit `code`."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A file an export made, and what the audit log records about it.

    `what` is the audit target type ("works", "deed_nominations"), `scope` its id (the
    campaign, if any), `details` extra audit fields next to the row count; `done` is the
    sentence printed once the file is written (a catalog text, given the path).
    """

    data: bytes
    rows: int
    what: str
    done: Callable[[Path], str]
    scope: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)


BuildExport = Callable[[AsyncSession], Awaitable[ExportFile]]


class CliApp(Protocol):
    """A started bot, as a command-line subcommand sees it."""

    settings: Settings
    services: Services
    sessions: async_sessionmaker[AsyncSession]

    async def export(self, out: Path, build: BuildExport) -> int:
        """Build a file in one session, audit it, write it to `out`; return the exit code."""
        ...
