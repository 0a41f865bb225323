"""Pure rules: which units owe works, compliance per unit, delegate composition, deadlines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from content.schema import Campaign, ConferenceLevel, ConferenceProgramme, WorksProgramme
from content.units import Unit, UnitTree

P = TypeVar("P", WorksProgramme, ConferenceProgramme)


class Status(StrEnum):
    """Where a unit stands: each unit is in exactly one list."""

    SHORT = "short"        # fewer than required (none at all included)
    LATE = "late"          # enough, but only by counting what came after the deadline
    COMPLETE = "complete"  # enough before the deadline


# --------------------------------------------------------------------------- works


def type_key(type_code: str) -> str:
    """Return a unit type code as campaign files write it ('thi_tran' -> 'thi-tran')."""
    return type_code.replace("_", "-")


def minimum_for_unit(programme: WorksProgramme, unit: Unit) -> int:
    """Return how many works the plan asks of this unit."""
    return programme.minimum_for(type_key(unit.type_code))


def is_late(registered_on: date, deadline: date, inclusive: bool) -> bool:
    """Tell whether a registration made on a day missed a deadline ('trước ngày' = exclusive)."""
    return registered_on > deadline if inclusive else registered_on >= deadline


def bound_units(tree: UnitTree, root: str, on: date) -> list[Unit]:
    """Return the units that must register works: communes and the agencies of the area.

    A unit counts when it is commune-level, or when it is an agency or organisation (a type
    shown without prefix) that is not inside a commune — those register with their commune.
    """
    out: list[Unit] = []
    inside_commune: set[str] = set()
    for unit in tree.descendants(root, on=on):
        if unit.parent in inside_commune:
            inside_commune.add(unit.code)
            continue
        if unit.commune_level:
            inside_commune.add(unit.code)
            out.append(unit)
            continue
        unit_type = tree.types.get(unit.type_code)
        if unit_type is not None and not unit_type.prefix:
            out.append(unit)
    return out


@dataclass(frozen=True, slots=True)
class Area(Generic[P]):
    """A campaign with one of its programmes, and the units that programme binds."""

    campaign: Campaign
    programme: P
    units: list[Unit]

    def includes(self, code: str) -> bool:
        """Tell whether a unit must take part (owes works, holds a conference)."""
        return any(u.code == code for u in self.units)


def works_area(campaign: Campaign | None, tree: UnitTree) -> Area[WorksProgramme] | None:
    """Return a campaign's works programme and the units that owe works, if it has one."""
    if campaign is None or campaign.programmes.works is None:
        return None
    programme = campaign.programmes.works
    return Area(campaign, programme, bound_units(tree, campaign.unit, programme.register_by.date))


def conference_area(campaign: Campaign | None, tree: UnitTree
                    ) -> Area[ConferenceProgramme] | None:
    """Return a campaign's conference programme and the units holding one: its communes,
    then the campaign's own unit (which holds the last level)."""
    if campaign is None or campaign.programmes.conference is None:
        return None
    programme = campaign.programmes.conference
    units = tree.communes(campaign.unit, programme.levels[0].due.date)
    own = tree.get(campaign.unit)
    if own is not None:
        units.append(own)
    return Area(campaign, programme, units)


@dataclass(frozen=True, slots=True)
class WorksCompliance:
    """One unit's standing: how many works it registered, and how many in time."""

    unit: Unit
    required: int
    registered: int
    on_time: int

    @property
    def status(self) -> Status:
        """Return the list this unit belongs to."""
        if self.registered < self.required:
            return Status.SHORT
        return Status.LATE if self.on_time < self.required else Status.COMPLETE

    @property
    def missing(self) -> int:
        """Return how many works are still missing."""
        return max(0, self.required - self.registered)


def works_compliance(units: Iterable[Unit], programme: WorksProgramme,
                     registrations: Mapping[str, Sequence[date]]) -> list[WorksCompliance]:
    """Return each unit's standing from the days its (active) works were registered."""
    deadline, inclusive = programme.register_by.date, programme.register_by.inclusive
    out = []
    for unit in units:
        days = registrations.get(unit.code, ())
        on_time = sum(1 for day in days if not is_late(day, deadline, inclusive))
        out.append(WorksCompliance(unit, minimum_for_unit(programme, unit), len(days), on_time))
    return out


def by_status(rows: Iterable[WorksCompliance]) -> dict[Status, list[WorksCompliance]]:
    """Split compliance rows into the three lists, keeping their order."""
    lists: dict[Status, list[WorksCompliance]] = {status: [] for status in Status}
    for row in rows:
        lists[row.status].append(row)
    return lists


