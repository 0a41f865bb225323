"""Official participation lists in storage: imports, matching accounts, verified weeks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, or_, select, update

from storage.base import PersonRow
from storage.referrals.marks import bit
from storage.referrals.models import RefImportRow, RefMemberRow, RefParticipantRow
from storage.referrals.rows import SELF, RepoBase


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """An official list already imported."""

    id: int
    week: int
    filename: str
    imported_at: datetime
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ConflictOwner:
    """A self-reported week missing from the official list, and who follows that account."""

    member_id: int
    person_id: int
    name: str | None
    is_self: bool


class OfficialLists(RepoBase):
    """Queries about official lists (mixed into ReferralRepo)."""

    async def import_with_hash(self, campaign_id: str, sha256: str) -> ImportRecord | None:
        """Return the import of an identical file, if any."""
        row = await self.session.scalar(select(RefImportRow).where(
            RefImportRow.campaign_id == campaign_id, RefImportRow.sha256 == sha256))
        if row is None:
            return None
        return ImportRecord(row.id, row.week, row.filename, row.imported_at, dict(row.report))

    async def record_import(self, campaign_id: str, week: int, unit_code: str | None,
                            filename: str, sha256: str, report: dict[str, Any],
                            imported_by: int | None, now: datetime) -> int:
        """Store an import and its report; return its id."""
        row = RefImportRow(campaign_id=campaign_id, week=week, unit_code=unit_code,
                           filename=filename[:200], sha256=sha256, report=report,
                           imported_by=imported_by, imported_at=now)
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def official_mask(self, campaign_id: str, covering: Sequence[str]) -> int:
        """Return the weeks whose official lists cover a unit (given it and its ancestors)."""
        weeks = await self.session.scalars(select(RefImportRow.week).distinct().where(
            RefImportRow.campaign_id == campaign_id,
            or_(RefImportRow.unit_code.is_(None), RefImportRow.unit_code.in_(list(covering)))))
        mask = 0
        for week in weeks:
            mask |= bit(week)
        return mask

    async def match_accounts(self, campaign_id: str, accounts: Sequence[str],
                             units: Sequence[str] | None) -> list[tuple[str, int, bool]]:
        """Return (account, member id, in scope) for the accounts the campaign follows.

        Scope is the participants' units (None: the whole campaign).
        """
        m, p = RefMemberRow, RefParticipantRow
        in_scope: ColumnElement[bool] = (p.unit_code.in_(list(units)) if units is not None
                                         else and_(True))
        rows = await self.session.execute(
            select(m.quiz_account, m.id, case((in_scope, 1), else_=0))
            .join(p, p.id == m.participant_id)
            .where(m.campaign_id == campaign_id, m.quiz_account.in_(list(accounts))))
        return [(acc, mid, bool(scope)) for acc, mid, scope in rows.all()]

    async def verified_state(self, member_ids: Sequence[int], week: int) -> dict[int, bool]:
        """Return whether each account already has the week verified."""
        if not member_ids:
            return {}
        b = bit(week)
        rows = await self.session.execute(
            select(RefMemberRow.id, RefMemberRow.verified_mask.op("&", return_type=Integer)(b))
            .where(RefMemberRow.id.in_(list(member_ids))))
        return {mid: bool(value) for mid, value in rows.all()}

    async def verify(self, member_ids: Sequence[int], week: int, now: datetime) -> None:
        """Mark a week as verified by an official list for some accounts."""
        if not member_ids:
            return
        m = RefMemberRow
        await self._update(
            update(m).where(m.id.in_(list(member_ids)))
            .values(verified_mask=m.verified_mask.op("|", return_type=Integer)(bit(week)),
                    updated_at=now))

    async def cover_week(self, campaign_id: str, week: int, units: Sequence[str] | None
                         ) -> None:
        """Record that an official list now covers a week for the accounts in scope."""
        m = RefMemberRow
        b = bit(week)
        stmt = (update(m).where(m.campaign_id == campaign_id,
                                m.official_mask.op("&", return_type=Integer)(b) == 0)
                .values(official_mask=m.official_mask.op("|", return_type=Integer)(b)))
        if units is not None:
            stmt = stmt.where(m.participant_id.in_(
                select(RefParticipantRow.id).where(RefParticipantRow.unit_code.in_(list(units)))))
        await self._update(stmt)

    async def conflict_owners(self, campaign_id: str, week: int,
                              units: Sequence[str] | None) -> list[ConflictOwner]:
        """Return every self-report of a week the official list contradicts, with the
        participant who follows that account (the person to tell)."""
        m, p = RefMemberRow, RefParticipantRow
        b = bit(week)
        where = [m.campaign_id == campaign_id,
                 m.reported_mask.op("&", return_type=Integer)(b) != 0,
                 m.official_mask.op("&", return_type=Integer)(b) != 0,
                 m.verified_mask.op("&", return_type=Integer)(b) == 0]
        if units is not None:
            where.append(p.unit_code.in_(list(units)))
        rows = await self.session.execute(
            select(m.id, p.person_id, m.display_name, m.kind == SELF)
            .join(p, p.id == m.participant_id).where(*where).order_by(p.id, m.id))
        return [ConflictOwner(mid, person, name, bool(own))
                for mid, person, name, own in rows.all()]

    async def conflicts(self, campaign_id: str, week: int, units: Sequence[str] | None,
                        limit: int = 20) -> tuple[int, list[tuple[str | None, str | None, bool]]]:
        """Count self-reports contradicted by the official list; return some examples.

        Examples are (participant name, account name, is own account).
        """
        m, p = RefMemberRow, RefParticipantRow
        b = bit(week)
        band = m.reported_mask.op("&", return_type=Integer)(b)
        where = [m.campaign_id == campaign_id, band != 0,
                 m.official_mask.op("&", return_type=Integer)(b) != 0,
                 m.verified_mask.op("&", return_type=Integer)(b) == 0]
        if units is not None:
            where.append(p.unit_code.in_(list(units)))
        base = select(m.id).join(p, p.id == m.participant_id).where(*where)
        total = await self.session.scalar(select(func.count()).select_from(base.subquery()))
        rows = await self.session.execute(
            select(PersonRow.full_name, m.display_name, m.kind == SELF)
            .join(p, p.id == m.participant_id).join(PersonRow, PersonRow.id == p.person_id)
            .where(*where).order_by(p.unit_code, p.id, m.id).limit(limit))
        return total or 0, [(a, b_, bool(c)) for a, b_, c in rows.all()]
