"""How outbox rows read: reminder texts from the catalog, broadcasts with their photo."""

from __future__ import annotations

from bot.core.text_split import ZALO_TEXT_LIMIT, split_text
from bot.core.traits import traits_of
from bot.core.types import Attachment, AttachmentKind, Reply
from content.messages import Messages

TELEGRAM_CAPTION_LIMIT = 1024
# A photo a channel stored by its own file id: "<channel>-file:<id>" (e.g. "telegram-file:…").
FILE_ID_SUFFIX = "-file:"
TELEGRAM_FILE_PREFIX = "telegram" + FILE_ID_SUFFIX
# The longest sender line ("UBND xã Nhân Lý — Nguyễn Văn A") a broadcast carries.
SENDER_LIMIT = 70


def _frame(messages: Messages, text: str, sender: str | None) -> str:
    line = (messages.t("broadcast.sender_line", sender=sender[:SENDER_LIMIT]) + "\n"
            if sender else "")
    return messages.t("broadcast.message", text=text, sender=line)


def broadcast_overhead(messages: Messages) -> int:
    """Return how many characters the broadcast frame adds around the admin's text (with
    the longest sender line)."""
    return len(_frame(messages, "", "x" * SENDER_LIMIT))


def text_limit(messages: Messages) -> int:
    """Return the longest broadcast text that still fits one Zalo message with its frame."""
    return ZALO_TEXT_LIMIT - broadcast_overhead(messages)


def caption_limit(messages: Messages) -> int:
    """Return the longest photo caption that fits Telegram's caption with the frame."""
    return TELEGRAM_CAPTION_LIMIT - broadcast_overhead(messages)


def photo_reaches(photo_url: str, channel: str) -> bool:
    """Tell whether a channel can send this photo: a web address goes everywhere, a
    platform's file id only to that platform, a local file only to a local session."""
    if photo_url.startswith(("https://", "http://")):
        return True
    origin, sep, _ = photo_url.partition(FILE_ID_SUFFIX)
    if sep and origin.isalpha():
        return channel == origin
    return traits_of(channel).local


def broadcast_reply(messages: Messages, text: str, photo_url: str | None, channel: str,
                    sender: str | None = None) -> Reply:
    """Return the broadcast as a channel shows it: framed text with who sends it, as a
    photo caption if any."""
    message = _frame(messages, text, sender)
    if photo_url and photo_reaches(photo_url, channel):
        return Reply("", attachments=[Attachment(AttachmentKind.PHOTO, url=photo_url,
                                                 caption=message)])
    return Reply(message)


def notice_reply(messages: Messages, message_key: str, params: dict[str, object],
                 footer: str | None = None) -> Reply:
    """Return a reminder or notice from its catalog key and params."""
    text = messages.t(message_key, **params)
    if footer:
        text = f"{text}\n\n{messages.t(footer)}"
    return Reply(text)


def parts_of(reply: Reply, channel: str) -> int:
    """Return how many platform messages a reply takes (for pacing)."""
    texts = len(split_text(reply.text, traits_of(channel).text_limit)) if reply.text.strip() else 0
    return max(1, texts + len(reply.attachments))
