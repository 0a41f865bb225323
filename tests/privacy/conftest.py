"""Fixtures for privacy, permission and abuse tests: apps with chosen settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.app import App, create_app
from bot.core.clock import MovableClock
from tests.conftest import make_settings

MakeApp = Callable[..., Awaitable[App]]


@pytest.fixture
async def make_app(db_url: str, clock: MovableClock) -> AsyncIterator[MakeApp]:
    """Return a factory of started apps on the test database with setting overrides."""
    made: list[App] = []

    async def factory(**overrides: object) -> App:
        application = create_app(make_settings(db_url, **overrides), clock)
        await application.start()
        made.append(application)
        return application

    yield factory
    for application in made:
        await application.close()
