"""Zalo adapter over the fake Bot API: polling, webhook, events, splitting, errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.channels.webhook import WebhookServer
from bot.channels.zalo import ZaloChannel
from bot.core.channel_errors import (
    Blocked,
    ChannelUnauthorized,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.core.types import AttachmentKind, Reply
from tests.channels.conftest import SECRETS, TEXTS, ZALO_TOKEN, BlockedLog
from tests.channels.fake_zalo import FakeZalo, ZaloChat, text_event, zalo_event
from tests.channels.scripted import ScriptedCore, long_paragraphs, long_text

MakeZalo = Callable[..., ZaloChannel]
WEBHOOK_SECRET = "zalo-hook-secret-123"


async def test_conversation_over_polling_survives_408s_and_a_duplicate(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    channel = make_zalo()
    await channel.start()
    chat = ZaloChat(fake_zalo)
    await asyncio.sleep(0.2)  # a few idle polls first

    chat.send("/start")
    assert "tên là gì" in await chat.reply()
    name_event = chat.send("Lan")
    assert "Năm sinh" in await chat.reply()
    fake_zalo.push(name_event)  # Zalo delivers the same event again
    await chat.assert_silent()
    chat.send("1990")
    assert await chat.reply() == "Cảm ơn. Bạn muốn làm gì?\n\n1. Xem thể lệ\n2. Báo gương tốt"
    chat.send("2")
    assert await chat.reply() == "Bạn đã chọn: Báo gương tốt"

    assert core.texts_of(chat.chat_id) == ["/start", "Lan", "1990", "2"]
    assert core.calls[1].display_name == "Lan" and core.calls[1].channel == "zalo"
    assert fake_zalo.answers_408 >= 2
    methods = fake_zalo.methods()
    assert methods.index("deleteWebhook") < methods.index("getUpdates")


async def test_a_second_poller_for_the_same_token_is_refused(make_zalo: MakeZalo) -> None:
    first = make_zalo()
    await first.start()
    with pytest.raises(RuntimeError, match="poller already runs"):
        await make_zalo().start()
    await first.stop()
    again = make_zalo()
    await again.start()


async def test_polling_backs_off_after_errors_and_recovers(
    make_zalo: MakeZalo, fake_zalo: FakeZalo
) -> None:
    fake_zalo.fail("getUpdates", 500, "Internal error", times=2)
    fake_zalo.garble("getUpdates")
    channel = make_zalo()
    await channel.start()
    chat = ZaloChat(fake_zalo)
    chat.send("/start")
    assert "tên là gì" in await chat.reply()
    assert fake_zalo.methods().count("getUpdates") >= 4


@pytest.fixture
async def webhook_server() -> AsyncIterator[WebhookServer]:
    server = WebhookServer("127.0.0.1", 0)
    yield server
    await server.detach("zalo")
    await server.detach("telegram")


async def _post(server: WebhookServer, name: str, body: Any, secret: str | None) -> int:
    headers = {}
    if secret is not None:
        headers["X-Bot-Api-Secret-Token"] = secret
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    url = f"http://127.0.0.1:{server.port}/webhook/{name}"
    async with aiohttp.ClientSession() as session, session.post(
        url, json=body, headers=headers
    ) as response:
        return response.status


async def test_webhook_refuses_a_wrong_or_missing_secret(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore, webhook_server: WebhookServer
) -> None:
    channel = make_zalo(
        webhook_url="https://bot.example.org/webhook/zalo",
        webhook_secret=WEBHOOK_SECRET,
        webhook_server=webhook_server,
    )
    await channel.start()
    assert fake_zalo.webhook == {
        "url": "https://bot.example.org/webhook/zalo",
        "secret_token": WEBHOOK_SECRET,
    }
    assert "getUpdates" not in fake_zalo.methods()
    event = text_event("u-lan", "/start")
    assert await _post(webhook_server, "zalo", event, "wrong-secret-000") == 403
    assert await _post(webhook_server, "zalo", event, None) == 403
    await asyncio.sleep(0.1)
    assert core.calls == [] and fake_zalo.sent == []


async def test_webhook_accepts_flat_and_wrapped_bodies_once_each(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore, webhook_server: WebhookServer
) -> None:
    channel = make_zalo(
        webhook_url="https://bot.example.org/webhook/zalo",
        webhook_secret=WEBHOOK_SECRET,
        webhook_server=webhook_server,
    )
    await channel.start()
    chat = ZaloChat(fake_zalo)
    flat = text_event(chat.chat_id, "/start")
    assert await _post(webhook_server, "zalo", flat, WEBHOOK_SECRET) == 200
    assert "tên là gì" in await chat.reply()
    wrapped = {"ok": True, "result": text_event(chat.chat_id, "Lan")}
    assert await _post(webhook_server, "zalo", wrapped, WEBHOOK_SECRET) == 200
    assert "Năm sinh" in await chat.reply()
    assert await _post(webhook_server, "zalo", wrapped, WEBHOOK_SECRET) == 200  # redelivery
    assert await _post(webhook_server, "zalo", {"hello": 1}, WEBHOOK_SECRET) == 400
    await chat.assert_silent()
    assert core.texts_of(chat.chat_id) == ["/start", "Lan"]


async def test_webhook_answers_at_once_while_the_core_works(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore, webhook_server: WebhookServer
) -> None:
    core.delay = 1.0
    channel = make_zalo(
        webhook_url="https://bot.example.org/webhook/zalo",
        webhook_secret=WEBHOOK_SECRET,
        webhook_server=webhook_server,
    )
    await channel.start()
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert await _post(webhook_server, "zalo", text_event("u1", "/start"), WEBHOOK_SECRET) == 200
    assert loop.time() - began < 0.5
    assert "tên là gì" in await ZaloChat(fake_zalo, "u1").reply()


async def test_sticker_and_photo_events_reach_the_core_as_attachments(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    await make_zalo().start()
    chat = ZaloChat(fake_zalo)
    fake_zalo.push(
        zalo_event("message.sticker.received", chat.chat_id, sticker="st-1", url="https://s/1")
    )
    assert await chat.reply() == "Đã nhận nhãn dán."
    live = {"photo_url": "https://img/live.jpg", "caption": "Ảnh công trình"}
    fake_zalo.push(zalo_event("message.image.received", chat.chat_id, **live))
    assert await chat.reply() == "Đã nhận ảnh."
    fake_zalo.push(zalo_event("message.image.received", chat.chat_id, photo="https://img/d.jpg"))
    assert await chat.reply() == "Đã nhận ảnh."

    sticker, live_photo, doc_photo = (c.attachments[0] for c in core.calls)
    assert (sticker.kind, sticker.url, sticker.filename) == (
        AttachmentKind.STICKER, "https://s/1", "st-1",
    )
    assert core.calls[0].text is None
    assert (live_photo.kind, live_photo.url) == (AttachmentKind.PHOTO, "https://img/live.jpg")
    assert core.calls[1].text == "Ảnh công trình" and live_photo.caption == "Ảnh công trình"
    assert doc_photo.url == "https://img/d.jpg" and core.calls[2].text is None


async def test_unsupported_event_gets_the_catalog_text_without_the_core(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    await make_zalo().start()
    chat = ZaloChat(fake_zalo, "u-protected")
    fake_zalo.push(zalo_event("message.unsupported.received", chat.chat_id))
    assert await chat.reply() == TEXTS["channel.unsupported"]
    assert core.calls == []


async def test_voice_gets_what_the_bot_reads_unknown_events_are_ignored(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    await make_zalo().start()
    chat = ZaloChat(fake_zalo)
    fake_zalo.push(zalo_event("message.voice.received", chat.chat_id, url="https://v/1"))
    assert await chat.reply() == TEXTS["channel.unsupported"]  # never the core
    fake_zalo.push({"event_name": "message.text.received"})  # no message at all
    fake_zalo.push({"event_name": "user.follow", "message": {"from": {"id": "u-lan"}}})
    chat.send("/start")
    assert "tên là gì" in await chat.reply()
    await chat.assert_silent()
    assert core.texts_of(chat.chat_id) == ["/start"]


async def test_long_reply_is_split_under_2000_on_paragraph_boundaries(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    await make_zalo().start()
    chat = ZaloChat(fake_zalo)
    chat.send("dài")
    parts = [await chat.reply()]
    while not parts[-1].endswith("2. Báo gương tốt"):
        parts.append(await chat.reply())
    await chat.assert_silent(0.1)
    assert 4 <= len(parts) <= 6
    assert all(0 < len(p) <= 2000 for p in parts)
    for paragraph in long_paragraphs():
        if len(paragraph) <= 2000:
            assert any(paragraph in part for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(
        (long_text() + " 1. Xem thể lệ 2. Báo gương tốt").split()
    )


async def test_a_rate_limited_reply_is_sent_after_waiting(
    make_zalo: MakeZalo, fake_zalo: FakeZalo
) -> None:
    await make_zalo().start()
    chat = ZaloChat(fake_zalo)
    fake_zalo.fail("sendMessage", 429, "Quota exceeded", retry_after=0.3)
    chat.send("hai")
    assert await chat.reply() == "Tin thứ nhất."
    assert await chat.reply() == "Tin thứ hai."
    assert fake_zalo.methods().count("sendMessage") == 3


async def test_send_raises_typed_errors(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, blocked: BlockedLog
) -> None:
    channel = make_zalo()
    fake_zalo.fail("sendMessage", 429, "Quota exceeded", retry_after=4)
    with pytest.raises(RetryAfter) as limited:
        await channel.send("u1", Reply("Nhắc việc"))
    assert limited.value.seconds == 4
    # The pause applies to every send until it has passed.
    with pytest.raises(RetryAfter):
        await channel.send("u2", Reply("Nhắc việc"))
    channel._paused_until = 0.0
    fake_zalo.fail("sendMessage", 500, "Internal error")
    with pytest.raises(TransientError):
        await channel.send("u1", Reply("Nhắc việc"))
    fake_zalo.fail("sendMessage", 400, "Bad request")
    with pytest.raises(PermanentError):
        await channel.send("u1", Reply("Nhắc việc"))
    # Zalo documents 403 as an internal error: retried later, the person is not blocked.
    fake_zalo.fail("sendMessage", 403, "Forbidden")
    with pytest.raises(TransientError) as refused:
        await channel.send("u1", Reply("Nhắc việc"))
    assert not isinstance(refused.value, Blocked)
    assert blocked.calls == []
    await channel.send("u3", Reply("Nhắc việc"))
    assert fake_zalo.texts_to("u3") == ["Nhắc việc"]


async def test_a_burst_of_403_or_a_401_pauses_the_channel_and_alerts_once(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, blocked: BlockedLog
) -> None:
    alerts: list[tuple[str, str]] = []

    async def on_alert(channel: str, kind: str) -> None:
        alerts.append((channel, kind))

    channel = make_zalo(on_alert=on_alert, refusal_burst=3, refusal_pause=0.3)
    fake_zalo.fail("sendMessage", 403, "Internal error", times=3)
    for person in ("u1", "u2"):
        with pytest.raises(TransientError):
            await channel.send(person, Reply("Nhắc việc"))
    with pytest.raises(ChannelUnauthorized) as paused:
        await channel.send("u3", Reply("Nhắc việc"))
    assert 0 < paused.value.seconds <= 0.3
    assert channel.health() == {"state": "paused", "error": "refused"}
    # While paused nothing reaches the platform; the caller keeps its rows queued.
    calls = len(fake_zalo.calls)
    with pytest.raises(ChannelUnauthorized):
        await channel.send("u4", Reply("Nhắc việc"))
    assert len(fake_zalo.calls) == calls
    await asyncio.sleep(0.35)
    fake_zalo.fail("sendMessage", 401, "Unauthorized")
    with pytest.raises(ChannelUnauthorized):  # still the same episode: one alert only
        await channel.send("u4", Reply("Nhắc việc"))
    await asyncio.sleep(0.05)
    assert alerts == [("zalo", "refused")]
    assert blocked.calls == []
    await asyncio.sleep(0.65)  # the second pause doubled
    await channel.send("u5", Reply("Nhắc việc"))
    assert fake_zalo.texts_to("u5") == ["Nhắc việc"]
    assert channel.health()["state"] != "paused"


async def test_an_empty_reply_sends_nothing(make_zalo: MakeZalo, fake_zalo: FakeZalo) -> None:
    await make_zalo().send("u1", Reply("  \n\n "))
    assert fake_zalo.calls == []


async def test_typing_is_shown_while_the_core_is_slow(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    core.delay = 0.5
    await make_zalo(typing_delay=0.1, typing_interval=0.2).start()
    chat = ZaloChat(fake_zalo)
    chat.send("/start")
    assert "tên là gì" in await chat.reply()
    assert len(fake_zalo.actions) >= 2
    assert fake_zalo.actions[0] == {"chat_id": chat.chat_id, "action": "typing"}
    core.delay = 0.0
    actions = len(fake_zalo.actions)
    chat.send("Lan")
    assert "Năm sinh" in await chat.reply()
    assert len(fake_zalo.actions) == actions


async def test_stop_lets_in_flight_handlers_answer(
    make_zalo: MakeZalo, fake_zalo: FakeZalo, core: ScriptedCore
) -> None:
    core.delay = 0.5
    channel = make_zalo()
    await channel.start()
    chat = ZaloChat(fake_zalo)
    chat.send("/start")
    while not core.calls:
        await asyncio.sleep(0.01)
    await channel.stop()
    assert "tên là gì" in await chat.reply(timeout=0.1)
    polls = fake_zalo.methods().count("getUpdates")
    await asyncio.sleep(0.2)
    assert fake_zalo.methods().count("getUpdates") == polls


async def test_no_token_or_message_text_in_logs(
    make_zalo: MakeZalo,
    fake_zalo: FakeZalo,
    caplog: pytest.LogCaptureFixture,
    webhook_server: WebhookServer,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_zalo.fail("getUpdates", 401, "Unauthorized")
    fake_zalo.fail("sendMessage", 429, "Quota exceeded", retry_after=0.1)
    channel = make_zalo()
    await channel.start()
    chat = ZaloChat(fake_zalo)
    chat.send("vọng bí mật riêng tư")
    assert await chat.reply() == "Bạn gõ: bí mật riêng tư"
    fake_zalo.fail("sendMessage", 403, "Forbidden")
    with pytest.raises(TransientError):
        await channel.send("u9", Reply("x"))
    await channel.stop()
    hooked = make_zalo(
        webhook_url="https://bot.example.org/webhook/zalo",
        webhook_secret=WEBHOOK_SECRET,
        webhook_server=webhook_server,
    )
    await hooked.start()
    assert await _post(webhook_server, "zalo", text_event("u1", "hi"), "bad-secret-x") == 403
    await hooked.stop()
    assert caplog.records
    for secret in (ZALO_TOKEN, *SECRETS, WEBHOOK_SECRET, "bí mật riêng tư"):
        assert secret not in caplog.text
