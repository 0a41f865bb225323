"""Running delivery in `thidua run`: leader election, APScheduler jobs, one sender per channel.

On SQLite the one process does everything. On PostgreSQL several processes may run (behind
a webhook load balancer); the one holding a session-level advisory lock on a dedicated
connection schedules and sends, the others answer people and retry the lock every 30 s. The
lock goes with the connection, so a crashed leader is replaced within a minute. Claims still
use `FOR UPDATE SKIP LOCKED`, so a row is never taken twice even while leaders overlap.

Jobs are registered in memory at startup with fixed ids (never in a shared job store):
`reminders:<rule id>` every minute, `broadcasts` every 10 s; both run once at startup to
catch up after downtime.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.traits import traits_of
from bot.delivery.pacing import sleep_or
from bot.delivery.reminders import ReminderRule
from bot.delivery.sender import ChannelSender
from bot.delivery.service import Delivery
from storage.db import LEADER_LOCK, Leadership
from storage.delivery.repo import OutboxRepo

__all__ = ["LEADER_LOCK", "Leadership", "build_scheduler", "run_delivery"]

logger = logging.getLogger(__name__)

FOLLOWER_RETRY = 30.0
HEALTH_CHECK = 30.0
TICK_MINUTES = 1
PUMP_SECONDS = 10


def build_scheduler(delivery: Delivery) -> AsyncIOScheduler:
    """Return the scheduler with the reminder and broadcast jobs (not started)."""
    grace = delivery.settings.reminder_grace_hours * 3600
    scheduler = AsyncIOScheduler(
        timezone=str(delivery.tz),
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace})
    now = delivery.clock.now()
    for rule in delivery.registry.rules:
        scheduler.add_job(_tick_job, IntervalTrigger(minutes=TICK_MINUTES), args=[delivery, rule],
                          id=f"reminders:{rule.id}", next_run_time=now, replace_existing=True)
    scheduler.add_job(delivery.pump_broadcasts, IntervalTrigger(seconds=PUMP_SECONDS),
                      id="broadcasts", next_run_time=now + timedelta(seconds=1),
                      replace_existing=True)
    return scheduler


async def _tick_job(delivery: Delivery, rule: ReminderRule) -> None:
    await delivery.tick(rules=[rule])


async def run_delivery(delivery: Delivery, engine: AsyncEngine,
                       targets: Mapping[str, ChannelSender], stop: asyncio.Event) -> None:
    """Schedule reminders and send the outbox over `targets` until `stop` (if elected)."""
    delivery.live_channels = frozenset(name for name in targets if not traits_of(name).local)
    leadership = Leadership(engine)
    try:
        while not stop.is_set():
            try:
                leader = await leadership.try_acquire()
            except Exception:
                logger.exception("delivery: leader election failed; retrying")
                await leadership.release()
                leader = False
            if leader:
                logger.info("delivery: this process schedules and sends")
                await _lead(delivery, targets, stop, leadership)
            else:
                await sleep_or(stop, FOLLOWER_RETRY)
    finally:
        await leadership.release()


async def _lead(delivery: Delivery, targets: Mapping[str, ChannelSender], stop: asyncio.Event,
                leadership: Leadership) -> None:
    async with delivery.sessions() as session:
        recovered = await OutboxRepo(session).recover(delivery.clock.now())
        await session.commit()
    if recovered:
        logger.warning("delivery: %d message(s) interrupted by a stop are queued again",
                       recovered)
    scheduler = build_scheduler(delivery)
    scheduler.start()
    lead_stop = asyncio.Event()
    senders = [delivery.sender(name, target) for name, target in targets.items()
               if not traits_of(name).local]
    tasks = [asyncio.create_task(s.run(lead_stop), name=f"sender-{s.channel}")
             for s in senders]
    try:
        while not stop.is_set():
            await sleep_or(stop, HEALTH_CHECK)
            if not stop.is_set() and not await leadership.still_held():
                await leadership.release()
                break
    finally:
        scheduler.shutdown(wait=False)
        lead_stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
