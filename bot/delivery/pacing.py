"""Send pacing: an even rate per channel that the platform can pause, and spacing per chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.core.tasks import cancel_and_wait


class Pacer:
    """Spaces sends evenly at `rate` messages per second; a pause holds every send."""

    def __init__(self, rate: float | None, now: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rate = rate
        self._now = now or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self, count: int = 1) -> None:
        """Wait for the turn of `count` messages (FIFO among waiters)."""
        async with self._lock:
            while True:
                now = self._now()
                start = max(now, self._next, self._paused_until)
                if start <= now:
                    break
                await self._sleep(start - now)
            if self.rate is not None:
                # Woken a little late (event-loop latency): keep the ideal timeline, so the
                # rate holds; after a longer gap (idle, pause) start afresh, never in a burst.
                late = start - self._next
                base = self._next if 0 <= late <= 1 / self.rate else start
                self._next = base + count / self.rate

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` (the platform answered 429)."""
        self._paused_until = max(self._paused_until, self._now() + seconds)

    def paused_for(self) -> float:
        """Return how long sends are still held."""
        return max(0.0, self._paused_until - self._now())


# Platforms measure on arrival; keep a margin for network jitter between two sends.
CHAT_MARGIN = 1.1


class ChatSpacing:
    """Remembers when each chat may get its next message (at most `rate` per second)."""

    def __init__(self, rate: float | None, now: Callable[[], float] | None = None,
                 max_chats: int = 50_000) -> None:
        self.interval = 0.0 if rate is None else CHAT_MARGIN / rate
        self._now = now or (lambda: asyncio.get_running_loop().time())
        self._ready: dict[str, float] = {}
        self._max_chats = max_chats

    def wait_for(self, chat_id: str) -> float:
        """Return how many seconds `chat_id` must still wait (0 when it may get one now)."""
        return max(0.0, self._ready.get(chat_id, 0.0) - self._now())

    def note(self, chat_id: str, count: int = 1) -> None:
        """Record that `count` messages go to `chat_id` now."""
        now = self._now()
        self._ready[chat_id] = max(now, self._ready.get(chat_id, 0.0)) + count * self.interval
        if len(self._ready) > self._max_chats:
            self._ready = {c: t for c, t in self._ready.items() if t > now}


async def sleep_or(stop: asyncio.Event, seconds: float,
                    wakeup: asyncio.Event | None = None) -> None:
    """Sleep up to `seconds`, waking early when `stop` (or `wakeup`) is set."""
    events = [stop] if wakeup is None else [stop, wakeup]
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await cancel_and_wait(*waiters)
    if wakeup is not None and wakeup.is_set():
        wakeup.clear()
