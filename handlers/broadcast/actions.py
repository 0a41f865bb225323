"""What the /thongbao command and buttons do: list, view, stop a broadcast, write one."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.types import Reply
from bot.delivery.service import delivery_of
from handlers.broadcast.forms import FORM
from handlers.broadcast.payloads import (
    BroadcastList,
    NewBroadcast,
    StopBroadcast,
    StopConfirmed,
    ViewBroadcast,
)
from handlers.broadcast.views import confirm_stop, detail, home
from storage.delivery.repo import BroadcastRepo


async def stop(ctx: Context, broadcast_id: int) -> list[Reply]:
    """Stop a broadcast: nobody who has not received it yet will."""
    final = await delivery_of(ctx.services).cancel_broadcast(ctx.session, broadcast_id,
                                                             ctx.clock.now())
    if final is None:
        return await detail(ctx, broadcast_id, ctx.t("broadcast.not_running", id=broadcast_id))
    return await detail(ctx, broadcast_id, ctx.t("broadcast.stopped", id=broadcast_id,
                                                 cancelled=final["cancelled"],
                                                 sent=final["sent"]))


async def broadcast_command(ctx: Context) -> list[Reply]:
    """/thongbao: recent broadcasts, or straight to writing the first one (admins only:
    the router checks the command's roles)."""
    if not await BroadcastRepo(ctx.session).recent(1):
        replies = await ctx.forms.start(ctx, FORM)
        return [Reply(ctx.t("broadcast.home_empty")), *replies]
    return await home(ctx)


async def new(ctx: Context, _payload: NewBroadcast) -> list[Reply]:
    """Start writing a broadcast."""
    return await ctx.forms.start(ctx, FORM)


async def recent(ctx: Context, _payload: BroadcastList) -> list[Reply]:
    """Show the recent broadcasts."""
    return await home(ctx)


async def view(ctx: Context, payload: ViewBroadcast) -> list[Reply]:
    """Show one broadcast."""
    return await detail(ctx, payload.broadcast_id)


async def ask_stop(ctx: Context, payload: StopBroadcast) -> list[Reply]:
    """Ask before stopping a broadcast."""
    return await confirm_stop(ctx, payload.broadcast_id)


async def stop_confirmed(ctx: Context, payload: StopConfirmed) -> list[Reply]:
    """Stop a broadcast."""
    return await stop(ctx, payload.broadcast_id)
