"""Reminder rules: the protocol every programme implements, the registry, the deadline rule.

A rule is data-driven code that answers three questions, so the scheduler never needs to
know what a programme is about:

- `due(now)`: which moments (a deadline seven days away, a weekly nudge …) have come, each
  with a stable `key`, the time it is due, the time after which it makes no sense, and the
  catalog key + params of the message;
- `recipients(session, moment)`: the person ids it concerns at that moment (consent, the
  person's /nhacnho choice and blocked accounts are filtered by the scheduler, not by rules);
- `still_applies(session, person_id, key)`: re-checked just before sending, so someone who
  acted in the meantime gets nothing.

A rule whose moments depend on stored data (a date each unit registered) also defines
`async refresh(session)`: `refresh_rules` calls it before `due` is asked, by the scheduler at
each tick and by /nhacnho, so `due` itself stays free of the database.

Another feature adds its rules from its module with a `register_delivery(registry, services)`
function (see `bot/delivery/registry.py`); `kind` is what /nhacnho lets people switch off
and needs a catalog label `reminders.kind.<kind>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol, runtime_checkable

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.timing import at_time
from bot.delivery.units import units_concerned
from content.schema import Campaign, Deadline
from content.units import UnitTree, slugify
from storage.base import PersonRow

Param = str | int


@dataclass(frozen=True, slots=True)
class Moment:
    """One occasion of a rule: its key, when it is due, until when it may be sent, its text."""

    key: str
    at: datetime
    expires_at: datetime
    message_key: str
    params: Mapping[str, Param] = field(default_factory=dict)


@runtime_checkable
class ReminderRule(Protocol):
    """What the scheduler needs from a reminder rule (see the module docstring)."""

    id: str
    kind: str

    def due(self, now: datetime) -> Iterable[Moment]:
        """Return the moments due at or before `now` (the scheduler keeps the recent ones)."""
        ...

    async def recipients(self, session: AsyncSession, moment: Moment) -> Iterable[int]:
        """Return the ids of the people the moment concerns."""
        ...

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person should still get the reminder of moment `key`."""
        ...


class ReminderRegistry:
    """The reminder rules in force, by id; kinds in the order rules were added."""

    def __init__(self) -> None:
        self._rules: dict[str, ReminderRule] = {}

    def add(self, rule: ReminderRule) -> None:
        """Register a rule; ids must be unique and short ASCII (they start dedupe keys)."""
        if rule.id in self._rules:
            raise ValueError(f"reminder rule registered twice: {rule.id}")
        if not rule.id.isascii() or ":" in rule.id or not 0 < len(rule.id) <= 40:
            raise ValueError(f"bad reminder rule id: {rule.id!r}")
        self._rules[rule.id] = rule

    def get(self, rule_id: str) -> ReminderRule | None:
        """Return the rule with this id."""
        return self._rules.get(rule_id)

    def __iter__(self) -> Iterator[ReminderRule]:
        return iter(list(self._rules.values()))

    def kinds(self) -> list[str]:
        """Return the reminder kinds people can switch on and off."""
        return list(dict.fromkeys(rule.kind for rule in self._rules.values()))


def moments_due(moments: Iterable[Moment], now: datetime) -> list[Moment]:
    """Return the moments that have come at `now` and may still be sent."""
    return [m for m in moments if m.at <= now < m.expires_at]


async def refresh_rules(session: AsyncSession, rules: Iterable[ReminderRule]) -> None:
    """Let the rules whose moments come from stored data read it (see the module docstring)."""
    for rule in rules:
        refresh = getattr(rule, "refresh", None)
        if refresh is not None:
            await refresh(session)


PLAN_DAYS = 14  # how far ahead /nhacnho looks for reminders still to come
_PLAN_STEP = timedelta(hours=1)


def planned(rules: Iterable[ReminderRule], now: datetime, days: int = PLAN_DAYS
            ) -> list[tuple[ReminderRule, Moment]]:
    """Return the moments the rules will make due after `now` within `days`, soonest first.

    Rules only answer `due(t)` (pure, no database), so this asks them at every hour ahead
    and keeps the moments not yet due now: a moment is seen while it may still be sent.
    """
    found: dict[tuple[str, str], tuple[ReminderRule, Moment]] = {}
    for rule in rules:
        moment_at = now + _PLAN_STEP
        end = now + timedelta(days=days)
        while moment_at <= end:
            for moment in rule.due(moment_at):
                if moment.at > now:
                    found.setdefault((rule.id, moment.key), (rule, moment))
            moment_at += _PLAN_STEP
    return sorted(found.values(), key=lambda pair: (pair[1].at, pair[0].id, pair[1].key))


# --------------------------------------------------------------------------- deadlines

DEADLINE_RULE = "deadline"
DEADLINE_KIND = "deadline"


@dataclass(frozen=True, slots=True)
class DeadlineOccasion:
    """A dated deadline of a campaign with its reminder settings, flattened."""

    key: str
    campaign_id: str
    campaign_name: str
    what: str
    last_day: date
    due_date: date
    inclusive: bool
    source: str
    to: str
    days_before: tuple[int, ...]
    units: tuple[str, ...]


