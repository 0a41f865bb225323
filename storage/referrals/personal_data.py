"""Personal data of the referral programme, for /quyenriengtu export and account deletion.

- `referral_participations`: the person's participation (campaign, unit, code, own account,
  weeks). On deletion the own account and the code are erased; the row and its week marks
  stay (nameless) so the unit's counts do not change.
- `referral_recruits`: the people the person added. Their names and accounts are data about
  third parties typed by the person, exported as "people I recruited"; on deletion the names,
  relations and accounts are erased (and the accounts unlinked), the week marks stay.
- `referral_followed`: accounts other participants follow that are linked to the person
  ("someone recruited me"). On deletion they are unlinked; the recruiter's record stays theirs.
- `referral_imports`: official lists the person imported; on deletion they become nameless.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.personal_data import PersonalDataSection, Record
from storage.referrals.marks import Marks, display_account
from storage.referrals.models import RefImportRow, RefMemberRow, RefParticipantRow
from storage.referrals.repo import REFERRAL, SELF

ERASED_PREFIX = "erased-"
ERASED_CODE_PREFIX = "DEL-"  # never a valid `VD-…` code: the link stops working

PROFILE = frozenset({"profile"})


def _weeks(row: RefMemberRow) -> str:
    done = Marks(row.reported_mask, row.verified_mask, row.official_mask).done
    return ", ".join(str(n) for n in range(1, done.bit_length() + 1) if done >> (n - 1) & 1)


def _account(value: str) -> str:
    return value if value.startswith(ERASED_PREFIX) else display_account(value)


def _mine(person_id: int) -> ColumnElement[bool]:
    return RefMemberRow.participant_id.in_(
        select(RefParticipantRow.id).where(RefParticipantRow.person_id == person_id))


class ReferralParticipationsSection:
    """The person's participation in referral programmes, with their own quiz account."""

    key = "referral_participations"
    purposes = PROFILE

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return each participation with the own account and the weeks that count."""
        rows = await session.execute(
            select(RefParticipantRow, RefMemberRow)
            .join(RefMemberRow, (RefMemberRow.participant_id == RefParticipantRow.id)
                  & (RefMemberRow.kind == SELF), isouter=True)
            .where(RefParticipantRow.person_id == person_id).order_by(RefParticipantRow.id))
        out: list[Record] = []
        for participant, own in rows.all():
            record: Record = {"campaign_id": participant.campaign_id,
                              "unit_code": participant.unit_code,
                              "referral_code": participant.code,
                              "joined_at": participant.joined_at}
            if own is not None:
                record |= {"quiz_account": _account(own.quiz_account),
                           "weeks_done": _weeks(own)}
            out.append(record)
        return out

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Erase the own accounts and the codes; keep the rows and weeks, nameless."""
        m, p = RefMemberRow, RefParticipantRow
        await session.execute(
            update(m).where(m.kind == SELF, _mine(person_id))
            .values(quiz_account=literal(ERASED_PREFIX) + cast(m.id, String),
                    display_name=None, relation=None, updated_at=now)
            .execution_options(synchronize_session=False))
        await session.execute(
            update(p).where(p.person_id == person_id)
            .values(code=literal(ERASED_CODE_PREFIX) + cast(p.id, String),
                    updated_at=now)
            .execution_options(synchronize_session=False))


class ReferralRecruitsSection:
    """The people the person recruited: names, relations and accounts they typed."""

    key = "referral_recruits"
    purposes = PROFILE

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return each recruited account with its weeks."""
        rows = await session.scalars(
            select(RefMemberRow).where(RefMemberRow.kind == REFERRAL, _mine(person_id))
            .order_by(RefMemberRow.id))
        return [{"campaign_id": r.campaign_id, "recruited_name": r.display_name,
                 "relation": r.relation, "quiz_account": _account(r.quiz_account),
                 "eligibility_confirmed_at": r.eligibility_confirmed_at,
                 "linked": r.linked_person_id is not None, "weeks_done": _weeks(r),
                 "created_at": r.created_at} for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Erase names, relations and accounts; unlink; keep the week marks."""
        m = RefMemberRow
        await session.execute(
            update(m).where(m.kind == REFERRAL, _mine(person_id))
            .values(quiz_account=literal(ERASED_PREFIX) + cast(m.id, String),
                    display_name=None, relation=None, linked_person_id=None, linked_at=None,
                    updated_at=now)
            .execution_options(synchronize_session=False))


class ReferralFollowedSection:
    """Accounts other participants recruited that are linked to the person."""

    key = "referral_followed"
    purposes = PROFILE

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return how the person is followed: campaign, name and account as typed, weeks."""
        rows = await session.scalars(
            select(RefMemberRow).where(RefMemberRow.linked_person_id == person_id)
            .order_by(RefMemberRow.id))
        return [{"campaign_id": r.campaign_id, "recruited_name": r.display_name,
                 "relation": r.relation, "quiz_account": _account(r.quiz_account),
                 "linked_at": r.linked_at, "weeks_done": _weeks(r)} for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Unlink the person from the accounts that name them."""
        await session.execute(
            update(RefMemberRow).where(RefMemberRow.linked_person_id == person_id)
            .values(linked_person_id=None, linked_at=None, updated_at=now)
            .execution_options(synchronize_session=False))


class ReferralImportsSection:
    """Official participation lists the person imported as a liaison or admin."""

    key = "referral_imports"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the imports: campaign, week, file name, time."""
        rows = await session.scalars(
            select(RefImportRow).where(RefImportRow.imported_by == person_id)
            .order_by(RefImportRow.id))
        return [{"campaign_id": r.campaign_id, "list_week": r.week, "filename": r.filename,
                 "imported_at": r.imported_at} for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the imports (the weeks they verified), without who imported them."""
        await session.execute(
            update(RefImportRow).where(RefImportRow.imported_by == person_id)
            .values(imported_by=None).execution_options(synchronize_session=False))


def referral_sections() -> list[PersonalDataSection]:
    """Return the referral programme's personal-data sections, in erase order."""
    return [ReferralFollowedSection(), ReferralRecruitsSection(),
            ReferralParticipationsSection(), ReferralImportsSection()]
