"""Global commands: /start, /menu, /help, /huy, and replies to non-text messages."""

from __future__ import annotations

import logging

from bot.core.context import COMMAND_PAYLOAD, ELSEWHERE, Context
from bot.core.dispatcher import Router
from bot.core.forms import EDITING_SAVED
from bot.core.limits import valid_start_payload
from bot.core.types import Choice, Reply
from handlers.common.feature import Feature

logger = logging.getLogger(__name__)


async def start(ctx: Context) -> list[Reply]:
    """Welcome the person and show the menu; a `prefix-…` payload goes to its feature."""
    _, _, arg = ctx.text.partition(" ")
    payload = ctx.msg.start_payload or arg.strip() or None
    if payload and valid_start_payload(payload):
        ctx.state.start_payload = payload
        prefix = payload.split("-", 1)[0].casefold()
        handler = ctx.services.router.start_payloads.get(prefix)
        if handler is not None and "-" in payload:
            # The feature greets and shows its own next step (the general welcome would
            # point at a menu that is not shown).
            return await handler(ctx, payload)
    elif payload:  # forged or garbled deep link: keep nothing, say nothing more
        logger.warning("start payload refused (%s characters)", len(payload))
    return [ctx.main_menu(ctx.t("welcome"))]


async def menu(ctx: Context) -> list[Reply]:
    """Show the main menu."""
    return [ctx.main_menu()]


async def elsewhere(ctx: Context) -> list[Reply]:
    """The programme entries the main menu left out because they do not concern the
    person's area: still open to them (they may take part there), one choice each."""
    router = ctx.services.router
    rows = [[Choice(ctx.t(c.menu_label), COMMAND_PAYLOAD + c.name)]
            for c in router.menu_for(ctx.roles)
            if c.menu_label and c.elsewhere(ctx)]
    if not rows:
        return [ctx.main_menu()]
    rows.append([Choice(ctx.t("menu.back"), COMMAND_PAYLOAD + "menu")])
    return [Reply(ctx.t("menu.elsewhere_title"), rows)]


async def help_(ctx: Context) -> list[Reply]:
    """Explain how to use the bot and list the commands this person may use."""
    router = ctx.services.router
    lines = [ctx.t("help_command_line", name=c.name, label=ctx.t(c.menu_label))
             for c in router.menu_for(ctx.roles)
             if c.menu_label and c.name not in ("help", "toi")]
    return [ctx.main_menu(ctx.t("help", commands="\n".join(lines)).rstrip())]


async def cancel(ctx: Context) -> list[Reply]:
    """Cancel whatever form is in progress."""
    form = ctx.forms.active(ctx)
    if form is None:
        return [ctx.main_menu(ctx.t("cancel.nothing"))]
    key = "cancel.done_saved" if ctx.state.data.get(EDITING_SAVED) else "cancel.done"
    ctx.state.clear_form()
    return [ctx.main_menu(ctx.t(key, title=ctx.t(form.title)))]


async def non_text(ctx: Context) -> list[Reply]:
    """Answer a sticker, photo or empty message outside any form."""
    return [ctx.main_menu(ctx.t("error.not_text"))]


def register(router: Router) -> None:
    """Register the global commands."""
    router.command("start", is_global=True)(start)
    router.command("menu", is_global=True)(menu)
    router.command("help", is_global=True, menu_label="menu.help", order=900)(help_)
    router.command("huy", is_global=True)(cancel)
    router.command(ELSEWHERE)(elsewhere)
    router.non_text = non_text


FEATURE = Feature("start", register)
