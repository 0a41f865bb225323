"""The reporting consent asked before a first write for a unit, then what was asked goes on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.context import Context
from bot.core.payloads import Payload
from bot.core.types import Choice, Reply
from content.privacy import Purpose
from handlers.common.registration import policy, require_registration
from handlers.works.common import former_parts, own_unit, stale
from handlers.works.payloads import CONFERENCE_PAYLOADS, WORKS_PAYLOADS, ConsentNo, ConsentYes
from handlers.works.rules import Area

# What a "yes" may go on with: the works and conference buttons, nothing else.
RESUMABLE = frozenset((*WORKS_PAYLOADS, *CONFERENCE_PAYLOADS))


async def ready_to_write(ctx: Context, command: str, then: Payload) -> list[Reply] | None:
    """Ask for registration, then reporting consent, before writing; None when ready."""
    started = await require_registration(ctx, f"c:{command}")
    if started is not None:
        return started
    if await ctx.consents.has(ctx.person.id, Purpose.UNIT_REPORTS):
        return None
    return [Reply(ctx.t("works.consent_ask", version=policy(ctx).version),
                  [[Choice(ctx.t("consent.agree"), ConsentYes(then.pack()).pack())],
                   [Choice(ctx.t("consent.decline"), ConsentNo().pack())]])]


async def registration_data(ctx: Context, area: Area[Any] | None, command: str,
                            then: Payload, outside: Callable[[str, Area[Any]], Reply]
                            ) -> dict[str, Any] | list[Reply]:
    """What opening a works or conference registration form checks first: the campaign still
    has the programme, the person is registered and agreed to report; a non-admin reports for
    their own unit, which must take part (`outside(unit, area)` says it does not), or one of
the former units of the plan it took in (the form then asks which). Return the
    form's first data, or the replies to send instead."""
    if area is None:
        return [stale(ctx)]
    waiting = await ready_to_write(ctx, command, then)
    if waiting is not None:
        return waiting
    data: dict[str, Any] = {"_campaign": area.campaign.id}
    if not ctx.access.is_admin:
        own = own_unit(ctx) or ""
        if area.includes(own):
            data["_unit"] = own
        elif not former_parts(ctx.services.units, area.campaign.unit, own):
            return [outside(own, area)]
        # else a unit created since the plan: the form asks which of its former units
    return data


async def consent_no(ctx: Context, _payload: ConsentNo) -> list[Reply]:
    """Record that the person declines to report for their unit."""
    await ctx.consents.record(ctx.person.id, Purpose.UNIT_REPORTS, False,
                              policy(ctx).version, ctx.msg.channel, ctx.clock.now())
    return [ctx.main_menu(ctx.t("works.consent_refused"))]


async def consent_yes(ctx: Context, payload: ConsentYes) -> list[Reply]:
    """Record the consent and go on with the works or conference button that asked it."""
    await ctx.consents.record(ctx.person.id, Purpose.UNIT_REPORTS, True,
                              policy(ctx).version, ctx.msg.channel, ctx.clock.now())
    given = ctx.t("works.consent_given")
    action = ctx.services.router.action_for(payload.then)
    if action is None or action[0] not in RESUMABLE:
        return [ctx.main_menu(given)]
    cls, run, roles = action
    then = cls.parse(payload.then)
    if then is None or not ctx.access.may(roles):
        return [Reply(given), ctx.main_menu(ctx.t("error.stale_choice"))]
    return [Reply(given), *await run(ctx, then)]
