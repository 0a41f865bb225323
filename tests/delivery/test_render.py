"""How broadcasts and reminders read on each channel, within each platform's limits."""

from __future__ import annotations

from bot.core.types import AttachmentKind
from bot.delivery.render import broadcast_overhead, broadcast_reply, parts_of
from content.messages import Messages
from handlers.broadcast import CAPTION_LIMIT, TEXT_LIMIT

TEXT = "Mời bà con dự họp tổng kết phong trào."


def test_the_longest_allowed_texts_fit_one_zalo_message_and_one_telegram_caption() -> None:
    frame = broadcast_overhead(Messages.load())
    assert TEXT_LIMIT + frame <= 2000 and CAPTION_LIMIT + frame <= 1024
    reply = broadcast_reply(Messages.load(), "a" * TEXT_LIMIT, None, "zalo")
    assert parts_of(reply, "zalo") == 1


def test_a_photo_from_telegram_goes_as_a_photo_on_telegram_and_as_text_elsewhere() -> None:
    messages = Messages.load()
    on_telegram = broadcast_reply(messages, TEXT, "telegram-file:AgAD", "telegram")
    assert on_telegram.text == "" and on_telegram.attachments[0].kind is AttachmentKind.PHOTO
    assert TEXT in (on_telegram.attachments[0].caption or "")
    on_zalo = broadcast_reply(messages, TEXT, "telegram-file:AgAD", "zalo")
    assert not on_zalo.attachments and TEXT in on_zalo.text


def test_a_photo_with_a_web_address_goes_as_a_photo_everywhere() -> None:
    messages = Messages.load()
    for channel in ("zalo", "telegram"):
        reply = broadcast_reply(messages, TEXT, "https://example.org/anh.jpg", channel)
        assert reply.attachments and reply.attachments[0].url == "https://example.org/anh.jpg"
        assert parts_of(reply, channel) == 1


def test_every_status_audience_programme_and_kind_has_its_words() -> None:
    from bot.delivery.audiences import AUDIENCE_TYPES
    from handlers.broadcast import PROGRAMMES
    from storage.delivery.repo import BROADCAST_KIND, BroadcastStatus

    catalog = Messages.load()
    keys = [f"broadcast.status.{s}" for s in BroadcastStatus]
    keys += [f"broadcast.audience.{a}" for a in AUDIENCE_TYPES]
    keys += [f"broadcast.describe.{a}" for a in AUDIENCE_TYPES]
    keys += [f"broadcast.programme.{p}" for p in PROGRAMMES]
    keys += [f"reminders.kind.{k}" for k in ("deadline", BROADCAST_KIND)]
    assert [k for k in keys if k not in catalog] == []
