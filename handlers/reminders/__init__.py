"""/nhacnho: which reminders and announcements a person gets, kind by kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.context import Context, Services
from bot.core.dispatcher import Router
from bot.core.types import Choice, Reply
from bot.delivery.registry import DeliveryRegistry
from bot.delivery.reminders import DEADLINE_KIND, DeadlineRule, planned, refresh_rules
from bot.delivery.service import delivery_of
from content.privacy import Purpose
from handlers.common.feature import Feature
from handlers.common.registration import policy, require_registration
from handlers.reminders.payloads import AllOff, AllOn, ToggleKind
from storage.delivery.personal_data import DeliveriesSection, ReminderPrefsSection
from storage.delivery.repo import BROADCAST_KIND, OutboxRepo, ReminderPrefsRepo

UPCOMING = 3
MAX_CHECKS = 40  # planned moments checked against the person per /nhacnho


def kinds(ctx: Context) -> list[str]:
    """Return the kinds a person can switch: deadlines, the programmes' kinds, announcements."""
    rule_kinds = delivery_of(ctx.services).registry.rules.kinds()
    first = [DEADLINE_KIND] if DEADLINE_KIND in rule_kinds else []
    return [*first, *(k for k in rule_kinds if k != DEADLINE_KIND), BROADCAST_KIND]


def kind_label(ctx: Context, kind: str) -> str:
    """Return the Vietnamese name of a reminder kind."""
    key = f"reminders.kind.{kind}"
    return ctx.t(key) if key in ctx.services.messages else kind


def _when(ctx: Context, moment: datetime) -> str:
    return moment.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y")


def _item(ctx: Context, key: str | None, params: Mapping[str, Any], due: datetime
          ) -> str | None:
    if not key or key not in ctx.services.messages:
        return None
    what = params.get("what") or " ".join(ctx.t(key, **params).split())[:80]
    days = params.get("days")
    if isinstance(days, int) and days > 0:
        what = ctx.t("reminders.upcoming_days", what=what, days=days)
    elif days == 0:
        what = ctx.t("reminders.upcoming_today", what=what)
    return ctx.t("reminders.upcoming_item", when=_when(ctx, due), what=what)


async def _upcoming(ctx: Context, disabled: set[str]) -> str | None:
    """List the next reminders for this person: those already queued, then those the rules
    will send (checked against the person the way the sender re-checks them)."""
    items = []
    for key, params, due in await OutboxRepo(ctx.session).upcoming_for(ctx.person.id,
                                                                       UPCOMING):
        if (item := _item(ctx, key, params, due)) is not None:
            items.append(item)
    rules = [r for r in delivery_of(ctx.services).registry.rules if r.kind not in disabled]
    await refresh_rules(ctx.session, rules)
    for rule, moment in planned(rules, ctx.clock.now())[:MAX_CHECKS]:
        if len(items) >= UPCOMING:
            break
        if await rule.still_applies(ctx.session, ctx.person.id, moment.key):
            item = _item(ctx, moment.message_key, moment.params, moment.at)
            if item is not None and item not in items:
                items.append(item)
    return ctx.t("reminders.upcoming", items="\n".join(items)) if items else None


async def show(ctx: Context, prefix: str | None = None) -> list[Reply]:
    """Show the person's reminder settings with a choice per kind."""
    if not await ctx.consents.has(ctx.person.id, Purpose.REMINDERS):
        text = ctx.t("reminders.consent_off")
        rows = [[Choice(ctx.t("reminders.consent_on_choice"), AllOn().pack())]]
    else:
        disabled = await ReminderPrefsRepo(ctx.session).disabled_kinds(ctx.person.id)
        settings = ctx.services.settings
        lines = [ctx.t("reminders.line", label=kind_label(ctx, kind),
                       state=ctx.t("reminders.state_off" if kind in disabled
                                   else "reminders.state_on"))
                 for kind in kinds(ctx)]
        text = ctx.t("reminders.show", lines="\n".join(lines),
                     quiet_start=settings.quiet_hours_start.strftime("%H:%M"),
                     quiet_end=settings.quiet_hours_end.strftime("%H:%M"),
                     per_day=settings.reminder_max_per_day)
        upcoming = await _upcoming(ctx, disabled)
        if upcoming:
            text = f"{text}\n\n{upcoming}"
        text = f"{text}\n\n{ctx.t('reminders.pick')}"
        rows = [[Choice(ctx.t("reminders.turn_on" if kind in disabled else "reminders.turn_off",
                              label=kind_label(ctx, kind)), ToggleKind(kind).pack())]
                for kind in kinds(ctx)]
        rows.append([Choice(ctx.t("reminders.all_off"), AllOff().pack())])
    if prefix:
        text = f"{prefix}\n\n{text}"
    return [Reply(text, rows)]


async def reminders_command(ctx: Context) -> list[Reply]:
    """/nhacnho: show the settings (registration first, so reminders know the unit)."""
    registered = ctx.person.is_registered
    started = await require_registration(ctx, "c:nhacnho")
    if started is not None:  # a profile that is only incomplete says what it misses
        return started if registered else [Reply(ctx.t("reminders.need_registration")),
                                           *started]
    return await show(ctx)


async def switch_all(ctx: Context, payload: AllOn | AllOff) -> list[Reply]:
    """Turn every proactive message on or off (the reminders consent)."""
    if not ctx.person.is_registered:
        return await reminders_command(ctx)
    now = ctx.clock.now()
    enable = isinstance(payload, AllOn)
    await ctx.consents.record(ctx.person.id, Purpose.REMINDERS, enable,
                              policy(ctx).version, ctx.msg.channel, now)
    if enable:
        return await show(ctx, ctx.t("reminders.all_turned_on"))
    count = await OutboxRepo(ctx.session).cancel_pending_for(ctx.person.id, now=now)
    return await show(ctx, ctx.t("reminders.all_turned_off", count=count))


async def switch_kind(ctx: Context, payload: ToggleKind) -> list[Reply]:
    """Switch one kind on or off; switching it off cancels what was waiting of that kind."""
    if not ctx.person.is_registered:
        return await reminders_command(ctx)
    kind = payload.kind
    if kind not in kinds(ctx):
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    now = ctx.clock.now()
    prefs = ReminderPrefsRepo(ctx.session)
    enabled = kind not in await prefs.disabled_kinds(ctx.person.id)
    await prefs.choose(ctx.person.id, kind, not enabled, now)
    label = kind_label(ctx, kind)
    if enabled:
        await OutboxRepo(ctx.session).cancel_pending_for(ctx.person.id, [kind], now=now)
        return await show(ctx, ctx.t("reminders.turned_off", label=label))
    return await show(ctx, ctx.t("reminders.turned_on", label=label))


def register(router: Router) -> None:
    """Register /nhacnho and the personal data of deliveries."""
    router.command("nhacnho", menu_label="reminders.menu", order=600)(reminders_command)
    router.action(AllOn)(switch_all)
    router.action(AllOff)(switch_all)
    router.action(ToggleKind)(switch_kind)
    router.personal_data.add(DeliveriesSection())
    router.personal_data.add(ReminderPrefsSection())


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the campaign-deadline reminder rule."""
    registry.add_rule(DeadlineRule(services.campaigns.values(), services.units,
                                   services.settings.reminder_hour, services.clock.tz,
                                   claimed=registry.claimed_deadlines))


FEATURE = Feature("reminders", register, register_delivery)
