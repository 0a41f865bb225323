"""Zalo Official Account adapter: signed webhooks in, consultation messages out.

In: the raw body is checked against the `mac` (sha256 of app_id + body + timestamp + OA
secret key, the documented form, plus the variants the reference lists), answered 200 at
once, deduplicated on `msg_id` and handled after; the OA's own echoes (`oa_send_*`) and
receipts are dropped; each interaction is written to the window ledger.
Out: text in chunks of at most 2,000 characters split on paragraphs, the first five choices
as `oa.query.hide` buttons (the numbered text stays as the fallback), images and files by
upload. Before the outbox sends, `unreachable()` tells which people the 7-day window (or the
operator's paid-send setting) keeps out of reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import (
    UNSUPPORTED_KEY,
    BaseChannel,
    Handle,
    OnBlocked,
    SendPart,
    TextSource,
    Ticket,
)
from bot.channels.fetch import fetch_capped
from bot.channels.webhook import WebhookServer
from bot.channels.zalo_oa_api import ErrorKind, ZaloOAApi, ZaloOAError, ZaloOAuth
from bot.channels.zalo_oa_tokens import OATokens
from bot.core.channel_errors import PermanentError, RetryAfter, TransientError, Unreachable
from bot.core.config import Settings
from bot.core.render import numbered_text
from bot.core.tasks import cancel_and_wait
from bot.core.text_split import ZALO_TEXT_LIMIT, split_text
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply
from content.privacy import Purpose
from storage.delivery.repo import NewMessage, OutboxRepo, Source, people_with_consent
from storage.zalo_oa.repo import (
    Interaction,
    ZaloOARepo,
    accounts_elsewhere,
    closing_windows,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
CHOICE_PREFIX = "#c:"  # a button tap comes back as a text: this marks it as ours
MAX_BUTTONS = 5
BUTTON_TITLE = 20
MAX_BODY = 1_000_000
FREE_WINDOW = timedelta(hours=48)
WINDOW = timedelta(days=7)
# Zalo retries a failed delivery for hours (30 s … 1 h, maybe 12 h): older signed bodies
# are replays, answered 200 and ignored.
MAX_EVENT_AGE = timedelta(hours=13)
NIGHT_END_HOUR = 6
VN = ZoneInfo("Asia/Ho_Chi_Minh")

KEEPALIVE_KEY = "zalo_oa.keepalive"
KEEPALIVE_KIND = "zalo_oa_keepalive"
KEEPALIVE_FREE_AFTER = timedelta(hours=46)
KEEPALIVE_PAID_AFTER = timedelta(days=6)

# Events that open or extend the window (the reference, §3); receipts do not count.
INTERACTIONS = frozenset({"follow", "user_click_chatnow", "user_submit_info"})
RECEIPTS = frozenset({"user_received_message", "user_seen_message"})
UNSUPPORTED_EVENTS = frozenset({"user_send_location", "user_send_audio", "user_send_video",
                                "user_send_business_card"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def mac_of(first: str, body: bytes, timestamp: str, key: str) -> str:
    """Return sha256 hex of first + body + timestamp + key (plain SHA-256, not HMAC)."""
    return hashlib.sha256(first.encode() + body + timestamp.encode() + key.encode()).hexdigest()


def event_user(event: dict[str, Any]) -> str | None:
    """Return the person's OA-scoped id in any event shape (nested, flat, follow)."""
    name = str(event.get("event_name", ""))
    if name in ("follow", "unfollow"):
        user = _dict(event.get("follower")).get("id")
    elif name == "user_click_chatnow":
        user = event.get("user_id") or _dict(event.get("sender")).get("id")
    else:
        user = _dict(event.get("sender")).get("id") or event.get("user_id")
    return str(user) if user else None


