"""Many people answering at once: every message answered, every answer kept; the cheap
per-message path (last-seen once a minute, state written only when it changed) loses
nothing a person or an operator would notice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.types import Incoming
from storage.base import ChannelAccountRow, ChatStateRow

CHANNEL = "telegram"


def _msg(user: int, text: str | None = None, choice: str | None = None) -> Incoming:
    return Incoming(CHANNEL, str(user), str(user), text=text, choice=choice)


async def _row(app: App, user: int) -> ChatStateRow | None:
    async with app.sessions() as session:
        return await session.get(ChatStateRow, (CHANNEL, str(user)))


async def _last_seen(app: App, user: int) -> object:
    async with app.sessions() as session:
        return await session.scalar(select(ChannelAccountRow.last_seen_at).where(
            ChannelAccountRow.channel == CHANNEL, ChannelAccountRow.external_id == str(user)))


async def test_forty_people_answering_at_once_are_all_answered_and_their_forms_kept(
        app: App) -> None:
    users = range(1, 41)
    await asyncio.gather(*(app.handle(_msg(u, "/start")) for u in users))
    # At once: half open their profile (a write-free menu), half start registering
    # (a form step), then everyone asks a rule question.
    opened = await asyncio.gather(*(app.handle(_msg(u, choice="c:toi")) for u in users))
    assert all(replies for replies in opened)
    asked = await asyncio.gather(*(app.handle(_msg(u, "dan van kheo het han ngay nao"))
                                   for u in users))
    assert all("28/4/2024" in replies[0].text for replies in asked)
    for user in users:
        row = await _row(app, user)
        assert row is not None
        # The menu kept is the one under the last answer each person got.
        assert [label for label, _ in row.menu] == [
            c.label for c in asked[user - 1][0].flat_choices()]


async def test_a_form_answer_given_at_the_same_time_as_other_chats_is_kept(app: App) -> None:
    await app.handle(_msg(7, "/start"))
    profile = await app.handle(_msg(7, choice="c:toi"))
    register = profile[0].flat_choices()[0].payload
    await app.handle(_msg(7, choice=register))
    others = [app.handle(_msg(u, "thoi han nop bao cao")) for u in range(100, 120)]
    consent, *_ = await asyncio.gather(app.handle(_msg(7, "1")), *others)
    assert consent and "nhắc" in consent[0].text  # the next question: reminders
    row = await _row(app, 7)
    assert row is not None and row.flow is not None and row.step is not None
    again = await app.handle(_msg(7, "1"))
    assert "họ và tên" in again[0].text


async def test_last_seen_is_written_at_most_once_a_minute(app: App,
                                                          clock: MovableClock) -> None:
    await app.handle(_msg(5, "/start"))
    first = await _last_seen(app, 5)
    clock.advance(timedelta(seconds=30))
    await app.handle(_msg(5, "/menu"))
    assert await _last_seen(app, 5) == first
    clock.advance(timedelta(seconds=45))
    await app.handle(_msg(5, "/menu"))
    later = await _last_seen(app, 5)
    assert later is not None and first is not None and later > first  # type: ignore[operator]


async def test_a_chat_that_had_blocked_the_bot_is_unblocked_by_its_next_message(
        app: App) -> None:
    await app.handle(_msg(6, "/start"))
    await app.mark_blocked(CHANNEL, "6")
    await app.handle(_msg(6, "/menu"))
    async with app.sessions() as session:
        blocked = await session.scalar(select(ChannelAccountRow.blocked_at).where(
            ChannelAccountRow.external_id == "6"))
    assert blocked is None
