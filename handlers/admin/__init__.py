"""Administrator commands."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Reply
from content.privacy import Purpose
from handlers.common.feature import Feature
from storage.people import people_stats


async def stats(ctx: Context) -> list[Reply]:
    """/thongke: how many people use the bot, registered, per channel, with reminders on."""
    counts = await people_stats(ctx.session)
    channels = ", ".join(f"{name} {n}" for name, n in counts.by_channel.items()) or "0"
    reminders = await ctx.consents.count_active(Purpose.REMINDERS)
    limiter = ctx.services.extras.get("rate_limiter")
    text = ctx.t("stats.show", people=counts.people, registered=counts.registered,
                 channels=channels, reminders=reminders)
    if limiter is not None:
        text += "\n" + ctx.t("stats.rate_limited", dropped=limiter.dropped)
    return [Reply(text)]


def register(router: Router) -> None:
    """Register the administrator commands."""
    router.command("thongke", menu_label="menu.stats", roles={"admin"}, order=800)(stats)


FEATURE = Feature("admin", register)
