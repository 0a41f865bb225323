"""Referral programme storage: participants, followed accounts, week marks, imports."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PersonRow, RefImportRow, RefMemberRow, RefParticipantRow
from storage.referrals.marks import Marks, QuizAccount, Timeline, bit

SELF = "self"
REFERRAL = "referral"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_PREFIX = "VD-"
CODE_LENGTH = 6


class AccountClaimed(Exception):
    """The quiz account is already followed in this campaign (by `holder`)."""

    def __init__(self, holder: Member) -> None:
        super().__init__("account claimed")
        self.holder = holder


@dataclass(frozen=True, slots=True)
class Participant:
    """A person in a campaign's referral programme."""

    id: int
    campaign_id: str
    person_id: int
    unit_code: str
    code: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """A followed quiz account: the participant's own (kind self) or a referred one."""

    id: int
    participant_id: int
    campaign_id: str
    kind: str
    display_name: str | None
    relation: str | None
    quiz_account: str
    account_kind: str
    eligibility_confirmed_at: datetime | None
    linked_person_id: int | None
    marks: Marks

    @property
    def is_self(self) -> bool:
        """Tell whether this is the participant's own account."""
        return self.kind == SELF


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


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """An official list already imported."""

    id: int
    week: int
    filename: str
    imported_at: datetime
    report: dict[str, Any]


def _participant(row: RefParticipantRow) -> Participant:
    return Participant(row.id, row.campaign_id, row.person_id, row.unit_code, row.code,
                       row.joined_at)


def _member(row: RefMemberRow) -> Member:
    return Member(row.id, row.participant_id, row.campaign_id, row.kind, row.display_name,
                  row.relation, row.quiz_account, row.account_kind,
                  row.eligibility_confirmed_at, row.linked_person_id,
                  Marks(row.reported_mask, row.verified_mask, row.official_mask))


def normalize_code(text: str) -> str | None:
    """Return a typed referral code in its stored form (VD-XXXXXX), or None if malformed."""
    cleaned = "".join(text.split()).upper().replace("_", "-")
    body = cleaned.removeprefix("VD").removeprefix("-")
    if len(body) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in body):
        return None
    return CODE_PREFIX + body


def done_expr() -> ColumnElement[int]:
    """Return the SQL mask of weeks that count: verified, or self-reported and uncontested."""
    m = RefMemberRow
    reported_only = m.reported_mask - m.reported_mask.op("&", return_type=Integer)(
        m.official_mask)
    return m.verified_mask.op("|", return_type=Integer)(reported_only)


def participants_audience(campaign_id: str, consent: ColumnElement[bool]) -> Select[int]:
    """Return the people in a campaign's programme who meet `consent` (a PersonRow condition)."""
    joined = select(RefParticipantRow.person_id).where(
        RefParticipantRow.campaign_id == campaign_id)
    return select(PersonRow.id).where(PersonRow.id.in_(joined), consent)


