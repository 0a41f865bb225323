"""Telegram adapter: aiogram 3 as transport only (its Bot client; our own polling loop).

Updates are stored in the inbox before they are acknowledged (the next getUpdates offset,
or the webhook's 200), then handled from it. Only private chats are served: a group gets
one short reply pointing to a private chat and is never dispatched."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
from aiogram import Bot
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
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetUpdates,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
)
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import web

from bot.channels.base import (
    GROUP_KEY,
    UNSUPPORTED_KEY,
    BaseChannel,
    Handle,
    OnBlocked,
    RecentKeys,
    SendPart,
    TextSource,
    Ticket,
)
from bot.channels.webhook import BadBody, WebhookServer, read_json, secret_matches
from bot.channels.zalo_api import token_fingerprint
from bot.core.channel_errors import (
    Blocked,
    ChannelUnauthorized,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.core.tasks import cancel_and_wait
from bot.core.text_split import TELEGRAM_TEXT_LIMIT, split_text
from bot.core.types import Attachment, AttachmentKind, Choice, Incoming, Reply

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Incoming Telegram files travel to the core as `telegram-file:<file_id>` in Attachment.url.
FILE_REF_PREFIX = "telegram-file:"


class _Sent(TelegramMethod[Any]):
    """A call this adapter posts itself as JSON (see TelegramChannel._call): the method
    named for aiogram's error handling, which reads the answer as Response[Any]."""

    __returning__ = Any
    __api_method__ = ""


def _named(api_method: str) -> _Sent:
    kind = type(f"_{api_method[0].upper()}{api_method[1:]}", (_Sent,),
                {"__api_method__": api_method, "__module__": __name__})
    return kind()


# The calls made for every message: its intake (getUpdates: the answer stays the platform's
# JSON, stored as is as a webhook's body is), a reply, the press of a button (answered, its
# keyboard replaced by the choice), the typing indicator.
GET_UPDATES = _named("getUpdates")
SEND_MESSAGE = _named("sendMessage")
EDIT_TEXT = _named("editMessageText")
EDIT_MARKUP = _named("editMessageReplyMarkup")
ANSWER_CALLBACK = _named("answerCallbackQuery")
CHAT_ACTION = _named("sendChatAction")
_JSON = {"Content-Type": "application/json"}


# aiogram reads every answer as Response[<the method's result type>]; pydantic keeps such
# generic classes only weakly, so under load they were built again (schema and all) after
# each garbage collection. Holding the ones this adapter uses keeps them built once.
_RESPONSE_TYPES = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (GetUpdates, SendMessage, SendChatAction, AnswerCallbackQuery,
                   EditMessageText, EditMessageReplyMarkup, SendPhoto, SendDocument, _Sent))

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(?P<rest>.*))?$", re.S)
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ALLOWED_UPDATES = ["message", "callback_query"]
PRIVATE = "private"


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


def keyboard_json(choices: list[list[Choice]]) -> dict[str, Any] | None:
    """Return the inline keyboard (as the Bot API's JSON) of the choices whose payload fits
    in callback_data."""
    rows: list[list[dict[str, str]]] = []
    for row in choices:
        buttons = []
        for choice in row:
            size = len(choice.payload.encode("utf-8"))
            if not 1 <= size <= CALLBACK_DATA_LIMIT:
                logger.warning("telegram: choice payload of %d bytes skipped", size)
                continue
            buttons.append({"text": choice.label, "callback_data": choice.payload})
        if buttons:
            rows.append(buttons)
    return {"inline_keyboard": rows} if rows else None


def inline_keyboard(choices: list[list[Choice]]) -> InlineKeyboardMarkup | None:
    """Return keyboard_json's keyboard as aiogram's type (for the calls aiogram makes)."""
    keyboard = keyboard_json(choices)
    return None if keyboard is None else InlineKeyboardMarkup.model_validate(keyboard)


def _person(user: Any) -> bool:
    """Tell whether `user` is a well-formed Bot API User who is not a bot."""
    return (isinstance(user, dict) and type(user.get("id")) is int
            and user.get("is_bot") is False and isinstance(user.get("first_name"), str)
            and isinstance(user.get("last_name", ""), str))


def _full_name(user: dict[str, Any]) -> str | None:
    """A User's full name as aiogram gives it (first and last name), None when empty."""
    last = user.get("last_name")
    return (f"{user['first_name']} {last}" if last else user["first_name"]) or None


