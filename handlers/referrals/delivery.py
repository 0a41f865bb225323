"""Referral reminders and audiences: the weekly nudge and "participants of a campaign"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.delivery.audiences import PARTICIPANTS, AudienceSpec
from bot.delivery.reminders import Moment, moments_due
from bot.delivery.timing import at_time
from content.messages import Messages
from content.privacy import Purpose
from content.schema import Campaign, Week
from storage.delivery.repo import consent_active, people_with_consent
from storage.referrals.repo import ReferralRepo, participants_audience

if TYPE_CHECKING:  # annotations only: the delivery engine hands its session over
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

NUDGE_RULE = "referral-week"
NUDGE_KIND = "referral"
NUDGE_DAYS_BEFORE = 2


def _span(week: Week) -> str:
    return f"{week.start:%d/%m} – {week.end:%d/%m/%Y}"


class WeeklyReferralNudge:
    """Two days before each referral week ends (at the reminder hour), nudge the participants
    whose own account or referred accounts have not taken part in that week yet.

    "Taken part" is what /vandong counts: marked by the participant (and not contradicted by
    an official list) or verified by one. Re-checked just before sending, so someone who
    marked the week in the meantime gets nothing.
    """

    id = NUDGE_RULE
    kind = NUDGE_KIND

    def __init__(self, campaigns: Iterable[Campaign], messages: Messages, hour: time,
                 tz: tzinfo, days_before: int = NUDGE_DAYS_BEFORE) -> None:
        self._moments: list[Moment] = []
        for campaign in campaigns:
            referral = campaign.programmes.referral
            if referral is None:
                continue
            for week in referral.weeks:
                self._moments.append(Moment(
                    key=f"{campaign.id}:w{week.number}",
                    at=at_time(week.end - timedelta(days=days_before), hour, tz),
                    expires_at=at_time(week.end + timedelta(days=1), time(0, 0), tz),
                    message_key="ref.nudge",
                    params={"campaign": campaign.short_name, "week": week.number,
                            "span": _span(week), "end": f"{week.end:%d/%m/%Y}",
                            "what": messages.t("ref.nudge_what", week=week.number,
                                               campaign=campaign.short_name)}))
        self._moments.sort(key=lambda m: m.at)

    def due(self, now: datetime) -> list[Moment]:
        """Return the nudges whose moment has come and whose week is not over."""
        return moments_due(self._moments, now)

    @staticmethod
    def _parse(key: str) -> tuple[str, int] | None:
        campaign, _, week = key.rpartition(":w")
        return (campaign, int(week)) if campaign and week.isdigit() else None

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the participants (with referral consent) who owe the week for someone."""
        parsed = self._parse(moment.key)
        if parsed is None:
            return []
        owing = await ReferralRepo(session).owing(*parsed, units=None)
        people = {row.person_id for row in owing}
        return sorted(await people_with_consent(session, people, Purpose.REFERRALS))

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person still owes the week for themselves or someone they added."""
        parsed = self._parse(key)
        if parsed is None:
            return False
        accounts, _ = await ReferralRepo(session).count_owing(*parsed, units=None,
                                                              person_id=person_id)
        if not accounts:
            return False
        return bool(await people_with_consent(session, [person_id], Purpose.REFERRALS))


class CampaignParticipants:
    """Broadcast audience: the participants of a campaign's referral programme."""

    type = PARTICIPANTS

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return the people in the referral programme of `spec["campaign"]` (consent on)."""
        return participants_audience(str(spec.get("campaign", "")),
                                     consent_active(Purpose.REFERRALS))
