"""Where features plug in reminder rules and broadcast audiences.

A feature's manifest (`FEATURE = Feature(..., register_delivery)`) may give

    def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
        registry.add_rule(MyWeeklyNudge(services.campaigns, ...))
        registry.add_audience(MyParticipants())

and the app calls it at startup. Rules follow `bot.delivery.reminders.ReminderRule`, audiences
`bot.delivery.audiences.AudienceProvider`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.delivery.audiences import AudienceProvider
from bot.delivery.reminders import ReminderRegistry, ReminderRule

if TYPE_CHECKING:
    from bot.core.context import Services


@dataclass
class DeliveryRegistry:
    """Reminder rules and audience providers contributed by the features."""

    rules: ReminderRegistry = field(default_factory=ReminderRegistry)
    audiences: dict[str, AudienceProvider] = field(default_factory=dict)
    # Deadline keys (`DeadlineOccasion.key`) a feature's own rule reminds instead of the
    # generic deadline rule (e.g. only the units that still owe something).
    claimed_deadlines: set[str] = field(default_factory=set)

    def add_rule(self, rule: ReminderRule) -> None:
        """Add a reminder rule."""
        self.rules.add(rule)

    def add_audience(self, provider: AudienceProvider) -> None:
        """Add (or replace) the provider of one audience type."""
        self.audiences[provider.type] = provider

    def claim_deadline(self, key: str) -> None:
        """Take over the reminders of one campaign deadline (the generic rule skips it)."""
        self.claimed_deadlines.add(key)

    def audience(self, audience_type: str) -> AudienceProvider | None:
        """Return the provider of an audience type, if any feature gave one."""
        return self.audiences.get(audience_type)


def build_registry(features: Iterable[object], services: Services) -> DeliveryRegistry:
    """Collect the rules and audiences of every feature that has `register_delivery`."""
    registry = DeliveryRegistry()
    for feature in features:
        hook = getattr(feature, "register_delivery", None)
        if hook is not None:
            hook(registry, services)
    return registry
