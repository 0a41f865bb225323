"""Messages that only change their chat's menu share one write of the database: many
people answered at once each keep the menu under their answer, a menu shown through one
process is what a typed number picks through another, and a chat changed meanwhile by
someone else is never overwritten with a menu computed from its old state."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from bot.app import App, create_app
from bot.core.clock import MovableClock
from bot.core.context import Context
from bot.core.dispatcher import Dispatcher, Router
from bot.core.types import Choice, Incoming, Reply
from storage.base import ChatStateRow
from storage.db import create_engine, is_sqlite
from tests.conftest import make_settings

CHANNEL = "telegram"


def _msg(user: int | str, text: str | None = None, choice: str | None = None) -> Incoming:
    return Incoming(CHANNEL, str(user), str(user), text=text, choice=choice)


async def _menu(app: App, chat: str) -> list[list[str]]:
    async with app.sessions() as session:
        row = await session.get(ChatStateRow, (CHANNEL, chat))
        assert row is not None
        return [list(item) for item in row.menu]


async def test_people_asking_at_once_keep_their_menus_and_share_the_writer(
        app: App, db_url: str) -> None:
    users = range(1, 25)
    await asyncio.gather(*(app.handle(_msg(u, "/start")) for u in users))
    begun: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            begun.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", _count)
    try:
        answers = await asyncio.gather(*(app.handle(_msg(u, "thoi han nop bao cao"))
                                         for u in users))
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", _count)
    for user, replies in zip(users, answers, strict=True):
        shown = [[c.label, c.payload] for c in replies[-1].flat_choices()]
        assert shown and await _menu(app, str(user)) == shown
    if is_sqlite(db_url):
        # 24 new menus, written in a few shared transactions rather than one each.
        assert 1 <= len(begun) < len(users) // 2


@pytest.fixture
async def two_apps(db_url: str, clock: MovableClock) -> AsyncIterator[list[App]]:
    apps = []
    for _ in range(2):
        app = create_app(make_settings(db_url), clock)
        await app.start()
        apps.append(app)
    yield apps
    for app in apps:
        await app.close()


async def test_a_number_typed_through_another_process_picks_from_the_menu_just_shown(
        two_apps: list[App]) -> None:
    first, second = two_apps
    await first.handle(_msg(5, "/start"))
    answer = await first.handle(_msg(5, "dan van kheo het han ngay nao"))
    choices = answer[-1].flat_choices()
    assert choices
    # The person types "1" under that answer; this time the other process gets it.
    picked = await second.handle(_msg(5, "1"))
    # It answers exactly what pressing the second choice answers.
    await first.handle(_msg(6, "/start"))
    await first.handle(_msg(6, "dan van kheo het han ngay nao"))
    pressed = await first.handle(_msg(6, choice=choices[0].payload))
    assert [r.text for r in picked] == [r.text for r in pressed]


async def _change_menu(db_url: str, chat: str) -> None:
    other = create_engine(db_url)
    try:
        async with other.begin() as conn:
            await conn.execute(text(
                "UPDATE chat_states SET menu = :menu, revision = revision + 1 "
                "WHERE channel = :channel AND chat_id = :chat"),
                {"menu": '[["Khác", "c:khac"]]', "channel": CHANNEL, "chat": chat})
    finally:
        await other.dispose()


def _racing_router(db_url: str) -> tuple[Router, list[list[list[str]]]]:
    """/xem shows the chat's current menu as choices; the first time, another process
    changes that chat's menu while the message is being handled."""
    router = Router()
    seen: list[list[list[str]]] = []

    @router.command("xem")
    async def show(ctx: Context) -> list[Reply]:
        seen.append([list(m) for m in ctx.state.menu])
        if len(seen) == 1:
            # Another process: its own engine, and nothing of this message's context.
            await asyncio.create_task(_change_menu(db_url, ctx.msg.chat_id),
                                      context=contextvars.Context())
        labels = [label for label, _ in ctx.state.menu]
        return [Reply("đã xem", [[Choice(label + " (xem)", "c:xem")] for label in labels])]

    return router, seen


async def test_a_chat_changed_meanwhile_by_another_process_is_handled_again_on_its_new_state(
        app: App, db_url: str) -> None:
    router, seen = _racing_router(db_url)
    for name, command in app.services.router.commands.items():
        if name == "start":
            router.commands[name] = command
    services = dataclasses.replace(app.services, router=router)
    dispatcher = Dispatcher(router, services, app.sessions)
    await app.handle(_msg(9, "/start"))
    before = await _menu(app, "9")
    replies = await dispatcher.handle(_msg(9, "/xem"))
    # Read once on the old menu, then again on the one the other process stored.
    assert seen == [before, [["Khác", "c:khac"]]]
    assert [c.label for c in replies[-1].flat_choices()] == ["Khác (xem)"]
    assert await _menu(app, "9") == [["Khác (xem)", "c:xem"]]


async def test_answers_given_while_another_program_holds_the_database_are_kept(
        db_url: str, clock: MovableClock) -> None:
    if not is_sqlite(db_url):
        pytest.skip("SQLite only: one writer for the whole file")
    app = create_app(make_settings(db_url, sqlite_busy_timeout_ms=100), clock)
    await app.start()
    try:
        users = range(30, 36)
        await asyncio.gather(*(app.handle(_msg(u, "/start")) for u in users))
        # e.g. a backup or `thidua retention` writing for a moment longer than the bot
        # waits for the database (100 ms here): the shared write fails at first.
        other = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        asked = asyncio.gather(*(app.handle(_msg(u, "thoi han nop bao cao")) for u in users))
        await asyncio.sleep(0.3)
        other.execute("ROLLBACK")
        other.close()
        answers = await asyncio.wait_for(asked, 30)
        for user, replies in zip(users, answers, strict=True):
            shown = [[c.label, c.payload] for c in replies[-1].flat_choices()]
            assert shown and await _menu(app, str(user)) == shown
    finally:
        await app.close()
