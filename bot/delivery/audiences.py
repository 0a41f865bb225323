"""Broadcast audiences: each kind of "who" turns a stored spec into a query of person ids.

Built in: everyone, a role, a unit with the units below it (and its reform lineage). Two
kinds need other features' data and are plug-in points: `participants` (people taking part
in a campaign, spec `{"type": "participants", "campaign": id}`) and `noncompliant` (liaisons
of units not yet compliant on a programme, spec `{"type": "noncompliant", "campaign": id,
"programme": "works" | "conference"}`). Until a feature registers a provider for them, the
broadcast form shows that there is no data yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol, runtime_checkable

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.units import units_concerned
from content.units import UnitTree
from storage.base import PersonRow

EVERYONE = "everyone"
ROLE = "role"
UNIT = "unit"
PARTICIPANTS = "participants"
NONCOMPLIANT = "noncompliant"
AUDIENCE_TYPES = (EVERYONE, ROLE, UNIT, PARTICIPANTS, NONCOMPLIANT)
ROLES = ("resident", "liaison", "admin")

AudienceSpec = Mapping[str, str]


@runtime_checkable
class AudienceProvider(Protocol):
    """Resolves one type of audience spec to the ids of the people it names."""

    type: str

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return a query of person ids (consent and accounts are filtered by the caller)."""
        ...


class Everyone:
    """Everyone registered."""

    type = EVERYONE

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return every person id."""
        return select(PersonRow.id)


class ByRole:
    """People with one role (resident, liaison, admin)."""

    type = ROLE

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return the people whose role is `spec["role"]`."""
        return select(PersonRow.id).where(PersonRow.role == spec["role"])


class ByUnit:
    """People registered in a unit or any unit below it, followed across the reform."""

    type = UNIT

    def __init__(self, tree: UnitTree) -> None:
        self._tree = tree

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return the people registered in the units `spec["unit"]` concerns."""
        codes = sorted(units_concerned(self._tree, [spec["unit"]]))
        return select(PersonRow.id).where(PersonRow.unit_code.in_(codes))