# The keys of a Message the plain reading below understands; any other (a photo, a reply,
# a forward, formatting...) sends the update through aiogram.
_PLAIN_MESSAGE = frozenset({"message_id", "date", "chat", "from", "text", "entities",
                            "reply_markup", "edit_date", "message_thread_id"})


def _plain_text(message: dict[str, Any], *, sent_by_us: bool = False) -> bool:
    """Tell whether `message` is a well-formed text message in a private chat (from a
    person; or, for the message a button belongs to, written by us without formatting)."""
    chat = message.get("chat")
    if not (message.keys() <= _PLAIN_MESSAGE and isinstance(message.get("text"), str)
            and type(message.get("message_id")) is int and type(message.get("date")) is int
            and message["date"] != 0 and isinstance(chat, dict)
            and type(chat.get("id")) is int and chat.get("type") == PRIVATE):
        return False
    if sent_by_us:
        # Its text as HTML is its text escaped only when no entity formats it.
        return "entities" not in message
    return _person(message.get("from"))


def _plain_keyboard(markup: Any) -> bool:
    """Tell whether `markup` is an inline keyboard of buttons with a text each."""
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    return (isinstance(markup, dict) and markup.keys() == {"inline_keyboard"}
            and isinstance(rows, list)
            and all(isinstance(row, list) and all(
                isinstance(b, dict) and isinstance(b.get("text"), str)
                and isinstance(b.get("callback_data", ""), str) for b in row) for row in rows))


