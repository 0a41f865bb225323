"""/tiendo for liaisons and admins, and the buttons of its progress view (`rq:…`)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Choice, Reply
from content.schema import Campaign
from handlers.common.registration import choose_unit
from handlers.common.weblinks import PROGRESS, link_text
from handlers.referrals.common import (
    default_campaign,
    former_area_units,
    in_area,
    manages_unit,
    programme,
    referral_campaigns,
    scope_root,
    stale,
    unit_name,
)
from handlers.referrals.manage_forms import IMPORT, REASSIGN, UNIT
from handlers.referrals.manage_views import export, owing_view, progress_view
from handlers.referrals.payloads import (
    ExportEligible,
    ExportProgress,
    ImportList,
    OtherUnit,
    Owing,
    Progress,
    Reassign,
    WebProgress,
    unit_payload,
)

MANAGERS = ("liaison", "admin")
ADMINS = ("admin",)


async def _campaign_and_root(ctx: Context) -> tuple[Campaign, str] | list[Reply]:
    """Return the campaign a manager follows and the unit they see by default: the person's
    campaign when their unit lies in its area, else a campaign whose area holds it."""
    campaign = default_campaign(ctx)
    if campaign is None:
        return [ctx.main_menu(ctx.t("ref.no_programme"))]
    root = scope_root(ctx, programme(campaign))
    if root is None:
        return [choose_unit(ctx, ctx.t("ref.manage.no_unit"), "tiendo")]
    if in_area(ctx, programme(campaign), root):
        return campaign, root
    for other in referral_campaigns(ctx):
        unit = scope_root(ctx, programme(other))
        if unit is not None and in_area(ctx, programme(other), unit):
            return other, unit
    return [_outside_area(ctx, campaign, root)]


def _outside_area(ctx: Context, campaign: Campaign, root: str) -> Reply:
    """Say plainly that the manager's unit is not in the campaign's area (never a table of
    zeros that reads as if nobody took part), and what it was or became during it."""
    prog = programme(campaign)
    text = ctx.t("ref.manage.outside_area", unit=unit_name(ctx, root),
                 name=campaign.short_name, area=unit_name(ctx, prog.home_unit))
    former = former_area_units(ctx, prog, root)
    if former:
        text += "\n\n" + ctx.t("ref.manage.outside_area_lineage", unit=unit_name(ctx, root),
                               units=", ".join(unit_name(ctx, code) for code in former))
    return ctx.main_menu(text)


async def tiendo(ctx: Context) -> list[Reply]:
    """/tiendo: progress of my unit (liaison) or of the whole campaign (admin)."""
    found = await _campaign_and_root(ctx)
    if isinstance(found, list):
        return found
    campaign, root = found
    return [await progress_view(ctx, campaign, root)]


def _unit_arg(ctx: Context, campaign: Campaign, code: str, root: str) -> str | None:
    """Return the unit a button names (none: the manager's root), if they manage it and it
    lies in the campaign's area."""
    if not code:
        return root
    if (ctx.services.units.get(code) is None or not manages_unit(ctx, code)
            or not in_area(ctx, programme(campaign), code)):
        return None
    return code


async def _scoped(ctx: Context, unit_code: str = "") -> tuple[Campaign, str] | list[Reply]:
    """Return the campaign and the unit a button is about, or the replies refusing it."""
    found = await _campaign_and_root(ctx)
    if isinstance(found, list):
        return found
    campaign, root = found
    unit = _unit_arg(ctx, campaign, unit_code, root)
    return (campaign, unit) if unit is not None else stale(ctx)


def register_manage_actions(router: Router) -> None:
    """Register the `rq:` buttons of the progress view (liaisons and admins)."""

    @router.action(Progress, roles=MANAGERS)
    async def _progress(ctx: Context, p: Progress) -> list[Reply]:
        found = await _scoped(ctx, p.unit)
        return found if isinstance(found, list) else [await progress_view(ctx, *found)]

    @router.action(Owing, roles=MANAGERS)
    async def _owing(ctx: Context, p: Owing) -> list[Reply]:
        found = await _scoped(ctx, p.unit)
        if isinstance(found, list):
            return found
        campaign, unit = found
        if not 1 <= p.week <= len(programme(campaign).weeks):
            return stale(ctx)
        return [await owing_view(ctx, campaign, p.week, unit)]

    @router.action(ExportProgress, roles=MANAGERS)
    async def _export_progress(ctx: Context, p: ExportProgress) -> list[Reply]:
        found = await _scoped(ctx, p.unit)
        return found if isinstance(found, list) else [await export(ctx, *found, eligible=False)]

    @router.action(ExportEligible, roles=MANAGERS)
    async def _export_eligible(ctx: Context, p: ExportEligible) -> list[Reply]:
        found = await _scoped(ctx, p.unit)
        return found if isinstance(found, list) else [await export(ctx, *found, eligible=True)]

    @router.action(WebProgress, roles=MANAGERS)
    async def _web_progress(ctx: Context, p: WebProgress) -> list[Reply]:
        found = await _scoped(ctx, p.unit)
        if isinstance(found, list):
            return found
        campaign, unit = found
        text = await link_text(ctx, PROGRESS, {"campaign": campaign.id, "unit": unit},
                               "web.chat.progress_link", "web.chat.no_public_url_view")
        return [Reply(text, [[Choice(ctx.t("ref.manage.back"),
                                     unit_payload(Progress, unit))]])]

    @router.action(ImportList, roles=MANAGERS)
    async def _import(ctx: Context, _p: ImportList) -> list[Reply]:
        found = await _scoped(ctx)
        if isinstance(found, list):
            return found
        campaign, root = found
        return await ctx.forms.start(ctx, IMPORT, {"cid": campaign.id, "unit": root})

    @router.action(OtherUnit, roles=MANAGERS)
    async def _other_unit(ctx: Context, _p: OtherUnit) -> list[Reply]:
        found = await _scoped(ctx)
        if isinstance(found, list):
            return found
        return await ctx.forms.start(ctx, UNIT, {"cid": found[0].id})

    @router.action(Reassign, roles=ADMINS)
    async def _reassign(ctx: Context, _p: Reassign) -> list[Reply]:
        found = await _scoped(ctx)
        if isinstance(found, list):
            return found
        return await ctx.forms.start(ctx, REASSIGN, {"cid": found[0].id})
