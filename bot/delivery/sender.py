"""The one sender: drains a channel's outbox at the platform's pace, re-checking each row.

A cycle claims a batch of due rows (marked "sending"), re-checks them all at once (blocked
account, consent, the person's /nhacnho choice, quiet hours, the daily limit, the rule's own
condition, a cancelled broadcast), then sends the rest evenly paced, each in its own task
(a few in flight, so platform latency does not lower the rate). Every outcome is committed
right after the platform answers: a row confirmed sent is never sent again; after a crash,
rows left "sending" go back to the queue, so only a message in flight at that moment can
arrive twice. When an outcome cannot be recorded (the database is down), the sender stops:
the rest of the claimed rows are held unsent, and after a growing pause they go back to the
queue (the unrecorded one included: the one duplicate the outage can cause).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.channel_errors import (
    Blocked,
    PermanentError,
    RetryAfter,
    TransientError,
    Unreachable,
)
from bot.core.tasks import cancel_and_wait
from bot.core.types import Reply
from bot.delivery.pacing import ChatSpacing, Pacer, sleep_or
from bot.delivery.render import broadcast_reply, notice_reply, parts_of
from bot.delivery.timing import day_bounds, retry_delay
from content.address import addressing
from content.privacy import Purpose
from storage.delivery.queries import block_account
from storage.delivery.repo import (
    BroadcastRepo,
    BroadcastStatus,
    OutboxItem,
    OutboxRepo,
    OutboxStatus,
    ReminderPrefsRepo,
    Source,
    people_with_consent,
)
from storage.people import PeopleRepo

if TYPE_CHECKING:
    from bot.delivery.service import Delivery

logger = logging.getLogger(__name__)

WRITE_RETRIES = 5
# Pause after an outcome could not be recorded: doubles from the first to the last.
OUTAGE_PAUSE = (timedelta(seconds=1), timedelta(seconds=60))
Ready = tuple[OutboxItem, Reply]


class ChannelSender(Protocol):
    """What the sender needs of a channel: send one reply to one chat now."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send; raise RetryAfter, Blocked, TransientError or PermanentError."""
        ...


class WindowedSender(ChannelSender, Protocol):
    """A channel that cannot reach everyone at any time (the Zalo OA's 7-day window)."""

    async def unreachable(self, chat_ids: Sequence[str], now: datetime) -> dict[str, str]:
        """Return why each of the chats cannot be messaged now (the others may be)."""
        ...


