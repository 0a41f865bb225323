"""A minimal fake of the Zalo Bot API on 127.0.0.1, recording what the bot sends."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.channels.reading import ChatReader

SEND_METHODS = ("sendMessage", "sendPhoto", "sendSticker")


@dataclass
class ScriptedAnswer:
    """An answer to give instead of the normal one (errors, garbage)."""

    envelope: dict[str, Any] | None = None
    http_status: int = 200
    raw: str | None = None


_ids = itertools.count(1)


def zalo_event(
    event_name: str,
    chat_id: str,
    *,
    message_id: str | None = None,
    display_name: str = "Lan",
    **fields: Any,
) -> dict[str, Any]:
    """Build an event as Zalo sends it (`{event_name, message}`)."""
    message = {
        "message_id": message_id or f"{next(_ids):08x}",
        "from": {"id": chat_id, "display_name": display_name, "is_bot": False},
        "chat": {"id": chat_id, "chat_type": "PRIVATE"},
        "date": int(time.time() * 1000),
        **fields,
    }
    return {"event_name": event_name, "message": message}


def text_event(chat_id: str, text: str, **kw: Any) -> dict[str, Any]:
    """Build a `message.text.received` event."""
    return zalo_event("message.text.received", chat_id, text=text, **kw)


@dataclass
class FakeZalo:
    """Serve `/bot{token}/{method}`; getUpdates hands out queued events or answers 408."""

    token: str
    idle_wait: float = 0.05
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    answers_408: int = 0
    webhook: dict[str, Any] = field(default_factory=dict)
    # When set: more than this many sends in any second are refused with error 429.
    rate_limit: int | None = None
    too_many: int = 0
    # After this many sendMessage calls, further ones are recorded, then never answered.
    hold_sends_after: int | None = None

    def __post_init__(self) -> None:
        self._recent: deque[float] = deque()
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._scripted: dict[str, list[ScriptedAnswer]] = {}
        self._server: TestServer | None = None
        self._sent_event = asyncio.Event()
        self._release = asyncio.Event()
        self.base_url = ""
        # Photos people sent, served as Zalo's CDN would: name -> bytes; fetches counted.
        self.images: dict[str, bytes] = {}
        self.fetched: list[str] = []

    async def start(self) -> str:
        """Start listening and return the base URL."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/cdn/{name}", self._image)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server(access_log=None)  # it would log the token
        self.base_url = str(self._server.make_url("")).rstrip("/")
        return self.base_url

    async def close(self) -> None:
        """Stop listening."""
        self._release.set()
        if self._server is not None:
            await self._server.close()

    def photo_url(self, name: str, data: bytes) -> str:
        """Serve `data` as a photo a person sent; return its (expiring) URL."""
        self.images[name] = data
        return f"{self.base_url}/cdn/{name}"

    def expire(self, name: str) -> None:
        """Let a photo URL expire, as Zalo's do: it answers 404 from now on."""
        self.images.pop(name, None)

    async def _image(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.images:
            return web.Response(status=404, text="expired")
        self.fetched.append(name)
        return web.Response(body=self.images[name], content_type="image/jpeg")

    def push(self, event: dict[str, Any]) -> None:
        """Queue an event for the next getUpdates."""
        self.events.put_nowait(event)

    def fail(
        self,
        method: str,
        error_code: int,
        description: str = "error",
        *,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with `ok: false` (HTTP 200, as Zalo does)."""
        envelope = _err(error_code, description)
        if retry_after is not None:
            envelope["parameters"] = {"retry_after": retry_after}
        self._scripted.setdefault(method, []).extend([ScriptedAnswer(envelope)] * times)

    def garble(self, method: str, http_status: int = 502, raw: str = "<html>502</html>") -> None:
        """Answer the next call of `method` with a non-JSON body."""
        answer = ScriptedAnswer(http_status=http_status, raw=raw)
        self._scripted.setdefault(method, []).append(answer)

    def methods(self) -> list[str]:
        """Return the called method names in order."""
        return [m for m, _ in self.calls]

    def texts_to(self, chat_id: str) -> list[str]:
        """Return the texts sent to one chat, in order."""
        return [p["text"] for p in self.sent if p.get("chat_id") == chat_id and "text" in p]

    async def wait_sent(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least `count` messages were sent; return them all."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.sent) < count:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"expected {count} sent messages, got {len(self.sent)}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), timeout=left)
        return self.sent

    def _over_limit(self) -> bool:
        assert self.rate_limit is not None
        return _over_limit_impl(self._recent, self.rate_limit)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"})
        body = await request.read()
        payload = json.loads(body) if body else {}
        self.calls.append((method, payload))
        scripted = self._scripted.get(method)
        if scripted:
            answer = scripted.pop(0)
            if answer.raw is not None:
                return web.Response(
                    status=answer.http_status, text=answer.raw, content_type="text/html"
                )
            return _json(answer.envelope or {}, status=answer.http_status)
        if method == "getUpdates":
            wait = min(float(payload.get("timeout", 30)), self.idle_wait)
            try:
                event = await asyncio.wait_for(self.events.get(), timeout=wait)
            except TimeoutError:
                self.answers_408 += 1
                return _json({"ok": False, "error_code": 408, "description": "Request timeout"})
            return _json({"ok": True, "result": event})
        if method in SEND_METHODS and self.rate_limit is not None and self._over_limit():
            self.too_many += 1
            envelope = _err(429, "Too many requests")
            envelope["parameters"] = {"retry_after": 1}
            return _json(envelope)
        if method in SEND_METHODS:
            text = payload.get("text") or payload.get("caption")
            if method == "sendMessage" and not (text and len(text) <= 2000):
                return _json({"ok": False, "error_code": 400, "description": "Bad text length"})
            self.sent.append({"method": method, **payload})
            self._sent_event.set()
            if self.hold_sends_after is not None and len(self.sent) > self.hold_sends_after:
                await self._release.wait()
                return _json(_err(500, "released"))
            return _json({"ok": True, "result": {"message_id": f"{next(_ids):08x}",
                                                  "date": int(time.time() * 1000)}})
        if method == "sendChatAction":
            self.actions.append(payload)
            return _json({"ok": True, "result": True})
        if method == "getMe":
            return _ok({"id": "1", "account_name": "thidua_bot", "account_type": "BASIC"})
        if method == "setWebhook":
            self.webhook = {"url": payload.get("url"), "secret_token": payload.get("secret_token")}
            return _json({"ok": True, "result": {"url": payload.get("url"), "updated_at": 1}})
        if method == "deleteWebhook":
            self.webhook = {}
            return _json({"ok": True, "result": {"url": "", "updated_at": 1}})
        if method == "getWebhookInfo":
            return _ok({"url": self.webhook.get("url", ""), "updated_at": 1})
        return _json({"ok": False, "error_code": 404, "description": "Not Found"})


def _over_limit_impl(recent: deque[float], limit: int) -> bool:
    now = time.monotonic()
    while recent and recent[0] <= now - 1.0:
        recent.popleft()
    if len(recent) >= limit:
        return True
    recent.append(now)
    return False


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(data, status=status)


def _ok(result: Any) -> web.Response:
    return _json({"ok": True, "result": result})


def _err(error_code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": error_code, "description": description}


class ZaloChat(ChatReader[str]):
    """One person's chat with the bot over the fake: send texts, read replies in order."""

    def __init__(self, fake: FakeZalo, chat_id: str = "u-lan") -> None:
        self.fake = fake
        self.chat_id = chat_id
        super().__init__()
        self.last_event: dict[str, Any] | None = None

    def send(self, text: str) -> dict[str, Any]:
        """Type `text` in the chat; return the event (to replay it as a duplicate)."""
        self.last_event = text_event(self.chat_id, text)
        self.fake.push(self.last_event)
        return self.last_event

    def _messages(self) -> list[str]:
        return self.fake.texts_to(self.chat_id)
