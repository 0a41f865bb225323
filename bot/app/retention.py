"""Retention of inactive accounts: warn, then anonymise after the warning period."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from content.messages import Messages
from storage.audit import Action, AuditRepo
from storage.base import ChannelAccountRow, PersonRow
from storage.personal_data import PersonalDataRegistry, accounts_touching, erase_person

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Inactive:
    """A person not seen since `last_seen` (warned at `warned_at`, if so)."""

    person_id: int
    last_seen: datetime
    warned_at: datetime | None


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning to deliver to one channel account (sending waits for the outbox)."""

    person_id: int
    channel: str
    chat_id: str
    text: str


@dataclass(frozen=True, slots=True)
class RetentionResult:
    """What one retention run did."""

    notices: list[Notice]
    anonymised: list[int]


async def find_inactive(session: AsyncSession, idle_since: datetime) -> list[Inactive]:
    """Return people (not deleted) whose last message is older than idle_since."""
    last_seen = func.coalesce(func.max(ChannelAccountRow.last_seen_at), PersonRow.updated_at)
    rows = await session.execute(
        select(PersonRow.id, func.max(ChannelAccountRow.last_seen_at), PersonRow.updated_at,
               PersonRow.retention_warned_at)
        .outerjoin(ChannelAccountRow, ChannelAccountRow.person_id == PersonRow.id)
        .where(PersonRow.deleted_at.is_(None))
        .group_by(PersonRow.id, PersonRow.updated_at, PersonRow.retention_warned_at)
        .having(last_seen < idle_since)
        .order_by(PersonRow.id))
    out = []
    for person_id, seen, updated, warned in rows.all():
        moment = _aware(seen) if seen is not None else updated
        out.append(Inactive(person_id, moment, warned))
    return out


def _aware(value: datetime) -> datetime:
    # Defensive: a backend may hand max() back without a zone; it was stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def warn_inactive(session: AsyncSession, messages: Messages, now: datetime,
                        retention: timedelta, warning: timedelta) -> list[Notice]:
    """Mark people due for a warning and return the messages to send them."""
    due = [p for p in await find_inactive(session, now - (retention - warning))
           if p.warned_at is None or p.warned_at < p.last_seen]
    notices: list[Notice] = []
    ids = [p.person_id for p in due]
    by_person = {p.person_id: p for p in due}
    for person_id, channel, external_id, chat_id in await accounts_touching(session, ids):
        person = by_person[person_id]
        delete_on = max(person.last_seen + retention, now + warning)
        text = messages.t("privacy.retention_warning",
                          last_seen=person.last_seen.astimezone(now.tzinfo).strftime("%d/%m/%Y"),
                          date=delete_on.astimezone(now.tzinfo).strftime("%d/%m/%Y"))
        notices.append(Notice(person_id, channel, chat_id or external_id, text))
    audit = AuditRepo(session)
    for person_id in ids:
        await session.execute(update(PersonRow).where(PersonRow.id == person_id)
                              .values(retention_warned_at=now))
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
                        registry: PersonalDataRegistry, now: datetime) -> RetentionResult:
    """Anonymise who is due, then warn who will be; the caller commits."""
    retention = timedelta(days=settings.retention_days)
    warning = timedelta(days=min(settings.retention_warning_days, settings.retention_days))
    anonymised = await anonymise_inactive(session, registry, now, retention, warning)
    notices = await warn_inactive(session, messages, now, retention, warning)
    logger.info("retention: %s warned, %s anonymised", len({n.person_id for n in notices}),
                len(anonymised))
    return RetentionResult(notices, anonymised)
