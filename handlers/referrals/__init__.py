"""Dân vận khéo referrals: participants, referred accounts, weekly marks, liaison views."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Reply
from handlers.common.feature import Feature
from handlers.common.units import concerns
from handlers.referrals import actions, forms, manage, manage_forms, referred
from handlers.referrals.cli import EXPORT_COMMAND, IMPORT_COMMAND
from handlers.referrals.common import programme, referral_campaigns, stale
from handlers.referrals.delivery import CampaignParticipants, WeeklyReferralNudge
from handlers.referrals.web import WEB
from storage.referrals.personal_data import referral_sections

if TYPE_CHECKING:
    from bot.core.context import Services
    from bot.delivery.registry import DeliveryRegistry

MANAGERS = frozenset(manage.MANAGERS)


async def _stale(ctx: Context, _payload: str) -> list[Reply]:
    return stale(ctx)


def in_my_area(ctx: Context) -> bool:
    """Whether a referral programme concerns the person's area (the main menu's order)."""
    return any(concerns(ctx, programme(c).home_unit) for c in referral_campaigns(ctx))


def register(router: Router) -> None:
    """Register /vandong, /tiendo, their forms and buttons, and the `VD-…` start payload."""
    for section in referral_sections():
        router.personal_data.add(section)
    for form in (forms.join_form(), forms.add_form(), forms.week_form(),
                 referred.code_form(), referred.link_form()):
        router.forms.add(form)
    for form in (manage_forms.import_form(), manage_forms.unit_form(),
                 manage_forms.reassign_form()):
        router.forms.add(replace(form, roles=MANAGERS))
    router.command("vandong", menu_label="ref.menu", order=30,
                   applies=in_my_area)(actions.vandong)
    router.command("tiendo", menu_label="ref.menu_manage", roles=MANAGERS,
                   order=35, applies=in_my_area)(manage.tiendo)
    actions.register_actions(router)
    manage.register_manage_actions(router)
    # The rest of each namespace (an unknown or forged `rf:…`/`rq:…`) is stale; `rq:` is
    # refused to people who are not managers before that, as the typed `rq:` buttons are.
    router.choice("rf")(_stale)
    router.choice("rq", roles=MANAGERS)(_stale)
    router.start_payload("vd")(referred.start_payload)


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the weekly nudge and the "participants of a campaign" broadcast audience."""
    registry.add_rule(WeeklyReferralNudge(services.campaigns.values(), services.messages,
                                          services.settings.reminder_hour, services.clock.tz))
    registry.add_audience(CampaignParticipants())


FEATURE = Feature("referrals", register, register_delivery, cli=(IMPORT_COMMAND, EXPORT_COMMAND),
                  web=WEB)
