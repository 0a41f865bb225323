"""Broadcast audiences: each kind of "who" turns a stored spec into a query of person ids.

Built in: everyone, a role (resident, reviewer, liaison, admin, by profile or grant), a unit
with the units below it (and its reform lineage). Two kinds need other features' data and
are plug-in points: `participants` (people taking part in a campaign, spec
`{"type": "participants", "campaign": id}`) and `noncompliant` (liaisons of units not yet
compliant on a programme, spec `{"type": "noncompliant", "campaign": id,
"programme": "works" | "conference"}`). Until a feature registers a provider for them, the
broadcast form shows that there is no data yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol, runtime_checkable

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.units import units_concerned
from content.units import UnitTree
from storage.base import PersonRow, RoleGrantRow

EVERYONE = "everyone"
ROLE = "role"
UNIT = "unit"
PARTICIPANTS = "participants"
NONCOMPLIANT = "noncompliant"
AUDIENCE_TYPES = (EVERYONE, ROLE, UNIT, PARTICIPANTS, NONCOMPLIANT)
ROLES = ("resident", "reviewer", "liaison", "admin")

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
    """People with one role (resident, reviewer, liaison, admin): as their profile's role,
    or through an active grant of it (a liaison who also reviews is a reviewer too)."""

    type = ROLE

    async def people(self, session: AsyncSession, spec: AudienceSpec, today: date
                     ) -> Select[int]:
        """Return the people whose role is `spec["role"]`."""
        role = spec["role"]
        granted = select(RoleGrantRow.person_id).where(RoleGrantRow.role == role,
                                                       RoleGrantRow.revoked_at.is_(None))
        return select(PersonRow.id).where(or_(PersonRow.role == role,
                                              PersonRow.id.in_(granted)))


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
