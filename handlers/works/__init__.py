"""Unit works (/congtrinh) and unit conferences (/hoinghi) of campaign programmes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.dispatcher import Router
from handlers.common.feature import Feature
from handlers.works import conferences, works
from handlers.works.common import CONSENT_PREFIX, consent_choice
from storage.works.personal_data import sections

if TYPE_CHECKING:
    from bot.core.context import Services
    from bot.delivery.registry import DeliveryRegistry

ROLES = ("liaison", "admin")


def register(router: Router) -> None:
    """Register /congtrinh, /hoinghi, their forms, choices and personal data."""
    for section in sections():
        router.personal_data.add(section)
    for form in (works.register_form(), works.progress_form(), conferences.register_form()):
        router.forms.add(replace(form, roles=frozenset(ROLES)))
    router.command(works.COMMAND, menu_label="menu.works", roles=ROLES, order=40)(
        works.works_command)
    router.command(conferences.COMMAND, menu_label="menu.conference", roles=ROLES, order=41)(
        conferences.conference_command)
    router.choice("w", roles=ROLES)(works.works_choice)
    router.choice("h", roles=ROLES)(conferences.conference_choice)
    router.choice(CONSENT_PREFIX, roles=ROLES)(consent_choice)


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the works deadline reminder (short units only) and the non-compliant audience."""
    from handlers.works.delivery import NoncompliantUnits, WorksDeadlineRule

    rule = WorksDeadlineRule(services.campaigns.values(), services.units,
                             services.settings.reminder_hour, services.clock.tz)
    for key in rule.occasions:
        registry.claim_deadline(key)
    registry.add_rule(rule)
    registry.add_audience(NoncompliantUnits(services.campaigns, services.units))


FEATURE = Feature("works", register, register_delivery)
