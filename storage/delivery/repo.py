"""Repositories of delivery: the outbox, broadcasts, reminder choices and reminder runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.base import ChannelAccountRow, ConsentRow, PersonRow
from storage.delivery.models import BroadcastRow, OutboxRow, ReminderPrefRow, ReminderRunRow
from storage.rows import changed

CHUNK = 500


class OutboxStatus(StrEnum):
    """Where one outbox row is."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class Source(StrEnum):
    """Who produced an outbox row."""

    REMINDER = "reminder"
    BROADCAST = "broadcast"
    NOTICE = "notice"


class BroadcastStatus(StrEnum):
    """Where a broadcast is."""

    SCHEDULED = "scheduled"
    ENQUEUING = "enqueuing"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


ACTIVE_BROADCAST = (BroadcastStatus.SCHEDULED, BroadcastStatus.ENQUEUING,
                    BroadcastStatus.SENDING)
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)
# The /nhacnho kind of announcements, so people can turn them off like reminders.
BROADCAST_KIND = "broadcast"
PRIORITY_URGENT = 0
PRIORITY_BULK = 1


@dataclass(frozen=True, slots=True)
class NewMessage:
    """One outbox row to insert (ignored if its dedupe key exists)."""

    dedupe_key: str
    source: str
    kind: str
    person_id: int
    account_id: int
    channel: str
    next_attempt_at: datetime
    expires_at: datetime | None = None
    priority: int = PRIORITY_URGENT
    broadcast_id: int | None = None
    rule_id: str | None = None
    check_key: str | None = None
    message_key: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed outbox row with what sending it needs from the account."""

    id: int
    source: str
    kind: str
    person_id: int
    account_id: int
    channel: str
    chat_id: str
    account_blocked: bool
    broadcast_id: int | None
    rule_id: str | None
    check_key: str | None
    message_key: str | None
    params: dict[str, Any]
    attempts: int
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person and the account a proactive message goes to."""

    person_id: int
    account_id: int
    channel: str


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A broadcast as recorded."""

    id: int
    author_id: int | None
    text: str
    photo_url: str | None
    audience: dict[str, str]
    status: str
    scheduled_at: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    cursor: int
    recipients: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    sender: str | None = None


def _broadcast(row: BroadcastRow) -> Broadcast:
    return Broadcast(row.id, row.author_id, row.text, row.photo_url, dict(row.audience),
                     row.status, row.scheduled_at, row.created_at, row.started_at,
                     row.finished_at, row.cancelled_at, row.cursor, row.recipients, row.sent,
                     row.failed, row.blocked, row.cancelled, row.sender)


# --------------------------------------------------------------------------- recipients


def consent_active(purpose: str) -> ColumnElement[bool]:
    """Return a condition on PersonRow: the person's latest decision for purpose is a yes."""
    latest = (select(ConsentRow.id)
              .where(ConsentRow.person_id == PersonRow.id, ConsentRow.purpose == purpose)
              .order_by(ConsentRow.decided_at.desc(), ConsentRow.id.desc()).limit(1)
              .correlate(PersonRow).scalar_subquery())
    decision = aliased(ConsentRow)
    return exists().where(decision.id == latest, decision.granted.is_(True),
                          decision.withdrawn_at.is_(None))


def kind_enabled(kind: str) -> ColumnElement[bool]:
    """Return a condition on PersonRow: the person did not switch this kind off."""
    return ~exists().where(ReminderPrefRow.person_id == PersonRow.id,
                           ReminderPrefRow.kind == kind, ReminderPrefRow.enabled.is_(False))


@dataclass(frozen=True, slots=True)
class Reach:
    """Which accounts may carry a message: only these channels (None: any), never those."""

    only: frozenset[str] | None = None
    never: frozenset[str] = frozenset()


def recipients_query(people: ColumnElement[bool], purpose: str, kind: str,
                     reach: Reach = Reach()) -> Select[int, int, str]:
    """Return (person, account, channel) for people who agreed, kept `kind` on and have an
    account within `reach` that has not blocked the bot (the one they used last)."""
    conditions = [ChannelAccountRow.person_id == PersonRow.id,
                  ChannelAccountRow.blocked_at.is_(None)]
    if reach.only is not None:
        conditions.append(ChannelAccountRow.channel.in_(sorted(reach.only)))
    if reach.never:
        conditions.append(ChannelAccountRow.channel.not_in(sorted(reach.never)))
    preferred = (select(ChannelAccountRow.id).where(*conditions)
                 .order_by(ChannelAccountRow.last_seen_at.desc(), ChannelAccountRow.id.desc())
                 .limit(1).correlate(PersonRow).scalar_subquery())
    account = aliased(ChannelAccountRow)
    return (select(PersonRow.id, account.id, account.channel)
            .join(account, account.id == preferred)
            .where(people, PersonRow.registered_at.is_not(None), consent_active(purpose),
                   kind_enabled(kind)))


