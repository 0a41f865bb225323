"""Telegram adapter through aiogram against the fake Bot API: polling, webhook, errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram import TelegramChannel, parse_command, telegram_file_id
from bot.channels.webhook import WebhookServer
from bot.core.channel_errors import Blocked, PermanentError, RetryAfter, TransientError
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from tests.channels.conftest import COMMANDS, SECRETS, TELEGRAM_TOKEN, TEXTS, BlockedLog
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.scripted import ScriptedCore, long_paragraphs, long_text

MakeTelegram = Callable[..., TelegramChannel]
WEBHOOK_SECRET = "tg-hook-secret_123"


def buttons(sent: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """Return the inline keyboard of a sent message as (label, callback_data) rows."""
    markup = sent.get("reply_markup") or {"inline_keyboard": []}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


async def test_conversation_with_inline_choices_and_a_callback(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)

    chat.send("/start ref_ABC-1")
    first = await chat.reply()
    assert first["text"] == "Xin chào! Bạn tên là gì?" and first["parse_mode"] == "HTML"
    assert (core.calls[0].text, core.calls[0].start_payload) == ("/start", "ref_ABC-1")
    chat.send("Lan")
    assert "Năm sinh" in (await chat.reply())["text"]
    chat.send("1990")
    menu = await chat.reply()
    assert menu["text"] == "Cảm ơn. Bạn muốn làm gì?"
    assert buttons(menu) == [[("Xem thể lệ", "rules")], [("Báo gương tốt", "deed")]]

    chat.press(menu, "deed")
    assert (await chat.reply())["text"] == "Bạn đã chọn: Báo gương tốt"
    assert core.calls[-1].choice == "deed" and core.calls[-1].text is None
    assert core.calls[-1].user_id == "1001" and core.calls[-1].chat_id == "1001"
    assert len(fake_telegram.answered) == 1
    (edit,) = fake_telegram.edits
    assert edit["method"] == "editMessageText"
    assert edit["message_id"] == str(menu["message"]["message_id"])
    assert edit["text"] == "Cảm ơn. Bạn muốn làm gì?\n\n→ Báo gương tốt"
    assert "reply_markup" not in edit  # the keyboard goes away with the edit
    await chat.assert_silent(0.1)
    assert fake_telegram.commands == [{"command": c, "description": d} for c, d in COMMANDS]
    methods = fake_telegram.methods()
    assert methods.index("deleteWebhook") < methods.index("getUpdates")


async def test_a_press_is_answered_and_its_keyboard_replaced_while_the_core_thinks(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send("/start")
    await chat.reply()
    chat.send("Lan")
    await chat.reply()
    chat.send("1990")
    menu = await chat.reply()
    core.delay = 1.0
    sent = len(fake_telegram.sent)
    chat.press(menu, "deed")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 0.8
    while not (fake_telegram.answered and fake_telegram.edits) and loop.time() < deadline:
        await asyncio.sleep(0.02)
    # The button stops spinning and shows the choice before the answer is ready.
    assert len(fake_telegram.answered) == 1 and len(fake_telegram.edits) == 1
    assert len(fake_telegram.sent) == sent  # the answer is not ready yet
    assert (await chat.reply())["text"] == "Bạn đã chọn: Báo gương tốt"
    # The edit went before the answer (the poller's next getUpdates may come in between).
    methods = [m for m in fake_telegram.methods() if m != "getUpdates"]
    assert methods[-1] == "sendMessage" and "editMessageText" in methods[:-1]


async def test_a_duplicate_update_is_handled_once(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    update = chat.send("/start")
    fake_telegram.push(dict(update))
    assert "tên là gì" in (await chat.reply())["text"]
    await chat.assert_silent()
    assert core.texts_of("1001") == ["/start"]


async def test_html_is_escaped_in_replies(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send("vọng <b>& \"x\"")
    sent = await chat.reply()
    assert sent["text"] == 'Bạn gõ: &lt;b&gt;&amp; "x"' and sent["parse_mode"] == "HTML"
    assert sent["message"]["text"] == 'Bạn gõ: <b>& "x"'


async def test_long_reply_is_split_under_4096_with_the_keyboard_last(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send("dài")
    parts = [await chat.reply()]
    while "reply_markup" not in parts[-1]:
        parts.append(await chat.reply())
    await chat.assert_silent(0.1)
    texts = [p["message"]["text"] for p in parts]
    assert len(texts) == 3 and all(0 < len(t) <= 4096 for t in texts)
    assert all(any(paragraph in t for t in texts) for paragraph in long_paragraphs())
    assert "\n\n".join(texts) == long_text()
    assert buttons(parts[-1]) == [[("Xem thể lệ", "rules")], [("Báo gương tốt", "deed")]]


async def test_rate_limit_waits_retry_after_then_sends(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    fake_telegram.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    loop = asyncio.get_running_loop()
    chat.send("/start")
    began = loop.time()
    assert "tên là gì" in (await chat.reply())["text"]
    assert loop.time() - began >= 0.9
    assert fake_telegram.methods().count("sendMessage") == 2


async def test_forbidden_calls_on_blocked_and_stops_sending_to_that_chat(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, blocked: BlockedLog
) -> None:
    channel = make_telegram()
    await channel.start()
    chat = TelegramChat(fake_telegram)
    fake_telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    chat.send("hai")  # two replies: the first is refused, the second is not attempted
    while not blocked.calls:
        await asyncio.sleep(0.01)
    await chat.assert_silent(0.2)
    assert blocked.calls == [("telegram", "1001")]
    assert fake_telegram.methods().count("sendMessage") == 1
    with pytest.raises(Blocked):
        await channel.send("1001", Reply("Nhắc việc"))
    assert fake_telegram.methods().count("sendMessage") == 1
    chat.send("/start")  # writing again means the person unblocked the bot
    assert "tên là gì" in (await chat.reply())["text"]


async def test_send_raises_typed_errors(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, blocked: BlockedLog
) -> None:
    channel = make_telegram()
    fake_telegram.fail("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    with pytest.raises(RetryAfter) as limited:
        await channel.send("2002", Reply("Nhắc việc"))
    assert limited.value.seconds == 5
    channel._paused_until = 0.0
    fake_telegram.fail("sendMessage", 500, "Internal Server Error")
    with pytest.raises(TransientError):
        await channel.send("2002", Reply("Nhắc việc"))
    fake_telegram.fail("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(PermanentError):
        await channel.send("2002", Reply("Nhắc việc"))
    fake_telegram.fail("sendMessage", 403, "Forbidden: user is deactivated")
    with pytest.raises(Blocked):
        await channel.send("2002", Reply("Nhắc việc"))
    assert blocked.calls == [("telegram", "2002")]
    await channel.send("3003", Reply("Nhắc <việc>", choices=[[Choice("Đã xong", "done")]]))
    (sent,) = fake_telegram.sent_to(3003)
    assert sent["text"] == "Nhắc &lt;việc&gt;" and buttons(sent) == [[("Đã xong", "done")]]


async def test_photos_and_stickers_reach_the_core_as_attachments(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    sizes = [
        {"file_id": f"ph-{w}", "file_unique_id": f"u{w}", "width": w, "height": w}
        for w in (90, 1280, 320)
    ]
    chat.send_content(photo=sizes, caption="Ảnh công trình")
    assert (await chat.reply())["text"] == "Đã nhận ảnh."
    sticker = {"file_id": "st-9", "file_unique_id": "s9", "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False}
    chat.send_content(sticker=sticker)
    assert (await chat.reply())["text"] == "Đã nhận nhãn dán."
    photo_in, sticker_in = core.calls
    (photo,) = photo_in.attachments
    assert photo.kind is AttachmentKind.PHOTO and telegram_file_id(photo) == "ph-1280"
    assert photo_in.text == "Ảnh công trình" and photo.caption == "Ảnh công trình"
    assert sticker_in.attachments[0].kind is AttachmentKind.STICKER
    assert telegram_file_id(sticker_in.attachments[0]) == "st-9" and sticker_in.text is None


async def test_content_the_bot_cannot_read_gets_the_catalog_text(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send_content(location={"latitude": 21.0, "longitude": 105.8})
    assert (await chat.reply())["text"] == TEXTS["channel.unsupported"]
    assert core.calls == []


async def test_photo_replies_go_by_file_id_or_url(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram
) -> None:
    channel = make_telegram()
    photo = Attachment(AttachmentKind.PHOTO, url="telegram-file:ph-1", caption="<Bằng khen>")
    await channel.send("4004", Reply("", choices=[[Choice("Xong", "ok")]], attachments=[photo]))
    (sent,) = fake_telegram.sent_to(4004)
    assert sent["photo"] == "ph-1" and sent["caption"] == "&lt;Bằng khen&gt;"
    assert buttons(sent) == [[("Xong", "ok")]]


def test_commands_lose_the_bot_name_and_start_keeps_its_payload() -> None:
    assert parse_command("/start") == ("/start", None)
    assert parse_command("/start@thidua_bot abc_1") == ("/start", "abc_1")
    assert parse_command("/menu@thidua_bot") == ("/menu", None)
    assert parse_command("/huy now") == ("/huy now", None)
    assert parse_command("xin chào /start") == ("xin chào /start", None)


@pytest.fixture
async def webhook_server() -> AsyncIterator[WebhookServer]:
    server = WebhookServer("127.0.0.1", 0)
    yield server
    await server.detach("telegram")


async def _post(server: WebhookServer, body: Any, secret: str | None) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    url = f"http://127.0.0.1:{server.port}/webhook/telegram"
    async with aiohttp.ClientSession() as session, session.post(
        url, json=body, headers=headers
    ) as response:
        return response.status


async def test_webhook_checks_the_secret_and_handles_updates_once(
    make_telegram: MakeTelegram,
    fake_telegram: FakeTelegram,
    core: ScriptedCore,
    webhook_server: WebhookServer,
) -> None:
    channel = make_telegram(
        webhook_url="https://bot.example.org/webhook/telegram",
        webhook_secret=WEBHOOK_SECRET,
        webhook_server=webhook_server,
    )
    await channel.start()
    assert fake_telegram.webhook["url"] == "https://bot.example.org/webhook/telegram"
    assert fake_telegram.webhook["secret_token"] == WEBHOOK_SECRET
    assert set(fake_telegram.webhook["allowed_updates"]) == {"message", "callback_query"}
    assert "getUpdates" not in fake_telegram.methods()

    update = fake_telegram.message_update(1001, text="/start")
    update["update_id"] = 777
    assert await _post(webhook_server, update, "wrong-secret") == 403
    assert await _post(webhook_server, update, None) == 403
    await asyncio.sleep(0.1)
    assert core.calls == []

    assert await _post(webhook_server, update, WEBHOOK_SECRET) == 200
    assert await _post(webhook_server, update, WEBHOOK_SECRET) == 200  # redelivery
    chat = TelegramChat(fake_telegram)
    assert "tên là gì" in (await chat.reply())["text"]
    await chat.assert_silent()
    assert core.texts_of("1001") == ["/start"]


async def test_no_token_or_message_text_in_logs(
    make_telegram: MakeTelegram,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_telegram.fail("getUpdates", 502, "Bad Gateway")
    fake_telegram.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    channel = make_telegram()
    await channel.start()
    chat = TelegramChat(fake_telegram)
    chat.send("vọng bí mật riêng tư")
    assert (await chat.reply())["text"] == "Bạn gõ: bí mật riêng tư"
    fake_telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Blocked):
        await channel.send("5005", Reply("x"))
    await channel.stop()
    assert caplog.records
    for secret in (TELEGRAM_TOKEN, *SECRETS, "bí mật riêng tư"):
        assert secret not in caplog.text


async def test_stop_answers_in_flight_updates_and_a_restart_does_not_replay_them(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    core.delay = 0.5
    channel = make_telegram()
    await channel.start()
    chat = TelegramChat(fake_telegram)
    update = chat.send("/start")
    while not core.calls:
        await asyncio.sleep(0.01)
    await channel.stop()
    assert "tên là gì" in (await chat.reply(timeout=0.1))["text"]
    polls = [params for method, params in fake_telegram.calls if method == "getUpdates"]
    assert polls[-1]["offset"] == str(update["update_id"] + 1)

    core.delay = 0.0
    await make_telegram().start()
    await chat.assert_silent(0.3)
    assert core.texts_of("1001") == ["/start"]


async def test_an_immediate_stop_after_start_is_clean(make_telegram: MakeTelegram) -> None:
    channel = make_telegram()
    await channel.start()
    await channel.stop()
    await channel.stop()


async def test_a_document_built_by_the_bot_is_sent_after_the_text(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram
) -> None:
    channel = make_telegram()
    xlsx = Attachment(AttachmentKind.DOCUMENT, data=b"PK\x03\x04...", filename="tien-do.xlsx")
    await channel.send("4004", Reply("Bảng tiến độ (tệp đính kèm).",
                                     choices=[[Choice("Xong", "ok")]], attachments=[xlsx]))
    text, document = fake_telegram.sent_to(4004)
    assert text["text"] == "Bảng tiến độ (tệp đính kèm)." and buttons(text) == [[("Xong", "ok")]]
    assert str(document["document"]).startswith("attach://")
    assert "<file tien-do.xlsx>" in document.values()
    assert fake_telegram.methods()[-1] == "sendDocument"


async def test_typing_is_shown_only_while_the_core_is_slow(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore
) -> None:
    core.delay = 0.5
    await make_telegram(typing_delay=0.1, typing_interval=0.2).start()
    chat = TelegramChat(fake_telegram)
    chat.send("/start")
    assert "tên là gì" in (await chat.reply())["text"]
    assert len(fake_telegram.actions) >= 2
    assert fake_telegram.actions[0] == {"chat_id": str(chat.user_id), "action": "typing"}
    core.delay = 0.0
    actions = len(fake_telegram.actions)
    chat.send("Lan")
    assert "Năm sinh" in (await chat.reply())["text"]
    await chat.assert_silent(0.3)
    assert len(fake_telegram.actions) == actions


async def _plain_conversation(make_telegram: MakeTelegram, fake_telegram: FakeTelegram,
                              core: ScriptedCore) -> list[Any]:
    """Texts (one from a person with a last name), presses (one under a formatted message,
    one whose message has no keyboard), a bot's message: what the core got, what was sent."""
    await make_telegram().start()
    chat = TelegramChat(fake_telegram)
    chat.send("/start@bench_bot ref_X")
    await chat.reply()
    chat.send("Lan <b>&")
    await chat.reply()
    update = fake_telegram.message_update(1001, text="1990")
    update["message"]["from"]["last_name"] = "Nguyễn"
    fake_telegram.push(update)
    menu = await chat.reply()
    chat.press(menu, "deed")
    await chat.reply()
    chat.send("hai")
    second = await chat.reply()
    await chat.reply()
    formatted = dict(menu["message"], message_id=second["message"]["message_id"],
                     entities=[{"type": "bold", "offset": 0, "length": 6}])
    fake_telegram.push(fake_telegram.callback_update(1001, formatted, "rules"))
    await chat.reply()
    bare = {k: v for k, v in menu["message"].items() if k != "reply_markup"}
    fake_telegram.push(fake_telegram.callback_update(1001, bare, "rules"))
    await chat.reply()
    robot = fake_telegram.message_update(1001, text="hai")
    robot["message"]["from"]["is_bot"] = True
    fake_telegram.push(robot)
    chat.send("vọng xong")
    await chat.reply()
    return [[(c.chat_id, c.user_id, c.text, c.choice, c.start_payload, c.display_name)
             for c in core.calls], len(fake_telegram.answered),
            [(method, {k: v for k, v in params.items() if k != "message_id"})
             for method, params in fake_telegram.calls if method.startswith("edit")]]


