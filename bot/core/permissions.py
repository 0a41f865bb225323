"""The one permission check: which roles a person holds, and over which units."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from storage.access import ROLES, SCOPED_ROLES, Grant, highest_role

if TYPE_CHECKING:
    from content.units import UnitTree

__all__ = ["ROLES", "SCOPED_ROLES", "allowed", "can_act_on_unit", "held_roles", "highest_role",
           "may_grant", "units_of"]


def held_roles(grants: Iterable[Grant]) -> frozenset[str]:
    """Return every role a person holds: everyone is a resident, plus their grants in force.

    Grants are the only source of truth; `persons.role` is a copy of the highest one,
    kept by GrantRepo for display.
    """
    return frozenset({"resident", *(g.role for g in grants if g.active)})


def allowed(held: Iterable[str], needed: Iterable[str]) -> bool:
    """Tell whether someone holding `held` may use what is open to `needed` (admins: all)."""
    held_set = set(held)
    return "admin" in held_set or bool(held_set & set(needed))


def units_of(grants: Iterable[Grant], roles: Iterable[str] = SCOPED_ROLES) -> list[str]:
    """Return the unit codes a person's grants in some roles cover (their roots only)."""
    wanted = set(roles)
    return sorted({g.unit_code for g in grants
                   if g.active and g.role in wanted and g.unit_code is not None})


def can_act_on_unit(person_grants: Iterable[Grant], unit_code: str | None, tree: UnitTree,
                    roles: Iterable[str] = SCOPED_ROLES) -> bool:
    """Tell whether grants cover unit_code: an admin grant, or a grant on it or an ancestor,
    or on a unit that took it in whole in a reform (`UnitTree.covering`: a liaison of the new
    xã Bắc Sơn manages the records of the former xã Long Đống merged into it)."""
    grants = [g for g in person_grants if g.active]
    if any(g.role == "admin" for g in grants):
        return True
    if unit_code is None or tree.get(unit_code) is None:
        return False
    covering = tree.covering(unit_code)
    wanted = set(roles)
    return any(g.role in wanted and g.unit_code in covering for g in grants)


def may_grant(person_grants: Iterable[Grant], role: str, unit_code: str | None,
              tree: UnitTree) -> bool:
    """Tell whether someone may hand out (or take back) role for unit_code.

    Admins may grant any role anywhere; a liaison may grant the reviewer role inside
    the units they are liaison for; nobody else may grant anything.
    """
    grants = [g for g in person_grants if g.active]
    if any(g.role == "admin" for g in grants):
        return role in ROLES and role != "resident" and (role == "admin") == (unit_code is None)
    return role == "reviewer" and can_act_on_unit(grants, unit_code, tree, roles=("liaison",))