def event_key(event: dict[str, Any]) -> str:
    """Return the deduplication key: `msg_id` when there is one, else name:user:timestamp."""
    msg_id = _dict(event.get("message")).get("msg_id")
    if msg_id:
        return f"msg:{msg_id}"
    return f"{event.get('event_name')}:{event_user(event)}:{event.get('timestamp')}"


def event_time(event: dict[str, Any]) -> datetime | None:
    """Return the event's time from its millisecond-string timestamp."""
    try:
        return datetime.fromtimestamp(int(str(event.get("timestamp"))) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def seconds_until_morning(now: datetime) -> float:
    """Return seconds until 06:00 in Việt Nam (for -234, no sends at night)."""
    local = now.astimezone(VN)
    morning = local.replace(hour=NIGHT_END_HOUR, minute=0, second=0, microsecond=0)
    if local >= morning:
        morning += timedelta(days=1)
    return max(60.0, (morning - local).total_seconds())


class DisplayNames:
    """Display names from `user/detail`, cached for a day (bounded)."""

    def __init__(self, api: ZaloOAApi, ttl: float = 86_400.0, size: int = 5_000) -> None:
        self._api = api
        self._ttl = ttl
        self._size = size
        self._cache: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self.lookups = 0

    async def get(self, user_id: str) -> str | None:
        """Return the user's display name (None when Zalo does not tell)."""
        hit = self._cache.get(user_id)
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            self._cache.move_to_end(user_id)
            return hit[1]
        self.lookups += 1
        try:
            detail = await self._api.user_detail(user_id)
        except ZaloOAError as exc:
            logger.info("zalo_oa: user/detail failed (%s)", exc.code)
            return hit[1] if hit is not None else None
        name = detail.get("display_name")
        value = str(name) if isinstance(name, str) and name else None
        self._cache[user_id] = (time.monotonic(), value)
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return value


class ZaloOAChannel(BaseChannel):
    """The Zalo Official Account channel (webhook only: the OA API has no polling)."""

    name = "zalo_oa"

    def __init__(
        self,
        api: ZaloOAApi,
        *,
        app_id: str,
        oa_id: str,
        oa_secret_key: str,
        app_secret: str = "",
        handle: Handle,
        on_blocked: OnBlocked,
        texts: TextSource,
        webhook_server: WebhookServer,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        tokens: OATokens | None = None,
        now: Callable[[], datetime] = _utcnow,
        allow_paid_sends: bool = False,
        template_id: str | None = None,
        text_limit: int = ZALO_TEXT_LIMIT,
        token_check: float = 600.0,
        **base_options: Any,
    ) -> None:
        super().__init__(handle=handle, on_blocked=on_blocked, texts=texts, **base_options)
        if not (app_id and oa_id and oa_secret_key):
            raise ValueError("a Zalo OA channel needs the app id, OA id and OA secret key")
        self._api = api
        self.app_id = app_id
        self.oa_id = oa_id
        self._keys = [("oa_secret_key", oa_secret_key)]
        if app_secret:
            self._keys.append(("app_secret", app_secret))
        self._server = webhook_server
        self._sessions = sessions
        self.tokens = tokens
        self._now = now
        self.allow_paid_sends = allow_paid_sends
        self.template_id = template_id or None
        self._text_limit = text_limit
        self.names = DisplayNames(api)
        self.variants: dict[str, int] = {}  # which mac variant matched, how often
        self.refused = 0
        self.echoes = 0
        self._last: dict[str, Interaction] = {}
        # The token keeper while intake runs: its task and the event that ends it.
        self._keeper: tuple[asyncio.Task[None], asyncio.Event] | None = None
        self._token_check = token_check

    def health(self) -> dict[str, str | None]:
        """Return the state for /readyz: down while the OA grant is refused."""
        if self.tokens is not None and self.tokens.state == "failed":
            return {"state": "down", "error": "token"}
        return super().health()

    # --- intake ---------------------------------------------------------------------------

    async def _start_intake(self) -> None:
        await self._server.attach(self.name, self._on_webhook)
        if self.tokens is not None:
            stop = asyncio.Event()
            self._keeper = (asyncio.create_task(self._keep_token(stop), name="zalo_oa-token"),
                            stop)
        logger.info("zalo_oa: webhook ready at %s (OA %s)", WebhookServer.path(self.name),
                    self.oa_id)

    async def _stop_intake(self) -> None:
        await self._server.detach(self.name)
        if self._keeper is not None:
            task, stop = self._keeper
            stop.set()  # a cancel turned into an error must not let it sleep on
            await cancel_and_wait(task)
            self._keeper = None

    async def _keep_token(self, stop: asyncio.Event) -> None:
        """Every 10 minutes: refresh the grant ahead of expiry even when nothing is sent,
        and queue the keep-alive prompts of windows about to close; end once `stop` is set."""
        assert self.tokens is not None
        while not stop.is_set():
            try:
                await self.tokens.access_token()
            except Exception as exc:  # recorded and alerted by the token keeper
                logger.warning("zalo_oa: token check failed: %s", type(exc).__name__)
            try:
                await self.plan_keepalive(self._now())
            except Exception as exc:
                logger.warning("zalo_oa: keep-alive planning failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._token_check)

    async def plan_keepalive(self, now: datetime) -> int:
        """Queue a short "write to keep receiving reminders" notice to registered followers
        who agreed to reminders and whose window is about to close; return how many were
        found (a prompt already queued for the same interaction is not queued again).

        With paid sends off, the last free moment is before 48 h, so the prompt goes after
        46 h; with paid sends on, after 6 days (before the 7-day window closes). Once per
        interaction (the dedupe key carries its time); the outbox applies quiet hours.
        """
        if self._sessions is None:
            return 0
        lead, limit = ((KEEPALIVE_PAID_AFTER, WINDOW - timedelta(hours=1))
                       if self.allow_paid_sends
                       else (KEEPALIVE_FREE_AFTER, FREE_WINDOW - timedelta(minutes=10)))
        async with self._sessions() as session:
            closing = await closing_windows(session, self.oa_id, self.name, now - limit,
                                            now - lead)
            agreed = await people_with_consent(session, [c.person_id for c in closing],
                                               Purpose.REMINDERS)
            messages = [NewMessage(
                f"zalo_oa-keepalive:{c.user_id}:{int(c.last_interaction_at.timestamp())}",
                Source.NOTICE, KEEPALIVE_KIND, c.person_id, c.account_id, self.name, now,
                expires_at=c.last_interaction_at + (WINDOW if self.allow_paid_sends
                                                    else FREE_WINDOW),
                message_key=KEEPALIVE_KEY) for c in closing if c.person_id in agreed]
            await OutboxRepo(session).insert(messages, now)
            await session.commit()
        return len(messages)

    async def _close(self) -> None:
        await self._api.close()

    def verify(self, body: bytes, timestamp: str, header: str) -> str | None:
        """Return the name of the mac variant that matches, or None.

        Documented: `mac=` + sha256(app_id + body + timestamp + OA secret key). Accepted
        too (the reference lists them as uncertain): the value without `mac=`, `oa_id` in
        place of `app_id`, and the App Secret in place of the OA secret key.
        """
        given = header.strip()
        prefixed = given.startswith("mac=")
        value = given[4:] if prefixed else given
        if not value or not value.isascii():
            return None
        for first_name, first in (("app_id", self.app_id), ("oa_id", self.oa_id)):
            for key_name, key in self._keys:
                expected = mac_of(first, body, timestamp, key)
                if hmac.compare_digest(value.lower().encode(), expected.encode()):
                    return f"{'mac=' if prefixed else 'bare'}+{first_name}+{key_name}"
        return None

    async def _on_webhook(self, request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        body = await request.read()
        if len(body) > MAX_BODY:
            return web.Response(status=413)
        try:
            event = json.loads(body) if body.strip() else {}
        except (ValueError, RecursionError):
            return web.Response(status=400)
        if not isinstance(event, dict):
            return web.Response(status=400)
        if not event:  # Zalo checks a new webhook URL with an unsigned empty POST
            return web.json_response({"ok": True})
        variant = self.verify(body, str(event.get("timestamp", "")),
                              request.headers.get(SIGNATURE_HEADER, ""))
        if variant is None:
            self.refused += 1
            if self.refused in (1, 10, 100) or self.refused % 1000 == 0:
                logger.warning("zalo_oa: %d webhook call(s) with a wrong mac refused",
                               self.refused)
            return web.Response(status=403)
        if variant not in self.variants:
            logger.info("zalo_oa: webhook mac matched variant %s", variant)
        self.variants[variant] = self.variants.get(variant, 0) + 1
        at = event_time(event)
        if at is None or self._now() - at > MAX_EVENT_AGE:
            logger.info("zalo_oa: stale or undated event %s ignored", event.get("event_name"))
            return web.json_response({"ok": True})
        try:  # stored durably (the inbox) before Zalo is told it was received
            await self._take([(event_key(event), event)])
        except Exception as exc:
            logger.error("zalo_oa: could not store a webhook event (%s)", type(exc).__name__)
            return web.Response(status=503)
        return web.json_response({"ok": True})

    # --- handling -------------------------------------------------------------------------

    async def _on_update(self, event: dict[str, Any], ticket: Ticket) -> None:
        """Handle one verified event, stored in the inbox (or deduplicated in memory)."""
        name = str(event.get("event_name", ""))
        sender = str(_dict(event.get("sender")).get("id") or "")
        if name.startswith("oa_send_") or (sender and sender == self.oa_id):
            self.echoes += 1  # what the OA itself sent: answering it would loop
            ticket.note("ignored")
            return
        if name in RECEIPTS:
            ticket.note("ignored")
            return
        user_id = event_user(event)
        if not user_id:
            logger.info("zalo_oa: event %s without a user ignored", name)
            ticket.note("ignored")
            return
        at = event_time(event) or self._now()
        if name == "unfollow":
            await self._ledger(user_id, at, follower=False, interaction=False)
            ticket.note("ignored")
            return
        counts = name in INTERACTIONS or name.startswith("user_send_")
        if counts:
            await self._ledger(user_id, at, follower=True if name == "follow" else None,
                               interaction=True)
        if name == "user_submit_info":
            logger.info("zalo_oa: a person shared their information")
            ticket.note("ignored")
            return
        if name in UNSUPPORTED_EVENTS:
            reply = Reply(self._t(UNSUPPORTED_KEY))
            await self._reply_directly(user_id, user_id, [reply], ticket)
            return
        incoming = await self._to_incoming(name, event, user_id)
        if incoming is None and name.startswith("user_send_"):
            # A kind of message the bot cannot read: say what it can; the state is kept.
            await self._reply_directly(user_id, user_id, [Reply(self._t(UNSUPPORTED_KEY))],
                                       ticket)
            return
        if incoming is None:
            logger.info("zalo_oa: event %s ignored", name)
            ticket.note("ignored")
            return
        await self._process(await self._fetched(incoming), ticket)

    async def _fetched(self, incoming: Incoming) -> Incoming:
        """Fetch inbound photos and files now (up to the size cap): their URLs expire."""
        attachments = []
        for attachment in incoming.attachments:
            small = attachment.size is None or attachment.size <= self._max_download
            if attachment.kind in (AttachmentKind.PHOTO, AttachmentKind.DOCUMENT) and \
                    attachment.url and small:
                data = await fetch_capped(await self._api.session(), attachment.url,
                                          self._max_download)
                if data is not None:
                    attachment = replace(attachment, data=data, size=len(data))
            attachments.append(attachment)
        return replace(incoming, attachments=tuple(attachments))

    async def _to_incoming(self, name: str, event: dict[str, Any], user_id: str
                           ) -> Incoming | None:
        message = _dict(event.get("message"))
        base: dict[str, Any] = {"channel": self.name, "chat_id": user_id, "user_id": user_id,
                                "display_name": await self.names.get(user_id),
                                "sent_at": event_time(event)}
        if name in ("follow", "user_click_chatnow"):
            return Incoming(text="/start", **base)  # a welcome, as on /start
        attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
        payload = _dict(attachments[0].get("payload")) if attachments else {}
        text = message.get("text") if isinstance(message.get("text"), str) else None
        if name == "user_send_text":
            if not text or not text.strip():
                return None
            if text.startswith(CHOICE_PREFIX) and len(text) > len(CHOICE_PREFIX):
                return Incoming(choice=text[len(CHOICE_PREFIX):], **base)
            return Incoming(text=text, **base)
        if name == "user_send_link":
            url = payload.get("url")
            return Incoming(text=text or (str(url) if url else None), **base)
        if name in ("user_send_image", "user_send_gif"):
            url = payload.get("url")
            photo = Attachment(AttachmentKind.PHOTO, url=str(url) if url else None,
                               caption=text or None)
            return Incoming(text=text or None, attachments=(photo,), **base)
        if name == "user_send_file":
            size = payload.get("size")
            document = Attachment(
                AttachmentKind.DOCUMENT, url=str(payload.get("url") or "") or None,
                filename=str(payload.get("name") or "") or None,
                size=int(str(size)) if str(size or "").isdigit() else None)
            return Incoming(attachments=(document,), **base)
        if name == "user_send_sticker":
            sticker = Attachment(AttachmentKind.STICKER, url=str(payload.get("url") or "")
                                 or None, filename=str(payload.get("id") or "") or None)
            return Incoming(attachments=(sticker,), **base)
        return None

    async def _ledger(self, user_id: str, at: datetime, *, follower: bool | None,
                      interaction: bool) -> None:
        previous = self._last.get(user_id)
        last = previous.last_interaction_at if previous else None
        if interaction and (last is None or at > last):
            last = at
        self._last[user_id] = Interaction(
            last, follower if follower is not None else (previous.follower if previous
                                                         else True))
        if self._sessions is None:
            return
        async with self._sessions() as session:
            repo = ZaloOARepo(session)
            if interaction:
                await repo.touch(self.oa_id, user_id, at, follower)
            elif follower is not None:
                await repo.set_follower(self.oa_id, user_id, follower, at)
            await session.commit()

    # --- the window -----------------------------------------------------------------------

    async def unreachable(self, chat_ids: Sequence[str], now: datetime) -> dict[str, str]:
        """Return, for the people this OA cannot message now, why (the rest may be sent).

        Within 48 h of the last interaction: free. From 48 h to 7 days: billed, only when
        the operator allows paid sends. After 7 days: only a template message (when one is
        configured). A person who unfollowed cannot be reached (Zalo answers -213) until
        they follow again.
        """
        known = await self._interactions(chat_ids)
        refused: dict[str, str] = {}
        for chat_id in chat_ids:
            standing = known.get(chat_id)
            last = standing.last_interaction_at if standing else None
            if standing is not None and not standing.follower:
                refused[chat_id] = "not following the OA (unfollowed)"
                continue
            age = now - last if last is not None else None
            if age is not None and age <= FREE_WINDOW:
                continue
            if age is not None and age <= WINDOW:
                if not self.allow_paid_sends:
                    refused[chat_id] = "48 h to 7 days since the last interaction " \
                                       "(paid sends not allowed)"
                continue
            if self.template_id is None:
                refused[chat_id] = "no interaction with the OA in 7 days"
        return refused

    async def _interactions(self, chat_ids: Sequence[str]) -> dict[str, Interaction]:
        if self._sessions is None:
            return {c: self._last[c] for c in chat_ids if c in self._last}
        async with self._sessions() as session:
            found = await ZaloOARepo(session).interactions(self.oa_id, chat_ids)
            await session.commit()
        self._last.update(found)
        return found

    def _outside_window(self, chat_id: str) -> bool:
        standing = self._last.get(chat_id)
        last = standing.last_interaction_at if standing else None
        return last is None or self._now() - last > WINDOW

    # --- outgoing -------------------------------------------------------------------------

    def _render(self, chat_id: str, reply: Reply) -> list[SendPart]:
        if self.template_id is not None and self._outside_window(chat_id):
            data = {"content": numbered_text(reply)[:self._text_limit]}
            call = functools.partial(self._api.send_template, chat_id, self.template_id, data)
            return [self._part(call)]
        messages: list[dict[str, Any]] = [
            {"text": chunk} for chunk in split_text(numbered_text(reply), self._text_limit)]
        buttons = [{"title": c.label[:BUTTON_TITLE], "type": "oa.query.hide",
                    "payload": f"{CHOICE_PREFIX}{c.payload}"}
                   for c in reply.flat_choices()[:MAX_BUTTONS]]
        if buttons and messages:
            messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
        parts = [self._part(functools.partial(self._api.send_cs, chat_id, m))
                 for m in messages]
        for attachment in reply.attachments:
            part = self._attachment_part(chat_id, attachment)
            if part is None:
                logger.warning("zalo_oa: cannot send a %s attachment, skipped", attachment.kind)
            else:
                parts.append(part)
        return parts

    def _attachment_part(self, chat_id: str, attachment: Attachment) -> SendPart | None:
        caption = (attachment.caption or "")[:self._text_limit]
        if attachment.kind is AttachmentKind.PHOTO:
            if attachment.data is not None:
                data = attachment.data
                name = attachment.filename or "anh.jpg"

                async def photo() -> None:
                    kind = "image/png" if name.lower().endswith(".png") else "image/jpeg"
                    ref = await self._api.upload("image", name, data, kind)
                    await self._api.send_cs(chat_id, _media(caption, attachment_id=ref))

                return self._part(photo, reuploads=True)
            if attachment.url and attachment.url.startswith(("https://", "http://")):
                message = _media(caption, url=attachment.url)
                return self._part(functools.partial(self._api.send_cs, chat_id, message))
            return None
        if attachment.kind is AttachmentKind.DOCUMENT and attachment.data is not None:
            data = attachment.data
            name = attachment.filename or "tep.pdf"

            async def document() -> None:
                token = await self._api.upload("file", name, data)
                message: dict[str, Any] = {"attachment": {"type": "file",
                                                          "payload": {"token": token}}}
                await self._api.send_cs(chat_id, message)

            return self._part(document, reuploads=True)
        return None

    def _part(self, call: Callable[..., Awaitable[Any]], *, reuploads: bool = False
              ) -> SendPart:
        async def run() -> None:
            try:
                try:
                    await call()
                except ZaloOAError as exc:
                    if not (reuploads and exc.kind is ErrorKind.REUPLOAD):
                        raise
                    logger.info("zalo_oa: an upload expired (-100); uploading again")
                    await call()
            except ZaloOAError as exc:
                raise self._channel_error(exc) from None

        return run

    def _channel_error(self, exc: ZaloOAError) -> Exception:
        kind = exc.kind
        if kind is ErrorKind.WINDOW:
            return Unreachable(f"zalo_oa {exc.code}: {exc.message}")
        if kind is ErrorKind.NIGHT:
            return RetryAfter(seconds_until_morning(self._now()))
        if kind is ErrorKind.RATE:
            return RetryAfter(60.0)
        if kind is ErrorKind.AUTH:
            # The grant is broken (refresh refused): hold the queue, an admin reconnects.
            return RetryAfter(600.0)
        if kind in (ErrorKind.TRANSPORT, ErrorKind.REUPLOAD):
            return TransientError(str(exc))
        return PermanentError(str(exc))

    async def _send_typing(self, chat_id: str) -> None:
        return None  # the OA API has no typing indicator


def _media(caption: str, **element: str) -> dict[str, Any]:
    message: dict[str, Any] = {"attachment": {"type": "template", "payload": {
        "template_type": "media", "elements": [{"media_type": "image", **element}]}}}
    if caption:
        message["text"] = caption
    return message


TOKEN_FAILED_KEY = "zalo_oa.token_failed"


def admin_alert(sessions: async_sessionmaker[AsyncSession], settings: Settings,
                now: Callable[[], datetime] = _utcnow) -> Callable[[str], Awaitable[None]]:
    """Return the callback that tells the admins (ADMIN_IDS), on their other channel and
    through the outbox, that the OA grant failed and must be connected again."""

    async def alert(reason: str) -> None:
        moment = now()
        async with sessions() as session:
            admins = await accounts_elsewhere(session, settings.admin_accounts(),
                                              ZaloOAChannel.name)
            await OutboxRepo(session).insert([NewMessage(
                f"zalo_oa-token-failed:{person}:{moment:%Y%m%d%H}", Source.NOTICE, "ops_alert",
                person, account, channel, moment, message_key=TOKEN_FAILED_KEY,
                params={"reason": reason}) for person, account, channel in admins], moment)
            await session.commit()
        if not admins:
            logger.error("zalo_oa: the grant failed and no admin is reachable elsewhere")

    return alert


def oa_configured(settings: Settings) -> bool:
    """Tell whether the settings enable the Zalo OA channel."""
    return bool(settings.zalo_oa_app_id)


def build_zalo_oa(settings: Settings, *, handle: Handle, on_blocked: OnBlocked,
                  texts: TextSource, webhook_server: WebhookServer,
                  sessions: async_sessionmaker[AsyncSession] | None,
                  now: Callable[[], datetime] = _utcnow, **options: Any) -> ZaloOAChannel:
    """Build the OA channel, its API client and token keeper from the settings."""
    missing = [name for name, value in (
        ("ZALO_OA_APP_ID", settings.zalo_oa_app_id),
        ("ZALO_OA_APP_SECRET", settings.zalo_oa_app_secret),
        ("ZALO_OA_SECRET_KEY", settings.zalo_oa_secret_key),
        ("ZALO_OA_ID", settings.zalo_oa_id)) if not value]
    if missing:
        raise ValueError(f"the Zalo OA channel needs {', '.join(missing)}")
    assert settings.zalo_oa_app_id and settings.zalo_oa_id
    assert settings.zalo_oa_app_secret and settings.zalo_oa_secret_key
    if settings.zalo_oa_webhook_path.rstrip("/") != WebhookServer.path(ZaloOAChannel.name):
        logger.warning("ZALO_OA_WEBHOOK_PATH differs from %s: mind the proxy",
                       WebhookServer.path(ZaloOAChannel.name))
    app_secret = settings.zalo_oa_app_secret.get_secret_value()
    api = ZaloOAApi(base_url=settings.zalo_oa_api_base)
    tokens = None
    if sessions is not None:
        oauth = ZaloOAuth(settings.zalo_oa_app_id, app_secret, settings.zalo_oa_oauth_base,
                          session_factory=api.session)
        tokens = OATokens(sessions, oauth, settings.zalo_oa_id, now=now,
                          on_failure=admin_alert(sessions, settings, now))
        api.tokens = tokens
    return ZaloOAChannel(
        api, app_id=settings.zalo_oa_app_id, oa_id=settings.zalo_oa_id,
        oa_secret_key=settings.zalo_oa_secret_key.get_secret_value(), app_secret=app_secret,
        handle=handle, on_blocked=on_blocked, texts=texts, webhook_server=webhook_server,
        sessions=sessions, tokens=tokens, now=now,
        allow_paid_sends=settings.oa_allow_paid_sends,
        template_id=settings.zalo_oa_template_id, **options)
