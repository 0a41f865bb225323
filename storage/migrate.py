"""Apply and check Alembic migrations programmatically (`thidua migrate`, startup)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


class NotMigratedError(RuntimeError):
    """The database schema is older than the code."""


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """Return the newest migration revision."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def upgrade(url: str) -> None:
    """Migrate the database to the newest revision (runs Alembic in a worker thread)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the revision the database is at (None for an empty database)."""

    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def ensure_migrated(engine: AsyncEngine, url: str, *, auto: bool) -> None:
    """Migrate when allowed, otherwise refuse to run on an outdated schema."""
    if await current_revision(engine) == head_revision():
        return
    if not auto:
        raise NotMigratedError("database is not migrated: run `thidua migrate`")
    await upgrade(url)
