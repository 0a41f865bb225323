"""How outbox rows read: reminder texts from the catalog, broadcasts with their photo."""

from __future__ import annotations

from bot.core.text_split import TELEGRAM_TEXT_LIMIT, ZALO_TEXT_LIMIT, split_text
from bot.core.types import Attachment, AttachmentKind, Reply
from content.messages import Messages

TELEGRAM_CAPTION_LIMIT = 1024
TELEGRAM_FILE_PREFIX = "telegram-file:"


def broadcast_overhead(messages: Messages) -> int:
    """Return how many characters the broadcast frame adds around the admin's text."""
    return len(messages.t("broadcast.message", text=""))


def text_limit(messages: Messages) -> int:
    """Return the longest broadcast text that still fits one Zalo message with its frame."""
    return ZALO_TEXT_LIMIT - broadcast_overhead(messages)


def caption_limit(messages: Messages) -> int:
    """Return the longest photo caption that fits Telegram's caption with the frame."""
    return TELEGRAM_CAPTION_LIMIT - broadcast_overhead(messages)


def photo_reaches(photo_url: str, channel: str) -> bool:
    """Tell whether a channel can send this photo (a Telegram file id works on Telegram only)."""
    if photo_url.startswith(("https://", "http://")):
        return True
    if photo_url.startswith(TELEGRAM_FILE_PREFIX):
        return channel == "telegram"
    return channel == "console"


def broadcast_reply(messages: Messages, text: str, photo_url: str | None, channel: str
                    ) -> Reply:
    """Return the broadcast as a channel shows it: framed text, as a photo caption if any."""
    message = messages.t("broadcast.message", text=text)
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
    limit = TELEGRAM_TEXT_LIMIT if channel == "telegram" else ZALO_TEXT_LIMIT
    texts = len(split_text(reply.text, limit)) if reply.text.strip() else 0
    return max(1, texts + len(reply.attachments))
