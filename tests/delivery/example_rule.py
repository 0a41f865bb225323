"""An example programme rule, written as another feature would: a weekly nudge.

Two days before each week of the Bắc Sơn "Dân vận khéo" programme ends (08:00), it nudges
every registered person who has not confirmed that week. `confirmed` stands in for the
referral feature's table; the real rule would query it in `recipients` and `still_applies`.
A feature registers such a rule from `register_delivery(registry, services)`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.reminders import Moment
from bot.delivery.timing import at_time
from content.schema import Campaign
from storage.models import PersonRow


class WeeklyNudge:
    """Nudge people whose referral week is not confirmed, N days before the week ends."""

    id = "weekly-nudge"
    kind = "deadline"

    def __init__(self, campaign: Campaign, tz: tzinfo, days_before: int = 2) -> None:
        referral = campaign.programmes.referral
        assert referral is not None
        self.campaign = campaign
        self.weeks = referral.weeks
        self.tz = tz
        self.days_before = days_before
        self.confirmed: set[tuple[int, int]] = set()  # (person id, week number)

    def due(self, now: datetime) -> list[Moment]:
        """Return the nudges of the weeks whose moment has come and that are not over."""
        moments = []
        for week in self.weeks:
            moment = Moment(
                key=f"{self.campaign.id}:w{week.number}",
                at=at_time(week.end - timedelta(days=self.days_before), time(8, 0), self.tz),
                expires_at=at_time(week.end + timedelta(days=1), time(0, 0), self.tz),
                message_key="reminders.deadline.before",
                params={"campaign": self.campaign.short_name,
                        "what": f"Xác nhận tuần {week.number}", "days": self.days_before,
                        "date": f"{week.end:%d/%m/%Y}", "source": "II.2"})
            if moment.at <= now < moment.expires_at:
                moments.append(moment)
        return moments

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return registered people who have not confirmed the week yet."""
        week = int(moment.key.rsplit(":w", 1)[1])
        people = await session.scalars(select(PersonRow.id)
                                       .where(PersonRow.registered_at.is_not(None)))
        return [p for p in people if (p, week) not in self.confirmed]

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person still has not confirmed the week."""
        return (person_id, int(key.rsplit(":w", 1)[1])) not in self.confirmed
