"""One aiohttp web server for every channel webhook (`/webhook/<channel>`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from aiohttp import web

logger = logging.getLogger(__name__)

WebhookHandler: TypeAlias = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebhookServer:
    """Serve `/webhook/<name>` routes for the attached channels; listen while any is attached."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self._port = port
        self._handlers: dict[str, WebhookHandler] = {}
        self._known: set[str] = set()
        self._runner: web.AppRunner | None = None
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

    async def attach(self, name: str, handler: WebhookHandler) -> None:
        """Route `/webhook/<name>` to `handler`, starting to listen if needed."""
        self._handlers[name] = handler
        self._known.add(name)
        if self._runner is None:
            runner = web.AppRunner(self.app, handle_signals=False)
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
        if not self._handlers and self._runner is not None:
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