async def test_plain_texts_and_presses_are_read_as_aiogram_reads_them(
    make_telegram: MakeTelegram, fake_telegram: FakeTelegram, core: ScriptedCore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The usual updates are read from the JSON directly (no aiogram model): the core, the
    # chat and the edited buttons must see exactly what reading them through aiogram gives.
    direct = await _plain_conversation(make_telegram, fake_telegram, core)
    assert direct[0][0] == ("1001", "1001", "/start", None, "ref_X", "Lan")
    assert direct[0][2][-1] == "Lan Nguyễn"
    assert [p["text"] for _m, p in direct[2]][1].startswith("<b>Cảm ơn</b>")

    async def not_plain(*_args: Any) -> bool:
        return False

    monkeypatch.setattr(TelegramChannel, "_on_plain", not_plain)
    other_fake = FakeTelegram(TELEGRAM_TOKEN)
    await other_fake.start()
    try:
        other_core = ScriptedCore()
        blocked = BlockedLog()
        made: list[TelegramChannel] = []

        def factory(**options: Any) -> TelegramChannel:
            channel = TelegramChannel(
                TELEGRAM_TOKEN, handle=other_core.handle, on_blocked=blocked, texts=TEXTS,
                api_base=other_fake.base_url, poll_timeout=1, typing_delay=5.0, **options)
            made.append(channel)
            return channel

        through_aiogram = await _plain_conversation(factory, other_fake, other_core)
        for channel in made:
            await channel.stop()
    finally:
        await other_fake.close()
    assert direct == through_aiogram
