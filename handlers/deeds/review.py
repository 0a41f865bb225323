"""/duyet: reviewers' queue by unit and status, a report's detail, and every decision.

Every decision carries the version the reviewer saw; the store applies it only if the report
is still at that version, so of two reviewers deciding at once one wins and the other is told.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from handlers.deeds.access import can_manage_unit, is_reviewer, review_scope
from handlers.deeds.export import export_reply
from handlers.deeds.notices import pending_reply, tell_reporter
from handlers.deeds.steps import (
    Steps,
    date_step,
    free_text,
    nominee_name_step,
    place_step,
    unit_step,
    village_step,
    what_step,
)
from handlers.deeds.views import (
    FIELD_LABELS,
    consent_text,
    field_text,
    list_line,
    names_of,
    reason_text,
    reviewer_view,
    status_text,
    unit_text,
)
from handlers.deeds.workflow import (
    NOMINATIONS,
    OPEN,
    REJECT_REASONS,
    TOLD_TO_REPORTER,
    Action,
    NomineeConsent,
    Refusal,
    Status,
    available_actions,
    check_action,
    check_consent_source,
)
from storage.deeds.repo import Deed, DeedsRepo

LIST_LIMIT = 10
DIRECT = frozenset({Action.TAKE, Action.RELEASE, Action.APPROVE})
FORMS = {Action.RETURN: "deed_return", Action.REJECT: "deed_reject",
         Action.NOMINATE: "deed_nominate", Action.AWARD: "deed_award",
         Action.NOTE: "deed_note", Action.CONSENT: "deed_consent"}
EDIT_STEPS = {"nominee_name": nominee_name_step, "unit_code": unit_step,
              "village": village_step, "what": what_step, "happened_on": date_step,
              "place": place_step}
CONSENT_SOURCES = (NomineeConsent.PERSON, NomineeConsent.GUARDIAN, NomineeConsent.REFUSED)


def _is_admin(ctx: Context) -> bool:
    return "admin" in ctx.roles


def _check(ctx: Context, deed: Deed, action: Action) -> Status | None:
    return check_action(action, deed.status, holder_id=deed.reviewer_id,
                        actor_id=ctx.person.id, actor_is_admin=_is_admin(ctx),
                        reporter_id=deed.reporter_id, consent=deed.nominee_consent)


async def _load(ctx: Context, deed_id: int) -> Deed | list[Reply]:
    """Return the report, or the reply refusing it (unknown, or outside the reviewer's units)."""
    deed = await DeedsRepo(ctx.session).get(deed_id)
    if deed is None:
        return [Reply(ctx.t("deeds.review.not_found", id=deed_id), _back_rows(ctx))]
    if not can_manage_unit(ctx, deed.unit_code):
        return [Reply(ctx.t("deeds.review.outside", id=deed_id), _back_rows(ctx))]
    return deed


def _back_rows(ctx: Context) -> list[list[Choice]]:
    return [[Choice(ctx.t("deeds.review.back_queue"), "c:duyet")]]


def _photos(deed: Deed) -> list[Attachment]:
    return [Attachment(AttachmentKind.PHOTO, url=p.ref, size=p.size, caption=p.caption)
            for p in deed.photos if p.ref]


async def detail(ctx: Context, deed: Deed, prefix: str | None = None) -> list[Reply]:
    """Show a report to a reviewer with the decisions open to them now."""
    repo = DeedsRepo(ctx.session)
    text = await reviewer_view(ctx, deed, await repo.events(deed.id))
    if prefix:
        text = f"{prefix}\n\n{text}"
    actions = available_actions(deed.status, holder_id=deed.reviewer_id,
                                actor_id=ctx.person.id, actor_is_admin=_is_admin(ctx),
                                reporter_id=deed.reporter_id, consent=deed.nominee_consent)
    rows = [[Choice(ctx.t(f"deeds.action.{a.value}"),
                    f"gtd:a:{deed.id}:{deed.version}:{a.value}")] for a in actions]
    rows += _back_rows(ctx)
    return [Reply(text, rows, attachments=_photos(deed))]


async def _conflict(ctx: Context, deed_id: int) -> list[Reply]:
    repo = DeedsRepo(ctx.session)
    fresh = await repo.get(deed_id)
    if fresh is None:
        return [Reply(ctx.t("deeds.review.not_found", id=deed_id), _back_rows(ctx))]
    events = await repo.events(deed_id)
    last_actor = events[-1].actor_id if events else None
    names = await names_of(ctx, {last_actor})
    prefix = ctx.t("deeds.review.conflict", id=deed_id,
                   name=names.get(last_actor or 0, ctx.t("deeds.someone")),
                   status=status_text(ctx, fresh.status))
    if not can_manage_unit(ctx, fresh.unit_code):
        return [Reply(prefix, _back_rows(ctx))]
    return await detail(ctx, fresh, prefix)


async def apply(ctx: Context, deed: Deed, action: Action, seen_version: int, *,
                changes: dict[str, Any] | None = None, reason: str | None = None,
                text: str | None = None, before: dict[str, Any] | None = None,
                after: dict[str, Any] | None = None,
                notice: dict[str, Any] | None = None) -> list[Reply]:
    """Apply a decision if the report is still as the reviewer saw it; record and tell."""
    if deed.version != seen_version:
        return await _conflict(ctx, deed.id)
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
        return await _conflict(ctx, deed.id)
    await repo.add_event(deed.id, ctx.person.id, now, action, status_before=deed.status,
                         status_after=to or deed.status, reason=reason, text=text,
                         before=before, after=after)
    if action in TOLD_TO_REPORTER:
        await tell_reporter(ctx, deed, action, seen_version + 1, **(notice or {}))
    fresh = await repo.get(deed.id)
    done = ctx.t(f"deeds.done.{action.value}", id=deed.id)
    if fresh is None or not can_manage_unit(ctx, fresh.unit_code):
        return [Reply(done + "\n" + ctx.t("deeds.review.moved_away"), _back_rows(ctx))]
    return await detail(ctx, fresh, done)


# --- queue --------------------------------------------------------------------------------


async def review_command(ctx: Context) -> list[Reply]:
    """/duyet [number]: the queue of the reviewer's units, or one report by its number."""
    arg = ctx.text.partition(" ")[2].strip().lstrip("#")
    if arg:
        if not arg.isdigit():
            return [Reply(ctx.t("deeds.review.bad_number"), _back_rows(ctx))]
        loaded = await _load(ctx, int(arg))
        return loaded if isinstance(loaded, list) else await detail(ctx, loaded)
    replies: list[Reply] = []
    notices = await pending_reply(ctx)
    if notices is not None:
        replies.append(notices)
    replies += await _overview(ctx)
    return replies


async def _overview(ctx: Context) -> list[Reply]:
    scope = review_scope(ctx)
    if scope == []:
        return [Reply(ctx.t("deeds.review.no_unit"))]
    counts = await DeedsRepo(ctx.session).counts(scope)
    where = (ctx.t("deeds.review.all_units") if scope is None
             else unit_text(ctx, ctx.person.unit_code))
    lines = "\n".join(ctx.t("deeds.review.count_line", status=status_text(ctx, s),
                            count=counts.get(s, 0)) for s in Status)
    rows = [[Choice(ctx.t("deeds.review.status_choice", status=status_text(ctx, s),
                          count=counts[s]), f"gtd:s:{s.value}")]
            for s in Status if counts.get(s)]
    if sum(counts.get(s, 0) for s in OPEN) and (scope is None or len(scope) > 1):
        rows.append([Choice(ctx.t("deeds.review.by_unit"), "gtd:u")])
    if sum(counts.get(s, 0) for s in NOMINATIONS):
        rows.append([Choice(ctx.t("deeds.review.export"), "gtd:x")])
    return [Reply(ctx.t("deeds.review.title", scope=where, lines=lines), rows)]


async def _status_list(ctx: Context, status: str) -> list[Reply]:
    if status not in {s.value for s in Status}:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    scope = review_scope(ctx)
    deeds = await DeedsRepo(ctx.session).queue(scope, [status], LIST_LIMIT + 1,
                                               newest_first=status not in OPEN)
    return _list_reply(ctx, deeds, ctx.t("deeds.review.list_title",
                                         status=status_text(ctx, status)))


def _list_reply(ctx: Context, deeds: list[Deed], title: str) -> list[Reply]:
    if not deeds:
        return [Reply(ctx.t("deeds.review.list_empty"), _back_rows(ctx))]
    more = len(deeds) > LIST_LIMIT
    deeds = deeds[:LIST_LIMIT]
    lines = "\n".join(list_line(ctx, d, show_nominee=True) for d in deeds)
    if more:
        lines += "\n" + ctx.t("deeds.review.list_more", limit=LIST_LIMIT)
    rows = [[Choice(ctx.t("deeds.review.open", id=d.id), f"gtd:d:{d.id}")] for d in deeds]
    return [Reply(f"{title}\n{lines}", rows + _back_rows(ctx))]


async def _units(ctx: Context) -> list[Reply]:
    scope = review_scope(ctx)
    per_unit = await DeedsRepo(ctx.session).open_by_unit(scope, OPEN)
    if not per_unit:
        return [Reply(ctx.t("deeds.review.list_empty"), _back_rows(ctx))]
    ordered = sorted(per_unit.items(), key=lambda item: unit_text(ctx, item[0]))
    lines = "\n".join(ctx.t("deeds.review.unit_line", unit=unit_text(ctx, code), count=n)
                      for code, n in ordered)
    rows = [[Choice(unit_text(ctx, code), f"gtd:uu:{code}")] for code, _n in ordered
            if len(f"gtd:uu:{code}") <= 64]
    return [Reply(ctx.t("deeds.review.units_title", lines=lines), rows + _back_rows(ctx))]


async def _unit_list(ctx: Context, code: str) -> list[Reply]:
    if not can_manage_unit(ctx, code):
        return [Reply(ctx.t("deeds.review.outside_unit"), _back_rows(ctx))]
    deeds = await DeedsRepo(ctx.session).queue([code], OPEN, LIST_LIMIT + 1)
    return _list_reply(ctx, deeds, ctx.t("deeds.review.unit_title", unit=unit_text(ctx, code)))


# --- actions ------------------------------------------------------------------------------


async def _action(ctx: Context, deed_id: int, version: int, name: str) -> list[Reply]:
    loaded = await _load(ctx, deed_id)
    if isinstance(loaded, list):
        return loaded
    deed = loaded
    try:
        action = Action(name)
    except ValueError:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if action is not Action.NOTE and deed.version != version:
        return await _conflict(ctx, deed.id)
    try:
        _check(ctx, deed, action)
    except Refusal as refusal:
        return await detail(ctx, deed, ctx.t(f"deeds.refuse.{refusal.key}"))
    if action in DIRECT:
        return await apply(ctx, deed, action, version)
    if action is Action.EDIT:
        return [_edit_menu(ctx, deed)]
    if action is Action.NOMINATE and not _rewards(ctx, deed.campaign_id):
        return await detail(ctx, deed, ctx.t("deeds.refuse.no_rewards"))
    if action in FORMS:
        return await ctx.forms.start(ctx, FORMS[action], {
            "deed_id": deed.id, "version": deed.version, "_campaign": deed.campaign_id,
            "_minor": deed.nominee_minor})
    return [ctx.main_menu(ctx.t("error.stale_choice"))]


def _edit_menu(ctx: Context, deed: Deed) -> Reply:
    fields = [f for f in EDIT_STEPS if not (deed.is_self and f == "nominee_name")]
    rows = [[Choice(ctx.t(FIELD_LABELS[f]), f"gtd:ef:{deed.id}:{deed.version}:{f}")]
            for f in fields]
    rows.append([Choice(ctx.t("deeds.review.back_detail"), f"gtd:d:{deed.id}")])
    return Reply(ctx.t("deeds.review.edit_which", id=deed.id), rows)


async def _start_edit(ctx: Context, deed_id: int, version: int, field: str) -> list[Reply]:
    loaded = await _load(ctx, deed_id)
    if isinstance(loaded, list):
        return loaded
    if field not in EDIT_STEPS:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if loaded.version != version:
        return await _conflict(ctx, deed_id)
    current = field_text(ctx, field, getattr(loaded, field))
    return await ctx.forms.start(ctx, f"deed_edit_{field}", {
        "deed_id": deed_id, "version": version, "field": field, "_current": current})


async def _reload(ctx: Context, data: dict[str, Any]) -> Deed | list[Reply]:
    return await _load(ctx, int(data["deed_id"]))


async def _finish_return(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    return await apply(ctx, deed, Action.RETURN, int(data["version"]), text=data["question"],
                       notice={"text": data["question"]})


async def _finish_reject(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    reason = data["reason"]
    return await apply(ctx, deed, Action.REJECT, int(data["version"]),
                       changes={"reject_reason": reason}, reason=reason, text=data["explain"],
                       notice={"reason": reason_text(ctx, reason), "text": data["explain"]})


def _rewards(ctx: Context, campaign_id: str) -> list[tuple[str, str]]:
    campaign = ctx.services.campaigns.get(campaign_id)
    if campaign is None:
        return []
    return [(ctx.t("deeds.reward_text", form=r.form, granted_by=r.granted_by), r.source)
            for r in campaign.rewards]


async def _finish_nominate(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    rewards = _rewards(ctx, deed.campaign_id)
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


async def _finish_award(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    return await apply(ctx, deed, Action.AWARD, int(data["version"]), text=data.get("decision"),
                       notice={"reward": deed.reward_form or ""})


async def _finish_note(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    await DeedsRepo(ctx.session).add_event(deed.id, ctx.person.id, ctx.clock.now(), Action.NOTE,
                                           text=data["note"])
    return await detail(ctx, deed, ctx.t("deeds.done.note", id=deed.id))


async def _finish_consent(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    deed = await _reload(ctx, data)
    if isinstance(deed, list):
        return deed
    source = data["source"]
    return await apply(ctx, deed, Action.CONSENT, int(data["version"]),
                       changes={"nominee_consent": source}, text=data.get("how"),
                       before={"nominee_consent": deed.nominee_consent},
                       after={"nominee_consent": source})


async def _finish_edit(ctx: Context, data: dict[str, Any]) -> list[Reply]:
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


def _edit_prompt(ctx: Context, data: dict[str, Any]) -> str:
    field = data["field"]
    return ctx.t("deeds.review.edit_prompt", id=data["deed_id"],
                 field=ctx.t(FIELD_LABELS[field]), current=data.get("_current") or "")


def _reason_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"deeds.reason.{code}"), f"f:{code}") for code in REJECT_REASONS]


def _pick_reason(_ctx: Context, value: str) -> str:
    if value not in REJECT_REASONS:
        raise Invalid("deeds.reason_invalid")
    return value


def _reward_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("deeds.reward_choice", reward=text, source=source), f"f:{i}")
            for i, (text, source) in enumerate(_rewards(ctx, data["_campaign"]))]


def _pick_reward(ctx: Context, value: str) -> str:
    if not (value.isdigit() and int(value) < len(_rewards(ctx, ctx.state.data["_campaign"]))):
        raise Invalid("deeds.reward_invalid")
    return value


def _consent_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"deeds.consent_choice.{s.value}"), f"f:{s.value}")
            for s in CONSENT_SOURCES]


