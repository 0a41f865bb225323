"""Personal data of reminders and broadcasts, for /quyenriengtu export and account deletion.

- `deliveries`: every message queued or sent to the person (outbox rows). Withdrawing the
  reminders consent or deleting the account cancels what is waiting and drops the texts
  (parameters) of the rest; the rows stay, so broadcast counts do not change.
- `reminder_prefs`: the kinds switched on or off in /nhacnho; erased with the reminders.
- `broadcasts_written`: announcements the person wrote as an admin; on deletion they stay
  (they were sent to many) without their author and the sender line that named them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.delivery.models import BroadcastRow, OutboxRow, ReminderPrefRow
from storage.delivery.repo import OutboxRepo
from storage.personal_data import PersonalDataSection, Record

REMINDERS = frozenset({"reminders"})


class DeliveriesSection:
    """Messages the bot queued or sent to the person on its own initiative."""

    key = "deliveries"
    purposes = REMINDERS

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return each message: what kind, on which channel, its state and its content."""
        rows = await session.execute(
            select(OutboxRow, BroadcastRow.text)
            .join(BroadcastRow, BroadcastRow.id == OutboxRow.broadcast_id, isouter=True)
            .where(OutboxRow.person_id == person_id).order_by(OutboxRow.id))
        out: list[Record] = []
        for row, text in rows.all():
            record: Record = {"kind": row.kind, "channel": row.channel, "status": row.status,
                              "created_at": row.created_at, "sent_at": row.sent_at}
            if text is not None:
                record["text"] = text
            if row.message_key:
                record |= {"message_key": row.message_key, "params": dict(row.params or {})}
            out.append(record)
        return out

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Cancel what is waiting; drop the texts of every message sent to the person."""
        await OutboxRepo(session).cancel_pending_for(person_id, now=now)
        await session.execute(
            update(OutboxRow).where(OutboxRow.person_id == person_id)
            .values(params={}, updated_at=now).execution_options(synchronize_session=False))


class ReminderPrefsSection:
    """The reminder kinds the person switched on or off in /nhacnho."""

    key = "reminder_prefs"
    purposes = REMINDERS

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return each choice."""
        rows = await session.scalars(select(ReminderPrefRow)
                                     .where(ReminderPrefRow.person_id == person_id)
                                     .order_by(ReminderPrefRow.kind))
        return [{"kind": r.kind, "enabled": r.enabled, "updated_at": r.updated_at}
                for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Forget the choices."""
        await session.execute(delete(ReminderPrefRow)
                              .where(ReminderPrefRow.person_id == person_id))


class BroadcastsWrittenSection:
    """Announcements the person wrote as an admin."""

    key = "broadcasts_written"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return each announcement: text, audience, schedule and status."""
        rows = await session.scalars(select(BroadcastRow)
                                     .where(BroadcastRow.author_id == person_id)
                                     .order_by(BroadcastRow.id))
        return [{"text": r.text, "sender": r.sender, "audience": dict(r.audience),
                 "status": r.status,
                 "scheduled_at": r.scheduled_at, "created_at": r.created_at} for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the announcements without their author (nor the sender line naming them)."""
        await session.execute(update(BroadcastRow).where(BroadcastRow.author_id == person_id)
                              .values(author_id=None, sender=None)
                              .execution_options(synchronize_session=False))


def delivery_sections() -> list[PersonalDataSection]:
    """Return the delivery sections, in erase order."""
    return [DeliveriesSection(), ReminderPrefsSection(), BroadcastsWrittenSection()]
