"""Good-deed reports, their photos and their history; decisions use a version column.

`transition` is a conditional UPDATE (`WHERE id = :id AND version = :seen`): of two reviewers
deciding on the same version, exactly one row update succeeds, on SQLite and on PostgreSQL
with several processes alike. The caller tells the loser.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Action as AuditAction
from storage.audit import AuditRepo
from storage.base import PersonRow, RoleGrantRow
from storage.deeds.models import DeedEventRow, DeedPhotoRow, DeedRow
from storage.deeds.states import NOMINATIONS
from storage.personal_data import ANONYMOUS
from storage.rows import changed

EDITABLE_FIELDS = frozenset({"nominee_name", "unit_code", "village", "what", "happened_on",
                             "place"})
DECISION_FIELDS = frozenset({"status", "reviewer_id", "reward_form", "reward_source",
                             "reject_reason", "nominee_consent"})


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo of a report: its channel reference and the stored file with its bytes."""

    position: int
    channel: str
    ref: str | None
    size: int | None
    caption: str | None
    file_id: int | None = None


@dataclass(frozen=True, slots=True)
class Deed:
    """A good-deed report as stored now (`original` holds what the reporter first sent)."""

    id: int
    campaign_id: str
    reporter_id: int | None
    unit_code: str
    status: str
    version: int
    is_self: bool
    nominee_name: str
    nominee_minor: str
    village: str | None
    what: str
    happened_on: date
    place: str
    contact_ok: bool
    phone: str | None
    original: dict[str, Any]
    reviewer_id: int | None
    reward_form: str | None
    reward_source: str | None
    reject_reason: str | None
    nominee_consent: str
    submitted_at: datetime
    updated_at: datetime
    photos: tuple[Photo, ...] = ()


@dataclass(frozen=True, slots=True)
class DeedEvent:
    """One step of a report's history."""

    id: int
    deed_id: int
    actor_id: int | None
    at: datetime
    action: str
    status_before: str | None
    status_after: str | None
    reason: str | None
    text: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class NewDeed:
    """What a reporter sends."""

    campaign_id: str
    reporter_id: int
    unit_code: str
    is_self: bool
    nominee_name: str
    nominee_minor: str
    village: str | None
    what: str
    happened_on: date
    place: str
    contact_ok: bool
    phone: str | None
    nominee_consent: str
    photos: tuple[Photo, ...] = ()

    def snapshot(self) -> dict[str, Any]:
        """Return the fields a reviewer may edit, as first sent (JSON-ready)."""
        return {"nominee_name": self.nominee_name, "unit_code": self.unit_code,
                "village": self.village, "what": self.what,
                "happened_on": self.happened_on.isoformat(), "place": self.place}


@dataclass(frozen=True, slots=True)
class Nominations:
    """Nominated reports with the nomination event and the names of those who nominated."""

    items: list[tuple[Deed, DeedEvent | None]]
    names: dict[int, str]


def _deed(row: DeedRow, photos: Iterable[DeedPhotoRow] = ()) -> Deed:
    return Deed(row.id, row.campaign_id, row.reporter_id, row.unit_code, row.status,
                row.version, row.is_self, row.nominee_name, row.nominee_minor, row.village,
                row.what, row.happened_on, row.place, row.contact_ok, row.phone,
                dict(row.original or {}), row.reviewer_id, row.reward_form, row.reward_source,
                row.reject_reason, row.nominee_consent, row.submitted_at, row.updated_at,
                tuple(Photo(p.position, p.channel, p.ref, p.size, p.caption, p.file_id)
                      for p in sorted(photos, key=lambda p: p.position)))


def _event(row: DeedEventRow) -> DeedEvent:
    return DeedEvent(row.id, row.deed_id, row.actor_id, row.at, row.action, row.status_before,
                     row.status_after, row.reason, row.text,
                     dict(row.before) if row.before is not None else None,
                     dict(row.after) if row.after is not None else None)


_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def _scoped(query: _Query, units: Collection[str] | None) -> _Query:
    return query if units is None else query.where(DeedRow.unit_code.in_(list(units)))


