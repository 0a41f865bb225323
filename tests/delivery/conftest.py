"""Fixtures for delivery tests: apps with chosen settings, people looked up by console name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.app import App, create_app
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from storage.models import ChannelAccountRow
from tests.conftest import make_settings
from tests.harness import Chat

MakeChat = Callable[..., Awaitable[tuple[App, Chat]]]


@pytest.fixture
async def make_chat(db_url: str, clock: MovableClock) -> AsyncIterator[MakeChat]:
    """Return a factory of (app, chat) with settings overrides; every reply must be read."""
    made: list[tuple[App, Chat]] = []

    async def factory(**overrides: object) -> tuple[App, Chat]:
        app = create_app(make_settings(db_url, **overrides), clock)
        await app.start()
        pair = (app, Chat(ConsoleChannel(app, clock, "lan")))
        made.append(pair)
        return pair

    yield factory
    for app, chat in made:
        await app.close()
        chat.assert_all_read()


async def person_id(app: App, user: str) -> int:
    """Return the person id behind a console user name."""
    async with app.sessions() as session:
        found = await session.scalar(select(ChannelAccountRow.person_id).where(
            ChannelAccountRow.channel == "console", ChannelAccountRow.external_id == user))
    assert found is not None
    return found