# --------------------------------------------------------------------------- conferences


def documents_due(held_on: date, days_before: int) -> date:
    """Return the last day to send the conference documents ('trước 15 ngày')."""
    return held_on - timedelta(days=days_before)


def level_for(programme: ConferenceProgramme, unit_code: str, campaign_unit: str
              ) -> ConferenceLevel:
    """Return the conference level of a unit: the campaign's own unit holds the last level."""
    return programme.levels[-1] if unit_code == campaign_unit else programme.levels[0]


def unit_level(area: Area[ConferenceProgramme], unit_code: str) -> ConferenceLevel:
    """Return the conference level of a unit of the area."""
    return level_for(area.programme, unit_code, area.campaign.unit)


def delegate_cap(programme: ConferenceProgramme, level: ConferenceLevel) -> int | None:
    """Return the most delegates a level may invite (a lower level may not exceed the next)."""
    index = programme.levels.index(level)
    for candidate in programme.levels[index:]:
        if candidate.max_delegates is not None:
            return candidate.max_delegates.number
    return None


def conference_due(programme: ConferenceProgramme, level: ConferenceLevel, unit_code: str
                   ) -> date:
    """Return the day a unit's conference must be held by (the pilot unit goes first)."""
    pilot = programme.pilot
    if pilot is not None and pilot.unit == unit_code:
        return pilot.due.date
    return level.due.date


@dataclass(frozen=True, slots=True)
class Composition:
    """A delegate list checked against the plan: grassroots share and the size cap."""

    total: int
    grassroots: int
    percent: int
    cap: int | None

    @property
    def required_grassroots(self) -> int:
        """Return the fewest grassroots delegates that make `percent` of the total."""
        return -(-self.total * self.percent // 100)

    @property
    def grassroots_shortfall(self) -> int:
        """Return how many grassroots delegates are missing."""
        return max(0, self.required_grassroots - self.grassroots)

    @property
    def max_total_for_grassroots(self) -> int:
        """Return the largest total the present grassroots delegates can carry."""
        return self.grassroots * 100 // self.percent if self.percent else self.total

    @property
    def guests_to_drop(self) -> int:
        """Return how many other delegates to drop instead of adding grassroots ones."""
        return max(0, self.total - self.max_total_for_grassroots)

    @property
    def over_cap(self) -> int:
        """Return how many delegates exceed the cap."""
        return max(0, self.total - self.cap) if self.cap is not None else 0

    @property
    def share(self) -> float:
        """Return the grassroots share in percent."""
        return 100 * self.grassroots / self.total if self.total else 0.0

    @property
    def ok(self) -> bool:
        """Tell whether the list meets both rules."""
        return self.grassroots_shortfall == 0 and self.over_cap == 0


def check_composition(total: int, grassroots: int, percent: int, cap: int | None
                      ) -> Composition:
    """Check a delegate list: at least `percent` % grassroots, at most `cap` in all."""
    if total <= 0 or not 0 <= grassroots <= total:
        raise ValueError("grassroots must be between 0 and a positive total")
    return Composition(total, grassroots, percent, cap)


class ConferenceStatus(StrEnum):
    """Where a unit stands with its conference."""

    MISSING = "missing"    # not registered
    LATE = "late"          # registered for a day after the due date
    ON_TIME = "on_time"    # registered for a day by the due date


@dataclass(frozen=True, slots=True)
class ConferenceCompliance:
    """One unit's conference standing."""

    unit: Unit
    due: date
    held_on: date | None
    composition_ok: bool | None

    @property
    def status(self) -> ConferenceStatus:
        """Return the list this unit belongs to."""
        if self.held_on is None:
            return ConferenceStatus.MISSING
        return ConferenceStatus.LATE if self.held_on > self.due else ConferenceStatus.ON_TIME

    def overdue(self, today: date) -> bool:
        """Tell whether the due date has passed without a conference held in time."""
        return today > self.due and self.status is not ConferenceStatus.ON_TIME


def conference_compliance(units: Iterable[Unit], programme: ConferenceProgramme,
                          campaign_unit: str,
                          registered: Mapping[str, tuple[date, bool]]
                          ) -> list[ConferenceCompliance]:
    """Return each unit's conference standing from (held_on, composition ok) per unit."""
    out = []
    for unit in units:
        level = level_for(programme, unit.code, campaign_unit)
        held_on, ok = registered.get(unit.code, (None, None))
        out.append(ConferenceCompliance(unit, conference_due(programme, level, unit.code),
                                        held_on, ok))
    return out
