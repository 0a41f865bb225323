"""Two processes serving one chat never lose each other's form answers.

Each app below has its own engine (its own connections), as two `thidua run` processes
behind one webhook would; both handle messages of the same chat at the same moment.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App, create_app
from bot.core.clock import MovableClock
from bot.core.context import Context
from bot.core.dispatcher import Dispatcher, Router
from bot.core.forms import Form, Step
from bot.core.types import Incoming, Reply
from storage.base import ChatStateRow
from tests.conftest import make_settings

CHANNEL = "console"


def _race_router() -> Router:
    """A form of three free-text steps whose answers take a moment to check."""
    router = Router()

    async def slow_parse(_ctx: Context, text: str) -> str:
        await asyncio.sleep(0.05)  # both processes are inside their message at once
        return text

    async def finish(ctx: Context, _data: dict[str, Any]) -> list[Reply]:
        return [Reply("xong")]

    router.forms.add(Form("race", "menu.title", tuple(
        Step(name, name, "menu.title", parse=slow_parse) for name in ("a", "b", "c")),
        finish))

    @router.command("thu")
    async def start(ctx: Context) -> list[Reply]:
        return await ctx.forms.start(ctx, "race")

    return router


@pytest.fixture
async def two_processes(db_url: str, clock: MovableClock) -> AsyncIterator[list[Dispatcher]]:
    apps: list[App] = []
    dispatchers = []
    router = _race_router()
    for _ in range(2):
        app = create_app(make_settings(db_url), clock)
        await app.start()
        apps.append(app)
        services = dataclasses.replace(app.services, router=router)
        dispatchers.append(Dispatcher(router, services, app.sessions))
    yield dispatchers
    for app in apps:
        await app.close()


def _message(chat: str, text: str, user: str = "lan") -> Incoming:
    return Incoming(CHANNEL, chat, f"{user}-{chat}", text=text)


async def _state(dispatcher: Dispatcher, chat: str) -> ChatStateRow:
    async with dispatcher.sessions() as session:
        row = await session.get(ChatStateRow, (CHANNEL, chat))
        assert row is not None
        return row


async def test_two_processes_answering_one_chat_keep_both_answers(
        two_processes: list[Dispatcher]) -> None:
    first, second = two_processes
    for chat in ("g1", "g2", "g3"):  # a few chats: the race must never lose an answer
        await first.handle(_message(chat, "/thu"))
        await second.handle(_message(chat, "/thu", user="minh"))  # minh joins (form kept)
        # Two people of one group chat answer at the same moment, each via a process.
        replies = await asyncio.gather(first.handle(_message(chat, f"một {chat}")),
                                       second.handle(_message(chat, f"hai {chat}", "minh")))
        assert all(len(r) == 1 for r in replies)
        row = await _state(first, chat)
        # Whichever came first answered step a, the other step b: the form waits at c.
        assert (row.flow, row.step) == ("race", "c")
        assert sorted(row.data.values()) == [f"hai {chat}", f"một {chat}"]
