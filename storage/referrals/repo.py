"""Referral programme storage: participants, followed accounts, week marks, imports.

`ReferralRepo` gathers the queries of storage/referrals/: participants and members here,
official lists in lists.py, progress and exports in progress.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, Select, case, delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.base import PersonRow
from storage.referrals.lists import ImportRecord, OfficialLists
from storage.referrals.marks import QuizAccount, bit
from storage.referrals.models import RefMemberRow, RefParticipantRow
from storage.referrals.progress import ExportRow, Owing, ProgressQueries, UnitCounts
from storage.referrals.rows import (
    REFERRAL,
    SELF,
    Member,
    Participant,
    done_expr,
    member_of_row,
    participant_of_row,
)

__all__ = [
    "REFERRAL", "SELF", "AccountClaimed", "ExportRow", "ImportRecord", "Member", "Owing",
    "Participant", "ReferralRepo", "UnitCounts", "done_expr", "normalize_code",
    "participants_audience",
]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_PREFIX = "VD-"
CODE_LENGTH = 6


class AccountClaimed(Exception):
    """The quiz account is already followed in this campaign (by `holder`)."""

    def __init__(self, holder: Member) -> None:
        super().__init__("account claimed")
        self.holder = holder


def normalize_code(text: str) -> str | None:
    """Return a typed referral code in its stored form (VD-XXXXXX), or None if malformed."""
    cleaned = "".join(text.split()).upper().replace("_", "-")
    body = cleaned.removeprefix("VD").removeprefix("-")
    if len(body) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in body):
        return None
    return CODE_PREFIX + body


def participants_audience(campaign_id: str, consent: ColumnElement[bool]) -> Select[int]:
    """Return the people in a campaign's programme who meet `consent` (a PersonRow condition)."""
    joined = select(RefParticipantRow.person_id).where(
        RefParticipantRow.campaign_id == campaign_id)
    return select(PersonRow.id).where(PersonRow.id.in_(joined), consent)


class ReferralRepo(OfficialLists, ProgressQueries):
    """Participants, their followed accounts and official list imports of one session."""

    # ---- participants

    async def participant(self, participant_id: int) -> Participant | None:
        """Return a participant by id."""
        row = await self.session.get(RefParticipantRow, participant_id)
        return participant_of_row(row) if row else None

    async def participant_of(self, campaign_id: str, person_id: int) -> Participant | None:
        """Return the person's participation in a campaign, if any."""
        row = await self.session.scalar(select(RefParticipantRow).where(
            RefParticipantRow.campaign_id == campaign_id,
            RefParticipantRow.person_id == person_id))
        return participant_of_row(row) if row else None

    async def participant_by_code(self, code: str) -> Participant | None:
        """Return the participant with this referral code."""
        row = await self.session.scalar(
            select(RefParticipantRow).where(RefParticipantRow.code == code))
        return participant_of_row(row) if row else None

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
        return participant_of_row(row)

    # ---- members

    async def members(self, participant_id: int) -> list[Member]:
        """Return the participant's own account first, then referrals in the order added."""
        rows = await self.session.scalars(
            select(RefMemberRow).where(RefMemberRow.participant_id == participant_id)
            .order_by(case((RefMemberRow.kind == SELF, 0), else_=1), RefMemberRow.id))
        return [member_of_row(r) for r in rows]

    async def member(self, member_id: int) -> Member | None:
        """Return a followed account by id."""
        row = await self.session.get(RefMemberRow, member_id)
        return member_of_row(row) if row else None

    async def claimed(self, campaign_id: str, quiz_account: str) -> Member | None:
        """Return who already follows this account in the campaign, if anyone."""
        row = await self.session.scalar(select(RefMemberRow).where(
            RefMemberRow.campaign_id == campaign_id, RefMemberRow.quiz_account == quiz_account))
        return member_of_row(row) if row else None

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
        return member_of_row(row)

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
        return [member_of_row(r) for r in rows]

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