def deadline_occasions(campaigns: Iterable[Campaign]) -> list[DeadlineOccasion]:
    """Return every dated deadline that reminds someone."""
    out: list[DeadlineOccasion] = []
    for campaign in campaigns:
        for deadline in campaign.deadlines:
            occasion = _occasion(campaign, deadline)
            if occasion is not None:
                out.append(occasion)
    return out


def _occasion(campaign: Campaign, deadline: Deadline) -> DeadlineOccasion | None:
    last_day = deadline.last_day
    if last_day is None or deadline.date is None or deadline.remind.to == "none":
        return None
    slug = slugify(deadline.what)[:32].strip("-")
    return DeadlineOccasion(
        key=f"{campaign.id}:{last_day:%Y%m%d}:{slug}", campaign_id=campaign.id,
        campaign_name=campaign.short_name, what=deadline.what, last_day=last_day,
        due_date=deadline.date, inclusive=deadline.inclusive, source=deadline.source,
        to=deadline.remind.to, days_before=tuple(sorted(deadline.remind.days_before,
                                                        reverse=True)),
        units=tuple(deadline.remind.units) or (campaign.unit,))


def deadline_moments(occasion: DeadlineOccasion, hour: time, tz: tzinfo) -> list[Moment]:
    """Return the reminder moments of one deadline (N days before at `hour`, local time)."""
    expires = at_time(occasion.last_day + timedelta(days=1), time(0, 0), tz)
    params: dict[str, Param] = {
        "campaign": occasion.campaign_name, "what": occasion.what, "source": occasion.source,
        "date": f"{occasion.due_date:%d/%m/%Y}", "last_day": f"{occasion.last_day:%d/%m/%Y}"}
    moments = []
    for days in occasion.days_before:
        day = occasion.last_day - timedelta(days=days)
        if days == 0:
            key = "reminders.deadline.today"
        elif occasion.inclusive:
            key = "reminders.deadline.before"
        else:
            key = "reminders.deadline.before_exclusive"
        moments.append(Moment(f"{occasion.key}:{days}", at_time(day, hour, tz), expires, key,
                              {**params, "days": days}))
    return moments


class DeadlineRule:
    """Deadlines of the campaign files: N days before (default 7, 3, 1, 0) at the reminder
    hour, to the people (or only the liaisons) registered in the units the deadline concerns.

    Units are followed across the 2025 reform (`units_concerned`): people registered in the
    new communes that replaced a district are reminded of that district's deadlines.
    """

    id = DEADLINE_RULE
    kind = DEADLINE_KIND

    def __init__(self, campaigns: Iterable[Campaign], tree: UnitTree, hour: time,
                 tz: tzinfo, claimed: Set[str] = frozenset()) -> None:
        self._tree = tree
        self._claimed = claimed  # deadlines another rule reminds (read at each tick)
        self._occasions = {o.key: o for o in deadline_occasions(campaigns)}
        self._moments: list[tuple[Moment, DeadlineOccasion]] = [
            (m, o) for o in self._occasions.values() for m in deadline_moments(o, hour, tz)]
        self._moments.sort(key=lambda pair: pair[0].at)
        self._areas: dict[tuple[str, ...], frozenset[str]] = {}

    def due(self, now: datetime) -> list[Moment]:
        """Return the reminder moments at or before `now` whose deadline has not passed."""
        return [m for m, o in self._moments
                if m.at <= now < m.expires_at and o.key not in self._claimed]

    def occasion(self, moment_key: str) -> DeadlineOccasion | None:
        """Return the deadline a moment key belongs to."""
        return self._occasions.get(moment_key.rsplit(":", 1)[0])

    def _area(self, occasion: DeadlineOccasion) -> frozenset[str]:
        if occasion.units not in self._areas:
            self._areas[occasion.units] = units_concerned(self._tree, occasion.units)
        return self._areas[occasion.units]

    def _people(self, occasion: DeadlineOccasion) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [PersonRow.registered_at.is_not(None),
                                    PersonRow.unit_code.in_(sorted(self._area(occasion)))]
        if occasion.to == "liaisons":
            conditions.append(PersonRow.role == "liaison")
        return conditions

    async def recipients(self, session: AsyncSession, moment: Moment) -> list[int]:
        """Return the people registered in the deadline's units (liaisons only if so set)."""
        occasion = self.occasion(moment.key)
        if occasion is None:
            return []
        rows = await session.scalars(select(PersonRow.id).where(*self._people(occasion)))
        return list(rows)

    async def still_applies(self, session: AsyncSession, person_id: int, key: str) -> bool:
        """Tell whether the person is still in the deadline's audience."""
        occasion = self.occasion(key)
        if occasion is None:
            return False
        found = await session.scalar(select(PersonRow.id).where(
            PersonRow.id == person_id, *self._people(occasion)))
        return found is not None
