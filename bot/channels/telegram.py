"""Telegram adapter: aiogram 3 as transport only (one forwarding router, no aiogram FSM)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import html
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatAction, ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)
from aiohttp import web

from bot.channels.base import (
    UNSUPPORTED_KEY,
    BaseChannel,
    Handle,
    OnBlocked,
    RecentKeys,
    SendPart,
    TextSource,
)
from bot.channels.webhook import WebhookServer
from bot.channels.zalo_api import token_fingerprint
from bot.core.channel_errors import Blocked, PermanentError, RetryAfter, TransientError
from bot.core.text_split import TELEGRAM_TEXT_LIMIT, split_text
from bot.core.types import Attachment, AttachmentKind, Choice, Incoming, Reply

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Incoming Telegram files travel to the core as `telegram-file:<file_id>` in Attachment.url.
FILE_REF_PREFIX = "telegram-file:"

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(?P<rest>.*))?$", re.S)
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def telegram_file_ref(file_id: str) -> str:
    """Return the Attachment.url standing for a Telegram file id."""
    return FILE_REF_PREFIX + file_id


def telegram_file_id(attachment: Attachment) -> str | None:
    """Return the Telegram file id of an attachment received on Telegram, if it is one."""
    if attachment.url and attachment.url.startswith(FILE_REF_PREFIX):
        return attachment.url[len(FILE_REF_PREFIX) :]
    return None


def parse_command(text: str) -> tuple[str, str | None]:
    """Return the text with any `@botname` dropped from a command, and the /start payload."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return text, None
    name = match.group("name")
    rest = (match.group("rest") or "").strip()
    if name == "start":
        return "/start", rest or None
    return (f"/{name} {rest}" if rest else f"/{name}"), None


