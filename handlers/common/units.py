"""How a unit is named to people after the 2025 reform: a former unit merged whole into a
new one reads "Xã Long Đống cũ (nay thuộc Xã Bắc Sơn)", so a liaison of the new xã knows the
lines of a plan made before the merger are theirs."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context


def unit_label(ctx: Context, code: str, today: date | None = None) -> str:
    """Return a unit's display name; for a unit ended by `today` (default: the clock's day)
    and taken in whole by another, say which unit it now belongs to. Unknown codes are
    shown as they are."""
    units = ctx.services.units
    unit = units.get(code)
    if unit is None:
        return code
    day = today or ctx.clock.today()
    if unit.valid_to is None or unit.valid_to >= day:
        return unit.full_name
    heirs = [h for h in units.heirs(code) if units.is_valid_on(h, day)]
    heir = units.get(heirs[0]) if heirs else None
    if heir is None:
        return unit.full_name
    return ctx.t("units.former", unit=unit.full_name, heir=heir.full_name)


def person_units(ctx: Context) -> list[str]:
    """Return the units a person belongs to: their profile's, then those of their grants."""
    units = [ctx.person.unit_code] if ctx.person.unit_code else []
    units += [code for code in ctx.access.units() if code not in units]
    return units


def concerns(ctx: Context, area: str) -> bool:
    """Tell whether a programme of `area` concerns the person: admins and people with no
    unit yet see every programme; others, those whose area their unit lies in or holds, now
    or before the 2025 reform (`UnitTree.touches`)."""
    units = person_units(ctx)
    if ctx.access.is_admin or not units:
        return True
    tree = ctx.services.units
    return any(tree.touches(area, code) for code in units)
