"""Progress queries of the referral programme: counts per unit, who owes a week, exports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, func, select

from storage.base import PersonRow
from storage.referrals.marks import Marks, Timeline, bit
from storage.referrals.models import RefMemberRow, RefParticipantRow
from storage.referrals.rows import REFERRAL, SELF, Member, Participant, RepoBase, done_expr


@dataclass(frozen=True, slots=True)
class UnitCounts:
    """Progress figures of the participants of one unit."""

    participants: int = 0
    referrals: int = 0
    with_enough_referrals: int = 0
    accounts: int = 0
    done_this_week: int = 0
    eligible: int = 0

    def __add__(self, other: UnitCounts) -> UnitCounts:
        return UnitCounts(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))


def _fields(counts: UnitCounts) -> tuple[int, ...]:
    return (counts.participants, counts.referrals, counts.with_enough_referrals,
            counts.accounts, counts.done_this_week, counts.eligible)


@dataclass(frozen=True, slots=True)
class Owing:
    """An account that has not (yet) taken part in a week, with whom to remind."""

    participant_id: int
    person_id: int
    person_name: str | None
    unit_code: str
    member_id: int
    member_name: str | None
    is_self: bool
    linked_person_id: int | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One followed account with its participant, for exports (streamed)."""

    participant: Participant
    person_name: str | None
    birth_year: int | None
    member: Member


class ProgressQueries(RepoBase):
    """Progress figures and streamed rows (mixed into ReferralRepo)."""

    async def unit_counts(self, campaign_id: str, units: Sequence[str] | None, line: Timeline,
                          min_referrals: int) -> dict[str, UnitCounts]:
        """Return progress figures per participant unit (units None = the whole campaign)."""
        m, p = RefMemberRow, RefParticipantRow
        closed = line.closed_mask
        done = done_expr()
        complete = done.op("&", return_type=Integer)(closed) == closed
        current = bit(line.current) if line.current else 0
        this_week = done.op("&", return_type=Integer)(current) != 0
        is_ref = m.kind == REFERRAL
        per = (
            select(
                p.unit_code.label("unit"),
                func.sum(case((is_ref, 1), else_=0)).label("refs"),
                func.sum(case((and_(is_ref, complete), 1), else_=0)).label("refs_ok"),
                func.max(case((and_(m.kind == SELF, complete), 1), else_=0)).label("self_ok"),
                func.sum(case((this_week, 1), else_=0)).label("week_done"),
                func.count().label("accounts"),
            )
            .join(m, m.participant_id == p.id)
            .where(p.campaign_id == campaign_id)
            .group_by(p.id, p.unit_code)
        )
        if units is not None:
            per = per.where(p.unit_code.in_(list(units)))
        sub = per.subquery()
        stmt = (
            select(
                sub.c.unit,
                func.count(),
                func.sum(sub.c.refs),
                func.sum(case((sub.c.refs >= min_referrals, 1), else_=0)),
                func.sum(sub.c.accounts),
                func.sum(sub.c.week_done),
                func.sum(case((and_(sub.c.self_ok == 1, sub.c.refs_ok >= min_referrals), 1),
                              else_=0)),
            )
            .group_by(sub.c.unit)
        )
        rows = await self.session.execute(stmt)
        return {code: UnitCounts(int(n or 0), int(refs or 0), int(enough or 0),
                                 int(accounts or 0), int(week or 0), int(ok or 0))
                for code, n, refs, enough, accounts, week, ok in rows.all()}

    async def followed_accounts(self, campaign_id: str, units: Sequence[str] | None) -> int:
        """Return how many accounts the campaign follows in some units (None: all), without
        the per-participant work of unit_counts (an index count)."""
        m, p = RefMemberRow, RefParticipantRow
        stmt = select(func.count()).select_from(m).where(m.campaign_id == campaign_id)
        if units is not None:
            stmt = (stmt.join(p, p.id == m.participant_id)
                    .where(p.unit_code.in_(list(units))))
        return int(await self.session.scalar(stmt) or 0)

    async def owing(self, campaign_id: str, week: int, units: Sequence[str] | None,
                    limit: int | None = None) -> list[Owing]:
        """Return the followed accounts whose week does not count as taken part yet."""
        m, p = RefMemberRow, RefParticipantRow
        stmt = (
            select(p.id, p.person_id, PersonRow.full_name, p.unit_code, m.id, m.display_name,
                   m.kind == SELF, m.linked_person_id)
            .join(p, p.id == m.participant_id).join(PersonRow, PersonRow.id == p.person_id)
            .where(m.campaign_id == campaign_id,
                   done_expr().op("&", return_type=Integer)(bit(week)) == 0)
            .order_by(p.unit_code, p.id, case((m.kind == SELF, 0), else_=1), m.id)
        )
        if units is not None:
            stmt = stmt.where(p.unit_code.in_(list(units)))
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = await self.session.execute(stmt)
        return [Owing(pid, person, name, unit, mid, mname, bool(is_self), linked)
                for pid, person, name, unit, mid, mname, is_self, linked in rows.all()]

    async def count_owing(self, campaign_id: str, week: int, units: Sequence[str] | None,
                          person_id: int | None = None) -> tuple[int, int]:
        """Return (accounts owing the week, participants concerned), optionally of one person."""
        m, p = RefMemberRow, RefParticipantRow
        stmt = (select(func.count(), func.count(func.distinct(m.participant_id)))
                .join(p, p.id == m.participant_id)
                .where(m.campaign_id == campaign_id,
                       done_expr().op("&", return_type=Integer)(bit(week)) == 0))
        if units is not None:
            stmt = stmt.where(p.unit_code.in_(list(units)))
        if person_id is not None:
            stmt = stmt.where(p.person_id == person_id)
        accounts, people = (await self.session.execute(stmt)).one()
        return int(accounts or 0), int(people or 0)

    async def stream_rows(self, campaign_id: str, units: Sequence[str] | None
                          ) -> AsyncIterator[ExportRow]:
        """Yield every followed account with its participant, grouped by participant."""
        m, p = RefMemberRow, RefParticipantRow
        stmt = (
            select(p.id, p.campaign_id, p.person_id, p.unit_code, p.code, p.joined_at,
                   PersonRow.full_name, PersonRow.birth_year,
                   m.id, m.kind, m.display_name, m.relation, m.quiz_account, m.account_kind,
                   m.eligibility_confirmed_at, m.linked_person_id, m.reported_mask,
                   m.verified_mask, m.official_mask)
            .join(m, m.participant_id == p.id).join(PersonRow, PersonRow.id == p.person_id)
            .where(p.campaign_id == campaign_id)
            .order_by(p.unit_code, p.id, case((m.kind == SELF, 0), else_=1), m.id)
            .execution_options(yield_per=2000)
        )
        if units is not None:
            stmt = stmt.where(p.unit_code.in_(list(units)))
        result = await self.session.stream(stmt)
        participant: Participant | None = None
        async for row in result:
            (pid, cid, person_id, unit, code, joined, name, birth_year, mid, kind, mname,
             relation, account, account_kind, confirmed, linked, reported, verified,
             official) = row
            if participant is None or participant.id != pid:
                participant = Participant(pid, cid, person_id, unit, code, joined)
            member = Member(mid, pid, cid, kind, mname, relation, account, account_kind,
                            confirmed, linked, Marks(reported, verified, official))
            yield ExportRow(participant, name, birth_year, member)
