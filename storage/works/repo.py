"""Repositories for unit works and conferences; return plain dataclasses, the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import PersonRow
from storage.works.models import ConferenceRow, WorkRow, WorkUpdateRow

MAX_IN_LIST = 500
WORK_FIELDS = ("name", "volume", "location", "value_vnd", "funding", "due_on", "due_precision")


@dataclass(frozen=True, slots=True)
class Work:
    """A registered work."""

    id: int
    campaign_id: str
    unit_code: str
    name: str
    volume: str
    location: str
    value_vnd: int
    funding: str
    due_on: date
    due_precision: str
    progress: int
    completed_on: date | None
    flagship: bool
    registered_on: date
    registered_by: int | None
    withdrawn_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class WorkUpdate:
    """A progress report."""

    id: int
    work_id: int
    progress: int
    note: str | None
    photo_ref: str | None
    photo_channel: str | None
    person_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Conference:
    """A unit's conference registration."""

    id: int
    campaign_id: str
    unit_code: str
    level: str
    form: str
    held_on: date
    delegates: int
    grassroots: int
    registered_by: int | None
    updated_at: datetime
    documents_sent_on: date | None = None
    held_confirmed_on: date | None = None

    @property
    def closed(self) -> bool:
        """Tell whether the unit reported the conference held (nothing more is owed)."""
        return self.held_confirmed_on is not None


def _work(row: WorkRow) -> Work:
    return Work(row.id, row.campaign_id, row.unit_code, row.name, row.volume, row.location,
                row.value_vnd, row.funding, row.due_on, row.due_precision, row.progress,
                row.completed_on, row.flagship, row.registered_on, row.registered_by,
                row.withdrawn_at, row.updated_at)


def _update(row: WorkUpdateRow) -> WorkUpdate:
    return WorkUpdate(row.id, row.work_id, row.progress, row.note, row.photo_ref,
                      row.photo_channel, row.person_id, row.created_at)


def _conference(row: ConferenceRow) -> Conference:
    return Conference(row.id, row.campaign_id, row.unit_code, row.level, row.form, row.held_on,
                      row.delegates, row.grassroots, row.registered_by, row.updated_at,
                      row.documents_sent_on, row.held_confirmed_on)


class WorksRepo:
    """Works and their progress reports."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, campaign_id: str, unit_code: str, fields: dict[str, Any],
                  registered_on: date, person_id: int | None, now: datetime) -> Work:
        """Register a work."""
        row = WorkRow(campaign_id=campaign_id, unit_code=unit_code, progress=0, flagship=False,
                      registered_on=registered_on, registered_by=person_id, created_at=now,
                      updated_at=now, **{k: fields[k] for k in WORK_FIELDS})
        self.session.add(row)
        await self.session.flush()
        return _work(row)

    async def get(self, work_id: int) -> Work | None:
        """Return a work by id (withdrawn ones included)."""
        row = await self.session.get(WorkRow, work_id)
        return _work(row) if row else None

    async def edit(self, work_id: int, fields: dict[str, Any], now: datetime) -> Work:
        """Change the registered fields of a work."""
        row = await self.session.get_one(WorkRow, work_id)
        for name in WORK_FIELDS:
            if name in fields:
                setattr(row, name, fields[name])
        row.updated_at = now
        await self.session.flush()
        return _work(row)

    async def report(self, work_id: int, progress: int, note: str | None,
                     photo_ref: str | None, photo_channel: str | None, person_id: int | None,
                     today: date, now: datetime) -> Work:
        """Record a progress report; 100 % completes the work, less re-opens it."""
        self.session.add(WorkUpdateRow(work_id=work_id, progress=progress, note=note,
                                       photo_ref=photo_ref, photo_channel=photo_channel,
                                       person_id=person_id, created_at=now))
        row = await self.session.get_one(WorkRow, work_id)
        row.progress = progress
        if progress >= 100:
            row.completed_on = row.completed_on or today
        else:
            row.completed_on = None
        row.updated_at = now
        await self.session.flush()
        return _work(row)

    async def complete(self, work_id: int, today: date, person_id: int | None,
                       now: datetime) -> Work:
        """Mark a work completed today (a 100 % report is kept in its history)."""
        return await self.report(work_id, 100, None, None, None, person_id, today, now)

    async def withdraw(self, work_id: int, now: datetime) -> None:
        """Withdraw a registration made by mistake (kept, but no longer counted)."""
        await self.session.execute(update(WorkRow).where(WorkRow.id == work_id)
                                   .values(withdrawn_at=now, flagship=False, updated_at=now))

    async def set_flagship(self, work_id: int, flagship: bool, now: datetime) -> None:
        """Mark or unmark a work as one of the campaign's flagship works."""
        await self.session.execute(update(WorkRow).where(WorkRow.id == work_id)
                                   .values(flagship=flagship, updated_at=now))

    async def updates(self, work_id: int, limit: int | None = None) -> list[WorkUpdate]:
        """Return the progress reports of a work, newest first."""
        query = (select(WorkUpdateRow).where(WorkUpdateRow.work_id == work_id)
                 .order_by(WorkUpdateRow.created_at.desc(), WorkUpdateRow.id.desc()))
        if limit is not None:
            query = query.limit(limit)
        return [_update(r) for r in await self.session.scalars(query)]

    async def of_units(self, campaign_id: str, unit_codes: Iterable[str]) -> list[Work]:
        """Return the active works of some units, oldest first."""
        codes = list(unit_codes)
        if not codes:
            return []
        if len(codes) > MAX_IN_LIST:  # a whole province: one scan beats a huge IN list
            wanted = set(codes)
            return [w for w in await self.of_campaign(campaign_id) if w.unit_code in wanted]
        rows = await self.session.scalars(
            select(WorkRow).where(WorkRow.campaign_id == campaign_id,
                                  WorkRow.unit_code.in_(codes), WorkRow.withdrawn_at.is_(None))
            .order_by(WorkRow.registered_on, WorkRow.id))
        return [_work(r) for r in rows]

    async def of_campaign(self, campaign_id: str) -> list[Work]:
        """Return every active work of a campaign, by unit then age."""
        rows = await self.session.scalars(
            select(WorkRow).where(WorkRow.campaign_id == campaign_id,
                                  WorkRow.withdrawn_at.is_(None))
            .order_by(WorkRow.unit_code, WorkRow.registered_on, WorkRow.id))
        return [_work(r) for r in rows]

    async def registration_days(self, campaign_id: str) -> dict[str, list[date]]:
        """Return, per unit, the days its active works were registered."""
        rows = await self.session.execute(
            select(WorkRow.unit_code, WorkRow.registered_on)
            .where(WorkRow.campaign_id == campaign_id, WorkRow.withdrawn_at.is_(None)))
        days: dict[str, list[date]] = {}
        for unit_code, registered_on in rows.all():
            days.setdefault(unit_code, []).append(registered_on)
        return days

    async def flagships(self, campaign_id: str) -> list[Work]:
        """Return the works marked flagship in a campaign."""
        rows = await self.session.scalars(
            select(WorkRow).where(WorkRow.campaign_id == campaign_id,
                                  WorkRow.flagship.is_(True), WorkRow.withdrawn_at.is_(None))
            .order_by(WorkRow.id))
        return [_work(r) for r in rows]

    async def count(self, campaign_id: str) -> int:
        """Count the active works of a campaign."""
        return await self.session.scalar(
            select(func.count()).select_from(WorkRow)
            .where(WorkRow.campaign_id == campaign_id, WorkRow.withdrawn_at.is_(None))) or 0


