"""Shared by /congtrinh and /hoinghi: who may act for a unit, campaigns in scope, unit steps."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from bot.core.context import Context
from bot.core.forms import Invalid
from bot.core.types import Choice, Reply
from content.schema import Campaign
from content.text import fold
from content.units import Unit, UnitTree
from handlers.common.units import unit_label

logger = logging.getLogger(__name__)

LIAISON = ("liaison",)
# At most this many lines of a unit list in one chat message (Zalo allows 2000 characters).
LIST_LINES = 30
UNIT_HITS = 5
LABEL_CHARS = 48


def _liaison_units(ctx: Context) -> list[str]:
    """Return the units of the person's liaison grants, in the order they were granted."""
    return [g.unit_code for g in ctx.access.grants
            if g.active and g.role == "liaison" and g.unit_code]


def own_unit(ctx: Context) -> str | None:
    """Return the unit a liaison acts for: their liaison grant's unit, else their profile's."""
    units = _liaison_units(ctx)
    return units[0] if units else ctx.person.unit_code


def manages(ctx: Context, unit_code: str) -> bool:
    """Tell whether the person may see, register and edit for a unit: a liaison grant on it
    or on a unit above it (a district liaison manages its communes); admins every unit."""
    return ctx.access.manages(unit_code, LIAISON)


def view_filter(ctx: Context) -> Callable[[str], bool]:
    """Return a fast membership test for the units this person may see."""
    if ctx.access.is_admin:
        return lambda _code: True
    return visible_units(ctx.services.units, ctx.access.units(LIAISON)).__contains__


def visible_units(tree: UnitTree, roots: Iterable[str]) -> set[str]:
    """Return the units liaison grants on `roots` show: each root, all below it, and the
    former units merged whole into them (a xã created on 1/7/2025 sees the xã it took in)."""
    visible: set[str] = set()
    for root in roots:
        visible.update(tree.within(root))
    return visible


def former_parts(tree: UnitTree, root: str, unit_code: str | None) -> list[str]:
    """Return the former units of a campaign's area that a unit took in whole (the new xã
    Hạnh Phúc: thị trấn Trạm Tấu, xã Bản Công, xã Hát Lừu, xã Xà Hồ); empty for a unit of
    the area itself."""
    if not unit_code or unit_code not in tree or in_area(tree, root, unit_code):
        return []
    return [old for old in tree.absorbed(unit_code) if in_area(tree, root, old)]


def in_area(tree: UnitTree, root: str, unit_code: str) -> bool:
    """Tell whether a unit is the root or lies below it."""
    return root in tree.upward(unit_code)


def campaigns_for(ctx: Context, has_programme: Callable[[Campaign], bool]) -> list[Campaign]:
    """Return the campaigns with a programme that concern this person, by name."""
    tree = ctx.services.units
    own = own_unit(ctx)
    found = [c for c in ctx.services.campaigns.values() if has_programme(c)
             and (ctx.access.is_admin
                  or (own and (in_area(tree, c.unit, own) or in_area(tree, own, c.unit)
                               or former_parts(tree, c.unit, own))))]
    return sorted(found, key=lambda c: c.short_name)


def unit_name(ctx: Context, code: str) -> str:
    """Return a unit's display name ("Xã Bản Công"; after the reform "Xã Bản Công cũ (nay
    thuộc Xã Hạnh Phúc)"), or its code when unknown."""
    return unit_label(ctx, code)


def plain_name(ctx: Context, code: str) -> str:
    """Return a unit's display name as it was, without what it became."""
    unit = ctx.services.units.get(code)
    return unit.full_name if unit else code


def day_text(day: date) -> str:
    """Return dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")


def date_examples(today: date) -> dict[str, Any]:
    """Return example answers for a date still ahead: a day, a month and a quarter about
    three months from today, so an example is never already past on the clock."""
    index = today.year * 12 + today.month - 1 + 3
    year, month = index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return {"example_day": f"{last:02d}/{month:02d}/{year}",
            "example_month": f"{month}/{year}", "example_month_number": str(month),
            "example_quarter": f"{(month - 1) // 3 + 1}/{year}"}


def short_label(text: str) -> str:
    """Shorten a label for a choice."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def capped_lines(ctx: Context, lines: list[str]) -> str:
    """Join list lines, keeping at most LIST_LINES and saying how many were left out."""
    shown = lines[:LIST_LINES]
    if len(lines) > LIST_LINES:
        shown.append(ctx.t("works.more_lines", count=len(lines) - LIST_LINES))
    return "\n".join(shown)


def as_id(text: str) -> int | None:
    """Return the number a form choice stands for, None for anything forged or broken."""
    return int(text) if text.isdigit() and len(text) < 12 else None


def stale(ctx: Context) -> Reply:
    """Answer a choice that no longer applies (its campaign or record is gone)."""
    return ctx.main_menu(ctx.t("error.stale_choice"))


async def unknown_button(ctx: Context, payload: str) -> list[Reply]:
    """Answer a `w:`/`h:`/`wc:` payload no typed action reads (forged, or from an older
    version): stale, and logged. Registered as the prefix's choice, so the router's role
    check still refuses it to people who may not use the feature at all."""
    logger.info("works: unknown button ignored (prefix %r)", payload.split(":", 1)[0][:16])
    return [stale(ctx)]


def titled(prefix: str | None, text: str) -> str:
    """Put what just happened above a view."""
    return f"{prefix}\n\n{text}" if prefix else text


# --------------------------------------------------------------------------- unit steps


def search_units(ctx: Context, text: str, candidates: Iterable[Unit]) -> list[Unit]:
    """Return the candidate units best matching typed text (fuzzy, among candidates only)."""
    allowed = {u.code: u for u in candidates}
    hits = ctx.services.units.search(text, limit=50)
    found = [allowed[u.code] for u, _ in hits if u.code in allowed]
    if not found:
        words = fold(text).split()
        found = [u for u in allowed.values() if words and all(w in fold(u.full_name)
                                                              for w in words)]
    return found[:UNIT_HITS]


def unit_invalid(ctx: Context, data: dict[str, Any], text: str, hits: list[Unit]) -> Invalid:
    """Build the answer to a typed unit name: suggestions to pick from, or not found."""
    if not hits:
        return Invalid("works.unit_not_found", query=text[:60])
    data["_hits"] = [u.code for u in hits]
    choices = [Choice(short_label(ctx.services.units.path_text(u.code)), f"f:{i}")
               for i, u in enumerate(hits)]
    return Invalid("works.unit_pick", choices=choices)


def pick_unit(ctx: Context, value: str, allowed: Callable[[str], bool]) -> str:
    """Return the unit code a pressed suggestion stands for (forged values are refused)."""
    hits = ctx.state.data.get("_hits") or []
    index = as_id(value)
    if index is None or index >= len(hits) or not allowed(hits[index]):
        raise Invalid("works.unit_not_found", query=value[:20])
    code: str = hits[index]
    return code