async def recipients_of(session: AsyncSession, person_ids: Iterable[int], purpose: str,
                        kind: str, reach: Reach = Reach()) -> list[Recipient]:
    """Return the reachable recipients among `person_ids`, in id order."""
    ids = sorted(set(person_ids))
    out: list[Recipient] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = await session.execute(
            recipients_query(PersonRow.id.in_(chunk), purpose, kind, reach)
            .order_by(PersonRow.id))
        out += [Recipient(p, a, c) for p, a, c in rows.all()]
    return out


async def people_with_consent(session: AsyncSession, person_ids: Iterable[int], purpose: str
                              ) -> set[int]:
    """Return those of `person_ids` whose latest decision for purpose is an active yes."""
    ids = sorted(set(person_ids))
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        rows = await session.scalars(select(PersonRow.id).where(
            PersonRow.id.in_(ids[start:start + CHUNK]), consent_active(purpose)))
        found.update(rows)
    return found


def _insert_ignore(session: AsyncSession, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table).prefix_with("IGNORE")


# --------------------------------------------------------------------------- outbox


class OutboxRepo:
    """The outbox: producers insert, the sender claims and records what happened."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, messages: Sequence[NewMessage], now: datetime) -> None:
        """Insert rows; a row whose dedupe key exists is skipped (never sent twice)."""
        if not messages:
            return
        rows = [{"dedupe_key": m.dedupe_key, "source": m.source, "kind": m.kind,
                 "person_id": m.person_id, "account_id": m.account_id, "channel": m.channel,
                 "priority": m.priority, "broadcast_id": m.broadcast_id, "rule_id": m.rule_id,
                 "check_key": m.check_key, "message_key": m.message_key,
                 "params": dict(m.params), "status": OutboxStatus.PENDING.value,
                 "attempts": 0, "next_attempt_at": m.next_attempt_at,
                 "expires_at": m.expires_at, "last_error": None, "created_at": now,
                 "updated_at": now, "sent_at": None} for m in messages]
        await self.session.execute(_insert_ignore(self.session, OutboxRow), rows)

    async def claim(self, channel: str, now: datetime, limit: int) -> list[OutboxItem]:
        """Take up to `limit` due rows of a channel (skipping rows another process holds)."""
        ids = list(await self.session.scalars(
            select(OutboxRow.id)
            .where(OutboxRow.status == OutboxStatus.PENDING, OutboxRow.channel == channel,
                   OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.priority, OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit).with_for_update(skip_locked=True)))
        if not ids:
            return []
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.id.in_(ids))
            .values(status=OutboxStatus.SENDING, updated_at=now))
        rows = await self.session.execute(
            select(OutboxRow, ChannelAccountRow.chat_id, ChannelAccountRow.external_id,
                   ChannelAccountRow.blocked_at)
            .join(ChannelAccountRow, ChannelAccountRow.id == OutboxRow.account_id)
            .where(OutboxRow.id.in_(ids)))
        items = [OutboxItem(r.id, r.source, r.kind, r.person_id, r.account_id, r.channel,
                            chat_id or external_id, blocked_at is not None, r.broadcast_id,
                            r.rule_id, r.check_key, r.message_key, dict(r.params or {}),
                            r.attempts, r.expires_at)
                 for r, chat_id, external_id, blocked_at in rows.all()]
        order = {row_id: i for i, row_id in enumerate(ids)}
        return sorted(items, key=lambda item: order[item.id])

    async def recover(self, now: datetime) -> int:
        """Return rows left "sending" by a stopped process to the queue; count them."""
        result = await self.session.execute(
            update(OutboxRow).where(OutboxRow.status == OutboxStatus.SENDING)
            .values(status=OutboxStatus.PENDING, updated_at=now))
        return changed(result)

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        """Record a confirmed send."""
        await self.session.execute(
            update(OutboxRow).where(OutboxRow.id == row_id)
            .values(status=OutboxStatus.SENT, sent_at=now, updated_at=now,
                    attempts=OutboxRow.attempts + 1, last_error=None))

    async def finish(self, row_id: int, status: OutboxStatus, now: datetime, error: str,
                     attempted: bool = False) -> None:
        """Close a row as failed, blocked or cancelled, with the reason."""
        values: dict[str, Any] = {"status": status, "updated_at": now,
                                  "last_error": error[:200]}
        if attempted:
            values["attempts"] = OutboxRow.attempts + 1
        await self.session.execute(update(OutboxRow).where(OutboxRow.id == row_id)
                                   .values(**values))

    async def reroute(self, row_id: int, now: datetime, reason: str,
                      channels: Iterable[str] | None = None) -> str | None:
        """Move a message a channel cannot carry to the person's other account (the one
        used last, not blocked, on another of `channels`): the row is closed as cancelled
        and a copy queued there; return that channel. With no such account, close the row
        as failed "unreachable: <reason>" and return None."""
        row = await self.session.get(OutboxRow, row_id)
        if row is None:
            return None
        conditions = [ChannelAccountRow.person_id == row.person_id,
                      ChannelAccountRow.blocked_at.is_(None),
                      ChannelAccountRow.channel != row.channel]
        if channels is not None:
            conditions.append(ChannelAccountRow.channel.in_(sorted(channels)))
        other = (await self.session.execute(
            select(ChannelAccountRow.id, ChannelAccountRow.channel).where(*conditions)
            .order_by(ChannelAccountRow.last_seen_at.desc(), ChannelAccountRow.id.desc())
            .limit(1))).first()
        if other is None:
            await self.finish(row_id, OutboxStatus.FAILED, now, f"unreachable: {reason}")
            return None
        account_id, channel = other
        await self.insert([NewMessage(
            f"{row.dedupe_key}|via:{channel}"[:200], row.source, row.kind, row.person_id,
            account_id, channel, now, row.expires_at, row.priority, row.broadcast_id,
            row.rule_id, row.check_key, row.message_key, dict(row.params or {}))], now)
        await self.finish(row_id, OutboxStatus.CANCELLED, now, f"rerouted to {channel}: {reason}")
        return str(channel)

    async def postpone(self, row_ids: Sequence[int], until: datetime, now: datetime,
                       error: str | None = None, attempted: bool = False) -> None:
        """Put claimed rows back in the queue until `until`."""
        if not row_ids:
            return
        values: dict[str, Any] = {"status": OutboxStatus.PENDING, "next_attempt_at": until,
                                  "updated_at": now}
        if error is not None:
            values["last_error"] = error[:200]
        if attempted:
            values["attempts"] = OutboxRow.attempts + 1
        await self.session.execute(update(OutboxRow).where(OutboxRow.id.in_(list(row_ids)))
                                   .values(**values))

    async def cancel_pending_for(self, person_id: int, kinds: Iterable[str] | None = None,
                                 now: datetime | None = None) -> int:
        """Cancel a person's waiting messages (all, or only these kinds); count them.

        For consent withdrawal and /nhacnho: a message already being sent cannot be called
        back, everything still pending is stopped.
        """
        conditions = [OutboxRow.person_id == person_id,
                      OutboxRow.status == OutboxStatus.PENDING]
        if kinds is not None:
            conditions.append(OutboxRow.kind.in_(list(kinds)))
        values: dict[str, Any] = {"status": OutboxStatus.CANCELLED, "last_error": "withdrawn"}
        if now is not None:
            values["updated_at"] = now
        result = await self.session.execute(update(OutboxRow).where(*conditions)
                                            .values(**values))
        return changed(result)

    async def cancel_broadcast_rows(self, broadcast_id: int, now: datetime) -> int:
        """Cancel the pending rows of a broadcast; count them."""
        result = await self.session.execute(
            update(OutboxRow).where(OutboxRow.broadcast_id == broadcast_id,
                                    OutboxRow.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.CANCELLED, last_error="broadcast cancelled",
                    updated_at=now))
        return changed(result)

    async def broadcast_counts(self, broadcast_id: int) -> dict[str, int]:
        """Return the number of rows of a broadcast per status."""
        rows = await self.session.execute(
            select(OutboxRow.status, func.count()).where(OutboxRow.broadcast_id == broadcast_id)
            .group_by(OutboxRow.status))
        return {status: count for status, count in rows.all()}

    async def broadcast_reach(self, broadcast_id: int) -> dict[str, int]:
        """Return how many rows of a broadcast were rerouted to another channel, and how
        many were recorded unreachable (closed by OutboxRepo.reroute)."""
        rerouted = await self.session.scalar(
            select(func.count()).where(OutboxRow.broadcast_id == broadcast_id,
                                       OutboxRow.status == OutboxStatus.CANCELLED,
                                       OutboxRow.last_error.like("rerouted to %")))
        unreachable = await self.session.scalar(
            select(func.count()).where(OutboxRow.broadcast_id == broadcast_id,
                                       OutboxRow.status == OutboxStatus.FAILED,
                                       OutboxRow.last_error.like("unreachable: %")))
        return {"rerouted": int(rerouted or 0), "unreachable": int(unreachable or 0)}

    async def broadcast_channels(self, broadcast_id: int) -> dict[str, int]:
        """Return the number of recipients of a broadcast per channel."""
        rows = await self.session.execute(
            select(OutboxRow.channel, func.count()).where(OutboxRow.broadcast_id == broadcast_id)
            .group_by(OutboxRow.channel))
        return {channel: count for channel, count in rows.all()}

    async def sent_between(self, person_ids: Iterable[int], source: str, start: datetime,
                           end: datetime) -> dict[int, int]:
        """Count messages of `source` sent to each person in [start, end)."""
        ids = sorted(set(person_ids))
        counts: dict[int, int] = {}
        for first in range(0, len(ids), CHUNK):
            rows = await self.session.execute(
                select(OutboxRow.person_id, func.count())
                .where(OutboxRow.person_id.in_(ids[first:first + CHUNK]),
                       OutboxRow.source == source, OutboxRow.status == OutboxStatus.SENT,
                       OutboxRow.sent_at >= start, OutboxRow.sent_at < end)
                .group_by(OutboxRow.person_id))
            counts.update({p: n for p, n in rows.all()})
        return counts

    async def waiting_count(self, channel: str | None = None) -> int:
        """Count rows pending or being sent."""
        query = select(func.count()).select_from(OutboxRow).where(OutboxRow.status.in_(WAITING))
        if channel is not None:
            query = query.where(OutboxRow.channel == channel)
        return await self.session.scalar(query) or 0

    async def next_due(self, channel: str) -> datetime | None:
        """Return when the next pending row of a channel is due."""
        return await self.session.scalar(
            select(func.min(OutboxRow.next_attempt_at))
            .where(OutboxRow.status == OutboxStatus.PENDING, OutboxRow.channel == channel))

    async def upcoming_for(self, person_id: int, limit: int = 5
                           ) -> list[tuple[str | None, dict[str, Any], datetime]]:
        """Return (message key, params, due time) of a person's pending reminders."""
        rows = await self.session.execute(
            select(OutboxRow.message_key, OutboxRow.params, OutboxRow.next_attempt_at)
            .where(OutboxRow.person_id == person_id, OutboxRow.status == OutboxStatus.PENDING,
                   OutboxRow.source == Source.REMINDER)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(limit))
        return [(key, dict(params or {}), at) for key, params, at in rows.all()]


