"""Shared fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import App, create_app
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.core.config import Settings
from storage.db import create_engine
from storage.migrate import upgrade
from storage.models import Base
from tests.harness import Chat

PG_URL = os.environ.get("TEST_DATABASE_URL")
START = datetime(2024, 4, 10, 9, 0)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def _pg_migrated() -> str | None:
    if not PG_URL:
        return None

    async def reset() -> None:
        engine = create_engine(PG_URL)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        await upgrade(PG_URL)

    asyncio.run(reset())
    return PG_URL


@pytest.fixture
def db_url(tmp_path: Path, _sqlite_template: Path, _pg_migrated: str | None) -> Iterator[str]:
    """Return a freshly migrated, empty database for one test."""
    if _pg_migrated:
        async def truncate() -> None:
            engine = create_engine(_pg_migrated)
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            async with engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            await engine.dispose()

        asyncio.run(truncate())
        yield _pg_migrated
        return
    path = tmp_path / "thidua.db"
    shutil.copy(_sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """Return a migrated SQLite database even in the PostgreSQL pass (SQLite-only tests)."""
    path = tmp_path / "sqlite-only.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def make_settings(db_url: str, **overrides: object) -> Settings:
    """Return settings for tests: no .env file, the test database, a console admin.

    The per-person rate limit is off (transcripts type faster than people); the abuse
    tests turn it on explicitly.
    """
    values: dict[str, object] = {"database_url": db_url, "admin_ids": "console:admin",
                                 "rate_limit_messages": 0}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> MovableClock:
    """Return a movable clock set to 10/4/2024 09:00 (Asia/Ho_Chi_Minh)."""
    return MovableClock(start=START)


@pytest.fixture
async def app(db_url: str, clock: MovableClock) -> AsyncIterator[App]:
    """Return a started app on the test database."""
    application = create_app(make_settings(db_url), clock)
    await application.start()
    yield application
    await application.close()


@pytest.fixture
async def chat(app: App, clock: MovableClock) -> AsyncIterator[Chat]:
    """Return a transcript-style chat over the console channel; unread replies fail."""
    conversation = Chat(ConsoleChannel(app, clock, user="lan"))
    yield conversation
    conversation.assert_all_read()
