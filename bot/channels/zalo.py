"""Zalo adapter: long polling or webhook in (stored in the inbox first), numbered plain
text out. Zalo documents 403 as an internal error: it never marks a person blocked; a burst
of them (or a 401) pauses the channel and alerts the admins."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.channels.base import (
    GROUP_KEY,
    UNSUPPORTED_KEY,
    BaseChannel,
    Handle,
    OnBlocked,
    RecentKeys,
    Refused,
    SendPart,
    TextSource,
    Ticket,
)
from bot.channels.webhook import BadBody, WebhookServer, read_json, secret_matches
from bot.channels.zalo_api import (
    ZaloApiError,
    ZaloBotApi,
    ZaloForbiddenError,
    ZaloRateLimitError,
    ZaloUnauthorizedError,
)
from bot.core.channel_errors import (
    ChannelUnauthorized,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.core.render import numbered_text
from bot.core.tasks import cancel_and_wait
from bot.core.text_split import ZALO_TEXT_LIMIT, split_text
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"
STICKER_EVENT = "message.sticker.received"
UNSUPPORTED_EVENT = "message.unsupported.received"
# A file sent to the bot (the Zalo Bot API hands no file over): the step expecting one
# says so and points to the command line.
FILE_EVENTS = ("message.file.received", "message.document.received")

# Token fingerprints of the pollers running in this process: Zalo hands each event to
# whichever getUpdates call is waiting, so two pollers would split one conversation.
_ACTIVE_POLLERS: set[str] = set()


def unwrap_event(body: Any) -> dict[str, Any] | None:
    """Return `{event_name, message}` from a wrapped (`{ok, result}`) or flat webhook body."""
    if not isinstance(body, dict):
        return None
    result = body.get("result")
    if isinstance(result, dict) and "event_name" in result:
        return result
    if "event_name" in body:
        return body
    return None


def event_key(event: dict[str, Any]) -> str:
    """Return the dedupe key of an event: `event_name:message_id`, or a hash of it all."""
    message = event.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if message_id is not None:
        return f"{event.get('event_name')}:{message_id}"
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=True, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _is_message(event_name: str) -> bool:
    """Tell whether an event is a message a person sent (message.<kind>.received)."""
    return event_name.startswith("message.") and event_name.endswith(".received")


def is_event(event: Any) -> bool:
    """Tell whether `event` has the shape of a Zalo event."""
    return (isinstance(event, dict) and isinstance(event.get("event_name"), str)
            and isinstance(event.get("message"), dict))


class ZaloChannel(BaseChannel):
    """Zalo Bot adapter; polls unless a webhook URL is given."""

    name = "zalo"

    def __init__(
        self,
        api: ZaloBotApi,
        *,
        handle: Handle,
        on_blocked: OnBlocked,
        texts: TextSource,
        poll_timeout: int = 30,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_server: WebhookServer | None = None,
        text_limit: int = ZALO_TEXT_LIMIT,
        default_retry_after: float = 5.0,
        **base_options: Any,
    ) -> None:
        super().__init__(handle=handle, on_blocked=on_blocked, texts=texts, **base_options)
        if webhook_url is not None:
            if not webhook_secret or not 8 <= len(webhook_secret) <= 256:
                raise ValueError("a Zalo webhook needs a secret of 8 to 256 characters")
            if webhook_server is None:
                raise ValueError("a Zalo webhook needs a webhook server")
        self._api = api
        self._poll_timeout = poll_timeout
        self._webhook_url = webhook_url
        self._webhook_secret = (webhook_secret or "").encode("utf-8")
        self._webhook_server = webhook_server
        self._text_limit = text_limit
        self._default_retry_after = default_retry_after
        self._told_groups = RecentKeys(10_000)
        self._poller: asyncio.Task[None] | None = None
        self._guard_key: str | None = None

    @property
    def uses_webhook(self) -> bool:
        """Return True when updates arrive by webhook rather than polling."""
        return self._webhook_url is not None

    # --- intake ---------------------------------------------------------------------------

    def _check_start(self) -> None:
        if self._webhook_url is not None:
            return
        key = self._api.fingerprint
        if key in _ACTIVE_POLLERS:
            raise RuntimeError(f"a Zalo poller already runs for bot {key} in this process")
        _ACTIVE_POLLERS.add(key)
        self._guard_key = key

    async def _start_intake(self) -> None:
        if self._webhook_url is not None:
            assert self._webhook_server is not None
            # Listen first: events already on their way are stored even if setWebhook fails.
            await self._webhook_server.attach(self.name, self._on_webhook)
            await self._api.set_webhook(self._webhook_url, self._webhook_secret.decode())
            logger.info("zalo: webhook registered (bot %s)", self._api.fingerprint)
            return
        try:
            await self._api.delete_webhook()
        except ZaloApiError as exc:
            if exc.transient or isinstance(exc, ZaloUnauthorizedError):
                raise
            logger.warning("zalo: deleteWebhook failed (%s), polling anyway", exc.error_code)
        self._poller = asyncio.create_task(self._poll_loop(),
                                           name=f"zalo-poll-{self._api.fingerprint}")
        logger.info("zalo: polling (bot %s)", self._api.fingerprint)

    async def _stop_intake(self) -> None:
        if self._webhook_server is not None and self._webhook_url is not None:
            await self._webhook_server.detach(self.name)
        if self._poller is not None:
            await cancel_and_wait(self._poller)
            self._poller = None
        if self._guard_key is not None:
            _ACTIVE_POLLERS.discard(self._guard_key)
            self._guard_key = None

    async def _close(self) -> None:
        await self._api.close()

    async def _poll_loop(self) -> None:
        delay = self._backoff_initial
        while True:
            try:
                events = await self._api.get_updates(self._poll_timeout)
            except asyncio.CancelledError:
                raise
            except ZaloUnauthorizedError as exc:
                self._status.intake_failed(exc)
                await asyncio.sleep(self._refused("unauthorized").seconds)
                continue
            except Exception as exc:
                kind = self._status.intake_failed(exc)
                wait = delay
                if isinstance(exc, ZaloRateLimitError) and exc.retry_after:
                    wait = max(wait, exc.retry_after)
                if isinstance(exc, ZaloForbiddenError) and self._status.note_refusal():
                    wait = max(wait, self._refused("refused").seconds)
                logger.warning("zalo: getUpdates failed (%s); retry in %.1f s", kind, wait)
                await asyncio.sleep(wait)
                delay = min(delay * 2, self._backoff_max)
                continue
            self._status.intake_ok()
            self._status.accepted()
            delay = self._backoff_initial
            for event in events:
                if not is_event(event):
                    logger.warning("zalo: malformed event ignored")
                    continue
                await self._store_polled(event)

    async def _store_polled(self, event: dict[str, Any]) -> None:
        """Store one polled event, retrying while the database is down (Zalo will not
        hand it again: polling more before it is stored could lose it)."""
        delay = self._backoff_initial
        while True:
            try:
                await self._take([(event_key(event), event)])
                return
            except Exception as exc:
                logger.error("zalo: could not store an event (%s); retry in %.1f s",
                             type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)

    async def _on_webhook(self, request: web.Request) -> web.StreamResponse:
        assert self._webhook_server is not None
        if not secret_matches(request, SECRET_HEADER, self._webhook_secret):
            return self._webhook_server.refused(self.name, "secret")
        try:
            body = await read_json(request)
        except BadBody:
            return self._webhook_server.refused(self.name, "body", status=400)
        event = unwrap_event(body)
        if event is None or not is_event(event):
            return self._webhook_server.refused(self.name, "no event", status=400)
        try:
            await self._take([(event_key(event), event)])
        except Exception as exc:
            logger.error("zalo: could not store a webhook event (%s)", type(exc).__name__)
            return web.Response(status=503)
        return web.json_response({"ok": True})

    # --- handling -------------------------------------------------------------------------

    async def _on_update(self, payload: dict[str, Any], ticket: Ticket) -> None:
        event_name = payload.get("event_name")
        message = payload.get("message")
        if not isinstance(event_name, str) or not isinstance(message, dict):
            ticket.note("ignored")
            return
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        assert isinstance(sender, dict) and isinstance(chat, dict)
        if sender.get("is_bot"):
            ticket.note("ignored")
            return
        chat_id = str(chat.get("id") or sender.get("id") or "")
        user_id = str(sender.get("id") or chat_id)
        if not chat_id:
            logger.warning("zalo: event %s without a chat id ignored", event_name)
            ticket.note("ignored")
            return
        if str(chat.get("chat_type") or "PRIVATE").upper() != "PRIVATE":
            ticket.note("group")
            if self._told_groups.add(chat_id):
                await self._reply_directly(chat_id, user_id, [Reply(self._t(GROUP_KEY))], ticket)
            return
        if event_name == UNSUPPORTED_EVENT:
            reply = Reply(self._t(UNSUPPORTED_KEY))
            await self._reply_directly(chat_id, user_id, [reply], ticket)
            return
        incoming = self._to_incoming(event_name, message, chat_id, user_id, sender)
        if incoming is None and _is_message(event_name):
            # Voice, video, location...: say what the bot can read; the chat's state is
            # untouched (the core never sees the message).
            await self._reply_directly(chat_id, user_id, [Reply(self._t(UNSUPPORTED_KEY))],
                                       ticket)
            return
        if incoming is None:
            logger.info("zalo: event %s ignored", event_name)
            ticket.note("ignored")
            return
        await self._process(await self._fetched(incoming), ticket)

    async def _fetched(self, incoming: Incoming) -> Incoming:
        """Fetch inbound photos now: Zalo's URLs may expire, the evidence must not."""
        attachments = []
        for attachment in incoming.attachments:
            if attachment.kind is AttachmentKind.PHOTO and attachment.url:
                data = await self._api.download(attachment.url, self._max_download)
                if data is not None:
                    attachment = replace(attachment, data=data, size=len(data))
            attachments.append(attachment)
        return replace(incoming, attachments=tuple(attachments))

    def _to_incoming(
        self,
        event_name: str,
        message: dict[str, Any],
        chat_id: str,
        user_id: str,
        sender: dict[str, Any],
    ) -> Incoming | None:
        display_name = sender.get("display_name") or sender.get("name")
        base: dict[str, Any] = {
            "channel": self.name,
            "chat_id": chat_id,
            "user_id": user_id,
            "display_name": str(display_name) if display_name else None,
            "sent_at": _sent_at(message.get("date")),
        }
        if event_name == TEXT_EVENT:
            text = message.get("text")
            if not isinstance(text, str) or not text.strip():
                return None
            return Incoming(text=text, **base)
        if event_name == IMAGE_EVENT:
            url = message.get("photo_url") or message.get("photo")
            caption = message.get("caption") if isinstance(message.get("caption"), str) else None
            photo = Attachment(
                AttachmentKind.PHOTO, url=str(url) if url else None, caption=caption or None
            )
            return Incoming(text=caption or None, attachments=(photo,), **base)
        if event_name == STICKER_EVENT:
            sticker_url = message.get("url")
            sticker_id = message.get("sticker")
            sticker = Attachment(
                AttachmentKind.STICKER,
                url=str(sticker_url) if sticker_url else None,
                filename=str(sticker_id) if sticker_id else None,
            )
            return Incoming(attachments=(sticker,), **base)
        if event_name in FILE_EVENTS:
            name = message.get("file_name") or message.get("name")
            document = Attachment(AttachmentKind.DOCUMENT,
                                  filename=str(name)[:200] if name else None)
            return Incoming(attachments=(document,), **base)
        return None

    # --- outgoing -------------------------------------------------------------------------

    def _render(self, chat_id: str, reply: Reply) -> list[SendPart]:
        parts = [
            self._part(functools.partial(self._api.send_message, chat_id, chunk))
            for chunk in split_text(numbered_text(reply), self._text_limit)
        ]
        for attachment in reply.attachments:
            url = attachment.url or ""
            if attachment.kind is AttachmentKind.PHOTO and url.startswith(("https://", "http://")):
                caption = attachment.caption[: self._text_limit] if attachment.caption else None
                parts.append(
                    self._part(functools.partial(self._api.send_photo, chat_id, url, caption))
                )
            elif attachment.kind is AttachmentKind.STICKER and attachment.filename:
                sticker = attachment.filename
                parts.append(
                    self._part(functools.partial(self._api.send_sticker, chat_id, sticker))
                )
            else:
                logger.warning("zalo: cannot send a %s attachment, skipped", attachment.kind)
        return parts

    def _part(self, call: Callable[[], Awaitable[Any]]) -> SendPart:
        async def run() -> None:
            try:
                await call()
            except ZaloRateLimitError as exc:
                raise RetryAfter(exc.retry_after or self._default_retry_after) from None
            except ZaloUnauthorizedError:
                raise ChannelUnauthorized(0.0, "unauthorized") from None
            except ZaloForbiddenError as exc:
                raise Refused(str(exc)) from None
            except ZaloApiError as exc:
                if exc.transient:
                    raise TransientError(str(exc)) from None
                raise PermanentError(str(exc)) from None

        return run

    async def _send_typing(self, chat_id: str) -> None:
        await self._api.send_chat_action(chat_id, "typing")


def _sent_at(date: Any) -> datetime | None:
    """Zalo's `date` (epoch milliseconds) as a time; None when missing or odd."""
    if isinstance(date, bool) or not isinstance(date, int | float) or date <= 0:
        return None
    try:
        return datetime.fromtimestamp(date / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