def inline_keyboard(choices: list[list[Choice]]) -> InlineKeyboardMarkup | None:
    """Return an inline keyboard of the choices whose payload fits in callback_data."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in choices:
        buttons = []
        for choice in row:
            size = len(choice.payload.encode("utf-8"))
            if not 1 <= size <= CALLBACK_DATA_LIMIT:
                logger.warning("telegram: choice payload of %d bytes skipped", size)
                continue
            buttons.append(InlineKeyboardButton(text=choice.label, callback_data=choice.payload))
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


class TelegramChannel(BaseChannel):
    """Telegram adapter over aiogram; polls unless a webhook URL is given."""

    name = "telegram"

    def __init__(
        self,
        token: str,
        *,
        handle: Handle,
        on_blocked: OnBlocked,
        texts: TextSource,
        commands: Sequence[tuple[str, str]] = (),
        api_base: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_server: WebhookServer | None = None,
        poll_timeout: int = 30,
        dedupe_size: int = 10_000,
        **base_options: Any,
    ) -> None:
        super().__init__(handle=handle, on_blocked=on_blocked, texts=texts, **base_options)
        if webhook_url is not None:
            if not webhook_secret or not _WEBHOOK_SECRET.match(webhook_secret):
                raise ValueError("a Telegram webhook needs a secret of 1-256 A-Za-z0-9_- chars")
            if webhook_server is None:
                raise ValueError("a Telegram webhook needs a webhook server")
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else None
        self._bot = Bot(token=token, session=session)
        self._token = token
        self.fingerprint = token_fingerprint(token)
        self._commands = [BotCommand(command=c, description=d) for c, d in commands]
        self._webhook_url = webhook_url
        self._webhook_secret = (webhook_secret or "").encode("utf-8")
        self._webhook_server = webhook_server
        self._poll_timeout = poll_timeout
        self._seen = RecentKeys(dedupe_size)
        self._poller: asyncio.Task[None] | None = None
        self._last_update_id: int | None = None
        self._dp = Dispatcher()
        self._dp.update.outer_middleware(self._dedupe)
        router = Router(name="forward")
        router.message.register(self._on_message)
        router.callback_query.register(self._on_callback)
        self._dp.include_router(router)

    @property
    def bot(self) -> Bot:
        """Return the aiogram Bot (for calls the adapter does not wrap)."""
        return self._bot

    @property
    def uses_webhook(self) -> bool:
        """Return True when updates arrive by webhook rather than polling."""
        return self._webhook_url is not None

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>")

    # --- intake ---------------------------------------------------------------------------

    async def _start_intake(self) -> None:
        if self._commands:
            try:
                await self._bot.set_my_commands(self._commands)
            except TelegramAPIError as exc:
                logger.warning("telegram: setMyCommands failed: %s", self._redact(str(exc)))
        if self._webhook_url is not None:
            assert self._webhook_server is not None
            await self._webhook_server.attach(self.name, self._on_webhook)
            try:
                await self._bot.set_webhook(
                    self._webhook_url,
                    secret_token=self._webhook_secret.decode(),
                    allowed_updates=self._dp.resolve_used_update_types(),
                )
            except BaseException:
                await self._webhook_server.detach(self.name)
                raise
            logger.info("telegram: webhook registered (bot %s)", self.fingerprint)
            return
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._poller = asyncio.create_task(
            self._dp.start_polling(
                self._bot,
                polling_timeout=self._poll_timeout,
                handle_signals=False,
                close_bot_session=False,
            ),
            name=f"telegram-poll-{self.fingerprint}",
        )
        self._poller.add_done_callback(self._poller_done)
        logger.info("telegram: polling (bot %s)", self.fingerprint)

    def _poller_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            logger.error(
                "telegram: polling ended: %s: %s",
                type(error).__name__,
                self._redact(str(error)),
            )

    async def _stop_intake(self) -> None:
        if self._webhook_server is not None and self._webhook_url is not None:
            await self._webhook_server.detach(self.name)
        poller, self._poller = self._poller, None
        if poller is None:
            return
        if not poller.done():
            with contextlib.suppress(RuntimeError):  # polling had not begun yet
                await self._dp.stop_polling()
        if not poller.done():
            poller.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await poller  # a failure was logged when it happened
        await self._confirm_updates()

    async def _confirm_updates(self) -> None:
        """Confirm the updates taken so far, or Telegram would hand them again after a restart."""
        if self._last_update_id is None:
            return
        try:
            await self._bot.get_updates(offset=self._last_update_id + 1, limit=1, timeout=0)
        except TelegramAPIError as exc:
            logger.warning("telegram: could not confirm the last updates: %s", type(exc).__name__)

    async def _close(self) -> None:
        await self._bot.session.close()

    async def _dedupe(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update):
            if self._last_update_id is None or event.update_id > self._last_update_id:
                self._last_update_id = event.update_id
            if not self._seen.add(event.update_id):
                logger.info("telegram: duplicate update %s ignored", event.update_id)
                return None
        return await handler(event, data)

    async def _on_webhook(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, self._webhook_secret):
            logger.warning("telegram: webhook call with a wrong secret refused")
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.model_validate(data, context={"bot": self._bot})
        except ValueError:  # ValidationError is a ValueError
            # Answer 200 anyway: Telegram would redeliver a malformed update for a day.
            logger.warning("telegram: unreadable webhook update ignored")
            return web.Response(status=200)
        # The router only schedules work, so this returns at once.
        await self._dp.feed_update(self._bot, update)
        return web.Response(status=200)

    async def _on_message(self, message: Message) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            return
        chat_id = str(message.chat.id)
        text = message.text if message.text is not None else message.caption
        start_payload = None
        if message.text is not None:
            text, start_payload = parse_command(message.text)
        attachments = self._attachments(message)
        if text is None and not attachments:
            if message.chat.type == "private":
                reply = Reply(self._t(UNSUPPORTED_KEY))
                self._spawn(self._reply_directly(chat_id, str(user.id), [reply]))
            return
        incoming = Incoming(
            channel=self.name,
            chat_id=chat_id,
            user_id=str(user.id),
            text=text,
            attachments=tuple(attachments),
            start_payload=start_payload,
            display_name=user.full_name or None,
        )
        self._spawn(self._process(incoming))

    @staticmethod
    def _attachments(message: Message) -> list[Attachment]:
        found: list[Attachment] = []
        if message.photo:
            largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
            found.append(
                Attachment(
                    AttachmentKind.PHOTO,
                    url=telegram_file_ref(largest.file_id),
                    size=largest.file_size,
                    caption=message.caption,
                )
            )
        if message.sticker:
            found.append(
                Attachment(AttachmentKind.STICKER, url=telegram_file_ref(message.sticker.file_id))
            )
        if message.document:
            found.append(
                Attachment(
                    AttachmentKind.DOCUMENT,
                    url=telegram_file_ref(message.document.file_id),
                    filename=message.document.file_name,
                    size=message.document.file_size,
                    caption=message.caption,
                )
            )
        return found

    async def _on_callback(self, query: CallbackQuery) -> None:
        message = query.message
        if query.data is None or message is None:
            self._spawn(self._answer_callback(query.id))
            return
        incoming = Incoming(
            channel=self.name,
            chat_id=str(message.chat.id),
            user_id=str(query.from_user.id),
            choice=query.data,
            display_name=query.from_user.full_name or None,
        )
        self._spawn(self._on_choice(query, incoming))

    async def _on_choice(self, query: CallbackQuery, incoming: Incoming) -> None:
        await self._answer_callback(query.id)
        message = query.message
        echo = None
        if isinstance(message, Message):
            echo = functools.partial(self._echo_choice, message, query.data or "")
        await self._process(incoming, prelude=echo)

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self._bot.answer_callback_query(query_id)
        except TelegramAPIError as exc:
            logger.info("telegram: answerCallbackQuery failed: %s", self._redact(str(exc)))

    async def _echo_choice(self, message: Message, payload: str) -> None:
        """Replace the pressed keyboard by `→ label` so the chat history stays readable."""
        label = None
        if message.reply_markup is not None:
            for row in message.reply_markup.inline_keyboard:
                for button in row:
                    if button.callback_data == payload:
                        label = button.text
        try:
            if label and message.text is not None:
                text = f"{message.html_text}\n\n→ {html.escape(label, quote=False)}"
                if len(message.text) + len(label) + 4 <= TELEGRAM_TEXT_LIMIT:
                    await self._bot.edit_message_text(
                        text=text,
                        chat_id=message.chat.id,
                        message_id=message.message_id,
                        parse_mode=ParseMode.HTML,
                    )
                    return
            if message.reply_markup is not None:
                await self._bot.edit_message_reply_markup(
                    chat_id=message.chat.id, message_id=message.message_id
                )
        except TelegramAPIError as exc:
            # Too old to edit, already edited by a double tap...: the answer still follows.
            logger.info("telegram: could not echo a choice: %s", self._redact(str(exc)))

    # --- outgoing -------------------------------------------------------------------------

    def _render(self, chat_id: str, reply: Reply) -> list[SendPart]:
        keyboard = inline_keyboard(reply.choices)
        chunks = split_text(reply.text, TELEGRAM_TEXT_LIMIT)
        photos = [a for a in reply.attachments if a.kind is AttachmentKind.PHOTO]
        documents = [a for a in reply.attachments
                     if a.kind is AttachmentKind.DOCUMENT and a.data is not None]
        for other in reply.attachments:
            if other.kind is not AttachmentKind.PHOTO and not any(other is d for d in documents):
                logger.warning("telegram: cannot send a %s attachment, skipped", other.kind)
        parts: list[SendPart] = []
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            call = functools.partial(
                self._bot.send_message,
                chat_id=chat_id,
                text=html.escape(chunk, quote=False),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if last else None,
            )
            parts.append(self._part(call))
        for index, photo in enumerate(photos):
            source = self._photo_source(photo)
            if source is None:
                logger.warning("telegram: a photo without file id, URL or data skipped")
                continue
            caption = photo.caption[:CAPTION_LIMIT] if photo.caption else None
            last = index == len(photos) - 1
            call = functools.partial(
                self._bot.send_photo,
                chat_id=chat_id,
                photo=source,
                caption=html.escape(caption, quote=False) if caption else None,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if last and not chunks else None,
            )
            parts.append(self._part(call))
        for document in documents:  # files built by the bot, e.g. an XLSX export
            assert document.data is not None
            call = functools.partial(
                self._bot.send_document,
                chat_id=chat_id,
                document=BufferedInputFile(document.data, filename=document.filename or "tep"),
            )
            parts.append(self._part(call))
        if not parts:
            logger.warning("telegram: an empty reply was not sent")
        return parts

    @staticmethod
    def _photo_source(photo: Attachment) -> str | BufferedInputFile | None:
        file_id = telegram_file_id(photo)
        if file_id:
            return file_id
        if photo.url:
            return photo.url
        if photo.data is not None:
            return BufferedInputFile(photo.data, filename=photo.filename or "photo.jpg")
        return None

    def _part(self, call: Callable[[], Awaitable[Any]]) -> SendPart:
        async def run() -> None:
            try:
                await call()
            except TelegramRetryAfter as exc:
                raise RetryAfter(float(exc.retry_after)) from None
            except TelegramForbiddenError as exc:
                raise Blocked(self._redact(exc.message)) from None
            except TelegramEntityTooLarge as exc:
                raise PermanentError(self._redact(exc.message)) from None
            except (TelegramNetworkError, TelegramServerError) as exc:
                raise TransientError(self._redact(exc.message)) from None
            except TelegramAPIError as exc:
                raise PermanentError(self._redact(exc.message)) from None
            except ClientDecodeError:  # an answer aiogram could not read
                raise TransientError("unreadable answer from the Bot API") from None

        return run

    async def _send_typing(self, chat_id: str) -> None:
        await self._bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
