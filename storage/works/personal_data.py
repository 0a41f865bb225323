"""Unit works and conferences in /quyenriengtu: export what the person entered for a unit,
and unlink them when they withdraw the `unit_reports` consent or delete their account.

Works, progress reports and conferences are the unit's records: they stay, with their notes
and photos, and only the link to the person goes (their name or phone number inside a text
that stays is blanked).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.personal_data import Record, person_names, redact
from storage.works.models import ConferenceRow, WorkRow, WorkUpdateRow

# Typed fields of a work that could quote a person (the rest are numbers, dates, flags).
WORK_TEXT = ("name", "volume", "location", "funding")


class WorksSection:
    """Works the person registered for a unit."""

    key = "works"
    purposes = frozenset({"unit_reports"})

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the works the person registered."""
        rows = await session.scalars(select(WorkRow).where(WorkRow.registered_by == person_id)
                                     .order_by(WorkRow.id))
        return [{"work_id": w.id, "campaign_id": w.campaign_id, "unit_code": w.unit_code,
                 "name": w.name, "volume": w.volume, "location": w.location,
                 "value_vnd": w.value_vnd, "funding": w.funding, "due_on": w.due_on,
                 "progress": w.progress, "completed_on": w.completed_on,
                 "flagship": w.flagship, "registered_on": w.registered_on,
                 "withdrawn_at": w.withdrawn_at} for w in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the works (the unit's records) without the person's link."""
        names = await person_names(session, person_id)
        for work in await session.scalars(select(WorkRow)
                                          .where(WorkRow.registered_by == person_id)):
            work.registered_by = None
            for field in WORK_TEXT:
                value = getattr(work, field)
                cleaned = redact(value, names)
                if cleaned != value:
                    setattr(work, field, cleaned)
        await session.flush()


class WorkUpdatesSection:
    """Progress reports the person sent on works."""

    key = "work_updates"
    purposes = frozenset({"unit_reports"})

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the person's progress reports, with the work each is about."""
        rows = await session.execute(
            select(WorkUpdateRow, WorkRow.name)
            .join(WorkRow, WorkRow.id == WorkUpdateRow.work_id)
            .where(WorkUpdateRow.person_id == person_id)
            .order_by(WorkUpdateRow.id))
        return [{"work_id": u.work_id, "work_name": name, "progress": u.progress,
                 "note": u.note, "photo_ref": u.photo_ref, "created_at": u.created_at}
                for u, name in rows.all()]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the reports, notes and photos (unit data) without the person's link."""
        names = await person_names(session, person_id)
        for row in await session.scalars(select(WorkUpdateRow)
                                         .where(WorkUpdateRow.person_id == person_id)):
            row.person_id = None
            row.note = redact(row.note, names)
        await session.flush()


class ConferencesSection:
    """Unit conferences the person registered (or last changed)."""

    key = "conferences"
    purposes = frozenset({"unit_reports"})

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the conferences the person registered."""
        rows = await session.scalars(select(ConferenceRow)
                                     .where(ConferenceRow.registered_by == person_id)
                                     .order_by(ConferenceRow.id))
        return [{"campaign_id": c.campaign_id, "unit_code": c.unit_code, "form": c.form,
                 "held_on": c.held_on, "delegates": c.delegates, "grassroots": c.grassroots,
                 "updated_at": c.updated_at} for c in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the conferences without the person's link."""
        await session.execute(update(ConferenceRow)
                              .where(ConferenceRow.registered_by == person_id)
                              .values(registered_by=None)
                              .execution_options(synchronize_session=False))


def sections() -> list[WorksSection | WorkUpdatesSection | ConferencesSection]:
    """Return the feature's sections."""
    return [WorksSection(), WorkUpdatesSection(), ConferencesSection()]