def _pick_consent(ctx: Context, value: str) -> str:
    if value not in {s.value for s in CONSENT_SOURCES}:
        raise Invalid("deeds.consent_source_invalid")
    try:
        check_consent_source(ctx.state.data.get("_minor", ""), value)
    except Refusal as refusal:
        raise Invalid(f"deeds.refuse.{refusal.key}") from None
    return value


def _no_typing(_ctx: Context, _text: str) -> str:
    raise Invalid("deeds.pick_from_list")


def _reject_summary(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("deeds.review.reject_summary", id=data["deed_id"],
                 reason=reason_text(ctx, data["reason"]), text=data["explain"])


def _nominate_summary(ctx: Context, data: dict[str, Any]) -> str:
    reward, source = _rewards(ctx, data["_campaign"])[int(data["reward"])]
    return ctx.t("deeds.review.nominate_summary", id=data["deed_id"], reward=reward,
                 source=source, note=data.get("note") or ctx.t("deeds.none"))


def _award_summary(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("deeds.review.award_summary", id=data["deed_id"],
                 decision=data.get("decision") or ctx.t("deeds.none"))


def _consent_summary(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("deeds.review.consent_summary", id=data["deed_id"],
                 consent=consent_text(ctx, data["source"]),
                 how=data.get("how") or ctx.t("deeds.none"))


def review_forms() -> list[Form]:
    """Return the forms behind the decisions that need words from the reviewer."""
    forms = [
        Form("deed_return", "deeds.review.return_title",
             (Step(Steps.TYPING_QUESTION, "question", "deeds.review.ask_question",
                   parse=free_text(5, "deeds.too_short"), max_length=500),),
             _finish_return),
        Form("deed_reject", "deeds.review.reject_title",
             (Step(Steps.CHOOSING_REASON, "reason", "deeds.review.ask_reason",
                   parse=_no_typing, pick=_pick_reason, options=_reason_options),
              Step(Steps.TYPING_REASON_TEXT, "explain", "deeds.review.ask_explain",
                   parse=free_text(5, "deeds.too_short"), max_length=500)),
             _finish_reject, summary=_reject_summary),
        Form("deed_nominate", "deeds.review.nominate_title",
             (Step(Steps.CHOOSING_REWARD, "reward", "deeds.review.ask_reward",
                   parse=_no_typing, pick=_pick_reward, options=_reward_options),
              Step(Steps.TYPING_NOMINATION_NOTE, "note", "deeds.review.ask_nomination_note",
                   parse=free_text(2, "deeds.too_short"), skip=True, max_length=500)),
             _finish_nominate, summary=_nominate_summary),
        Form("deed_award", "deeds.review.award_title",
             (Step(Steps.TYPING_AWARD_DECISION, "decision", "deeds.review.ask_decision",
                   parse=free_text(3, "deeds.too_short"), skip=True, max_length=200),),
             _finish_award, summary=_award_summary),
        Form("deed_note", "deeds.review.note_title",
             (Step(Steps.TYPING_NOTE, "note", "deeds.review.ask_note",
                   parse=free_text(2, "deeds.too_short"), max_length=1000),),
             _finish_note),
        Form("deed_consent", "deeds.review.consent_title",
             (Step(Steps.CHOOSING_CONSENT_SOURCE, "source", "deeds.review.ask_consent_source",
                   parse=_no_typing, pick=_pick_consent, options=_consent_options),
              Step(Steps.TYPING_CONSENT_HOW, "how", "deeds.review.ask_consent_how",
                   parse=free_text(3, "deeds.too_short"), skip=True, max_length=300)),
             _finish_consent, summary=_consent_summary),
    ]
    forms += [Form(f"deed_edit_{field}", "deeds.review.edit_title",
                   (replace(make(), prompt=_edit_prompt, back=False),), _finish_edit)
              for field, make in EDIT_STEPS.items()]
    return forms


async def review_choice(ctx: Context, payload: str) -> list[Reply]:
    """Handle `gtd:` choices: s:<status>, u, uu:<unit>, d:<id>, a:…, ef:…, x."""
    if not is_reviewer(ctx):
        return [ctx.main_menu(ctx.t("error.not_allowed", command="/duyet"))]
    parts = payload.split(":")[1:]
    kind = parts[0] if parts else ""
    numbers = [int(p) if p.isdigit() else None for p in parts[1:3]]
    if kind == "s" and len(parts) == 2:
        return await _status_list(ctx, parts[1])
    if kind == "u":
        return await _units(ctx)
    if kind == "uu" and len(parts) == 2:
        return await _unit_list(ctx, parts[1])
    if kind == "d" and len(parts) == 2 and numbers[0] is not None:
        loaded = await _load(ctx, numbers[0])
        return loaded if isinstance(loaded, list) else await detail(ctx, loaded)
    if kind in ("a", "ef") and len(parts) == 4 and None not in numbers:
        deed_id, version = int(parts[1]), int(parts[2])
        if kind == "a":
            return await _action(ctx, deed_id, version, parts[3])
        return await _start_edit(ctx, deed_id, version, parts[3])
    if kind == "x":
        return await export_reply(ctx, review_scope(ctx))
    return [ctx.main_menu(ctx.t("error.stale_choice"))]
