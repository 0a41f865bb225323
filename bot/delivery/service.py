"""The delivery facade: producers (reminder tick, broadcast pump, notices) and the senders."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.traits import local_channels, traits_of
from bot.delivery.registry import DeliveryRegistry
from bot.delivery.reminders import Moment, ReminderRule, refresh_rules
from bot.delivery.sender import ChannelSender, OutboxSender
from bot.delivery.timing import QuietHours
from content.messages import Messages
from content.privacy import Purpose
from storage.delivery.queries import (
    audience_ids_after,
    count_recipients,
    reachable_account,
    recipients_among,
)
from storage.delivery.repo import (
    BROADCAST_KIND,
    PRIORITY_BULK,
    WAITING,
    Broadcast,
    BroadcastRepo,
    BroadcastStatus,
    NewMessage,
    OutboxRepo,
    OutboxStatus,
    Reach,
    ReminderRunRepo,
    Source,
    recipients_of,
)

if TYPE_CHECKING:
    from bot.core.context import Services

logger = logging.getLogger(__name__)

ENQUEUE_BATCH = 1000
# Reminder runs and outbox keys of console ticks start with this (stored: keep the bytes).
CONSOLE_PREFIX = "console:"
# Audience spec flag of a broadcast written in the console: console users receive it too.
AUDIENCE_CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class ChannelPace:
    """Pacing of one channel: messages per second overall and per chat (None: unlimited)."""

    rate: float | None
    chat_rate: float | None


class Delivery:
    """Everything about proactive messages, shared by handlers, the console and `thidua run`."""

    def __init__(self, settings: Settings, clock: Clock, messages: Messages,
                 sessions: async_sessionmaker[AsyncSession], registry: DeliveryRegistry) -> None:
        self.settings = settings
        self.clock = clock
        self.tz = clock.tz
        self.messages = messages
        self.sessions = sessions
        self.registry = registry
        self.quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        self._wakeups: list[asyncio.Event] = []
        # The channels `thidua run` serves (None in the console: every channel).
        self.live_channels: frozenset[str] | None = None
        self._senders: dict[str, OutboxSender] = {}

    # --- channels -------------------------------------------------------------------------

    def _reach(self, console: bool) -> Reach:
        """Return the accounts a message may go to: the running channels when known (so a
        person with Zalo and Telegram is reached on the one that runs), console test users
        only for what was written or ticked in the console."""
        local = local_channels()
        only = None if self.live_channels is None else self.live_channels | (
            local if console else set())
        return Reach(only=only, never=frozenset() if console else local)

    def pace(self, channel: str) -> ChannelPace:
        """Return the configured pacing of a channel: DELIVERY_<CHANNEL>_RATE messages a
        second overall and DELIVERY_TELEGRAM_CHAT_RATE per chat (Zalo publishes no per-chat
        limit: Telegram's spacing is kept); a channel without a rate setting (the console)
        is not paced."""
        rate = getattr(self.settings, f"delivery_{channel}_rate", None)
        if rate is None or traits_of(channel).local:
            return ChannelPace(None, None)
        return ChannelPace(float(rate), self.settings.delivery_telegram_chat_rate)

    def sender(self, channel: str, target: ChannelSender) -> OutboxSender:
        """Return the sender of a channel, (re)attached to `target`."""
        pace = self.pace(channel)
        sender = OutboxSender(self, channel, target, rate=pace.rate, chat_rate=pace.chat_rate,
                              max_in_flight=self.settings.delivery_max_in_flight)
        self._senders[channel] = sender
        return sender

    def new_wakeup(self) -> asyncio.Event:
        """Return an event set whenever new rows are enqueued (senders wait on it)."""
        event = asyncio.Event()
        self._wakeups.append(event)
        return event

    def wake(self) -> None:
        """Tell idle senders that rows were enqueued."""
        for event in self._wakeups:
            event.set()

    # --- reminders ------------------------------------------------------------------------

    async def tick(self, now: datetime | None = None, rules: list[ReminderRule] | None = None,
                   *, console_only: bool = False) -> int:
        """Enqueue reminder moments due now (at most `grace` hours late); return row count.

        Each moment is enqueued once (recorded in reminder_runs, in the same transaction as
        its rows); a moment more than the grace period late, or past its expiry, is dropped.
        `console_only` (the console's `/clock`) reaches console users only and keeps its own
        records, so moving the test clock never touches real people's reminders.
        """
        now = now or self.clock.now()
        total = 0
        for rule in rules if rules is not None else list(self.registry.rules):
            try:
                total += await self._tick_rule(rule, now, console_only)
            except Exception:
                logger.exception("reminder rule %s failed", rule.id)
        if total:
            self.wake()
        return total

    async def _tick_rule(self, rule: ReminderRule, now: datetime, console_only: bool) -> int:
        grace = timedelta(hours=self.settings.reminder_grace_hours)
        if hasattr(rule, "refresh"):
            async with self.sessions() as session:
                await refresh_rules(session, [rule])
        moments = [m for m in rule.due(now) if m.at <= now < min(m.expires_at, m.at + grace)]
        if not moments:
            return 0
        run_id = f"{CONSOLE_PREFIX}{rule.id}" if console_only else rule.id
        async with self.sessions() as session:
            done = await ReminderRunRepo(session).done(run_id, [m.key for m in moments])
        total = 0
        # The most urgent first: with the daily limit, an earlier row wins.
        for moment in sorted((m for m in moments if m.key not in done),
                             key=lambda m: (m.expires_at, m.key)):
            async with self.sessions() as session:
                total += await self._enqueue_moment(session, rule, moment, now, grace,
                                                    console_only)
                await session.commit()
        return total

    async def _enqueue_moment(self, session: AsyncSession, rule: ReminderRule, moment: Moment,
                              now: datetime, grace: timedelta, console_only: bool) -> int:
        people = await rule.recipients(session, moment)
        # Console test users get only console ticks; real accounts only real ones.
        reach = Reach(only=local_channels()) if console_only else self._reach(False)
        recipients = await recipients_of(session, people, Purpose.REMINDERS, rule.kind, reach)
        prefix = CONSOLE_PREFIX if console_only else ""
        expires = min(moment.expires_at, moment.at + grace)
        start = self.quiet.next_allowed(max(moment.at, now), self.tz)
        rows = [] if start >= expires else [
            NewMessage(f"{prefix}{rule.id}:{moment.key}:{r.person_id}", Source.REMINDER,
                       rule.kind, r.person_id, r.account_id, r.channel, start, expires,
                       rule_id=rule.id, check_key=moment.key, message_key=moment.message_key,
                       params=dict(moment.params))
            for r in recipients]
        await OutboxRepo(session).insert(rows, now)
        await ReminderRunRepo(session).record(f"{prefix}{rule.id}", moment.key, now, len(rows))
        logger.info("reminder %s:%s enqueued for %d people", rule.id, moment.key, len(rows))
        return len(rows)

    # --- notices --------------------------------------------------------------------------

    async def notify(self, session: AsyncSession, person_id: int, dedupe_key: str,
                     message_key: str, params: Mapping[str, Any], kind: str = "notice",
                     now: datetime | None = None) -> bool:
        """Queue a service message to a person in the caller's transaction; tell if queued.

        For messages about the person's own business (a report returned, a broadcast
        finished): no reminder consent needed, but quiet hours and blocked accounts apply.
        """
        now = now or self.clock.now()
        account = await reachable_account(session, person_id)
        if account is None:
            return False
        account_id, channel = account
        await OutboxRepo(session).insert([NewMessage(
            dedupe_key, Source.NOTICE, kind, person_id, account_id, channel,
            self.quiet.next_allowed(now, self.tz), message_key=message_key,
            params=dict(params))], now)
        self.wake()
        return True

    # --- broadcasts -----------------------------------------------------------------------

    async def count_audience(self, session: AsyncSession, spec: Mapping[str, str]
                             ) -> dict[str, int] | None:
        """Return the reachable recipients of an audience per channel (None: no provider)."""
        provider = self.registry.audience(spec.get("type", ""))
        if provider is None:
            return None
        people = await provider.people(session, spec, self.clock.today())
        return await count_recipients(session, people, Purpose.REMINDERS, BROADCAST_KIND,
                                      self._reach(bool(spec.get(AUDIENCE_CONSOLE))))

    async def pump_broadcasts(self, now: datetime | None = None) -> None:
        """Start due broadcasts, enqueue their recipients in batches, close finished ones."""
        now = now or self.clock.now()
        async with self.sessions() as session:
            active = await BroadcastRepo(session).active(now)
        for broadcast in active:
            try:
                if broadcast.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.ENQUEUING):
                    await self._enqueue_broadcast(broadcast, now)
                await self._close_if_done(broadcast.id, now)
            except Exception:
                logger.exception("broadcast %s: pump failed", broadcast.id)

    async def _enqueue_broadcast(self, broadcast: Broadcast, now: datetime) -> None:
        provider = self.registry.audience(broadcast.audience.get("type", ""))
        async with self.sessions() as session:
            repo = BroadcastRepo(session)
            if provider is None:
                logger.error("broadcast %s: no provider for its audience", broadcast.id)
                await repo.cancel(broadcast.id, now)
                await session.commit()
                return
            if broadcast.status == BroadcastStatus.SCHEDULED:
                await repo.update(broadcast.id, status=BroadcastStatus.ENQUEUING, started_at=now)
            await session.commit()
        start = self.quiet.next_allowed(now, self.tz)
        cursor = broadcast.cursor
        while True:
            async with self.sessions() as session:
                repo = BroadcastRepo(session)
                status = (await repo.statuses([broadcast.id])).get(broadcast.id)
                if status != BroadcastStatus.ENQUEUING:
                    return  # cancelled meanwhile
                people = await provider.people(session, broadcast.audience, self.clock.today())
                ids = await audience_ids_after(session, people, cursor, ENQUEUE_BATCH)
                outbox = OutboxRepo(session)
                if not ids:
                    counts = await outbox.broadcast_counts(broadcast.id)
                    await repo.update(broadcast.id, status=BroadcastStatus.SENDING,
                                      recipients=sum(counts.values()))
                    await session.commit()
                    self.wake()
                    return
                reach = self._reach(bool(broadcast.audience.get(AUDIENCE_CONSOLE)))
                batch = await recipients_among(session, ids, Purpose.REMINDERS,
                                               BROADCAST_KIND, reach)
                await outbox.insert([
                    NewMessage(f"broadcast:{broadcast.id}:{account_id}", Source.BROADCAST,
                               BROADCAST_KIND, person_id, account_id, channel, start,
                               priority=PRIORITY_BULK, broadcast_id=broadcast.id)
                    for person_id, account_id, channel in batch], now)
                cursor = ids[-1]
                await repo.update(broadcast.id, cursor=cursor)
                await session.commit()
            self.wake()

    async def _close_if_done(self, broadcast_id: int, now: datetime) -> None:
        async with self.sessions() as session:
            repo = BroadcastRepo(session)
            broadcast = await repo.get(broadcast_id)
            if broadcast is None or broadcast.status != BroadcastStatus.SENDING:
                return
            counts = await OutboxRepo(session).broadcast_counts(broadcast_id)
            if any(counts.get(s, 0) for s in WAITING):
                return
            final = _final_counts(counts)
            await repo.update(broadcast_id, status=BroadcastStatus.DONE, finished_at=now,
                              recipients=sum(counts.values()), **final)
            if broadcast.author_id is not None:
                await self.notify(session, broadcast.author_id, f"broadcast-done:{broadcast_id}",
                                  "broadcast.done_notice", {"id": broadcast_id, **final},
                                  kind=BROADCAST_KIND, now=now)
            await session.commit()
            logger.info("broadcast %s done: %s", broadcast_id, final)

    async def cancel_broadcast(self, session: AsyncSession, broadcast_id: int, now: datetime
                               ) -> dict[str, int] | None:
        """Stop a broadcast in the caller's transaction; return its counts (None if not
        active). Messages already handed to the platform cannot be called back."""
        repo = BroadcastRepo(session)
        if not await repo.cancel(broadcast_id, now):
            return None
        outbox = OutboxRepo(session)
        await outbox.cancel_broadcast_rows(broadcast_id, now)
        counts = await outbox.broadcast_counts(broadcast_id)
        final = _final_counts(counts)
        await repo.update(broadcast_id, recipients=sum(counts.values()), **final)
        return final

    # --- console and tests ----------------------------------------------------------------

    async def run_once(self, targets: Mapping[str, ChannelSender], *, tick: bool) -> None:
        """Tick for console users (if asked), pump broadcasts, send what is due to `targets`."""
        if tick:
            await self.tick(console_only=True)
        for _round in range(2):  # the second round closes broadcasts and sends their notices
            await self.pump_broadcasts()
            for channel, target in targets.items():
                sender = self._senders.get(channel)
                if sender is None or sender.target is not target:
                    sender = self.sender(channel, target)
                await sender.drain()


def _final_counts(counts: Mapping[str, int]) -> dict[str, int]:
    return {"sent": counts.get(OutboxStatus.SENT, 0),
            "failed": counts.get(OutboxStatus.FAILED, 0),
            "blocked": counts.get(OutboxStatus.BLOCKED, 0),
            "cancelled": counts.get(OutboxStatus.CANCELLED, 0)}


def delivery_of(services: Services) -> Delivery:
    """Return the app's Delivery (kept in `services.delivery`)."""
    delivery = services.delivery
    if not isinstance(delivery, Delivery):
        raise LookupError("no delivery service on these services")
    return delivery
