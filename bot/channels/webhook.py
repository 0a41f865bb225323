"""One aiohttp web server for every channel webhook (`/webhook/<channel>`), and the checks
every webhook shares: the secret header, a JSON body that cannot crash the server, refusals
counted and logged at a limited rate."""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.core.metrics import WEBHOOK_REFUSED
from bot.core.weblinks import LINK_PATH

logger = logging.getLogger(__name__)

REFUSAL_LOG_INTERVAL = 60.0


class BadBody(ValueError):
    """A webhook body that is not one JSON object (or too deeply nested to read)."""


async def read_json(request: web.Request) -> dict[str, Any]:
    """Return the body as a JSON object; raise BadBody for anything else."""
    raw = await request.read()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise BadBody("unreadable JSON") from None
    if not isinstance(data, dict):
        raise BadBody("not a JSON object")
    return data


def secret_matches(request: web.Request, header: str, expected: bytes) -> bool:
    """Compare a secret header in constant time; a missing or undecodable one never matches."""
    given = request.headers.get(header)
    if given is None:
        return False
    try:
        raw = given.encode("utf-8", "surrogateescape")
    except UnicodeError:
        return False
    return hmac.compare_digest(raw, expected)

class RedactingAccessLogger(AbstractAccessLogger):
    """The access log without the tokens of one-time links (they are capabilities)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = request.path
        if path.startswith(LINK_PATH):
            _, sep, tail = path[len(LINK_PATH):].partition("/")
            path = LINK_PATH + "…" + sep + tail
        self.logger.info("%s %s %s %.3fs", request.method, path, response.status, time)


WebhookHandler: TypeAlias = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebhookServer:
    """Serve `/webhook/<name>` routes for the attached channels; listen while any is attached."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self._port = port
        self._handlers: dict[str, WebhookHandler] = {}
        self._known: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._pages = False
        self._refusals: dict[str, int] = {}
        self._refusal_logged: dict[str, float] = {}
        self.app = web.Application()
        self.app.router.add_post("/webhook/{channel}", self._route)
        self.app.router.add_get("/healthz", self._health)

    @property
    def port(self) -> int:
        """Return the port listened on (the real one when configured as 0)."""
        if self._runner is not None:
            for address in self._runner.addresses:
                if isinstance(address, tuple):
                    return int(address[1])
        return self._port

    @staticmethod
    def path(name: str) -> str:
        """Return the URL path of a channel's webhook."""
        return f"/webhook/{name}"

    def refused(self, name: str, reason: str, status: int = 403) -> web.Response:
        """Count a refused call and log refusals at most once a minute per channel."""
        WEBHOOK_REFUSED.inc(channel=name, reason=reason)
        self._refusals[name] = self._refusals.get(name, 0) + 1
        now = time.monotonic()
        if now - self._refusal_logged.get(name, -REFUSAL_LOG_INTERVAL) >= REFUSAL_LOG_INTERVAL:
            logger.warning("%s: %d webhook call(s) refused since the last report (last: %s)",
                           name, self._refusals[name], reason)
            self._refusals[name] = 0
            self._refusal_logged[name] = now
        return web.Response(status=status)

    async def serve_pages(self) -> None:
        """Listen for the link pages (mounted on `app`) even with no webhook channel."""
        self._pages = True
        await self._listen()

    async def attach(self, name: str, handler: WebhookHandler) -> None:
        """Route `/webhook/<name>` to `handler`, starting to listen if needed."""
        self._handlers[name] = handler
        self._known.add(name)
        await self._listen()

    async def _listen(self) -> None:
        if self._runner is None:
            runner = web.AppRunner(self.app, handle_signals=False,
                                   access_log_class=RedactingAccessLogger)
            await runner.setup()
            site = web.TCPSite(runner, self.host, self._port)
            try:
                await site.start()
            except BaseException:
                await runner.cleanup()
                raise
            self._runner = runner
            logger.info("webhook server listening on %s:%s", self.host, self.port)

    async def detach(self, name: str) -> None:
        """Stop routing `name`; stop listening once no channel is attached."""
        self._handlers.pop(name, None)
        if not self._handlers and not self._pages:
            await self.close()

    async def close(self) -> None:
        """Stop listening."""
        self._pages = False
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
            logger.info("webhook server stopped")

    async def _route(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["channel"]
        handler = self._handlers.get(name)
        if handler is None:
            # A known channel that is shutting down: ask the platform to deliver again later.
            status = 503 if name in self._known else 404
            return web.Response(status=status)
        return await handler(request)

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")
