"""Who reviews which reports: admins everywhere, liaisons in their unit and the units below.

Kept to two functions so the project-wide permission check can replace them later.
"""

from __future__ import annotations

from content.units import UnitTree
from storage.repos import Person

REVIEWER_ROLES = frozenset({"liaison", "admin"})


def is_reviewer(person: Person) -> bool:
    """Tell whether the person reviews good-deed reports at all."""
    return person.role in REVIEWER_ROLES


def can_manage_unit(person: Person, unit_code: str, units: UnitTree) -> bool:
    """Tell whether the person may review reports about a unit."""
    if person.role == "admin":
        return True
    if person.role != "liaison" or not person.unit_code:
        return False
    if unit_code == person.unit_code:
        return True
    return unit_code in units and any(u.code == person.unit_code
                                      for u in units.ancestors(unit_code))


def review_scope(person: Person, units: UnitTree) -> list[str] | None:
    """Return the unit codes a reviewer covers; None means every unit (admins)."""
    if person.role == "admin":
        return None
    if person.role != "liaison" or not person.unit_code:
        return []
    below = units.descendants(person.unit_code) if person.unit_code in units else []
    return [person.unit_code, *(u.code for u in below)]
