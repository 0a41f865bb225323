"""The one access check: which roles a person holds, and which units they manage.

Grants are the only source of truth (`person.role` is a copy of the highest one, for
display). "Manages a unit" has one meaning: a grant in one of the roles on that unit or on
a unit above it (a district liaison manages the communes below), or on the unit it was
merged into whole in a reform (a new xã's liaison manages its former xã). Admins manage
every unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.permissions import allowed, can_act_on_unit, held_roles, units_of
from storage.access import SCOPED_ROLES, Grant

if TYPE_CHECKING:
    from content.units import UnitTree

MANAGER_ROLES: tuple[str, ...] = ("reviewer", "liaison")


@dataclass(frozen=True, slots=True)
class Access:
    """What one person may do, computed from their grants in force."""

    grants: tuple[Grant, ...]
    tree: UnitTree

    @property
    def roles(self) -> frozenset[str]:
        """Return every role held (everyone is a resident)."""
        return held_roles(self.grants)

    @property
    def is_admin(self) -> bool:
        """Tell whether the person holds the admin role."""
        return "admin" in self.roles

    def has(self, *roles: str) -> bool:
        """Tell whether the person may use something open to `roles` (admins: everything)."""
        return allowed(self.roles, roles)

    def may(self, roles: Iterable[str]) -> bool:
        """Same as has(), for a collection of roles."""
        return allowed(self.roles, roles)

    def manages(self, unit_code: str | None, roles: Iterable[str] = MANAGER_ROLES) -> bool:
        """Tell whether the person's grants in `roles` cover unit_code (or an admin's)."""
        return can_act_on_unit(self.grants, unit_code, self.tree, roles)

    def units(self, roles: Iterable[str] = SCOPED_ROLES) -> list[str]:
        """Return the roots of the units the person's grants in `roles` cover."""
        return units_of(self.grants, roles)
