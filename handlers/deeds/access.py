"""Who reviews which reports: admins everywhere, reviewers and liaisons in their units.

Built on the one permission check (`Context.can_act_on_unit`, role grants scoped to a unit
and the units below it).
"""

from __future__ import annotations

from bot.core.context import Context

REVIEW_ROLES = ("reviewer", "liaison")


def is_reviewer(ctx: Context) -> bool:
    """Tell whether the person reviews good-deed reports at all."""
    return ctx.may({*REVIEW_ROLES, "admin"})


def can_manage_unit(ctx: Context, unit_code: str) -> bool:
    """Tell whether the person may review reports about a unit."""
    return ctx.can_act_on_unit(unit_code, REVIEW_ROLES)


def review_scope(ctx: Context) -> list[str] | None:
    """Return the unit codes a reviewer covers; None means every unit (admins)."""
    grants = [g for g in ctx.grants if g.active]
    if any(g.role == "admin" for g in grants):
        return None
    units = ctx.services.units
    scope: list[str] = []
    for grant in grants:
        if grant.role in REVIEW_ROLES and grant.unit_code and grant.unit_code in units:
            for code in (grant.unit_code, *(u.code for u in units.descendants(grant.unit_code))):
                if code not in scope:
                    scope.append(code)
    return scope