class ReferralRepo:
    """Participants, their followed accounts and official list imports of one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def commit(self) -> None:
        """Commit what this session did so far (a long import commits batch by batch)."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Undo what this session did since the last commit."""
        await self.session.rollback()

    async def _update(self, stmt: Any) -> None:
        # Bulk updates never touch objects loaded in the session: skip synchronising them
        # (the default would fetch every matched id back, 175,000 of them for a big list).
        await self.session.execute(stmt.execution_options(synchronize_session=False))

    # ---- participants

    async def participant(self, participant_id: int) -> Participant | None:
        """Return a participant by id."""
        row = await self.session.get(RefParticipantRow, participant_id)
        return _participant(row) if row else None

    async def participant_of(self, campaign_id: str, person_id: int) -> Participant | None:
        """Return the person's participation in a campaign, if any."""
        row = await self.session.scalar(select(RefParticipantRow).where(
            RefParticipantRow.campaign_id == campaign_id,
            RefParticipantRow.person_id == person_id))
        return _participant(row) if row else None

    async def participant_by_code(self, code: str) -> Participant | None:
        """Return the participant with this referral code."""
        row = await self.session.scalar(
            select(RefParticipantRow).where(RefParticipantRow.code == code))
        return _participant(row) if row else None

    async def join(self, campaign_id: str, person_id: int, unit_code: str,
                   account: QuizAccount, official_mask: int, now: datetime) -> Participant:
        """Enrol a person with their own account; raise AccountClaimed if it is taken."""
        holder = await self.claimed(campaign_id, account.value)
        if holder is not None:
            raise AccountClaimed(holder)
        for _ in range(10):
            code = CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET)
                                         for _ in range(CODE_LENGTH))
            if await self.participant_by_code(code) is None:
                break
        row = RefParticipantRow(campaign_id=campaign_id, person_id=person_id,
                                unit_code=unit_code, code=code, joined_at=now, updated_at=now)
        self.session.add(row)
        await self.session.flush()
        await self._insert_member(row.id, campaign_id, SELF, None, None, account, None,
                                  official_mask, now)
        return _participant(row)

    # ---- members

    async def members(self, participant_id: int) -> list[Member]:
        """Return the participant's own account first, then referrals in the order added."""
        rows = await self.session.scalars(
            select(RefMemberRow).where(RefMemberRow.participant_id == participant_id)
            .order_by(case((RefMemberRow.kind == SELF, 0), else_=1), RefMemberRow.id))
        return [_member(r) for r in rows]

    async def member(self, member_id: int) -> Member | None:
        """Return a followed account by id."""
        row = await self.session.get(RefMemberRow, member_id)
        return _member(row) if row else None

    async def claimed(self, campaign_id: str, quiz_account: str) -> Member | None:
        """Return who already follows this account in the campaign, if anyone."""
        row = await self.session.scalar(select(RefMemberRow).where(
            RefMemberRow.campaign_id == campaign_id, RefMemberRow.quiz_account == quiz_account))
        return _member(row) if row else None

    async def add_referral(self, participant: Participant, name: str, relation: str,
                           account: QuizAccount, official_mask: int, now: datetime) -> Member:
        """Add a referred account; raise AccountClaimed if the campaign already follows it."""
        holder = await self.claimed(participant.campaign_id, account.value)
        if holder is not None:
            raise AccountClaimed(holder)
        return await self._insert_member(participant.id, participant.campaign_id, REFERRAL,
                                         name, relation, account, now, official_mask, now)

    async def _insert_member(self, participant_id: int, campaign_id: str, kind: str,
                             name: str | None, relation: str | None, account: QuizAccount,
                             confirmed_at: datetime | None, official_mask: int, now: datetime
                             ) -> Member:
        row = RefMemberRow(participant_id=participant_id, campaign_id=campaign_id, kind=kind,
                           display_name=name, relation=relation, quiz_account=account.value,
                           account_kind=account.kind.value, eligibility_confirmed_at=confirmed_at,
                           reported_mask=0, verified_mask=0, official_mask=official_mask,
                           created_at=now, updated_at=now)
        try:
            async with self.session.begin_nested():
                self.session.add(row)
                await self.session.flush()
        except IntegrityError:  # claimed in between by another chat
            holder = await self.claimed(campaign_id, account.value)
            if holder is None:
                raise
            raise AccountClaimed(holder) from None
        return _member(row)

    async def remove_member(self, member_id: int) -> None:
        """Forget a referred account and its weeks."""
        await self.session.execute(delete(RefMemberRow).where(RefMemberRow.id == member_id,
                                                              RefMemberRow.kind == REFERRAL))

    async def set_reported(self, member_ids: Sequence[int], week: int, on: bool,
                           now: datetime) -> None:
        """Set or clear the self-report of a week for some accounts."""
        if not member_ids:
            return
        b = bit(week)
        m = RefMemberRow
        value = (m.reported_mask.op("|", return_type=Integer)(b) if on
                 else m.reported_mask - m.reported_mask.op("&", return_type=Integer)(b))
        await self._update(update(m).where(m.id.in_(list(member_ids)))
                                   .values(reported_mask=value, updated_at=now))

    async def link(self, member_id: int, person_id: int, now: datetime) -> None:
        """Link a referred account to the person who owns it."""
        await self._update(update(RefMemberRow).where(RefMemberRow.id == member_id)
                                   .values(linked_person_id=person_id, linked_at=now,
                                           updated_at=now))

    async def linked_to(self, person_id: int) -> list[Member]:
        """Return the referred accounts linked to a person."""
        rows = await self.session.scalars(select(RefMemberRow).where(
            RefMemberRow.linked_person_id == person_id, RefMemberRow.kind == REFERRAL)
            .order_by(RefMemberRow.id))
        return [_member(r) for r in rows]

    async def reassign(self, member_id: int, participant: Participant, official_mask: int,
                       now: datetime) -> None:
        """Move a referred account to another participant (an administrator's decision)."""
        await self._update(update(RefMemberRow).where(RefMemberRow.id == member_id)
                                   .values(participant_id=participant.id,
                                           official_mask=official_mask, linked_person_id=None,
                                           linked_at=None, updated_at=now))

    async def person_name(self, person_id: int) -> str | None:
        """Return a person's full name."""
        return await self.session.scalar(
            select(PersonRow.full_name).where(PersonRow.id == person_id))

    # ---- official lists

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

    # ---- progress

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
