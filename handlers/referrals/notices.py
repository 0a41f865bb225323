"""Telling a participant that an official weekly list contradicts a self-report (⚠️).

After an official list is imported, every account self-reported for that week but missing
from the list is a contradiction; the participant who follows that account (their own or a
referred person's) is told once per account and week, through the outbox: quiet hours hold
the message until morning, a blocked account is skipped, and someone who withdrew the
referrals consent is not told. The dashboard shows the same ⚠️ to anyone not reachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.service import Delivery
from content.privacy import Purpose
from content.schema import Campaign
from storage.delivery.repo import people_with_consent
from storage.referrals.repo import ReferralRepo

NOTICE_SELF = "ref.conflict.notice_self"
NOTICE_REFERRAL = "ref.conflict.notice_referral"


def dedupe_key(member_id: int, week: int) -> str:
    """Return the outbox key of one contradiction: the same one is never told twice."""
    return f"ref:conflict:{member_id}:w{week}"


async def tell_conflicts(session: AsyncSession, delivery: Delivery, campaign: Campaign,
                         week: int, units: Sequence[str] | None, now: datetime) -> int:
    """Queue one notice per contradicted self-report of `week`; return how many were new."""
    prog = campaign.programmes.referral
    if prog is None or not 1 <= week <= len(prog.weeks):
        return 0
    owners = await ReferralRepo(session).conflict_owners(campaign.id, week, units)
    allowed = await people_with_consent(session, {o.person_id for o in owners},
                                        Purpose.REFERRALS)
    span = f"{prog.weeks[week - 1].start:%d/%m} – {prog.weeks[week - 1].end:%d/%m/%Y}"
    told = 0
    for owner in owners:
        if owner.person_id not in allowed:
            continue
        key = NOTICE_SELF if owner.is_self else NOTICE_REFERRAL
        params = {"campaign": campaign.short_name, "week": week, "span": span,
                  "name": owner.name or ""}
        if await delivery.notify(session, owner.person_id,
                                 dedupe_key(owner.member_id, week), key, params, now=now):
            told += 1
    return told
