"""Unit works (/congtrinh) and unit conferences (/hoinghi) of campaign programmes.

Where a change goes:
- `payloads.py`: every button (one typed class per action, today's bytes);
- `works_views.py` / `conference_views.py`: what a person sees (homes, details, lists);
- `works_forms.py` / `conference_forms.py`: the forms and their steps;
- `works_actions.py` / `conference_actions.py`: what each button does (checks, then a view);
- `consent.py`: the reporting consent asked before a first write;
- `common.py`: who manages which unit, campaigns in scope, the unit picker, small texts;
- `rules.py` (pure: areas, compliance, composition), `parsing.py` (pure: amounts, dates);
- `export.py` (XLSX), `cli.py` (`thidua export works|conferences`), `delivery.py`
  (deadline reminder, non-compliant audience); SQL lives in `storage/works/`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core.context import Context
from bot.core.dispatcher import Router
from handlers.common.feature import Feature
from handlers.common.units import concerns
from handlers.works import (
    conference_actions,
    conference_forms,
    conference_views,
    works_actions,
    works_forms,
    works_views,
)
from handlers.works.cli import EXPORT_CONFERENCES, EXPORT_WORKS
from handlers.works.common import unknown_button
from handlers.works.consent import consent_no, consent_yes
from handlers.works.delivery import (
    ConferenceDeadlineRule,
    ConferenceDocumentsRule,
    NoncompliantUnits,
    WorksDeadlineRule,
)
from handlers.works.payloads import PREFIX_FAMILIES, ConsentNo, ConsentYes
from handlers.works.web import WEB
from storage.works.personal_data import sections

if TYPE_CHECKING:
    from bot.core.context import Services
    from bot.delivery.registry import DeliveryRegistry

ROLES = ("liaison", "admin")


def works_in_my_area(ctx: Context) -> bool:
    """Whether a works programme concerns the person's area (the main menu's order)."""
    return any(concerns(ctx, c.unit) for c in ctx.services.campaigns.values()
               if c.programmes.works is not None)


def conferences_in_my_area(ctx: Context) -> bool:
    """Whether a conference programme concerns the person's area (the main menu's order)."""
    return any(concerns(ctx, c.unit) for c in ctx.services.campaigns.values()
               if c.programmes.conference is not None)


def register(router: Router) -> None:
    """Register /congtrinh, /hoinghi, their forms, buttons and personal data."""
    for section in sections():
        router.personal_data.add(section)
    for form in (works_forms.register_form(), works_forms.progress_form(),
                 conference_forms.register_form()):
        router.forms.add(replace(form, roles=frozenset(ROLES)))
    router.command(works_views.COMMAND, menu_label="menu.works", roles=ROLES, order=40,
                   applies=works_in_my_area)(works_views.works_command)
    router.command(conference_views.COMMAND, menu_label="menu.conference", roles=ROLES,
                   order=41, applies=conferences_in_my_area)(
        conference_views.conference_command)
    works_actions.register_actions(router, ROLES)
    conference_actions.register_actions(router, ROLES)
    router.action(ConsentYes, roles=ROLES)(consent_yes)
    router.action(ConsentNo, roles=ROLES)(consent_no)
    for family in PREFIX_FAMILIES:  # whatever no action above reads: refused or stale
        router.choice(family, roles=ROLES)(unknown_button)


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the works and conference deadline reminders (only to the units that still owe
    them) and the non-compliant audience."""
    settings, clock = services.settings, services.clock
    for rule in (WorksDeadlineRule(services.campaigns.values(), services.units,
                                   settings.reminder_hour, clock.tz),
                 ConferenceDeadlineRule(services.campaigns.values(), services.units,
                                        settings.reminder_hour, clock.tz)):
        for key in rule.occasions:
            registry.claim_deadline(key)
        registry.add_rule(rule)
    registry.add_rule(ConferenceDocumentsRule(services.campaigns.values(), services.units,
                                              settings.reminder_hour, clock.tz,
                                              services.messages))
    registry.add_audience(NoncompliantUnits(services.campaigns, services.units))


FEATURE = Feature("works", register, register_delivery, cli=(EXPORT_WORKS, EXPORT_CONFERENCES),
                  web=WEB)
