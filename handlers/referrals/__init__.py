"""Dân vận khéo referrals: participants, referred accounts, weekly marks, liaison views."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.dispatcher import Router
from handlers.common.feature import Feature

if TYPE_CHECKING:
    from bot.core.context import Services
    from bot.delivery.registry import DeliveryRegistry

MANAGERS = frozenset({"liaison", "admin"})


def register(router: Router) -> None:
    """Register /vandong, /tiendo, their forms and choices, and the `VD-…` start payload."""
    # Imported here: storage.referrals.repo imports the pure rules of this package.
    from handlers.referrals import manage, participant, referred
    from storage.referrals.personal_data import referral_sections

    for section in referral_sections():
        router.personal_data.add(section)

    for form in (participant.join_form(), participant.add_form(), participant.week_form(),
                 referred.code_form(), referred.link_form()):
        router.forms.add(form)
    for form in (manage.import_form(), manage.unit_form(), manage.reassign_form()):
        router.forms.add(replace(form, roles=MANAGERS))
    router.command("vandong", menu_label="ref.menu", order=30)(participant.vandong)
    router.command("tiendo", menu_label="ref.menu_manage", roles=MANAGERS,
                   order=35)(manage.tiendo)
    router.choice("rf")(participant.participant_choice)
    router.choice("rq", roles=MANAGERS)(manage.manage_choice)
    router.start_payload("vd")(referred.start_payload)


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the weekly nudge and the "participants of a campaign" broadcast audience."""
    from handlers.referrals.delivery import CampaignParticipants, WeeklyReferralNudge

    registry.add_rule(WeeklyReferralNudge(services.campaigns.values(), services.messages,
                                          services.settings.reminder_hour, services.clock.tz))
    registry.add_audience(CampaignParticipants())


FEATURE = Feature("referrals", register, register_delivery)
