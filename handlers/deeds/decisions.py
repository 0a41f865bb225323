"""/duyet decisions: take, release, approve at once; the others through a short form.

Every decision carries the version the reviewer saw; the store applies it only if the report
is still at that version, so of two reviewers deciding at once one wins and the other is told.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.context import Context
from bot.core.types import Choice, Reply
from handlers.deeds.notices import tell_reporter
from handlers.deeds.payloads import Decide, EditField, OpenReport
from handlers.deeds.queue import back_rows, conflict, detail, load, manages
from handlers.deeds.steps import EDIT_STEPS
from handlers.deeds.views import (
    FIELD_LABELS,
    field_text,
    reason_text,
    rewards_of,
    status_text,
)
from handlers.deeds.workflow import (
    TOLD_TO_REPORTER,
    Action,
    NomineeConsent,
    Refusal,
    Status,
    check_action,
)
from storage.deeds.repo import Deed, DeedsRepo

DIRECT = frozenset({Action.TAKE, Action.RELEASE, Action.APPROVE})
FORMS = {Action.RETURN: "deed_return", Action.REJECT: "deed_reject",
         Action.NOMINATE: "deed_nominate", Action.AWARD: "deed_award",
         Action.NOTE: "deed_note", Action.CONSENT: "deed_consent"}


def _check(ctx: Context, deed: Deed, action: Action) -> Status | None:
    return check_action(action, deed.status, holder_id=deed.reviewer_id,
                        actor_id=ctx.person.id, actor_is_admin=ctx.access.is_admin,
                        reporter_id=deed.reporter_id, consent=deed.nominee_consent)


async def apply(ctx: Context, deed: Deed, action: Action, seen_version: int, *,
                changes: dict[str, Any] | None = None, reason: str | None = None,
                text: str | None = None, before: dict[str, Any] | None = None,
                after: dict[str, Any] | None = None,
                notice: dict[str, Any] | None = None) -> list[Reply]:
    """Apply a decision if the report is still as the reviewer saw it; record and tell."""
    if deed.version != seen_version:
        return await conflict(ctx, deed.id)
    try:
        to = _check(ctx, deed, action)
    except Refusal as refusal:
        return await detail(ctx, deed, ctx.t(f"deeds.refuse.{refusal.key}"))
    repo = DeedsRepo(ctx.session)
    now = ctx.clock.now()
    fields = dict(changes or {})
    if to is not None:
        fields["status"] = to
    if action is Action.TAKE or (action in TOLD_TO_REPORTER and deed.reviewer_id is None):
        fields["reviewer_id"] = ctx.person.id
    if action is Action.RELEASE:
        fields["reviewer_id"] = None
    if not await repo.transition(deed.id, seen_version, now, **fields):
        return await conflict(ctx, deed.id)
    await repo.add_event(deed.id, ctx.person.id, now, action, status_before=deed.status,
                         status_after=to or deed.status, reason=reason, text=text,
                         before=before, after=after)
    done = ctx.t(f"deeds.done.{action.value}", id=deed.id)
    if action in TOLD_TO_REPORTER:
        told = await tell_reporter(ctx, deed, action, seen_version + 1, **(notice or {}))
        done += " " + told.text(ctx, "reporter")
    fresh = await repo.get(deed.id)
    if fresh is None or not manages(ctx, fresh.unit_code):
        return [Reply(done + "\n" + ctx.t("deeds.review.moved_away"), back_rows(ctx))]
    return await detail(ctx, fresh, done)


async def decide(ctx: Context, payload: Decide) -> list[Reply]:
    """A decision button: apply it at once, or open its form (or the fields to correct)."""
    loaded = await load(ctx, payload.deed_id)
    if isinstance(loaded, list):
        return loaded
    deed, version = loaded, payload.version
    try:
        action = Action(payload.action)
    except ValueError:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if action is not Action.NOTE and deed.version != version:
        return await conflict(ctx, deed.id)
    try:
        _check(ctx, deed, action)
        if action is Action.CONSENT and deed.nominee_consent == NomineeConsent.SELF:
            raise Refusal("self_report")
    except Refusal as refusal:
        return await detail(ctx, deed, ctx.t(
            f"deeds.refuse.{refusal.key}", action=ctx.t(f"deeds.action.{action.value}"),
            status=status_text(ctx, deed.status)))
    if action in DIRECT:
        return await apply(ctx, deed, action, version)
    if action is Action.EDIT:
        return [_edit_menu(ctx, deed)]
    if action is Action.NOMINATE and not rewards_of(ctx, deed.campaign_id):
        return await detail(ctx, deed, ctx.t(
            "deeds.refuse.no_rewards" if deed.campaign_id else "deeds.refuse.no_campaign"))
    if action in FORMS:
        return await ctx.forms.start(ctx, FORMS[action], {
            "deed_id": deed.id, "version": deed.version, "_campaign": deed.campaign_id,
            "_minor": deed.nominee_minor})
    return [ctx.main_menu(ctx.t("error.stale_choice"))]


def _edit_menu(ctx: Context, deed: Deed) -> Reply:
    fields = [f for f in EDIT_STEPS if not (deed.is_self and f == "nominee_name")]
    rows = [[Choice(ctx.t(FIELD_LABELS[f]), EditField(deed.id, deed.version, f).pack())]
            for f in fields]
    rows.append([Choice(ctx.t("deeds.review.back_detail"), OpenReport(deed.id).pack())])
    return Reply(ctx.t("deeds.review.edit_which", id=deed.id), rows)


async def start_edit(ctx: Context, payload: EditField) -> list[Reply]:
    """A field button of the correction menu: ask the new value."""
    deed_id, version, field = payload.deed_id, payload.version, payload.field
    loaded = await load(ctx, deed_id)
    if isinstance(loaded, list):
        return loaded
    if field not in EDIT_STEPS:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if loaded.version != version:
        return await conflict(ctx, deed_id)
    current = field_text(ctx, field, getattr(loaded, field))
    return await ctx.forms.start(ctx, f"deed_edit_{field}", {
        "deed_id": deed_id, "version": version, "field": field, "_current": current})


# --- the forms' last step -----------------------------------------------------------------


async def _reload(ctx: Context, data: dict[str, Any]) -> Deed | list[Reply]:
    return await load(ctx, int(data["deed_id"]))


async def finish_return(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Send the reviewer's question back to the reporter."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    return await apply(ctx, deed, Action.RETURN, int(data["version"]), text=data["question"],
                       notice={"text": data["question"]})


async def finish_reject(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Reject with a reason and an explanation the reporter reads."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    reason = data["reason"]
    return await apply(ctx, deed, Action.REJECT, int(data["version"]),
                       changes={"reject_reason": reason}, reason=reason, text=data["explain"],
                       notice={"reason": reason_text(ctx, reason), "text": data["explain"]})


async def finish_nominate(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Nominate for one of the campaign's rewards (with an internal note, if any)."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    rewards = rewards_of(ctx, deed.campaign_id)
    index = int(data["reward"])
    if not 0 <= index < len(rewards):
        return await detail(ctx, deed, ctx.t("deeds.refuse.no_rewards"))
    reward, source = rewards[index]
    replies = await apply(ctx, deed, Action.NOMINATE, int(data["version"]),
                          changes={"reward_form": reward, "reward_source": source},
                          text=reward, reason=source, notice={"reward": reward})
    if data.get("note"):
        await DeedsRepo(ctx.session).add_event(deed.id, ctx.person.id, ctx.clock.now(),
                                               Action.NOTE, text=data["note"])
    return replies


async def finish_award(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Record that the reward was granted."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    return await apply(ctx, deed, Action.AWARD, int(data["version"]), text=data.get("decision"),
                       notice={"reward": deed.reward_form or ""})


async def finish_note(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Add an internal note (reviewers only; no version check, it changes nothing)."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    await DeedsRepo(ctx.session).add_event(deed.id, ctx.person.id, ctx.clock.now(), Action.NOTE,
                                           text=data["note"])
    return await detail(ctx, deed, ctx.t("deeds.done.note", id=deed.id))


async def finish_consent(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Record whether the nominee (or a guardian) agreed, and how it was learnt."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    source = data["source"]
    return await apply(ctx, deed, Action.CONSENT, int(data["version"]),
                       changes={"nominee_consent": source}, text=data.get("how"),
                       before={"nominee_consent": deed.nominee_consent},
                       after={"nominee_consent": source})


async def finish_edit(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    """Correct one field, keeping the value before and after in the history."""
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    field = data["field"]
    value = data.get(field)
    old: Any = getattr(deed, field)
    old_json = old.isoformat() if isinstance(old, date) else old
    if value == old_json:
        return await detail(ctx, deed, ctx.t("deeds.review.unchanged"))
    stored = date.fromisoformat(str(value)) if field == "happened_on" else value
    return await apply(ctx, deed, Action.EDIT, int(data["version"]), changes={field: stored},
                       before={field: old_json}, after={field: value})
