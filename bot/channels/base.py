"""Machinery shared by the channel adapters: per-chat order, typing, retries, drain."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable, Mapping
from typing import Any, TypeAlias

from bot.core.channel_errors import Blocked, PermanentError, RetryAfter, TransientError
from bot.core.types import Incoming, Reply

logger = logging.getLogger(__name__)

Handle: TypeAlias = Callable[[Incoming], Awaitable[list[Reply]]]
OnBlocked: TypeAlias = Callable[[str, str], Awaitable[None]]
TextSource: TypeAlias = Mapping[str, str] | Callable[[str], str]
Translate: TypeAlias = Callable[[str], str]
SendPart: TypeAlias = Callable[[], Awaitable[None]]

# Catalog keys the adapters read; the main developer feeds them from content/messages.
UNSUPPORTED_KEY = "channel.unsupported"
REQUIRED_TEXT_KEYS: tuple[str, ...] = (UNSUPPORTED_KEY,)


def as_translate(texts: TextSource) -> Translate:
    """Return a `t(key) -> str` over a mapping of texts or an existing callable."""
    if callable(texts):
        return texts
    missing = [key for key in REQUIRED_TEXT_KEYS if key not in texts]
    if missing:
        raise ValueError(f"channel texts lack keys: {', '.join(missing)}")
    table = dict(texts)
    return table.__getitem__


class RecentKeys:
    """A bounded set of recently seen keys (least recently seen dropped first)."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._keys: OrderedDict[Hashable, None] = OrderedDict()
        self._maxsize = maxsize

    def add(self, key: Hashable) -> bool:
        """Remember `key`; return False if it was already there."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._maxsize:
            self._keys.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._keys)


class BaseChannel(ABC):
    """Template for an adapter: subclasses render replies and move bytes, this class the rest."""

    name: str = "base"

    def __init__(
        self,
        *,
        handle: Handle,
        on_blocked: OnBlocked,
        texts: TextSource,
        typing_delay: float = 1.0,
        typing_interval: float = 4.0,
        max_retry_wait: float = 60.0,
        drain_timeout: float = 30.0,
    ) -> None:
        self._handle = handle
        self._on_blocked = on_blocked
        self._t = as_translate(texts)
        self._typing_delay = typing_delay
        self._typing_interval = typing_interval
        self._max_retry_wait = max_retry_wait
        self._drain_timeout = drain_timeout
        self._tasks: set[asyncio.Task[Any]] = set()
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._chat_users: dict[str, int] = {}
        self._blocked_chats: set[str] = set()
        self._paused_until = 0.0
        self._running = False
        # Updates are taken from start() until stop() has drained the in-flight ones.
        self._accepting = False

    # --- what a platform adapter provides -------------------------------------------------

    @abstractmethod
    def _render(self, chat_id: str, reply: Reply) -> list[SendPart]:
        """Return the API calls that deliver `reply`, in order, each raising ChannelError."""

    @abstractmethod
    async def _send_typing(self, chat_id: str) -> None:
        """Show a typing indicator in the chat."""

    @abstractmethod
    async def _start_intake(self) -> None:
        """Start taking updates (polling task or webhook route)."""

    @abstractmethod
    async def _stop_intake(self) -> None:
        """Stop taking updates; in-flight handlers keep running."""

    @abstractmethod
    async def _close(self) -> None:
        """Release sessions and connections."""

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start taking updates and answering them."""
        if self._running:
            return
        self._running = True
        self._accepting = True
        try:
            await self._start_intake()
        except BaseException:
            self._running = False
            await self._close()
            raise
        logger.info("channel %s started", self.name)

    async def stop(self) -> None:
        """Stop taking updates, let in-flight handlers finish, close sessions."""
        if not self._running:
            await self._close()
            return
        self._running = False
        try:
            await self._stop_intake()
            await self._drain()
        finally:
            self._accepting = False
            await self._close()
        logger.info("channel %s stopped", self.name)

    async def _drain(self) -> None:
        """Wait for in-flight updates (including any they start) up to the drain timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._drain_timeout
        while self._tasks:
            pending = set(self._tasks)
            logger.info("channel %s: waiting for %d in-flight update(s)", self.name, len(pending))
            _done, still = await asyncio.wait(pending, timeout=max(0.0, deadline - loop.time()))
            if still:
                for task in still:
                    task.cancel()
                logger.warning("channel %s: cancelled %d update(s) at stop", self.name, len(still))
                await asyncio.gather(*still, return_exceptions=True)
                return

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run `coro` as a tracked task that stop() waits for."""
        if not self._accepting:
            coro.close()
            logger.warning("channel %s: an update arrived after stop and was dropped", self.name)
            return
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "channel %s: update task failed", self.name, exc_info=task.exception()
            )

    # --- incoming -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat_id: str) -> AsyncIterator[None]:
        """Serialise handling and answering per chat, so replies never interleave."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_users[chat_id] = self._chat_users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._chat_users[chat_id] -= 1
            if not self._chat_users[chat_id]:
                del self._chat_users[chat_id]
                del self._chat_locks[chat_id]

    async def _process(
        self, incoming: Incoming, prelude: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Run `prelude`, hand one message to the core, deliver replies, all in the chat's turn."""
        async with self._chat_turn(incoming.chat_id):
            self._blocked_chats.discard(incoming.chat_id)
            if prelude is not None:
                await prelude()
            typing = asyncio.create_task(self._typing_loop(incoming.chat_id))
            try:
                replies = await self._handle(incoming)
            except Exception:
                logger.exception("channel %s: handler failed", self.name)
                return
            finally:
                typing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await typing
            await self._answer(incoming.chat_id, incoming.user_id, replies)

    async def _reply_directly(self, chat_id: str, user_id: str, replies: list[Reply]) -> None:
        """Send replies decided by the adapter itself, in the chat's turn."""
        async with self._chat_turn(chat_id):
            await self._answer(chat_id, user_id, replies)

    async def _typing_loop(self, chat_id: str) -> None:
        await asyncio.sleep(self._typing_delay)
        while True:
            try:
                await self._send_typing(chat_id)
            except Exception as exc:  # a missing indicator is cosmetic
                logger.debug("channel %s: typing failed: %s", self.name, type(exc).__name__)
            await asyncio.sleep(self._typing_interval)

    async def _answer(self, chat_id: str, user_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            if chat_id in self._blocked_chats:
                return
            try:
                await self._deliver(self._render(chat_id, reply), public=False)
            except Blocked:
                await self._mark_blocked(chat_id, user_id)
                return
            except (RetryAfter, TransientError) as exc:
                logger.warning(
                    "channel %s: dropped the rest of an answer: %s", self.name, type(exc).__name__
                )
                return
            except PermanentError as exc:
                logger.error("channel %s: a reply was rejected: %s", self.name, exc)

    async def _mark_blocked(self, chat_id: str, user_id: str) -> None:
        self._blocked_chats.add(chat_id)
        logger.info("channel %s: the bot is blocked in a chat", self.name)
        try:
            await self._on_blocked(self.name, user_id)
        except Exception:
            logger.exception("channel %s: on_blocked failed", self.name)

    # --- outgoing -------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send `reply` to `chat_id` now; raise RetryAfter, Blocked, TransientError, ..."""
        if chat_id in self._blocked_chats:
            raise Blocked("chat is known to have blocked the bot")
        try:
            await self._deliver(self._render(chat_id, reply), public=True)
        except Blocked:
            # A private chat's id is its user's id on both platforms.
            await self._mark_blocked(chat_id, chat_id)
            raise

    def _pause(self, seconds: float) -> None:
        """Hold every send of this channel for `seconds` (the platform asked so)."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    def _pause_left(self) -> float:
        return max(0.0, self._paused_until - asyncio.get_running_loop().time())

    async def _deliver(self, parts: list[SendPart], *, public: bool) -> None:
        """Run the parts in order; wait out 429s unless nothing was sent yet for a caller."""
        for index, part in enumerate(parts):
            nothing_sent = index == 0
            rate_limited = 0
            transient = 0
            while True:
                left = self._pause_left()
                if left > 0:
                    if public and nothing_sent:
                        raise RetryAfter(left)
                    await asyncio.sleep(left)
                try:
                    await part()
                    break
                except RetryAfter as exc:
                    self._pause(exc.seconds)
                    rate_limited += 1
                    if (public and nothing_sent) or rate_limited > 3:
                        raise
                    if exc.seconds > self._max_retry_wait:
                        raise
                    logger.warning(
                        "channel %s: rate limited, waiting %.1f s", self.name, exc.seconds
                    )
                except TransientError:
                    transient += 1
                    if public or transient > 1:
                        raise
                    await asyncio.sleep(1.0)
