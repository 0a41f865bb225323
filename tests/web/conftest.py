"""An app with PUBLIC_URL set and its web server listening on a free local port."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.app import App, create_app
from bot.app.features import FEATURES
from bot.app.web import link_pages
from bot.channels.console import ConsoleChannel
from bot.channels.webhook import WebhookServer
from bot.core.clock import MovableClock
from storage.access import GrantRepo
from storage.people import PeopleRepo
from tests.conftest import make_settings
from tests.harness import Chat
from tests.referrals.helpers import send_as

PUBLIC_URL = "https://thidua.example.vn"
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/l/[A-Za-z0-9_-]+)")


@dataclass
class Site:
    """The running web server, and an HTTP client to it."""

    server: WebhookServer
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def local(self, text: str) -> str:
        """Return the local address of the one link in a chat text."""
        (path,) = LINK.findall(text)
        return self.base + path


@pytest.fixture
async def app(db_url: str, clock: MovableClock) -> AsyncIterator[App]:
    application = create_app(make_settings(db_url, public_url=PUBLIC_URL + "/"), clock)
    await application.start()
    yield application
    await application.close()


@pytest.fixture
async def site(app: App) -> AsyncIterator[Site]:
    server = WebhookServer("127.0.0.1", 0)
    link_pages(app, FEATURES).mount(server.app)
    await server.serve_pages()
    async with aiohttp.ClientSession() as http:
        yield Site(server, http)
    await server.close()


@pytest.fixture
async def chat(app: App, clock: MovableClock) -> AsyncIterator[Chat]:
    conversation = Chat(ConsoleChannel(app, clock, user="lan"))
    yield conversation
    conversation.assert_all_read()


async def zalo_liaison(app: App, user: str = "z-can", unit: str = "ls.bac-son") -> int:
    """Make a Zalo account a liaison of a unit; return their person id."""
    await send_as(app, "zalo", user, text="/start")
    async with app.sessions() as session:
        account = await PeopleRepo(session).account("zalo", user)
        assert account is not None
        await GrantRepo(session).grant(account.person_id, "liaison", unit,
                                       app.services.clock.now(), granted_by=None,
                                       reason="test")
        await session.commit()
        return account.person_id
