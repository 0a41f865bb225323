"""A minimal fake of the Telegram Bot API on 127.0.0.1, recording what the bot sends."""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.channels.reading import ChatReader

BOT_USER = {"id": 271828182, "is_bot": True, "first_name": "Thi đua", "username": "thidua_bot"}
JSON_FIELDS = ("reply_markup", "commands", "allowed_updates")


@dataclass
class FakeTelegram:
    """Serve `/bot{token}/{method}` with getUpdates over a queue of updates."""

    token: str
    idle_wait: float = 0.05
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    # Telegram's limits, when enforced: 429 (retry_after 1) for a second message to one chat
    # within `chat_interval` seconds, or more than `per_second` messages in any second.
    enforce_limits: bool = False
    chat_interval: float = 1.0
    per_second: int = 30
    too_many: int = 0
    # Failure modes: "html502" answers every call with a 502 HTML page (a blocking proxy),
    # "redirect" with an endless redirect to itself.
    outage: str | None = None
    # After this many sendMessage calls, further ones are recorded, then never answered
    # (the bot is killed while waiting for Telegram).
    hold_sends_after: int | None = None
    confirmed_offset: int = 0

    def __post_init__(self) -> None:
        self.base_url = ""
        self._recent: deque[float] = deque()
        self._last_by_chat: dict[str, float] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(500)
        self._message_ids = itertools.count(9000)
        self._callback_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._scripted: dict[str, list[tuple[int, str, int | None]]] = {}
        self._server: TestServer | None = None
        self._release = asyncio.Event()
        # Files people "uploaded": file_id -> (file_path, bytes); downloads counted.
        self.files: dict[str, tuple[str, bytes]] = {}
        self.downloads: list[str] = []
        # Files the bot sent (sendPhoto/sendDocument multipart): (method, filename, bytes).
        self.sent_files: list[tuple[str, str, bytes]] = []

    async def start(self) -> str:
        """Start listening and return the base URL."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server(access_log=None)  # it would log the token
        self.base_url = str(self._server.make_url("")).rstrip("/")
        return self.base_url

    async def close(self) -> None:
        """Stop listening."""
        self._release.set()
        if self._server is not None:
            await self._server.close()

    # --- scripting ------------------------------------------------------------------------

    def fail(
        self, method: str, status: int, description: str, *, retry_after: int | None = None
    ) -> None:
        """Answer the next call of `method` with an error."""
        self._scripted.setdefault(method, []).append((status, description, retry_after))

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (given an update_id if it has none)."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._new_update.set()
        return update

    def message_update(
        self, user_id: int, first_name: str = "Lan", chat: dict[str, Any] | None = None,
        **fields: Any
    ) -> dict[str, Any]:
        """Build an update with a message from `user_id` (a private chat unless `chat`)."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or {"id": user_id, "type": "private", "first_name": first_name},
            "from": user,
            **fields,
        }
        return {"message": message}

    def callback_update(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Build an update for a press on a button of a message the bot sent."""
        user = {"id": user_id, "is_bot": False, "first_name": "Lan"}
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "chat_instance": "ci-1",
            "message": message,
            "data": data,
        }
        return {"callback_query": query}

    def upload(self, file_id: str, data: bytes, file_path: str) -> str:
        """Keep a file as if a person had sent it; return its file_id."""
        self.files[file_id] = (file_path, data)
        return file_id

    def document_fields(self, file_id: str, data: bytes, file_name: str,
                        mime_type: str = "text/csv") -> dict[str, Any]:
        """Return the `document` of a message carrying `data` (kept for getFile)."""
        self.upload(file_id, data, f"documents/{file_id}_{file_name}")
        return {"document": {"file_id": file_id, "file_unique_id": "u" + file_id,
                             "file_name": file_name, "mime_type": mime_type,
                             "file_size": len(data)}}

    def photo_fields(self, file_id: str, data: bytes) -> dict[str, Any]:
        """Return the `photo` sizes of a message carrying `data` as its largest size."""
        self.upload(file_id, data, f"photos/{file_id}.jpg")
        return {"photo": [
            {"file_id": file_id + "-s", "file_unique_id": "s" + file_id, "width": 90,
             "height": 60, "file_size": 900},
            {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 1280,
             "height": 960, "file_size": len(data)}]}

    def methods(self) -> list[str]:
        """Return the called method names in order."""
        return [m for m, _ in self.calls]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Return what was sent to one chat, in order."""
        return [s for s in self.sent if s["chat_id"] == chat_id]

    # --- server ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.outage == "html502":
            return web.Response(status=502, content_type="text/html",
                                text="<html><body><h1>502 Bad Gateway</h1></body></html>")
        if self.outage == "redirect":
            raise web.HTTPTemporaryRedirect(str(request.rel_url))
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            # A JSON body (the adapter's own calls) reads as the form fields aiogram sends.
            for key, value in (await request.json()).items():
                if key in JSON_FIELDS or isinstance(value, str):
                    params[key] = value
                else:
                    params[key] = json.dumps(value)
            form: Any = {}
        else:
            form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = json.loads(value) if key in JSON_FIELDS else value
            else:
                params[key] = f"<file {getattr(value, 'filename', key)}>"
                self.sent_files.append((method, getattr(value, "filename", key),
                                        value.file.read()))
        self.calls.append((method, params))
        scripted = self._scripted.get(method)
        if scripted:
            status, description, retry_after = scripted.pop(0)
            return _error(status, description, retry_after)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        if self.enforce_limits and method in ("sendMessage", "sendPhoto") and \
                self._over_limit(str(params.get("chat_id"))):
            self.too_many += 1
            return _error(429, "Too Many Requests: retry after 1", retry_after=1)
        if method == "sendMessage" and self.hold_sends_after is not None and \
                len(self.sent) >= self.hold_sends_after:
            self._m_sendmessage(params)
            await self._release.wait()
            return _error(500, "Internal Server Error: released")
        if method == "getFile":
            return self._get_file(params)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        problem = _check_text(params)
        if problem:
            return _error(400, problem)
        return web.json_response({"ok": True, "result": handler(params)})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """GET /file/bot<token>/<file_path>, as getFile's file_path names it."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                self.downloads.append(path)
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404)

    def _over_limit(self, chat_id: str) -> bool:
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        last = self._last_by_chat.get(chat_id)
        if (last is not None and now - last < self.chat_interval) or \
                len(self._recent) >= self.per_second:
            return True
        self._recent.append(now)
        self._last_by_chat[chat_id] = now
        return False

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        self.confirmed_offset = max(self.confirmed_offset, offset)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit", 100))
        if not self._updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout", 0)), self.idle_wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=wait)
        return list(self._updates[:limit])

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **content,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        self.sent.append({**params, "chat_id": chat_id, "message": message})
        return message

    def _m_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        # Telegram answers with the text after entity parsing: tags gone, entities decoded.
        return self._message(params, text=html.unescape(params["text"]))

    def _m_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = [{"file_id": "sent-photo", "file_unique_id": "u", "width": 10, "height": 10}]
        return self._message(params, photo=photo)

    def _m_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = {"file_id": "sent-document", "file_unique_id": "d",
                    "file_name": str(params.get("document", ""))}
        return self._message(params, document=document)

    def _get_file(self, params: dict[str, Any]) -> web.Response:
        # The Bot API hands out files of at most 20 MB; bigger ones are refused.
        found = self.files.get(str(params.get("file_id")))
        if found is None:
            return _error(400, "Bad Request: invalid file_id")
        file_path, data = found
        if len(data) > 20 * 1024 * 1024:
            return _error(400, "Bad Request: file is too big")
        return web.json_response({"ok": True, "result": {
            "file_id": params["file_id"], "file_unique_id": "u" + str(params["file_id"]),
            "file_size": len(data), "file_path": file_path}})

    def _m_editmessagetext(self, params: dict[str, Any]) -> bool:
        self.edits.append({"method": "editMessageText", **params})
        return True

    def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> bool:
        self.edits.append({"method": "editMessageReplyMarkup", **params})
        return True

    def _m_answercallbackquery(self, params: dict[str, Any]) -> bool:
        self.answered.append(params["callback_query_id"])
        return True

    def _m_sendchataction(self, params: dict[str, Any]) -> bool:
        self.actions.append(params)
        return True

    def _m_setmycommands(self, params: dict[str, Any]) -> bool:
        self.commands = params["commands"]
        return True

    def _m_setwebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    def _m_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _m_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER


def _check_text(params: dict[str, Any]) -> str | None:
    """Refuse what Telegram refuses: raw `<`/`&` under HTML (the bot sends no tags), > 4096."""
    for key, limit in (("text", 4096), ("caption", 1024)):
        value = params.get(key)
        if value is None:
            continue
        if params.get("parse_mode") == "HTML":
            bare = re.sub(r"&(amp|lt|gt|quot);", "", value)
            if "<" in bare or "&" in bare:
                return "Bad Request: can't parse entities"
        if not 0 < len(html.unescape(value)) <= limit:
            return f"Bad Request: {key} is too long or empty"
    return None


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


class TelegramChat(ChatReader[dict[str, Any]]):
    """One person's private chat over the fake: send, press buttons, read replies in order."""

    def __init__(self, fake: FakeTelegram, user_id: int = 1001) -> None:
        self.fake = fake
        self.user_id = user_id
        super().__init__()

    def send(self, text: str) -> dict[str, Any]:
        """Type `text`; return the update (to replay it as a duplicate)."""
        return self.fake.push(self.fake.message_update(self.user_id, text=text))

    def send_content(self, **fields: Any) -> dict[str, Any]:
        """Send a message with arbitrary content fields (photo, sticker...)."""
        return self.fake.push(self.fake.message_update(self.user_id, **fields))

    def press(self, sent: dict[str, Any], payload: str) -> dict[str, Any]:
        """Press the button `payload` under a message the bot sent."""
        return self.fake.push(self.fake.callback_update(self.user_id, sent["message"], payload))

    def _messages(self) -> list[dict[str, Any]]:
        return self.fake.sent_to(self.user_id)
