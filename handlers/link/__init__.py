"""/lienket: join a second channel account (Zalo, Telegram…) to one profile with a code."""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Reply
from handlers.common.feature import Feature
from handlers.common.registration import require_registration
from storage.people import LinkRepo

CODE_TTL = timedelta(minutes=10)


def _channels(names: list[str], ctx: Context) -> str:
    return ", ".join(ctx.t(f"link.channel.{n}") if f"link.channel.{n}" in ctx.services.messages
                     else n for n in names)


async def link(ctx: Context) -> list[Reply]:
    """Show a one-time code, or use a code typed from the other channel."""
    _, _, arg = ctx.text.partition(" ")
    typed = "".join(arg.split())
    if typed:
        return await _use_code(ctx, typed)
    started = await require_registration(ctx, "c:lienket")
    if started is not None:
        return started
    code = await LinkRepo(ctx.session).create(ctx.person.id, ctx.clock.now(), CODE_TTL)
    accounts = await ctx.people.accounts_of(ctx.person.id)
    return [Reply(ctx.t("link.show", code=f"{code[:4]} {code[4:]}", plain=code,
                        minutes=int(CODE_TTL.total_seconds() // 60),
                        channels=_channels([a.channel for a in accounts], ctx)))]


async def _use_code(ctx: Context, typed: str) -> list[Reply]:
    if not (typed.isdigit() and len(typed) == 8):
        return [Reply(ctx.t("link.bad_code"))]
    repo = LinkRepo(ctx.session)
    now = ctx.clock.now()
    # Check first, use after: a code tried from an account it cannot join stays valid.
    owner = await repo.peek(typed, now)
    if owner is None:
        return [Reply(ctx.t("link.unknown_code"))]
    if owner == ctx.person.id:
        return [Reply(ctx.t("link.same"))]
    if ctx.person.is_registered:
        return [Reply(ctx.t("link.has_profile"))]
    person_id = await repo.consume(typed, now)
    if person_id is None:
        return [Reply(ctx.t("link.unknown_code"))]
    await repo.move_account(ctx.account.id, person_id, now)
    ctx.person = await ctx.people.get(person_id)
    accounts = await ctx.people.accounts_of(person_id)
    return [ctx.main_menu(ctx.t("link.done", full_name=ctx.person.full_name or "",
                                channels=_channels([a.channel for a in accounts], ctx)))]


def register(router: Router) -> None:
    """Register /lienket."""
    router.command("lienket", menu_label="menu.link", order=700)(link)


FEATURE = Feature("link", register)
