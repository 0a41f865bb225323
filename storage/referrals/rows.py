"""Rows of the referral tables as values (participants, followed accounts), and the base of
the repository: one session, bulk updates that skip synchronising loaded objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer
from sqlalchemy.ext.asyncio import AsyncSession

from storage.referrals.marks import Marks
from storage.referrals.models import RefMemberRow, RefParticipantRow

SELF = "self"
REFERRAL = "referral"


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


def participant_of_row(row: RefParticipantRow) -> Participant:
    return Participant(row.id, row.campaign_id, row.person_id, row.unit_code, row.code,
                       row.joined_at)


def member_of_row(row: RefMemberRow) -> Member:
    return Member(row.id, row.participant_id, row.campaign_id, row.kind, row.display_name,
                  row.relation, row.quiz_account, row.account_kind,
                  row.eligibility_confirmed_at, row.linked_person_id,
                  Marks(row.reported_mask, row.verified_mask, row.official_mask))


def done_expr() -> ColumnElement[int]:
    """Return the SQL mask of weeks that count: verified, or self-reported and uncontested."""
    m = RefMemberRow
    reported_only = m.reported_mask - m.reported_mask.op("&", return_type=Integer)(
        m.official_mask)
    return m.verified_mask.op("|", return_type=Integer)(reported_only)


class RepoBase:
    """The session the referral queries run in."""


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
