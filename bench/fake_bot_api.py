"""A lean fake of the Telegram Bot API for bench.throughput: HTTP/1.1 on asyncio's protocols.

The bench measures the bots' CPU per message beside this process's own (`driver`): in
production Telegram's servers are not on the bot's machine, so this fake should cost as
little as it can while answering exactly as the Bot API does. It serves
`POST|GET /bot{token}/{method}` with the parameters as JSON, as a form
(application/x-www-form-urlencoded or multipart/form-data, complex values as JSON text) or
in the query string; every answer is `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": ...}` with that status. Keep-alive, one
request at a time per connection (no pipelining is needed: HTTP clients wait for each
answer), bodies by Content-Length or chunked.

getUpdates hands each update out once (several processes polling one token share the load)
and long-polls: it answers at once when updates wait, else when one arrives, else after its
timeout (at most a second here, so that a stopped bot's parked poll ends soon). A poll
woken by new updates takes up to its `limit` of them; the rest stay for the next poller
(Telegram answers a long poll only with updates or at its timeout). sendMessage reports
each message to the driver (`on_reply`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

_JSON_FIELDS = frozenset({"reply_markup", "allowed_updates", "commands", "entities",
                          "link_preview_options", "reply_parameters", "media", "results"})
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 411: "Length Required", 413: "Payload Too Large"}
_MAX_BODY = 50_000_000
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class BadRequest(Exception):
    """A request this fake cannot read: answered 400 and the connection closed."""


@dataclass
class FakeBot:
    """One bot token's side of the fake: updates waiting, pollers, what it sent."""

    pending: deque[dict[str, Any]] = field(default_factory=deque)
    # Long polls waiting for updates, oldest first: (connection, limit, timer).
    waiting: deque[_Poll] = field(default_factory=deque)
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def polling(self) -> int:
        """How many long polls wait for updates."""
        return len(self.waiting)


@dataclass(eq=False)
class _Poll:
    connection: _Connection
    limit: int
    timer: asyncio.TimerHandle | None = None