# --------------------------------------------------------------------------- broadcasts


class BroadcastRepo:
    """Broadcasts: who wrote what for whom, when, and how it went."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, author_id: int, text: str, photo_url: str | None,
                     audience: Mapping[str, str], scheduled_at: datetime, now: datetime,
                     sender: str | None = None) -> Broadcast:
        """Record a new broadcast, due at `scheduled_at`, signed with `sender`."""
        row = BroadcastRow(author_id=author_id, text=text, photo_url=photo_url, sender=sender,
                           audience=dict(audience), status=BroadcastStatus.SCHEDULED,
                           scheduled_at=scheduled_at, created_at=now, cursor=0, recipients=0,
                           sent=0, failed=0, blocked=0, cancelled=0)
        self.session.add(row)
        await self.session.flush()
        return _broadcast(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return a broadcast by id."""
        row = await self.session.get(BroadcastRow, broadcast_id)
        return _broadcast(row) if row is not None else None

    async def recent(self, limit: int = 5) -> list[Broadcast]:
        """Return the latest broadcasts, newest first."""
        rows = await self.session.scalars(
            select(BroadcastRow).order_by(BroadcastRow.id.desc()).limit(limit))
        return [_broadcast(r) for r in rows]

    async def active(self, now: datetime) -> list[Broadcast]:
        """Return broadcasts to work on: due scheduled ones, enqueuing and sending ones."""
        rows = await self.session.scalars(
            select(BroadcastRow).where(
                BroadcastRow.status.in_([BroadcastStatus.ENQUEUING, BroadcastStatus.SENDING])
                | and_(BroadcastRow.status == BroadcastStatus.SCHEDULED,
                       BroadcastRow.scheduled_at <= now))
            .order_by(BroadcastRow.id))
        return [_broadcast(r) for r in rows]

    async def update(self, broadcast_id: int, **values: Any) -> None:
        """Change columns of a broadcast (status, cursor, counts, times)."""
        await self.session.execute(update(BroadcastRow).where(BroadcastRow.id == broadcast_id)
                                   .values(**values))

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        """Mark a broadcast cancelled if it is still active; tell whether it was."""
        result = await self.session.execute(
            update(BroadcastRow).where(BroadcastRow.id == broadcast_id,
                                       BroadcastRow.status.in_(list(ACTIVE_BROADCAST)))
            .values(status=BroadcastStatus.CANCELLED, cancelled_at=now))
        return changed(result) > 0

    async def statuses(self, ids: Iterable[int]) -> dict[int, str]:
        """Return the status of each broadcast id."""
        ids = list(set(ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(BroadcastRow.id, BroadcastRow.status).where(BroadcastRow.id.in_(ids)))
        return {i: s for i, s in rows.all()}

    async def contents(self, ids: Iterable[int]
                       ) -> dict[int, tuple[str, str | None, str | None]]:
        """Return (text, photo url, sender line) of each broadcast id."""
        ids = list(set(ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(BroadcastRow.id, BroadcastRow.text, BroadcastRow.photo_url,
                   BroadcastRow.sender)
            .where(BroadcastRow.id.in_(ids)))
        return {i: (t, p, s) for i, t, p, s in rows.all()}


# --------------------------------------------------------------------------- reminders


class ReminderPrefsRepo:
    """Which reminder kinds each person switched off (/nhacnho)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def disabled_kinds(self, person_id: int) -> set[str]:
        """Return the kinds the person switched off."""
        rows = await self.session.scalars(
            select(ReminderPrefRow.kind).where(ReminderPrefRow.person_id == person_id,
                                               ReminderPrefRow.enabled.is_(False)))
        return set(rows)

    async def choose(self, person_id: int, kind: str, enabled: bool, now: datetime) -> None:
        """Switch one kind on or off."""
        row = await self.session.get(ReminderPrefRow, (person_id, kind))
        if row is None:
            self.session.add(ReminderPrefRow(person_id=person_id, kind=kind, enabled=enabled,
                                             updated_at=now))
        else:
            row.enabled = enabled
            row.updated_at = now
        await self.session.flush()

    async def disabled_among(self, person_ids: Iterable[int], kinds: Iterable[str]
                             ) -> set[tuple[int, str]]:
        """Return the (person, kind) pairs switched off among these people and kinds."""
        ids = sorted(set(person_ids))
        kinds = list(set(kinds))
        found: set[tuple[int, str]] = set()
        for start in range(0, len(ids), CHUNK):
            rows = await self.session.execute(
                select(ReminderPrefRow.person_id, ReminderPrefRow.kind)
                .where(ReminderPrefRow.person_id.in_(ids[start:start + CHUNK]),
                       ReminderPrefRow.kind.in_(kinds), ReminderPrefRow.enabled.is_(False)))
            found.update((p, k) for p, k in rows.all())
        return found


class ReminderRunRepo:
    """Reminder moments already enqueued."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def done(self, rule_id: str, keys: Iterable[str]) -> set[str]:
        """Return which of these moment keys were already enqueued."""
        keys = list(keys)
        if not keys:
            return set()
        rows = await self.session.scalars(
            select(ReminderRunRow.moment_key).where(ReminderRunRow.rule_id == rule_id,
                                                    ReminderRunRow.moment_key.in_(keys)))
        return set(rows)

    async def record(self, rule_id: str, key: str, now: datetime, recipients: int) -> None:
        """Record that a moment was enqueued (ignored if it already was)."""
        await self.session.execute(_insert_ignore(self.session, ReminderRunRow),
                                   [{"rule_id": rule_id, "moment_key": key, "ran_at": now,
                                     "recipients": recipients}])
