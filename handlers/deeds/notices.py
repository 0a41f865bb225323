"""Telling reporters and reviewers what happened: pushed through the outbox to their chat.

Every decision the reporter is told about, every new report and every answer to a question
is queued in the outbox (`Delivery.notify`: no reminder consent needed, quiet hours hold it
until morning, blocked accounts skipped). Only when a person has no reachable chat account
does the notice wait in the notifications table, shown at the top of /guongtot or /duyet.
What the bot then says ("… đã được thông báo") follows what really happened: see `Told`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.types import Reply
from bot.delivery.service import delivery_of
from handlers.deeds.views import moment_text, notice_text, snippet, unit_text
from handlers.deeds.workflow import Action
from storage.deeds.notifications import mark_delivered, notify, pending
from storage.deeds.repo import Deed, DeedsRepo

WHAT_IN_NOTICE = 40
ANSWERED = "deeds.notice.answered"


class Reach(StrEnum):
    """How a notice reached (or will reach) its person."""

    NOW = "now"          # queued in the outbox, sent at once
    LATER = "later"      # queued in the outbox, held by the quiet hours
    IN_APP = "in_app"    # no reachable chat account: shown when they open the bot
    GONE = "gone"        # nobody to tell (account deleted, consent withdrawn)


@dataclass(frozen=True, slots=True)
class Told:
    """The outcome of telling one person."""

    reach: Reach
    at: datetime | None = None

    def text(self, ctx: Context, who: str) -> str:
        """Say truthfully what happened, `who` being "reporter" or "reviewers"."""
        params = {"time": moment_text(ctx, self.at)} if self.at is not None else {}
        return ctx.t(f"deeds.told.{who}.{self.reach.value}", **params)


async def _tell(ctx: Context, person_id: int, key: str, values: dict[str, Any],
                dedupe: str, pushed: tuple[str, dict[str, Any]] | None = None) -> Told:
    """Push one notice to a person's chat (`pushed`: another key and values for the pushed
    copy), or keep it in-app when no chat reaches them."""
    now = ctx.clock.now()
    delivery = delivery_of(ctx.services)
    push_key, push_values = pushed or (key, values)
    if await delivery.notify(ctx.session, person_id, f"deeds:{dedupe}", push_key, push_values,
                             now=now):
        at = delivery.quiet.next_allowed(now, delivery.tz)
        return Told(Reach.NOW) if at <= now else Told(Reach.LATER, at)
    await notify(ctx.session, person_id, key, values, f"deed:{dedupe}", now)
    return Told(Reach.IN_APP)


async def tell_reporter(ctx: Context, deed: Deed, action: Action, version: int,
                        **params: Any) -> Told:
    """Tell the report's author about a decision; return how it reaches them."""
    if deed.reporter_id is None:
        return Told(Reach.GONE)
    values = {"id": deed.id, "what": snippet(deed.what, WHAT_IN_NOTICE), **params}
    return await _tell(ctx, deed.reporter_id, f"deeds.notice.{action.value}", values,
                       f"{action.value}:{deed.id}:v{version}:reporter")


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
                         holder_first: bool = True, **params: Any) -> Told:
    """Tell the reviewer holding the report, or all of its reviewers; return the best reach."""
    if holder_first and deed.reviewer_id is not None:
        targets = [deed.reviewer_id]
    else:
        targets = await reviewers_of(ctx, deed)
    base = {"id": deed.id, "unit": unit_text(ctx, deed.unit_code)}
    values = {**base, **params}
    # What is pushed to a reviewer's chat never quotes the reporter's words: the outbox is
    # not redacted when the reporter erases their data; the reviewer reads them in /duyet.
    pushed = (f"{key}_push", base) if key == ANSWERED else None
    outcomes = [await _tell(ctx, person_id, key, values,
                            f"{key.rsplit('.', 1)[-1]}:{deed.id}:v{version}:{person_id}", pushed)
                for person_id in targets]
    for reach in (Reach.NOW, Reach.LATER, Reach.IN_APP):
        found = [o for o in outcomes if o.reach is reach]
        if found:
            return found[0]
    return Told(Reach.GONE)


async def pending_reply(ctx: Context) -> Reply | None:
    """Show the person's undelivered in-app notices once, marking them delivered."""
    notices = await pending(ctx.session, ctx.person.id)
    if not notices:
        return None
    await mark_delivered(ctx.session, [n.id for n in notices], ctx.clock.now())
    lines = "\n\n".join(f"• {notice_text(ctx, n)}" for n in notices)
    return Reply(ctx.t("deeds.notices", lines=lines))