class DeedsRepo:
    """Reports, photos and history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, new: NewDeed, now: datetime) -> Deed:
        """Store a report as submitted, with its photos and its first history row."""
        row = DeedRow(campaign_id=new.campaign_id, reporter_id=new.reporter_id,
                      unit_code=new.unit_code, status="submitted", version=1,
                      is_self=new.is_self, nominee_name=new.nominee_name,
                      nominee_minor=new.nominee_minor, village=new.village, what=new.what,
                      happened_on=new.happened_on, place=new.place, contact_ok=new.contact_ok,
                      phone=new.phone, original=new.snapshot(),
                      nominee_consent=new.nominee_consent, submitted_at=now, updated_at=now)
        self.session.add(row)
        await self.session.flush()
        photos = [DeedPhotoRow(deed_id=row.id, position=p.position, channel=p.channel,
                               ref=p.ref, size=p.size, caption=p.caption, file_id=p.file_id)
                  for p in new.photos]
        self.session.add_all(photos)
        self.session.add(DeedEventRow(deed_id=row.id, actor_id=new.reporter_id, at=now,
                                      action="submit", status_after="submitted"))
        await self.session.flush()
        return _deed(row, photos)

    async def get(self, deed_id: int) -> Deed | None:
        """Return a report as currently stored (never a stale cached copy).
        """
        row = await self.session.scalar(
            select(DeedRow).where(DeedRow.id == deed_id)
            .execution_options(populate_existing=True))
        if row is None:
            return None
        photos = await self.session.scalars(
            select(DeedPhotoRow).where(DeedPhotoRow.deed_id == deed_id))
        return _deed(row, photos)

    async def transition(self, deed_id: int, seen_version: int, now: datetime,
                         **changes: Any) -> bool:
        """Apply changes only if nobody changed the report since `seen_version`."""
        unknown = set(changes) - EDITABLE_FIELDS - DECISION_FIELDS
        if unknown:
            raise ValueError(f"not changeable: {sorted(unknown)}")
        result = await self.session.execute(
            update(DeedRow)
            .where(DeedRow.id == deed_id, DeedRow.version == seen_version)
            .values(version=seen_version + 1, updated_at=now, **changes)
            .execution_options(synchronize_session=False))
        return changed(result) == 1

    async def add_event(self, deed_id: int, actor_id: int | None, now: datetime, action: str,
                        *, status_before: str | None = None, status_after: str | None = None,
                        reason: str | None = None, text: str | None = None,
                        before: dict[str, Any] | None = None,
                        after: dict[str, Any] | None = None) -> None:
        """Append one row to a report's history."""
        self.session.add(DeedEventRow(deed_id=deed_id, actor_id=actor_id, at=now, action=action,
                                      status_before=status_before, status_after=status_after,
                                      reason=reason, text=text, before=before, after=after))
        await self.session.flush()

    async def events(self, deed_id: int) -> list[DeedEvent]:
        """Return a report's history, oldest first."""
        rows = await self.session.scalars(
            select(DeedEventRow).where(DeedEventRow.deed_id == deed_id)
            .order_by(DeedEventRow.at, DeedEventRow.id))
        return [_event(r) for r in rows]

    async def by_reporter(self, person_id: int, limit: int = 20) -> list[Deed]:
        """Return a person's reports, newest first."""
        rows = await self.session.scalars(
            select(DeedRow).where(DeedRow.reporter_id == person_id)
            .order_by(DeedRow.id.desc()).limit(limit))
        return [_deed(r) for r in rows]

    async def counts(self, units: Collection[str] | None) -> dict[str, int]:
        """Return how many reports there are per status within the units (None: all)."""
        rows = await self.session.execute(
            _scoped(select(DeedRow.status, func.count()).group_by(DeedRow.status), units))
        return {status: count for status, count in rows.all()}

    async def open_by_unit(self, units: Collection[str] | None,
                           statuses: Collection[str]) -> dict[str, int]:
        """Return how many reports in the given statuses each unit has."""
        rows = await self.session.execute(
            _scoped(select(DeedRow.unit_code, func.count())
                    .where(DeedRow.status.in_(list(statuses)))
                    .group_by(DeedRow.unit_code), units))
        return {unit: count for unit, count in rows.all()}

    async def queue(self, units: Collection[str] | None, statuses: Collection[str],
                    limit: int = 10, *, newest_first: bool = False) -> list[Deed]:
        """Return reports in the given statuses within the units, oldest (or newest) first."""
        order = ((DeedRow.updated_at.desc(), DeedRow.id.desc()) if newest_first
                 else (DeedRow.submitted_at, DeedRow.id))
        rows = await self.session.scalars(
            _scoped(select(DeedRow).where(DeedRow.status.in_(list(statuses)))
                    .order_by(*order).limit(limit), units))
        return [_deed(r) for r in rows]

    async def recognised(self, campaign_id: str | None, consents: Collection[str],
                         statuses: Collection[str], limit: int = 10) -> list[Deed]:
        """Return recognised reports whose nominee agreed to be shown, newest first."""
        query = (select(DeedRow).where(DeedRow.status.in_(list(statuses)),
                                       DeedRow.nominee_consent.in_(list(consents)),
                                       DeedRow.nominee_name != ANONYMOUS)
                 .order_by(DeedRow.updated_at.desc(), DeedRow.id.desc()).limit(limit))
        if campaign_id is not None:
            query = query.where(DeedRow.campaign_id == campaign_id)
        rows = await self.session.scalars(query)
        return [_deed(r) for r in rows]

    async def nominations(self, statuses: Collection[str], units: Collection[str] | None,
                          campaign_id: str | None = None) -> list[tuple[Deed, DeedEvent | None]]:
        """Return nominated reports with their nomination event, oldest first."""
        query = _scoped(select(DeedRow).where(DeedRow.status.in_(list(statuses)))
                        .order_by(DeedRow.id), units)
        if campaign_id is not None:
            query = query.where(DeedRow.campaign_id == campaign_id)
        deeds = [_deed(r) for r in await self.session.scalars(query)]
        latest: dict[int, DeedEvent] = {}
        if deeds:
            events = await self.session.scalars(
                select(DeedEventRow).where(DeedEventRow.deed_id.in_([d.id for d in deeds]),
                                           DeedEventRow.action == "nominate")
                .order_by(DeedEventRow.id))
            latest = {e.deed_id: _event(e) for e in events}
        return [(deed, latest.get(deed.id)) for deed in deeds]

    async def people_with_role(self, roles: Collection[str],
                               unit_codes: Collection[str] | None = None) -> list[int]:
        """Return the ids of people holding an active grant of a role (on one of the units)."""
        query = (select(RoleGrantRow.person_id).distinct()
                 .where(RoleGrantRow.role.in_(list(roles)), RoleGrantRow.revoked_at.is_(None))
                 .order_by(RoleGrantRow.person_id))
        if unit_codes is not None:
            query = query.where(RoleGrantRow.unit_code.in_(list(unit_codes)))
        return list(await self.session.scalars(query))


async def load_nominations(session: AsyncSession, scope: Collection[str] | None,
                           campaign_id: str | None = None) -> Nominations:
    """Read nominated and awarded reports within the units (None: all)."""
    items = await DeedsRepo(session).nominations(NOMINATIONS, scope, campaign_id)
    names: dict[int, str] = {}
    for _report, event in items:
        if event is not None and event.actor_id is not None and event.actor_id not in names:
            person = await session.get(PersonRow, event.actor_id)
            names[event.actor_id] = (person.full_name or "") if person else ""
    return Nominations(items, names)


async def audit_export(session: AsyncSession, now: datetime, actor_id: int | None, rows: int,
                       scope: Collection[str] | None, campaign_id: str | None = None) -> None:
    """Record that a list with nominees' names left the bot (chat or server command)."""
    await AuditRepo(session).append(
        AuditAction.PRIVACY_EXPORT, now, actor_id=actor_id, target_type="deed_nominations",
        target_id=campaign_id, after={"rows": rows,
                                      "units": None if scope is None else len(scope)})
