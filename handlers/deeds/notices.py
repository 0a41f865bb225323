"""Telling reporters and reviewers what happened, through the notifications table."""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.types import Reply
from bot.delivery.service import delivery_of
from handlers.deeds.views import notice_text, snippet, unit_text
from handlers.deeds.workflow import Action
from storage.deeds.notifications import mark_delivered, notify, pending
from storage.deeds.repo import Deed, DeedsRepo

WHAT_IN_NOTICE = 40


async def tell_reporter(ctx: Context, deed: Deed, action: Action, version: int,
                        **params: Any) -> None:
    """Queue the plain-words notice of a decision for the report's author."""
    if deed.reporter_id is None:
        return
    key = f"deeds.notice.{action.value}"
    values = {"id": deed.id, "what": snippet(deed.what, WHAT_IN_NOTICE), **params}
    await notify(ctx.session, deed.reporter_id, key, values,
                 f"deed:{deed.id}:v{version}:{action.value}:reporter", ctx.clock.now())
    if action is Action.RETURN:  # the reporter has to act: also push it to their chat
        await delivery_of(ctx.services).notify(
            ctx.session, deed.reporter_id, f"deeds:returned:{deed.id}:v{version}", key, values)


async def reviewers_of(ctx: Context, deed: Deed) -> list[int]:
    """Return who reviews a report: liaisons of its unit and the units above, else admins."""
    repo = DeedsRepo(ctx.session)
    units = [deed.unit_code]
    if deed.unit_code in ctx.services.units:
        units += [u.code for u in ctx.services.units.ancestors(deed.unit_code)]
    found = await repo.people_with_role(("reviewer", "liaison"), units)
    if not found:
        found = await repo.people_with_role(("admin",))
    return [p for p in found if p != deed.reporter_id]


async def tell_reviewers(ctx: Context, deed: Deed, key: str, version: int,
                         holder_first: bool = True, **params: Any) -> None:
    """Queue a notice for the reviewer holding the report, or all of its reviewers."""
    if holder_first and deed.reviewer_id is not None:
        targets = [deed.reviewer_id]
    else:
        targets = await reviewers_of(ctx, deed)
    for person_id in targets:
        await notify(ctx.session, person_id, key,
                     {"id": deed.id, "unit": unit_text(ctx, deed.unit_code), **params},
                     f"deed:{deed.id}:v{version}:{key.rsplit('.', 1)[-1]}:{person_id}",
                     ctx.clock.now())


async def pending_reply(ctx: Context) -> Reply | None:
    """Show the person's undelivered notices once, marking them delivered."""
    notices = await pending(ctx.session, ctx.person.id)
    if not notices:
        return None
    await mark_delivered(ctx.session, [n.id for n in notices], ctx.clock.now())
    lines = "\n\n".join(f"• {notice_text(ctx, n)}" for n in notices)
    return Reply(ctx.t("deeds.notices", lines=lines))