def _chat(chat_id: str | int) -> str | int:
    """A chat id as the Bot API's JSON has it: a number (a @username stays text)."""
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return chat_id


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
        self._http_timeout = aiohttp.ClientTimeout(total=self._bot.session.timeout)
        self._poll_http_timeout = aiohttp.ClientTimeout(total=poll_timeout + 10)
        self._token = token
        self.fingerprint = token_fingerprint(token)
        self._commands = [BotCommand(command=c, description=d) for c, d in commands]
        self._commands_set = False
        self._webhook_url = webhook_url
        self._webhook_secret = (webhook_secret or "").encode("utf-8")
        self._webhook_server = webhook_server
        self._poll_timeout = poll_timeout
        self._poller: asyncio.Task[None] | None = None
        self._offset: int | None = None
        self._told_groups = RecentKeys(10_000)

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
        if self._commands and not self._commands_set:
            try:
                await self._bot.set_my_commands(self._commands)
                self._commands_set = True
            except TelegramAPIError as exc:
                logger.warning("telegram: setMyCommands failed: %s", type(exc).__name__)
        if self._webhook_url is not None:
            assert self._webhook_server is not None
            # Listen first: updates already on their way are stored even if setWebhook fails.
            await self._webhook_server.attach(self.name, self._on_webhook)
            await self._bot.set_webhook(
                self._webhook_url,
                secret_token=self._webhook_secret.decode(),
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("telegram: webhook registered (bot %s)", self.fingerprint)
            return
        await self._bot.delete_webhook(drop_pending_updates=False)
        self._poller = asyncio.create_task(
            self._poll_loop(), name=f"telegram-poll-{self.fingerprint}"
        )
        logger.info("telegram: polling (bot %s)", self.fingerprint)

    async def _poll_loop(self) -> None:
        """Fetch updates; confirm them (the next offset) only once they are stored."""
        delay = self._backoff_initial
        while True:
            try:
                updates = await self._call(GET_UPDATES, self._poll_body(self._poll_timeout),
                                           timeout=self._poll_http_timeout)
                if not isinstance(updates, list):
                    raise ClientDecodeError("getUpdates gave no list", ValueError(), updates)
            except asyncio.CancelledError:
                raise
            except TelegramUnauthorizedError as exc:
                self._status.intake_failed(exc)
                paused = self._refused("unauthorized")
                await asyncio.sleep(paused.seconds)
                continue
            except TelegramRetryAfter as exc:
                await asyncio.sleep(float(exc.retry_after))
                continue
            except Exception as exc:
                kind = self._status.intake_failed(exc)
                logger.warning("telegram: getUpdates failed (%s); retry in %.1f s", kind, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)
                continue
            self._status.intake_ok()
            self._status.accepted()
            delay = self._backoff_initial
            if not updates:
                continue
            batch = [(str(u["update_id"]), u) for u in updates
                     if isinstance(u.get("update_id"), int)]
            if len(batch) < len(updates):
                logger.warning("telegram: %d update(s) without an id skipped",
                               len(updates) - len(batch))
            if not batch:
                continue
            try:
                await self._take(batch)
            except Exception as exc:
                # Not confirmed: Telegram hands the same updates again on the next call.
                logger.error("telegram: could not store %d update(s) (%s); retry in %.1f s",
                             len(batch), type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            self._offset = max(int(key) for key, _payload in batch) + 1

    def _poll_body(self, timeout: int, limit: int = 100) -> dict[str, Any]:
        body: dict[str, Any] = {"limit": limit, "timeout": timeout,
                                "allowed_updates": ALLOWED_UPDATES}
        if self._offset is not None:
            body["offset"] = self._offset
        return body

    async def _stop_intake(self) -> None:
        if self._webhook_server is not None and self._webhook_url is not None:
            await self._webhook_server.detach(self.name)
        poller, self._poller = self._poller, None
        if poller is None:
            return
        await cancel_and_wait(poller)
        await self._confirm_updates()

    async def _confirm_updates(self) -> None:
        """Confirm the updates stored so far, or Telegram would hand them again."""
        if self._offset is None:
            return
        try:
            await self._call(GET_UPDATES, self._poll_body(0, limit=1))
        except TelegramAPIError as exc:
            logger.warning("telegram: could not confirm the last updates: %s", type(exc).__name__)

    async def _close(self) -> None:
        await self._bot.session.close()

    async def _on_webhook(self, request: web.Request) -> web.StreamResponse:
        assert self._webhook_server is not None
        if not secret_matches(request, SECRET_HEADER, self._webhook_secret):
            return self._webhook_server.refused(self.name, "secret")
        try:
            data = await read_json(request)
            update = Update.model_validate(data, context={"bot": self._bot})
        except (BadBody, ValueError):  # ValidationError is a ValueError
            return self._webhook_server.refused(self.name, "body", status=400)
        try:
            await self._take([(str(update.update_id), data)])
        except Exception as exc:
            # Not stored: ask Telegram to deliver it again later.
            logger.error("telegram: could not store a webhook update (%s)", type(exc).__name__)
            return web.Response(status=503)
        return web.Response(status=200)

    # --- handling -------------------------------------------------------------------------

    async def _on_update(self, payload: dict[str, Any], ticket: Ticket) -> None:
        # Most updates are a private chat's text or a press of one of our buttons: read from
        # the JSON directly. Any other (files, groups, odd or malformed ones) through aiogram.
        if await self._on_plain(payload, ticket):
            return
        update = Update.model_validate(payload, context={"bot": self._bot})
        if update.message is not None:
            await self._on_message(update.message, ticket)
        elif update.callback_query is not None:
            await self._on_callback(update.callback_query, ticket)
        else:
            ticket.note("ignored")

    async def _on_plain(self, payload: dict[str, Any], ticket: Ticket) -> bool:
        """Handle a private text message or button press read from the update's JSON as
        aiogram would have read it; return False (nothing done) for any other update."""
        message = payload.get("message")
        if isinstance(message, dict):
            if len(payload) != 2 or not _plain_text(message):
                return False
            text, start_payload = parse_command(message["text"])
            sender = message["from"]
            await self._process(Incoming(
                channel=self.name, chat_id=str(message["chat"]["id"]),
                user_id=str(sender["id"]), text=text, start_payload=start_payload,
                display_name=_full_name(sender)), ticket)
            return True
        query = payload.get("callback_query")
        if not isinstance(query, dict) or len(payload) != 2:
            return False
        user: Any = query.get("from")
        data, pressed = query.get("data"), query.get("message")
        if not (_person(user) and isinstance(data, str) and isinstance(query.get("id"), str)
                and isinstance(pressed, dict) and _plain_text(pressed, sent_by_us=True)):
            return False
        keyboard = pressed.get("reply_markup")
        if keyboard is not None and not _plain_keyboard(keyboard):
            return False
        incoming = Incoming(channel=self.name, chat_id=str(pressed["chat"]["id"]),
                            user_id=str(user["id"]), choice=data,
                            display_name=_full_name(user))

        async def prelude() -> None:
            await self._answer_callback(query["id"])
            rows = [[(b.get("callback_data"), b["text"]) for b in row]
                    for row in (keyboard or {}).get("inline_keyboard", [])]
            await self._echo_choice_of(pressed["chat"]["id"], pressed["message_id"],
                                       pressed["text"], html.escape(pressed["text"], quote=False),
                                       None if keyboard is None else rows, data)

        await self._process(incoming, ticket, prelude=prelude)
        return True

    async def _on_group(self, message: Message, ticket: Ticket) -> None:
        """Tell a group once that the bot only talks in private chats; never dispatch."""
        ticket.note("group")
        chat_id = str(message.chat.id)
        if message.chat.type == "channel" or not self._told_groups.add(chat_id):
            return
        user_id = str(message.from_user.id) if message.from_user else chat_id
        await self._reply_directly(chat_id, user_id, [Reply(self._t(GROUP_KEY))], ticket)

    async def _on_message(self, message: Message, ticket: Ticket) -> None:
        user = message.from_user
        if user is None or user.is_bot:
            ticket.note("ignored")
            return
        if message.chat.type != PRIVATE:
            await self._on_group(message, ticket)
            return
        chat_id = str(message.chat.id)
        text = message.text if message.text is not None else message.caption
        start_payload = None
        if message.text is not None:
            text, start_payload = parse_command(message.text)
        attachments = [await self._fetched(a) for a in self._attachments(message)]
        if text is None and not attachments:
            reply = Reply(self._t(UNSUPPORTED_KEY))
            await self._reply_directly(chat_id, str(user.id), [reply], ticket)
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
        await self._process(incoming, ticket)

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

    async def _fetched(self, attachment: Attachment) -> Attachment:
        """Download a document's or photo's bytes now (up to the size cap), so the import
        and the deed evidence get the file itself; a sticker stays a reference."""
        file_id = telegram_file_id(attachment)
        if attachment.kind not in (AttachmentKind.DOCUMENT, AttachmentKind.PHOTO) or \
                file_id is None:
            return attachment
        if attachment.size is not None and attachment.size > self._max_download:
            return attachment  # the core refuses it with the size limit
        data = await self._download(file_id)
        if data is None:
            return attachment
        return replace(attachment, data=data, size=len(data))

    async def _download(self, file_id: str) -> bytes | None:
        """Return a file's bytes through getFile and the file URL; None if it cannot be had."""
        try:
            found = await self._bot.get_file(file_id)
            if found.file_path is None or (found.file_size or 0) > self._max_download:
                return None
            url = self._bot.session.api.file_url(self._token, found.file_path)
            data = bytearray()
            async for chunk in self._bot.session.stream_content(url, timeout=60):
                data += chunk
                if len(data) > self._max_download:
                    logger.warning("telegram: a file passed the download limit, dropped")
                    return None
            return bytes(data)
        except (TelegramAPIError, aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("telegram: could not download a file: %s", type(exc).__name__)
            return None

    async def _on_callback(self, query: CallbackQuery, ticket: Ticket) -> None:
        message = query.message
        if query.data is None or message is None or message.chat.type != PRIVATE:
            ticket.note("ignored" if message is None or message.chat.type == PRIVATE
                        else "group")
            await self._answer_callback(query.id)
            return
        incoming = Incoming(
            channel=self.name,
            chat_id=str(message.chat.id),
            user_id=str(query.from_user.id),
            choice=query.data,
            display_name=query.from_user.full_name or None,
        )

        async def prelude() -> None:
            await self._answer_callback(query.id)
            if isinstance(message, Message):
                await self._echo_choice(message, query.data or "")

        await self._process(incoming, ticket, prelude=prelude)

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self._call(ANSWER_CALLBACK, {"callback_query_id": query_id})
        except TelegramAPIError as exc:
            logger.info("telegram: answerCallbackQuery failed: %s", type(exc).__name__)

    async def _echo_choice(self, message: Message, payload: str) -> None:
        """Replace the pressed keyboard by `→ label` so the chat history stays readable."""
        rows = None
        if message.reply_markup is not None:
            rows = [[(b.callback_data, b.text) for b in row]
                    for row in message.reply_markup.inline_keyboard]
        await self._echo_choice_of(message.chat.id, message.message_id, message.text,
                                   message.html_text if message.text is not None else None,
                                   rows, payload)

    async def _echo_choice_of(self, chat_id: int | str, message_id: int, text: str | None,
                              html_text: str | None,
                              keyboard: list[list[tuple[str | None, str]]] | None,
                              payload: str) -> None:
        """Replace the keyboard (rows of (callback data, label)) of the message pressed by
        `→ label`; the message's text as sent and as HTML."""
        label = None
        for row in keyboard or []:
            for data, button_label in row:
                if data == payload:
                    label = button_label
        try:
            if label and text is not None:
                edited = f"{html_text}\n\n→ {html.escape(label, quote=False)}"
                if len(text) + len(label) + 4 <= TELEGRAM_TEXT_LIMIT:
                    await self._call(EDIT_TEXT, {
                        "chat_id": chat_id, "message_id": message_id,
                        "text": edited, "parse_mode": ParseMode.HTML.value})
                    return
            if keyboard is not None:
                await self._call(EDIT_MARKUP, {"chat_id": chat_id, "message_id": message_id})
        except TelegramAPIError as exc:
            # Too old to edit, already edited by a double tap...: the answer still follows.
            logger.info("telegram: could not echo a choice: %s", type(exc).__name__)

    # --- outgoing -------------------------------------------------------------------------

    async def _call(self, method: _Sent, body: dict[str, Any],
                    timeout: aiohttp.ClientTimeout | None = None) -> Any:
        """Post one Bot API call with a JSON body and return its result as plain JSON.

        The calls of every message go this way rather than through aiogram's Bot, which
        dumps the method's model and form-encodes each field (half the cost of a reply).
        A successful answer is read here (json once, no model); any other is checked by
        aiogram, which raises the same errors as for its own calls."""
        session = self._bot.session
        assert isinstance(session, AiohttpSession)
        http = await session.create_session()
        url = session.api.api_url(token=self._token, method=method.__api_method__)
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            async with http.post(url, data=data, headers=_JSON,
                                 timeout=timeout or self._http_timeout) as response:
                content = await response.text()
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except aiohttp.ClientError as exc:
            raise TelegramNetworkError(method=method,
                                       message=f"{type(exc).__name__}: {exc}") from exc
        if response.status == 200:
            with contextlib.suppress(ValueError):
                answer = json.loads(content)
                if isinstance(answer, dict) and answer.get("ok") is True and "result" in answer:
                    return answer["result"]
        return session.check_response(bot=self._bot, method=method,
                                      status_code=response.status, content=content).result

    def _render(self, chat_id: str, reply: Reply) -> list[SendPart]:
        keyboard = keyboard_json(reply.choices)
        chunks = split_text(reply.text, TELEGRAM_TEXT_LIMIT)
        photos = [a for a in reply.attachments if a.kind is AttachmentKind.PHOTO]
        documents = [a for a in reply.attachments
                     if a.kind is AttachmentKind.DOCUMENT and a.data is not None]
        for other in reply.attachments:
            if other.kind is not AttachmentKind.PHOTO and not any(other is d for d in documents):
                logger.warning("telegram: cannot send a %s attachment, skipped", other.kind)
        parts: list[SendPart] = []
        for index, chunk in enumerate(chunks):
            body: dict[str, Any] = {"chat_id": _chat(chat_id), "parse_mode": ParseMode.HTML.value,
                                    "text": html.escape(chunk, quote=False)}
            if keyboard is not None and index == len(chunks) - 1:
                body["reply_markup"] = keyboard
            parts.append(self._part(functools.partial(self._call, SEND_MESSAGE, body)))
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
                reply_markup=(InlineKeyboardMarkup.model_validate(keyboard)
                              if keyboard is not None and last and not chunks else None),
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
        if photo.data is not None:  # the bytes the bot kept: a foreign URL may have expired
            return BufferedInputFile(photo.data, filename=photo.filename or "photo.jpg")
        if photo.url:
            return photo.url
        return None

    def _part(self, call: Callable[[], Awaitable[Any]]) -> SendPart:
        async def run() -> None:
            try:
                await call()
            except TelegramRetryAfter as exc:
                raise RetryAfter(float(exc.retry_after)) from None
            except TelegramUnauthorizedError:
                raise ChannelUnauthorized(0.0, "unauthorized") from None
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
        await self._call(CHAT_ACTION, {"chat_id": _chat(chat_id),
                                        "action": ChatAction.TYPING.value})
