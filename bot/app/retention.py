"""Retention of inactive accounts: warn, then anonymise after the warning period."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from content.messages import Messages
from storage.audit import Action, AuditRepo
from storage.personal_data import PersonalDataRegistry, accounts_touching, erase_person
from storage.retention import Inactive, find_inactive, mark_warned
from storage.weblinks.repo import WebLinkRepo

__all__ = ["Inactive", "Notice", "RetentionResult", "find_inactive", "run_retention"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning queued in the outbox for one channel account (sent by the sender)."""

    person_id: int
    channel: str
    chat_id: str
    text: str


@dataclass(frozen=True, slots=True)
class RetentionResult:
    """What one retention run did."""

    notices: list[Notice]
    anonymised: list[int]


# Queues a notice to a person in the caller's transaction; tells if it was queued
# (Delivery.notify: quiet hours and blocked accounts apply, the dedupe key keeps it once).
Notify = Callable[[AsyncSession, int, str, str, Mapping[str, Any]], Awaitable[bool]]
RETENTION_KIND = "retention"
WARNING_KEY = "privacy.retention_warning"


def warning_key(person_id: int, last_seen: datetime) -> str:
    """Return the outbox dedupe key of a person's warning for one inactivity period."""
    return f"retention:{person_id}:{last_seen.strftime('%Y%m%dT%H%M%S')}"


async def warn_inactive(session: AsyncSession, messages: Messages, notify: Notify,
                        now: datetime, retention: timedelta, warning: timedelta
                        ) -> list[Notice]:
    """Queue a warning for people due one; mark warned only those it was queued for."""
    due = [p for p in await find_inactive(session, now - (retention - warning))
           if p.warned_at is None or p.warned_at < p.last_seen]
    notices: list[Notice] = []
    ids = [p.person_id for p in due]
    by_person = {p.person_id: p for p in due}
    accounts = {person_id: (channel, chat_id or external_id)
                for person_id, channel, external_id, chat_id
                in await accounts_touching(session, ids)}
    warned: list[int] = []
    for person_id in ids:
        person = by_person[person_id]
        delete_on = max(person.last_seen + retention, now + warning)
        params = {"last_seen": person.last_seen.astimezone(now.tzinfo).strftime("%d/%m/%Y"),
                  "date": delete_on.astimezone(now.tzinfo).strftime("%d/%m/%Y")}
        if not await notify(session, person_id, warning_key(person_id, person.last_seen),
                            WARNING_KEY, params):
            continue  # nobody to warn (no reachable account): not anonymised either
        warned.append(person_id)
        channel, chat_id = accounts.get(person_id, ("", ""))
        notices.append(Notice(person_id, channel, chat_id, messages.t(WARNING_KEY, **params)))
    audit = AuditRepo(session)
    for person_id in warned:
        await mark_warned(session, person_id, now)
        await audit.append(Action.RETENTION_WARN, now, actor_id=None, target_type="person",
                           target_id=person_id, reason="retention")
    return notices


async def anonymise_inactive(session: AsyncSession, registry: PersonalDataRegistry,
                             now: datetime, retention: timedelta, warning: timedelta
                             ) -> list[int]:
    """Anonymise people inactive past retention who were warned long enough ago."""
    done = []
    for person in await find_inactive(session, now - retention):
        warned = person.warned_at
        if warned is None or warned < person.last_seen or warned > now - warning:
            continue
        await erase_person(session, registry, person.person_id, now, actor_id=None,
                           reason="retention")
        done.append(person.person_id)
    return done


async def run_retention(session: AsyncSession, settings: Settings, messages: Messages,
                        registry: PersonalDataRegistry, notify: Notify, now: datetime
                        ) -> RetentionResult:
    """Anonymise who is due, then warn who will be; the caller commits."""
    retention = timedelta(days=settings.retention_days)
    warning = timedelta(days=min(settings.retention_warning_days, settings.retention_days))
    anonymised = await anonymise_inactive(session, registry, now, retention, warning)
    notices = await warn_inactive(session, messages, notify, now, retention, warning)
    # One-time links are worth nothing once expired: keep a day for the refusal page's sake.
    purged = await WebLinkRepo(session).purge_expired(now - timedelta(days=1))
    if purged:
        logger.info("retention: %s expired web link(s) removed", purged)
    logger.info("retention: %s warned, %s anonymised", len({n.person_id for n in notices}),
                len(anonymised))
    return RetentionResult(notices, anonymised)