class FakeBotApi:
    """Serve `/bot{token}/{method}` for the given tokens (see the module docstring)."""

    def __init__(self, tokens: list[str] | tuple[str, ...]) -> None:
        self.bots = {token: FakeBot() for token in tokens}
        self.on_reply: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[_Connection] = set()
        self._flush_due: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.base_url = ""

    def next_id(self) -> int:
        """A fresh id (updates, messages, callback queries share one counter)."""
        return next(self._ids)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(lambda: _Connection(self),
                                                      "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for bot in self.bots.values():
            while bot.waiting:
                poll = bot.waiting.popleft()
                if poll.timer is not None:
                    poll.timer.cancel()
        for connection in list(self._connections):
            connection.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 5)
        self._server = None

    def push(self, token: str, update: dict[str, Any]) -> None:
        """Queue an update for `token`; waiting long polls take it in the next loop turn
        (with whatever else arrived by then, as a woken poller would)."""
        bot = self.bots[token]
        update["update_id"] = next(self._ids)
        bot.pending.append(update)
        if bot.waiting and token not in self._flush_due:
            self._flush_due.add(token)
            assert self._loop is not None
            self._loop.call_soon(self._flush, token)

    def _flush(self, token: str) -> None:
        self._flush_due.discard(token)
        bot = self.bots[token]
        while bot.pending and bot.waiting:
            poll = bot.waiting.popleft()
            if poll.timer is not None:
                poll.timer.cancel()
            self._answer_poll(bot, poll)

    def _answer_poll(self, bot: FakeBot, poll: _Poll) -> None:
        batch = [bot.pending.popleft() for _ in range(min(poll.limit, len(bot.pending)))]
        if poll.connection.closing():
            # The poller went away while its long poll waited (a bot stopped at the end of
            # the previous run): Telegram would hand these out again, since no later offset
            # confirmed them, so they go back to the front of the queue.
            bot.pending.extendleft(reversed(batch))
            poll.connection.done_waiting()
            return
        poll.connection.respond_ok(batch)

    def _timed_out(self, bot: FakeBot, poll: _Poll) -> None:
        with contextlib.suppress(ValueError):
            bot.waiting.remove(poll)
            self._answer_poll(bot, poll)

    def forget(self, connection: _Connection) -> None:
        """A connection closed: its parked long poll (if any) ends now."""
        self._connections.discard(connection)
        for bot in self.bots.values():
            for poll in [p for p in bot.waiting if p.connection is connection]:
                bot.waiting.remove(poll)
                if poll.timer is not None:
                    poll.timer.cancel()

    # --- the methods --------------------------------------------------------------------

    def call(self, connection: _Connection, token: str, method: str,
             params: dict[str, Any]) -> None:
        """Answer one call on `connection` (now, or later for a parked long poll)."""
        bot = self.bots.get(token)
        if bot is None:
            connection.respond_error(401, "Unauthorized")
            return
        bot.calls[method] = bot.calls.get(method, 0) + 1
        if method == "getUpdates":
            limit = max(1, min(100, int(params.get("limit", 100))))
            timeout = float(params.get("timeout", 0))
            if bot.pending or timeout <= 0:
                batch = [bot.pending.popleft() for _ in range(min(limit, len(bot.pending)))]
                connection.respond_ok(batch)
                return
            assert self._loop is not None
            poll = _Poll(connection, limit)
            poll.timer = self._loop.call_later(min(timeout, 1.0), self._timed_out, bot, poll)
            bot.waiting.append(poll)
            connection.start_waiting()
            return
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = int(params["chat_id"])
            markup = params.get("reply_markup")
            message: dict[str, Any] = {
                "message_id": next(self._ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "U"},
                "from": {"id": 1, "is_bot": True, "first_name": "Bot"},
                "text": str(params.get("text", ""))}
            if markup:
                message["reply_markup"] = markup
            connection.respond_ok(message)
            if method == "sendMessage":
                waiter = self.on_reply.pop(chat_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(message)
            return
        if method == "getMe":
            connection.respond_ok({"id": 1, "is_bot": True, "first_name": "Bot",
                                   "username": "bench_bot"})
            return
        connection.respond_ok(True)


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 client connection: read a request, answer it, then the next."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiting = False  # a long poll of this connection is parked
        self.keep_alive = True

    # --- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.api._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.api.forget(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._serve()

    # --- the requests -----------------------------------------------------------------

    def closing(self) -> bool:
        return self.transport is None or self.transport.is_closing()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def start_waiting(self) -> None:
        self.waiting = True

    def done_waiting(self) -> None:
        self.waiting = False

    def _serve(self) -> None:
        """Answer the requests complete in the buffer, one at a time."""
        while not self.waiting and self.transport is not None and self.buffer:
            try:
                request = self._request()
            except BadRequest as exc:
                self.keep_alive = False
                self.respond_error(400, f"Bad Request: {exc}")
                return
            if request is None:
                return  # wait for the rest
            http_method, target, params = request
            path, _, query = target.partition("?")
            parts = path.split("/")
            if len(parts) != 3 or parts[0] or not parts[1].startswith("bot") or not parts[2]:
                self.respond_error(404, "Not Found")
                continue
            if http_method not in ("POST", "GET"):
                self.respond_error(405, "Method Not Allowed")
                continue
            if query:
                params = {**_form(parse_qsl(query)), **params}
            self.api.call(self, parts[1][3:], parts[2], params)

    def _request(self) -> tuple[str, str, dict[str, Any]] | None:
        """Take one complete request from the buffer: (method, target, parameters)."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > 65536:
                raise BadRequest("headers too long")
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        try:
            http_method, target, version = head[0].split(" ")
        except ValueError:
            raise BadRequest("request line") from None
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadRequest("header line")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parsed = _chunked(self.buffer, start)
            if parsed is None:
                return None
            body, used = parsed
        else:
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                raise BadRequest("Content-Length") from None
            if length < 0 or length > _MAX_BODY:
                raise BadRequest("Content-Length")
            if len(self.buffer) < start + length:
                return None
            body, used = bytes(self.buffer[start:start + length]), start + length
        del self.buffer[:used]
        connection = headers.get("connection", "").lower()
        self.keep_alive = (connection != "close" if version == "HTTP/1.1"
                           else connection == "keep-alive")
        return http_method, target, _params(headers.get("content-type", ""), body)

    def respond_ok(self, result: Any) -> None:
        self._respond(200, b'{"ok":true,"result":' + _dumps(result).encode() + b"}")

    def respond_error(self, status: int, description: str) -> None:
        self._respond(status, _dumps({"ok": False, "error_code": status,
                                      "description": description}).encode())

    def _respond(self, status: int, body: bytes) -> None:
        self.waiting = False
        if self.transport is None or self.transport.is_closing():
            return
        # The headers api.telegram.org sends with every answer (bar its CORS and HSTS ones).
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nServer: nginx\r\n"
                f"Date: {_date()}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                + ("Connection: keep-alive\r\n" if self.keep_alive else "Connection: close\r\n")
                + "\r\n")
        self.transport.write(head.encode() + body)
        if not self.keep_alive:
            self.transport.close()
            return
        if self.buffer:
            # A request that arrived while this one waited (a long poll): answer it now.
            asyncio.get_running_loop().call_soon(self._serve)


_DATE: list[Any] = [0, ""]


def _date() -> str:
    """The Date header's value, formatted once a second."""
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, formatdate(now, usegmt=True)]
    return str(_DATE[1])


def _chunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """Read a chunked body from `buffer` at `start`: (body, end) or None if incomplete."""
    body = bytearray()
    at = start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        try:
            size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
        except ValueError:
            raise BadRequest("chunk size") from None
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", at - 2)
            if trailer_end < 0:
                return None
            return bytes(body), trailer_end + 4
        if len(buffer) < at + size + 2:
            return None
        body += buffer[at:at + size]
        if len(body) > _MAX_BODY:
            raise BadRequest("body too large")
        at += size + 2


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    """The call's parameters from its body, as the Bot API reads them."""
    kind, _, options = content_type.partition(";")
    kind = kind.strip().lower()
    if not body:
        return {}
    try:
        if kind == "application/json":
            params = json.loads(body)
            if not isinstance(params, dict):
                raise BadRequest("a JSON body is an object")
            return params
        if kind == "application/x-www-form-urlencoded":
            return _form(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        if kind == "multipart/form-data":
            return _form(_multipart(options, body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(type(exc).__name__) from None
    raise BadRequest(f"unsupported Content-Type {kind!r}")


def _form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form fields as parameters: the complex ones (keyboards, lists) are JSON text."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        if name in _JSON_FIELDS:
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
                continue
        params[name] = value
    return params


def _multipart(options: str, body: bytes) -> list[tuple[str, str]]:
    """The text fields of a multipart/form-data body (files are read and ignored)."""
    boundary = ""
    for option in options.split(";"):
        key, _, value = option.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise BadRequest("multipart without boundary")
    fields: list[tuple[str, str]] = []
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        disposition = ""
        for line in head.decode("utf-8").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                disposition = line
        name = filename = None
        for item in disposition.split(";")[1:]:
            key, _, value = item.strip().partition("=")
            if key == "name":
                name = value.strip('"')
            elif key == "filename":
                filename = value.strip('"')
        if name is not None and filename is None:
            fields.append((name, content.removesuffix(b"\r\n").decode("utf-8")))
    return fields
