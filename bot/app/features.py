"""The features of the bot, in the order the dispatcher consults them (rule lookup last).

Adding a feature: create `handlers/<name>/` with `FEATURE = Feature(...)` and add one line here.
"""

from __future__ import annotations

from handlers import (
    admin,
    broadcast,
    deeds,
    link,
    lookup,
    privacy,
    profile,
    referrals,
    reminders,
    roles,
    start,
    works,
)
from handlers.common.feature import Feature

FEATURES: tuple[Feature, ...] = (
    start.FEATURE,
    profile.FEATURE,
    link.FEATURE,
    privacy.FEATURE,
    roles.FEATURE,
    admin.FEATURE,
    referrals.FEATURE,
    deeds.FEATURE,
    works.FEATURE,
    reminders.FEATURE,
    broadcast.FEATURE,
    lookup.FEATURE,
)
