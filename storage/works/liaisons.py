"""Who is the liaison of a unit, for reminders and broadcasts to the units behind."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import PersonRow, RoleGrantRow

LIAISON = "liaison"


def liaisons_of(unit_codes: Iterable[str]) -> Select[int]:
    """Return a query of the liaisons of the units: an active liaison grant on one of them,
    or the liaison role with one of them as the profile's unit (as deadline reminders do)."""
    codes = sorted(set(unit_codes))
    granted = select(RoleGrantRow.person_id).where(
        RoleGrantRow.role == LIAISON, RoleGrantRow.revoked_at.is_(None),
        RoleGrantRow.unit_code.in_(codes))
    return select(PersonRow.id).where(
        PersonRow.registered_at.is_not(None),
        or_(PersonRow.id.in_(granted),
            and_(PersonRow.role == LIAISON, PersonRow.unit_code.in_(codes))))


async def liaison_ids(session: AsyncSession, unit_codes: Iterable[str]) -> list[int]:
    """Return the ids of the liaisons of the units (none for no units)."""
    codes = list(unit_codes)
    return list(await session.scalars(liaisons_of(codes))) if codes else []


async def is_liaison_of(session: AsyncSession, person_id: int, unit_codes: Iterable[str]
                        ) -> bool:
    """Tell whether a person is a liaison of one of the units."""
    codes = list(unit_codes)
    if not codes:
        return False
    found = await session.scalar(liaisons_of(codes).where(PersonRow.id == person_id))
    return found is not None
