"""Who reviews which reports: admins everywhere, reviewers and liaisons in their units.

Built on the one access check (`ctx.access`: role grants scoped to a unit and the units
below it).
"""

from __future__ import annotations

from bot.core.context import Context

REVIEW_ROLES = ("reviewer", "liaison")


def review_scope(ctx: Context) -> list[str] | None:
    """Return the unit codes a reviewer covers; None means every unit (admins)."""
    if ctx.access.is_admin:
        return None
    units = ctx.services.units
    scope: list[str] = []
    for root in ctx.access.units(REVIEW_ROLES):
        if root in units:
            for code in units.within(root):  # below it, and former units merged into it
                if code not in scope:
                    scope.append(code)
    return scope
