"""A small HTTP port for operators: /healthz (alive), /readyz (database and channels),
/metrics (Prometheus text). Runs in polling mode too; bound to 127.0.0.1 by default."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.metrics import DATABASE_UP, INBOX_ROWS, OUTBOX_ROWS, REGISTRY
from storage.inbox.repo import InboxRepo
from storage.ops import outbox_by_status, ping

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0
COUNTS_MAX_AGE = 5.0
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class Watched(Protocol):
    """What the health server reads of a channel."""

    @property
    def name(self) -> str:
        """Return the channel name."""
        ...

    def health(self) -> dict[str, str | None]:
        """Return {"state": starting|ok|down|paused, "error": kind or None}."""
        ...


class HealthServer:
    """Serve /healthz, /readyz and /metrics for the channels of this process."""

    def __init__(self, host: str, port: int, channels: Sequence[Watched],
                 sessions: async_sessionmaker[AsyncSession] | None) -> None:
        self.host = host
        self._port = port
        self._channels = list(channels)
        self._sessions = sessions
        self._runner: web.AppRunner | None = None
        self._counted_at = -COUNTS_MAX_AGE
        self.app = web.Application()
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics)

    @property
    def port(self) -> int:
        """Return the port listened on (the real one when configured as 0)."""
        if self._runner is not None:
            for address in self._runner.addresses:
                if isinstance(address, tuple):
                    return int(address[1])
        return self._port

    async def start(self) -> None:
        """Start listening."""
        runner = web.AppRunner(self.app, handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        logger.info("health server on http://%s:%s (/healthz /readyz /metrics)", self.host,
                    self.port)

    async def stop(self) -> None:
        """Stop listening."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _database_ok(self) -> bool:
        if self._sessions is None:
            return True
        try:
            async with self._sessions() as session:
                await asyncio.wait_for(ping(session), timeout=CHECK_TIMEOUT)
        except Exception as exc:
            logger.debug("health: database check failed: %s", type(exc).__name__)
            DATABASE_UP.set(0.0)
            return False
        DATABASE_UP.set(1.0)
        return True

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        database = await self._database_ok()
        channels = {c.name: c.health() for c in self._channels}
        serving = any(h["state"] == "ok" for h in channels.values()) or not channels
        ready = database and serving
        body = {"ready": ready, "database": "ok" if database else "down",
                "degraded": any(h["state"] != "ok" for h in channels.values()),
                "channels": channels}
        return web.Response(text=json.dumps(body, ensure_ascii=False) + "\n",
                            status=200 if ready else 503, content_type="application/json")

    async def _refresh_counts(self) -> None:
        if self._sessions is None or time.monotonic() - self._counted_at < COUNTS_MAX_AGE:
            return
        self._counted_at = time.monotonic()
        try:
            async with self._sessions() as session:
                inbox = await asyncio.wait_for(InboxRepo(session).counts(), CHECK_TIMEOUT)
                outbox = await asyncio.wait_for(outbox_by_status(session), CHECK_TIMEOUT)
        except Exception as exc:
            logger.debug("health: counting failed: %s", type(exc).__name__)
            return
        INBOX_ROWS.replace({(("channel", c), ("status", s)): n for (c, s), n in inbox.items()})
        OUTBOX_ROWS.replace({(("channel", c), ("status", s)): n for (c, s), n in outbox.items()})

    async def _metrics(self, request: web.Request) -> web.Response:
        await self._database_ok()
        await self._refresh_counts()
        for channel in self._channels:
            channel.health()  # brings the state gauges up to date
        return web.Response(body=REGISTRY.render().encode("utf-8"),
                            headers={"Content-Type": PROMETHEUS_TEXT})