@dataclass
class SendStats:
    """What one sender did since it started."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0
    retried: int = 0
    rate_limited: int = 0
    rerouted: int = 0
    unreachable: int = 0


class OutboxSender:
    """Sends the outbox rows of one channel."""

    def __init__(self, delivery: Delivery, channel: str, target: ChannelSender, *,
                 rate: float | None, chat_rate: float | None, max_in_flight: int = 8,
                 batch: int | None = None, idle_wait: float = 1.0) -> None:
        self.delivery = delivery
        self.channel = channel
        self.target = target
        self.pacer = Pacer(rate)
        # Per-chat spacing follows the injected clock, like the rows' due times it sets.
        self.spacing = ChatSpacing(chat_rate, now=lambda: delivery.clock.now().timestamp())
        self.batch = batch or max(10, min(200, int((rate or 100) * 2)))
        self.idle_wait = idle_wait
        self.stats = SendStats()
        self._slots = asyncio.Semaphore(max_in_flight)
        self.wakeup = delivery.new_wakeup()
        self._tasks: set[asyncio.Task[None]] = set()
        # How outcomes are recorded (tests wrap it to inject a database failure).
        self.repo_factory: Callable[[AsyncSession], OutboxRepo] = OutboxRepo
        self.write_retries = WRITE_RETRIES
        # Database outage: rows claimed but not sent, and when to try again.
        self._held: list[int] = []
        self._paused_until: datetime | None = None
        self._pause = OUTAGE_PAUSE[0]

    # --- loops ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish the sends in flight.

        A producer claims and re-checks the next batch while the current one is being sent,
        so database time never leaves a gap in the pace.
        """
        logger.info("sender %s: started", self.channel)
        queue: asyncio.Queue[Ready] = asyncio.Queue()
        producer = asyncio.create_task(self._produce(queue, stop))
        try:
            while True:
                entry = await _next_or_stop(queue, stop)
                if entry is None:
                    break
                await self._dispatch(*entry)
        finally:
            await cancel_and_wait(producer)
            left = [queue.get_nowait()[0].id for _ in range(queue.qsize())]
            if left:
                await self._release(left)
            await self._finish_in_flight()
            logger.info("sender %s: stopped (%s)", self.channel, self.stats)

    async def _produce(self, queue: asyncio.Queue[Ready], stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                wait = self._quiet_wait()
                if wait > 0:
                    await sleep_or(stop, min(wait, 60.0))
                    continue
                paused = self._pause_left()
                if paused > 0:
                    await sleep_or(stop, min(paused, 60.0))
                    continue
                if queue.qsize() > self.batch // 2:
                    await sleep_or(stop, 0.05)
                    continue
                claimed, ready = await self._claim()
                for entry in ready:
                    queue.put_nowait(entry)
                if not claimed:
                    await sleep_or(stop, self.idle_wait, self.wakeup)
            except Exception:
                logger.exception("sender %s: claiming failed; retrying", self.channel)
                await sleep_or(stop, self.idle_wait)

    async def drain(self) -> int:
        """Send everything due now (used by the console and tests); return how many went."""
        before = self.stats.sent
        while True:
            claimed, ready = await self._claim()
            if not claimed:
                break
            for entry in ready:
                await self._dispatch(*entry)
        await self._finish_in_flight()
        return self.stats.sent - before

    # --- database outage ------------------------------------------------------------------

    def _pause_left(self) -> float:
        if self._paused_until is None:
            return 0.0
        return (self._paused_until - self.delivery.clock.now()).total_seconds()

    def _stall(self, row_id: int) -> None:
        """An outcome could not be recorded: hold the row, send nothing more for a while."""
        self._held.append(row_id)
        if self._paused_until is None or self._pause_left() <= 0:
            self._paused_until = self.delivery.clock.now() + self._pause
            logger.error("sender %s: cannot record outcomes; pausing %.0f s", self.channel,
                         self._pause.total_seconds())
            self._pause = min(self._pause * 2, OUTAGE_PAUSE[1])

    async def _resume(self) -> bool:
        """After a pause, put the held rows back in the queue; tell if sending may go on."""
        if self._paused_until is None:
            return True
        if self._pause_left() > 0 or self._tasks:
            return False
        held, self._held = self._held, []
        try:
            if held:
                await self._release(held)
        except Exception:
            logger.warning("sender %s: database still unavailable", self.channel)
            self._held = held + self._held
            self._paused_until = self.delivery.clock.now() + self._pause
            self._pause = min(self._pause * 2, OUTAGE_PAUSE[1])
            return False
        logger.info("sender %s: database back, %d held rows re-queued", self.channel,
                    len(held))
        self._paused_until = None
        self._pause = OUTAGE_PAUSE[0]
        return True

    def _quiet_wait(self) -> float:
        now = self.delivery.clock.now()
        allowed = self.delivery.quiet.next_allowed(now, self.delivery.tz)
        return (allowed - now).total_seconds()

    async def _finish_in_flight(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- one batch ------------------------------------------------------------------------

    async def _claim(self) -> tuple[int, list[Ready]]:
        """Claim a batch of due rows and re-check it; return (claimed, ready to send)."""
        if not await self._resume():
            return 0, []
        now = self.delivery.clock.now()
        if self._quiet_wait() > 0:
            return 0, []
        async with self.delivery.sessions() as session:
            items = await OutboxRepo(session).claim(self.channel, now, self.batch)
            await session.commit()
        if not items:
            return 0, []
        return len(items), await self._check(items, now)

    async def _dispatch(self, item: OutboxItem, reply: Reply) -> None:
        """Send one checked row at the channel's pace (or put it back for later)."""
        if self._paused_until is not None:  # outcomes cannot be recorded: do not send
            self._held.append(item.id)
            return
        quiet = self._quiet_wait()
        if quiet > 0:
            self._spawn(self._postpone_one(item.id, quiet))
            return
        wait = self.spacing.wait_for(item.chat_id)
        if wait > 0:
            self._spawn(self._postpone_one(item.id, wait))
            return
        parts = parts_of(reply, self.channel)
        await self.pacer.acquire(parts)
        self.spacing.note(item.chat_id, parts)
        await self._slots.acquire()
        if self._paused_until is not None:  # an outage began while waiting for a slot
            self._slots.release()
            self._held.append(item.id)
            return
        self._spawn(self._send(item, reply))

    async def _release(self, row_ids: list[int]) -> None:
        now = self.delivery.clock.now()
        await self._write(lambda repo: repo.postpone(row_ids, now, now))

    async def _postpone_one(self, row_id: int, seconds: float) -> None:
        later = self.delivery.clock.now() + timedelta(seconds=seconds)
        await self._write(lambda repo: repo.postpone([row_id], later, self.delivery.clock.now()))

    async def _check(self, items: list[OutboxItem], now: datetime) -> list[Ready]:
        """Re-check claimed rows; close or postpone those that must not go now."""
        delivery = self.delivery
        ready: list[Ready] = []
        async with delivery.sessions() as session:
            repo = OutboxRepo(session)
            proactive = [i.person_id for i in items if i.source != Source.NOTICE]
            consenting = await people_with_consent(session, proactive, Purpose.REMINDERS)
            disabled = await ReminderPrefsRepo(session).disabled_among(
                proactive, {i.kind for i in items})
            broadcast_ids = {i.broadcast_id for i in items if i.broadcast_id is not None}
            broadcasts = BroadcastRepo(session)
            statuses = await broadcasts.statuses(broadcast_ids)
            contents = await broadcasts.contents(broadcast_ids)
            start, end = day_bounds(now, delivery.tz)
            reminded = await repo.sent_between(
                [i.person_id for i in items if i.source == Source.REMINDER], Source.REMINDER,
                start, end)
            # Each row speaks to its recipient by their own word (bác, chị…).
            addresses = await PeopleRepo(session).addresses(i.person_id for i in items)
            for item in items:
                reason = await self._refusal(session, item, now, consenting, disabled, statuses,
                                             reminded)
                if reason is not None:
                    status = OutboxStatus.BLOCKED if reason == "blocked" else \
                        OutboxStatus.CANCELLED
                    await repo.finish(item.id, status, now, reason)
                    if status is OutboxStatus.BLOCKED:
                        self.stats.blocked += 1
                    else:
                        self.stats.cancelled += 1
                    continue
                if item.source == Source.REMINDER:
                    reminded[item.person_id] = reminded.get(item.person_id, 0) + 1
                ready.append((item, self._render(item, contents,
                                                 addresses.get(item.person_id))))
            await session.commit()
        return await self._reachable(ready, now)

    # --- can the channel reach them now? (the Zalo OA's interaction window) ----------------

    async def _reachable(self, ready: list[Ready], now: datetime) -> list[Ready]:
        """Ask a windowed channel which of the checked rows it cannot deliver now; reroute
        those to the person's other channel, or record them unreachable with the reason."""
        hook = getattr(self.target, "unreachable", None)
        if hook is None or not ready:
            return ready
        try:
            refused: dict[str, str] = await hook([item.chat_id for item, _ in ready], now)
        except Exception:  # send anyway: the platform's own window errors still hold
            logger.exception("sender %s: the reachability check failed", self.channel)
            return ready
        if not refused:
            return ready
        for item, _reply in ready:
            if item.chat_id in refused:
                await self._write(functools.partial(self._reroute, item=item,
                                                    reason=refused[item.chat_id]))
        return [entry for entry in ready if entry[0].chat_id not in refused]

    async def _reroute(self, repo: OutboxRepo, item: OutboxItem, reason: str) -> None:
        live = self.delivery.live_channels
        channels = None if live is None else live - {self.channel}
        via = await repo.reroute(item.id, self.delivery.clock.now(), reason, channels)
        if via is None:
            self.stats.unreachable += 1
            logger.info("sender %s: row %s unreachable: %s", self.channel, item.id, reason)
        else:
            self.stats.rerouted += 1
            self.delivery.wake()

    async def _refusal(self, session: AsyncSession, item: OutboxItem, now: datetime,
                       consenting: set[int], disabled: set[tuple[int, str]],
                       statuses: dict[int, str], reminded: dict[int, int]) -> str | None:
        """Return why a row must not be sent (None when it may go)."""
        if item.account_blocked:
            return "blocked"
        if item.expires_at is not None and now >= item.expires_at:
            return "expired"
        if item.source != Source.NOTICE:
            if item.person_id not in consenting:
                return "no consent"
            if (item.person_id, item.kind) in disabled:
                return "switched off"
        if item.broadcast_id is not None and \
                statuses.get(item.broadcast_id) == BroadcastStatus.CANCELLED:
            return "broadcast cancelled"
        if item.source == Source.REMINDER:
            rule = self.delivery.registry.rules.get(item.rule_id or "")
            if rule is None:
                return "rule removed"
            if reminded.get(item.person_id, 0) >= self.delivery.settings.reminder_max_per_day:
                return "daily limit"
            try:
                applies = await rule.still_applies(session, item.person_id,
                                                   item.check_key or "")
            except Exception:
                logger.exception("rule %s: still_applies failed", rule.id)
                return "rule error"
            if not applies:
                return "no longer applies"
        return None

    def _render(self, item: OutboxItem,
                contents: dict[int, tuple[str, str | None, str | None]],
                address: str | None = None) -> Reply:
        """Render a row for its recipient, who is called `address` (None: "bạn")."""
        messages = self.delivery.messages
        with addressing(address):
            if item.broadcast_id is not None:
                text, photo, sender = contents[item.broadcast_id]
                return broadcast_reply(messages, text, photo, self.channel, sender)
            footer = "reminders.footer" if item.source == Source.REMINDER else None
            return notice_reply(messages, item.message_key or "", item.params, footer)

    # --- one send -------------------------------------------------------------------------

    async def _send(self, item: OutboxItem, reply: Reply) -> None:
        try:
            await self._attempt(item, reply)
        except Exception:
            logger.exception("sender %s: recording a send failed (row %s)", self.channel,
                             item.id)
            self._stall(item.id)
        finally:
            self._slots.release()

    async def _attempt(self, item: OutboxItem, reply: Reply) -> None:
        clock = self.delivery.clock
        try:
            await self.target.send(item.chat_id, reply)
        except RetryAfter as exc:
            self.pacer.pause(exc.seconds)
            self.stats.rate_limited += 1
            logger.warning("sender %s: rate limited for %.1f s", self.channel, exc.seconds)
            until = clock.now() + timedelta(seconds=exc.seconds)
            await self._write(lambda repo: repo.postpone([item.id], until, clock.now(),
                                                         "rate limited"))
        except Blocked:
            self.stats.blocked += 1
            await self._write(lambda repo: self._blocked(repo, item))
        except Unreachable as exc:  # the platform says so: never retried
            reason = str(exc)
            await self._write(lambda repo: self._reroute(repo, item, reason))
        except PermanentError as exc:
            self.stats.failed += 1
            refused = str(exc)
            logger.error("sender %s: message refused (row %s): %s", self.channel, item.id,
                         type(exc).__name__)
            await self._write(lambda repo: repo.finish(item.id, OutboxStatus.FAILED,
                                                       clock.now(), refused, attempted=True))
        except (TransientError, OSError, TimeoutError) as exc:
            await self._transient(item, exc)
        except Exception as exc:  # a bug in a channel must not lose the row
            logger.exception("sender %s: unexpected send error (row %s)", self.channel, item.id)
            await self._transient(item, exc)
        else:
            self.stats.sent += 1
            await self._write(lambda repo: repo.mark_sent(item.id, clock.now()))

    async def _transient(self, item: OutboxItem, exc: BaseException) -> None:
        clock = self.delivery.clock
        attempts = item.attempts + 1
        error = f"{type(exc).__name__}: {exc}"
        if attempts >= self.delivery.settings.delivery_retry_limit:
            self.stats.failed += 1
            await self._write(lambda repo: repo.finish(item.id, OutboxStatus.FAILED,
                                                       clock.now(), error, attempted=True))
            return
        self.stats.retried += 1
        until = clock.now() + retry_delay(attempts)
        await self._write(lambda repo: repo.postpone([item.id], until, clock.now(), error,
                                                     attempted=True))

    async def _blocked(self, repo: OutboxRepo, item: OutboxItem) -> None:
        now = self.delivery.clock.now()
        await repo.finish(item.id, OutboxStatus.BLOCKED, now, "blocked by the person",
                          attempted=True)
        await block_account(repo.session, item.account_id, now)

    async def _write(self, action: Callable[[OutboxRepo], Awaitable[None]]) -> None:
        """Run `action(repo)` in its own transaction, retrying while the database is busy."""
        for attempt in range(self.write_retries):
            try:
                async with self.delivery.sessions() as session:
                    await action(self.repo_factory(session))
                    await session.commit()
                return
            except Exception:
                if attempt == self.write_retries - 1:
                    raise
                logger.warning("sender %s: write failed, retrying", self.channel)
                await asyncio.sleep(0.2 * (attempt + 1))


async def _next_or_stop(queue: asyncio.Queue[Ready], stop: asyncio.Event) -> Ready | None:
    """Return the next queued row, or None once `stop` is set."""
    if stop.is_set():
        return None
    if not queue.empty():
        return queue.get_nowait()
    getter = asyncio.create_task(queue.get())
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        await cancel_and_wait(getter, stopper)
    if getter.done() and not getter.cancelled():
        entry = getter.result()
        if stop.is_set():
            queue.put_nowait(entry)  # released with the rest
            return None
        return entry
    return None
