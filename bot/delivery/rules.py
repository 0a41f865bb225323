"""Old path of bot.delivery.reminders, kept while other branches still import it (delete)."""

from bot.delivery.reminders import (  # noqa: F401
    DEADLINE_KIND,
    DEADLINE_RULE,
    DeadlineOccasion,
    DeadlineRule,
    Moment,
    ReminderRegistry,
    ReminderRule,
    deadline_moments,
    deadline_occasions,
)