class ConferenceRepo:
    """Conference registrations, one per unit and campaign."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_unit(self, campaign_id: str, unit_code: str) -> Conference | None:
        """Return a unit's conference, if registered."""
        row = await self.session.scalar(
            select(ConferenceRow).where(ConferenceRow.campaign_id == campaign_id,
                                        ConferenceRow.unit_code == unit_code))
        return _conference(row) if row else None

    async def get(self, conference_id: int) -> Conference | None:
        """Return a conference by id."""
        row = await self.session.get(ConferenceRow, conference_id)
        return _conference(row) if row else None

    async def save(self, campaign_id: str, unit_code: str, level: str, form: str,
                   held_on: date, delegates: int, grassroots: int, person_id: int | None,
                   now: datetime) -> Conference:
        """Register a unit's conference, or replace its details."""
        row = await self.session.scalar(
            select(ConferenceRow).where(ConferenceRow.campaign_id == campaign_id,
                                        ConferenceRow.unit_code == unit_code))
        if row is None:
            row = ConferenceRow(campaign_id=campaign_id, unit_code=unit_code, created_at=now)
            self.session.add(row)
        row.level, row.form, row.held_on = level, form, held_on
        row.delegates, row.grassroots = delegates, grassroots
        row.registered_by, row.updated_at = person_id, now
        await self.session.flush()
        return _conference(row)

    async def close(self, conference_id: int, *, documents_sent_on: date | None = None,
                    held_on: date | None = None, now: datetime) -> Conference:
        """Record that the documents were sent and/or the conference was held (sending the
        documents is implied by holding it); a day already recorded is kept."""
        row = await self.session.get_one(ConferenceRow, conference_id)
        if held_on is not None:
            row.held_confirmed_on = row.held_confirmed_on or held_on
            documents_sent_on = documents_sent_on or held_on
        if documents_sent_on is not None:
            row.documents_sent_on = row.documents_sent_on or documents_sent_on
        row.updated_at = now
        await self.session.flush()
        return _conference(row)

    async def of_campaign(self, campaign_id: str) -> list[Conference]:
        """Return every conference of a campaign, by day."""
        rows = await self.session.scalars(
            select(ConferenceRow).where(ConferenceRow.campaign_id == campaign_id)
            .order_by(ConferenceRow.held_on, ConferenceRow.unit_code))
        return [_conference(r) for r in rows]


async def names_of(session: AsyncSession, person_ids: Iterable[int | None]) -> dict[int, str]:
    """Return the full names of some people (for exports seen by campaign admins)."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(select(PersonRow.id, PersonRow.full_name)
                                 .where(PersonRow.id.in_(ids)))
    return {pid: name for pid, name in rows.all() if name}
