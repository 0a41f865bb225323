"""Machinery shared by the channel adapters: durable intake, per-chat order, typing,
retries, health (starting/ok/down/paused), pauses when the platform refuses the bot, drain."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from bot.channels.inbox import Inbox, InboxItem
from bot.channels.status import ChannelStatus
from bot.channels.support import (
    GROUP_KEY,
    UNSUPPORTED_KEY,
    Handle,
    OnAlert,
    OnBlocked,
    RecentKeys,
    Reclaimed,
    Refused,
    SendPart,
    TextSource,
    Ticket,
    Unrecorded,
    Update,
    as_translate,
)
from bot.core.channel_errors import (
    Blocked,
    ChannelUnauthorized,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.core.metrics import LATENCY, MESSAGES
from bot.core.tasks import cancel_and_wait
from bot.core.types import Incoming, Reply

__all__ = ["GROUP_KEY", "UNSUPPORTED_KEY", "BaseChannel", "Handle", "OnAlert", "OnBlocked",
           "RecentKeys", "Refused", "SendPart", "TextSource", "Ticket"]

logger = logging.getLogger(__name__)

# Updates taken from the inbox at most, as a multiple of the slots (max_in_flight): those
# beyond the slots wait behind an earlier message of their chat.
BEHIND_FACTOR = 4


class BaseChannel(ABC):
    """Template for an adapter: subclasses render replies and move bytes, this class the rest."""

    name: str = "base"

    def __init__(
        self,
        *,
        handle: Handle,
        on_blocked: OnBlocked,
        texts: TextSource,
        inbox: Inbox | None = None,
        on_alert: OnAlert | None = None,
        typing_delay: float = 1.0,
        typing_interval: float = 4.0,
        max_retry_wait: float = 60.0,
        drain_timeout: float = 30.0,
        max_in_flight: int = 16,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        start_wait: float = 5.0,
        refusal_burst: int = 5,
        refusal_window: float = 60.0,
        refusal_pause: float = 60.0,
        refusal_pause_max: float = 900.0,
        idle_claim_wait: float = 1.0,
        max_download_bytes: int = 20_000_000,
    ) -> None:
        self._handle = handle
        self._on_blocked = on_blocked
        self._on_alert = on_alert
        self._t = as_translate(texts)
        self._inbox = inbox
        self._typing_delay = typing_delay
        self._typing_interval = typing_interval
        self._max_retry_wait = max_retry_wait
        self._drain_timeout = drain_timeout
        self._max_in_flight = max_in_flight
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._start_wait = start_wait
        self._idle_claim_wait = idle_claim_wait
        # Files and photos people send are fetched at once up to this size (MAX_UPLOAD_BYTES).
        self._max_download = max_download_bytes
        self._tasks: set[asyncio.Task[Any]] = set()
        self._side_tasks: set[asyncio.Task[Any]] = set()
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._chat_users: dict[str, int] = {}
        # Updates waiting for their chat's turn (an earlier message of the chat is being
        # handled): they take no slot, so that one chat's burst does not hold back others.
        self._behind = 0
        self._went_behind = asyncio.Event()
        self._blocked_chats: set[str] = set()
        self._seen = RecentKeys(10_000)
        self._paused_until = 0.0
        self._running = False
        # Updates are taken from start() until stop() has drained the in-flight ones.
        self._accepting = False
        self._supervisor: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._intake_started = False
        self._status = ChannelStatus(self.name, burst=refusal_burst, window=refusal_window,
                                     pause=refusal_pause, pause_max=refusal_pause_max)

    # --- what a platform adapter provides -------------------------------------------------

    @abstractmethod
    def _render(self, chat_id: str, reply: Reply) -> list[SendPart]:
        """Return the API calls that deliver `reply`, in order, each raising ChannelError."""

    @abstractmethod
    async def _send_typing(self, chat_id: str) -> None:
        """Show a typing indicator in the chat."""

    @abstractmethod
    async def _start_intake(self) -> None:
        """Start taking updates (polling task or webhook route); raise to be retried."""

    @abstractmethod
    async def _stop_intake(self) -> None:
        """Stop taking updates; in-flight handlers keep running."""

    @abstractmethod
    async def _close(self) -> None:
        """Release sessions and connections."""

    @abstractmethod
    async def _on_update(self, payload: dict[str, Any], ticket: Ticket) -> None:
        """Handle one stored update (via _process or _reply_directly)."""

    def _check_start(self) -> None:  # noqa: B027  (optional hook)
        """Refuse to start on a configuration error (raise); platform errors are retried."""

    # --- health ---------------------------------------------------------------------------

    @property
    def state(self) -> str:
        """Return starting, ok, down (intake failing) or paused (the platform refuses us)."""
        return self._status.state

    def health(self) -> dict[str, str | None]:
        """Return the state and last error kind, as /readyz shows them."""
        return self._status.health()

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start taking updates; a platform that fails is retried in the background.

        Returns once the first attempt ended (or after `start_wait`), never raising for a
        platform or network failure: the channel reports itself down and keeps retrying
        with backoff while the other channels serve.
        """
        if self._running:
            return
        self._check_start()
        self._running = True
        self._accepting = True
        self._status.starting()
        if self._inbox is not None:
            self._worker = asyncio.create_task(self._work_loop(), name=f"{self.name}-inbox")
        first = asyncio.Event()
        self._supervisor = asyncio.create_task(self._supervise(first),
                                               name=f"{self.name}-start")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first.wait(), timeout=self._start_wait)

    async def _supervise(self, first: asyncio.Event) -> None:
        delay = self._backoff_initial
        while self._running:
            try:
                await self._start_intake()
            except asyncio.CancelledError:
                first.set()
                raise
            except Exception as exc:
                kind = self._status.intake_failed(exc)
                first.set()
                logger.warning("channel %s: could not start (%s); retry in %.1f s",
                               self.name, kind, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)
                continue
            self._intake_started = True
            self._status.intake_ok()
            first.set()
            logger.info("channel %s started", self.name)
            return

    async def stop(self) -> None:
        """Stop taking updates, let in-flight handlers finish, close sessions."""
        if not self._running:
            await self._close()
            return
        self._running = False
        try:
            await cancel_and_wait(self._supervisor, self._worker)
            self._supervisor = self._worker = None
            await self._stop_intake()  # adapters cope with an intake that never started
            self._intake_started = False
            await self._drain()
            if self._side_tasks:
                await asyncio.wait(set(self._side_tasks), timeout=5.0)
            if self._inbox is not None:
                try:
                    await self._inbox.release(self.name)
                except Exception as exc:
                    logger.error("channel %s: could not release claimed updates: %s",
                                 self.name, type(exc).__name__)
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
                logger.warning("channel %s: cancelled %d update(s) at stop", self.name, len(still))
                await cancel_and_wait(*still)
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

    def _spawn_side(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "channel %s: update task failed", self.name, exc_info=task.exception()
            )

    # --- intake: store first, then handle from the inbox ------------------------------------

    async def _take(self, updates: list[Update]) -> None:
        """Store updates before they are acknowledged (raise if that failed), then handle.

        Without an inbox (unit tests), updates are deduplicated in memory and handled now.
        """
        if self._inbox is not None:
            await self._inbox.store(self.name, updates)
            return
        for key, payload in updates:
            if not self._seen.add(key):
                logger.info("channel %s: duplicate update ignored", self.name)
                continue
            self._spawn(self._run_item(InboxItem(0, key, payload)))

    async def _work_loop(self) -> None:
        """Claim stored updates (oldest first) and handle them, a bounded number at once."""
        assert self._inbox is not None
        inbox = self._inbox
        try:
            await inbox.recover(self.name)
        except Exception as exc:
            logger.error("channel %s: inbox recovery failed: %s", self.name, type(exc).__name__)
        wake = inbox.wakeup(self.name)
        last_purge = 0.0
        failures = 0
        # While updates wait (the last claim took all it asked for), claim for a quarter of
        # the slots at once rather than one each time an update ends: fewer, larger claims.
        batch = max(1, self._max_in_flight // 4)
        backlog = False
        handed = False  # the last updates came stored claimed (wait_stored): wait again
        while self._running:
            if time.monotonic() - last_purge > 3600:
                last_purge = time.monotonic()
                with contextlib.suppress(Exception):
                    await inbox.purge()
            # Slots are for updates being handled; those waiting behind an earlier message
            # of their chat take none (up to BEHIND_FACTOR times the slots in all).
            free = min(self._max_in_flight - len(self._tasks) + self._behind,
                       BEHIND_FACTOR * self._max_in_flight - len(self._tasks))
            if free <= 0 or (backlog and free < batch):
                self._went_behind.clear()
                went_behind = asyncio.ensure_future(self._went_behind.wait())
                try:
                    await asyncio.wait({*self._tasks, went_behind},
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    went_behind.cancel()
                continue
            if handed and not wake.is_set():
                # None stored unclaimed since: nothing to claim, wait for the next ones.
                items = await inbox.wait_stored(self.name, free, self._idle_claim_wait)
                handed = bool(items)
                for item in items:
                    self._spawn(self._run_item(item))
                continue
            wake.clear()
            try:
                items = await inbox.claim(self.name, free)
                backlog = len(items) == free
                failures = 0
            except Exception as exc:
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    logger.error("channel %s: cannot read the inbox (%s)", self.name,
                                 type(exc).__name__)
                await asyncio.sleep(min(self._backoff_max, self._backoff_initial * failures))
                continue
            if not items:
                # None pending: the next updates this process stores are claimed for this
                # loop as they are stored (one write each); woken too when some are stored
                # unclaimed, to claim them, and after idle_claim_wait for other processes'.
                items = await inbox.wait_stored(self.name, free, self._idle_claim_wait)
                handed = bool(items)
            for item in items:
                self._spawn(self._run_item(item))

    async def _run_item(self, item: InboxItem) -> None:
        """Handle one update and close its inbox row (metrics: outcome and latency)."""
        ticket = Ticket(self._inbox, item.id)
        started = time.monotonic()
        try:
            await self._on_update(item.payload, ticket)
        except Unrecorded as exc:
            logger.error("channel %s: not answered, the inbox is unavailable (%s)", self.name,
                         exc)
            MESSAGES.inc(channel=self.name, outcome="unrecorded")
            return  # the row stays claimed: handled again after a restart or its lease
        except Reclaimed:
            logger.warning("channel %s: an update claimed again after a database restart is "
                           "answered by its new claim, not here", self.name)
            MESSAGES.inc(channel=self.name, outcome="reclaimed")
            return
        except Exception as exc:
            logger.error("channel %s: an update could not be handled: %s", self.name,
                         type(exc).__name__, exc_info=True)
            ticket.fail(type(exc).__name__)
        if ticket.inbox is not None and not ticket.settled():
            try:
                # Joins the next inbox round (one transaction with the other updates' writes).
                await ticket.inbox.finish(item.id, ticket.status, ticket.error)
            except Exception as exc:
                logger.error("channel %s: could not close an inbox row: %s", self.name,
                             type(exc).__name__)
        MESSAGES.inc(channel=self.name, outcome=ticket.outcome)
        LATENCY.observe(time.monotonic() - started, channel=self.name)

    # --- handling -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat_id: str) -> AsyncIterator[None]:
        """Serialise handling and answering per chat, so replies never interleave."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_users[chat_id] = self._chat_users.get(chat_id, 0) + 1
        behind = lock.locked()
        if behind:
            self._behind += 1
            self._went_behind.set()  # a slot is free for another chat's update
        try:
            await lock.acquire()
            if behind:
                behind = False
                self._behind -= 1
            try:
                yield
            finally:
                lock.release()
        finally:
            if behind:  # cancelled while waiting
                self._behind -= 1
            self._chat_users[chat_id] -= 1
            if not self._chat_users[chat_id]:
                del self._chat_users[chat_id]
                del self._chat_locks[chat_id]

    async def _process(
        self,
        incoming: Incoming,
        ticket: Ticket,
        prelude: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        """Hand one message to the core and deliver its replies, in the chat's turn.

        `prelude` (a press answered, its keyboard replaced) runs beside the handling and
        has ended before the replies go. The update's inbox row is closed with the
        message's effects when the core commits them (storage.inbox.marks), else just
        before the replies go: one write either way."""
        async with self._chat_turn(incoming.chat_id):
            self._blocked_chats.discard(incoming.chat_id)
            beside = asyncio.create_task(prelude()) if prelude is not None else None
            # The typing indicator only for a slow answer: a timer, not a task per message.
            typing: list[asyncio.Task[None]] = []
            timer = asyncio.get_running_loop().call_later(
                self._typing_delay,
                lambda: typing.append(asyncio.create_task(self._typing_loop(incoming.chat_id))))
            try:
                with ticket.offered():
                    replies = await self._handle(incoming)
            except Exception as exc:
                logger.exception("channel %s: handler failed", self.name)
                ticket.fail(type(exc).__name__)
                return
            finally:
                timer.cancel()
                await cancel_and_wait(*typing)
                if beside is not None:
                    await self._settle(beside)
            if replies:
                await ticket.answering()
            await self._answer(incoming.chat_id, incoming.user_id, replies)

    async def _settle(self, beside: asyncio.Task[None]) -> None:
        """Wait for a task run beside the handling; its failure is logged, not raised (the
        answer still goes), and a stop cancels it with the handling."""
        try:
            await asyncio.shield(beside)
        except asyncio.CancelledError:
            await cancel_and_wait(beside)
            raise
        except Exception as exc:
            logger.warning("channel %s: a step beside the handling failed: %s", self.name,
                           type(exc).__name__)

    async def _reply_directly(
        self, chat_id: str, user_id: str, replies: list[Reply], ticket: Ticket
    ) -> None:
        """Send replies decided by the adapter itself, in the chat's turn."""
        async with self._chat_turn(chat_id):
            await ticket.answering()
            await self._answer(chat_id, user_id, replies)

    async def _typing_loop(self, chat_id: str) -> None:
        """Show the indicator now and again every typing_interval until cancelled."""
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

    # --- the platform refuses the bot: pause, alert ------------------------------------------

    def _refused(self, kind: str) -> ChannelUnauthorized:
        """Pause this channel and alert the admins once per episode; return the error."""
        error, alert = self._status.refuse(kind)
        if alert and self._on_alert is not None:
            self._spawn_side(self._alert(kind))
        return error

    async def _alert(self, kind: str) -> None:
        assert self._on_alert is not None
        try:
            await self._on_alert(self.name, kind)
        except Exception as exc:
            logger.error("channel %s: could not alert the admins: %s", self.name,
                         type(exc).__name__)

    # --- outgoing -------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send `reply` to `chat_id` now; raise RetryAfter (ChannelUnauthorized: the channel
        is paused), Blocked, TransientError or PermanentError."""
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
                if self._status.refusal_left() > 0:
                    raise self._status.paused_error()
                left = self._pause_left()
                if left > 0:
                    if public and nothing_sent:
                        raise RetryAfter(left)
                    await asyncio.sleep(left)
                try:
                    await part()
                    self._status.accepted()
                    break
                except ChannelUnauthorized as exc:
                    raise self._refused(exc.kind) from None
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
                except Refused:
                    if self._status.note_refusal():
                        raise self._refused("refused") from None
                    transient += 1
                    if public or transient > 1:
                        raise
                    await asyncio.sleep(1.0)
                except TransientError:
                    transient += 1
                    if public or transient > 1:
                        raise
                    await asyncio.sleep(1.0)
