"""Rule lookup: any free text outside a form is a question about the campaigns."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Reply


async def answer(ctx: Context) -> list[Reply]:
    """Answer a free-text question (no registration or consent needed)."""
    return [ctx.main_menu(ctx.t("error.no_answer"))]


def register(router: Router) -> None:
    """Register the free-text catch-all."""
    router.fallback = answer
