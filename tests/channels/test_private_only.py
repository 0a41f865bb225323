"""Only private chats are served: a Telegram group gets one short reply and nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.channels.telegram import TelegramChannel
from tests.channels.conftest import TEXTS
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.fake_zalo import FakeZalo, ZaloChat, text_event
from tests.channels.scripted import ScriptedCore

GROUP_ID = -100777
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "Chi đoàn thôn 3"}


async def test_a_group_gets_one_pointer_to_a_private_chat_and_is_never_dispatched(
    make_telegram: Callable[..., TelegramChannel], fake_telegram: FakeTelegram,
    core: ScriptedCore,
) -> None:
    await make_telegram().start()
    fake_telegram.push(fake_telegram.message_update(501, "Lan", chat=GROUP, text="/toi"))
    fake_telegram.push(fake_telegram.message_update(502, "Bình", chat=GROUP, text="1990"))
    in_group = TelegramChat(fake_telegram, GROUP_ID)
    assert (await in_group.reply())["text"] == TEXTS["error.group_chat"]
    await in_group.assert_silent()
    # A button under a message in the group is acknowledged, never acted on.
    pressed = fake_telegram.callback_update(
        502, {"message_id": 1, "date": 0, "chat": GROUP, "text": "Menu"}, "c:toi")
    fake_telegram.push(pressed)
    await asyncio.sleep(0.3)
    assert fake_telegram.answered == [pressed["callback_query"]["id"]]
    assert core.calls == []
    # The same people are served in their private chats.
    private = TelegramChat(fake_telegram, 501)
    private.send("/start")
    assert "tên là gì" in (await private.reply())["text"]
    assert [c.chat_id for c in core.calls] == ["501"]
    assert fake_telegram.sent_to(GROUP_ID)[0]["chat_id"] == GROUP_ID
    assert len(fake_telegram.sent_to(GROUP_ID)) == 1


async def test_a_zalo_group_gets_the_same_pointer(
    make_zalo: Callable[..., object], fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    channel = make_zalo()
    await channel.start()  # type: ignore[attr-defined]
    event = text_event("g-1", "/start")
    event["message"]["chat"]["chat_type"] = "GROUP"
    fake_zalo.push(event)
    assert await ZaloChat(fake_zalo, "g-1").reply() == TEXTS["error.group_chat"]
    assert core.calls == []
