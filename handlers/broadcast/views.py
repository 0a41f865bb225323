"""What /thongbao shows: recent broadcasts, one broadcast's progress, the stop question."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.context import Context
from bot.core.types import Choice, Reply
from bot.delivery.audiences import EVERYONE, NONCOMPLIANT, PARTICIPANTS, ROLE, UNIT
from handlers.broadcast.payloads import (
    BroadcastList,
    NewBroadcast,
    StopBroadcast,
    StopConfirmed,
    ViewBroadcast,
)
from handlers.broadcast.rules import snippet
from storage.delivery.repo import ACTIVE_BROADCAST, WAITING, Broadcast, BroadcastRepo, OutboxRepo

RECENT = 5


def describe(ctx: Context, spec: dict[str, str]) -> str:
    """Return who an audience spec names, in words."""
    kind = spec.get("type", "")
    campaign = ctx.services.campaigns.get(spec.get("campaign", ""))
    campaign_name = campaign.short_name if campaign else spec.get("campaign", "")
    if kind == EVERYONE:
        return ctx.t("broadcast.describe.everyone")
    if kind == ROLE:
        return ctx.t("broadcast.describe.role", role=ctx.t(f"role.{spec['role']}"))
    if kind == UNIT:
        unit = spec["unit"]
        name = ctx.services.units.path_text(unit) if ctx.services.units.get(unit) else unit
        return ctx.t("broadcast.describe.unit", unit=name)
    if kind == PARTICIPANTS:
        return ctx.t("broadcast.describe.participants", campaign=campaign_name)
    if kind == NONCOMPLIANT:
        programme = ctx.t(f"broadcast.programme.{spec['programme']}")
        return ctx.t("broadcast.describe.noncompliant", programme=programme,
                     campaign=campaign_name)
    return ctx.t("broadcast.describe.unknown")


def when_text(ctx: Context, moment: datetime | None) -> str:
    """Return a moment as "HH:MM dd/mm/yyyy" in local time (empty for none)."""
    return moment.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y") if moment else ""


async def home(ctx: Context, prefix: str | None = None) -> list[Reply]:
    """List recent broadcasts with their status, and offer to write a new one."""
    recent = await BroadcastRepo(ctx.session).recent(RECENT)
    if not recent:
        text = ctx.t("broadcast.home_empty")
        return [Reply(f"{prefix}\n\n{text}" if prefix else text,
                      [[Choice(ctx.t("broadcast.new"), NewBroadcast().pack())]])]
    items = [ctx.t("broadcast.item", id=b.id, status=ctx.t(f"broadcast.status.{b.status}"),
                   when=when_text(ctx, b.scheduled_at), snippet=snippet(b.text)) for b in recent]
    text = ctx.t("broadcast.home", items="\n".join(items))
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows = [[Choice(ctx.t("broadcast.new"), NewBroadcast().pack())]]
    rows += [[Choice(f"#{b.id} {snippet(b.text, 30)}", ViewBroadcast(b.id).pack())]
             for b in recent]
    return [Reply(text, rows)]


async def counts(ctx: Context, broadcast: Broadcast) -> dict[str, int]:
    """Return a broadcast's delivery counts (live while it runs, final once done)."""
    if broadcast.status in ACTIVE_BROADCAST:
        live = await OutboxRepo(ctx.session).broadcast_counts(broadcast.id)
        counts = {"recipients": sum(live.values()), "sent": live.get("sent", 0),
                  "pending": sum(live.get(s, 0) for s in WAITING),
                  "failed": live.get("failed", 0), "blocked": live.get("blocked", 0),
                  "cancelled": live.get("cancelled", 0)}
    else:
        counts = {"recipients": broadcast.recipients, "sent": broadcast.sent, "pending": 0,
                  "failed": broadcast.failed, "blocked": broadcast.blocked,
                  "cancelled": broadcast.cancelled}
    # A rerouted row is closed and copied to the person's other channel (counted there).
    reach = await OutboxRepo(ctx.session).broadcast_reach(broadcast.id)
    counts["recipients"] -= reach["rerouted"]
    counts["cancelled"] -= reach["rerouted"]
    counts["failed"] -= reach["unreachable"]
    return {**counts, **reach}


async def detail(ctx: Context, broadcast_id: int, prefix: str | None = None) -> list[Reply]:
    """Show one broadcast: audience, status and counts, with stop / refresh choices."""
    broadcast = await BroadcastRepo(ctx.session).get(broadcast_id)
    if broadcast is None:
        return await home(ctx, ctx.t("broadcast.unknown"))
    # As recipients read it; else the author's name, or at least which account wrote it.
    author = broadcast.sender or ctx.t("broadcast.author_unknown")
    if not broadcast.sender and broadcast.author_id is not None:
        person = await ctx.people.get(broadcast.author_id)
        author = person.full_name or ctx.t("broadcast.author_unnamed", id=broadcast.author_id)
    schedule = ""
    if broadcast.scheduled_at > broadcast.created_at + timedelta(minutes=1):
        schedule = ctx.t("broadcast.detail_schedule", when=when_text(ctx, broadcast.scheduled_at))
    text = ctx.t("broadcast.detail", id=broadcast.id,
                 status=ctx.t(f"broadcast.status.{broadcast.status}"), author=author,
                 audience=describe(ctx, broadcast.audience),
                 created=when_text(ctx, broadcast.created_at), schedule=schedule,
                 text=broadcast.text, **await counts(ctx, broadcast))
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows = []
    if broadcast.status in ACTIVE_BROADCAST:
        rows.append([Choice(ctx.t("broadcast.stop"), StopBroadcast(broadcast.id).pack())])
        rows.append([Choice(ctx.t("broadcast.refresh"), ViewBroadcast(broadcast.id).pack())])
    rows.append([Choice(ctx.t("broadcast.back"), BroadcastList().pack())])
    return [Reply(text, rows)]


async def confirm_stop(ctx: Context, broadcast_id: int) -> list[Reply]:
    """Ask before stopping a broadcast (it cannot be resumed)."""
    broadcast = await BroadcastRepo(ctx.session).get(broadcast_id)
    if broadcast is None or broadcast.status not in ACTIVE_BROADCAST:
        return await detail(ctx, broadcast_id, ctx.t("broadcast.not_running", id=broadcast_id))
    pending = (await counts(ctx, broadcast))["pending"]
    return [Reply(ctx.t("broadcast.stop_confirm", id=broadcast_id, pending=pending),
                  [[Choice(ctx.t("broadcast.stop_yes"), StopConfirmed(broadcast_id).pack())],
                   [Choice(ctx.t("broadcast.stop_no"), ViewBroadcast(broadcast_id).pack())]])]
