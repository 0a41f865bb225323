"""/guongtot: report a good deed, follow one's reports, answer reviewers, read honoured deeds."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Step
from bot.core.types import Choice, Reply
from content.privacy import Purpose
from handlers.common.registration import policy, require_registration
from handlers.deeds.access import REVIEW_ROLES
from handlers.deeds.notices import pending_reply, tell_reviewers
from handlers.deeds.payloads import AnswerReviewer, MyReport, MyReports, NewReport, Recognised
from handlers.deeds.steps import (
    Steps,
    campaign_step,
    consent_step,
    contact_step,
    date_step,
    free_text,
    nominee_age_step,
    nominee_name_step,
    phone_step,
    photos_step,
    place_step,
    running_campaigns,
    unit_step,
    village_step,
    what_step,
    who_step,
)
from handlers.deeds.views import (
    campaign_text,
    day_text,
    list_line,
    minor_text,
    public_line,
    reporter_view,
    unit_text,
)
from handlers.deeds.workflow import (
    RECOGNISED,
    Action,
    Minor,
    NomineeConsent,
    Refusal,
    Status,
    next_status,
)
from storage.deeds.repo import DeedsRepo, NewDeed, Photo

REPORT = "deed_report"
ANSWER = "deed_answer"
PUBLIC_LIMIT = 10
SHOWN_CONSENTS = (NomineeConsent.SELF, NomineeConsent.PERSON, NomineeConsent.GUARDIAN)


def _agreed(data: dict[str, Any]) -> bool:
    return data.get("consent_deeds") != "no"


def _other(data: dict[str, Any]) -> bool:
    return _agreed(data) and data.get("who") == "other"


def _needs_unit(data: dict[str, Any]) -> bool:
    return _agreed(data) and not (data.get("who") == "self" and data.get("_my_unit"))


REPORT_STEPS = (
    consent_step(),
    campaign_step(lambda d: _agreed(d) and not d.get("campaign_id")),
    who_step(_agreed),
    nominee_name_step(_other),
    nominee_age_step(_other),
    unit_step(_needs_unit),
    village_step(_agreed),
    what_step(_agreed),
    date_step(_agreed),
    place_step(_agreed),
    photos_step(_agreed),
    contact_step(_agreed),
    phone_step(lambda d: _agreed(d) and d.get("contact") == "yes"),
)


def _unit_of(data: dict[str, Any]) -> str:
    return str(data.get("unit_code") or data.get("_my_unit") or "")


def _summary(ctx: Context, data: dict[str, Any]) -> str | None:
    if not _agreed(data):
        return None
    if data.get("who") == "self":
        who = ctx.t("deeds.summary_self", name=ctx.person.full_name or "")
    else:
        who = ctx.t("deeds.summary_other", name=data.get("nominee_name", ""),
                    minor=minor_text(ctx, data.get("nominee_minor", Minor.UNKNOWN)))
    unit = unit_text(ctx, _unit_of(data))
    if data.get("village"):
        unit = f"{data['village']}, {unit}"
    photos = len(data.get("photos") or [])
    contact = ctx.t("deeds.contact_yes" if data.get("contact") == "yes" else "deeds.contact_no")
    if data.get("contact") == "yes" and data.get("phone"):
        contact += f" ({data['phone']})"
    return ctx.t("deeds.summary", campaign=campaign_text(ctx, data.get("campaign_id", "")),
                 who=who, unit=unit, what=data.get("what", ""),
                 when=day_text(data["happened_on"]), place=data.get("place", ""),
                 photos=photos, contact=contact)


async def _finish_report(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    now = ctx.clock.now()
    if data.get("_ask_consent"):
        await ctx.consents.record(ctx.person.id, Purpose.DEEDS, _agreed(data),
                                  policy(ctx).version, ctx.msg.channel, now)
    if not _agreed(data):
        return [ctx.main_menu(ctx.t("deeds.consent_refused"))]
    is_self = data.get("who") == "self"
    photos = tuple(Photo(i + 1, p["channel"], p.get("ref"), p.get("size"), p.get("caption"))
                   for i, p in enumerate(data.get("photos") or []))
    new = NewDeed(
        campaign_id=data["campaign_id"], reporter_id=ctx.person.id, unit_code=_unit_of(data),
        is_self=is_self,
        nominee_name=(ctx.person.full_name or "") if is_self else data["nominee_name"],
        nominee_minor=Minor.NO if is_self else data.get("nominee_minor", Minor.UNKNOWN),
        village=data.get("village"), what=data["what"],
        happened_on=date.fromisoformat(data["happened_on"]), place=data["place"],
        contact_ok=data.get("contact") == "yes",
        phone=data.get("phone") if data.get("contact") == "yes" else None,
        nominee_consent=NomineeConsent.SELF if is_self else NomineeConsent.PENDING,
        photos=photos)
    deed = await DeedsRepo(ctx.session).create(new, now)
    await tell_reviewers(ctx, deed, "deeds.notice.new", deed.version, holder_first=False)
    text = ctx.t("deeds.sent", id=deed.id, unit=unit_text(ctx, deed.unit_code))
    if not is_self:
        text += "\n" + ctx.t("deeds.sent_nominee_note")
    return [ctx.main_menu(text)]


def report_form() -> Form:
    """Return the report form: consent once, who, what, when, where, photos, contact."""
    return Form(REPORT, "deeds.title", REPORT_STEPS, _finish_report, summary=_summary,
                editable=(Steps.TYPING_NOMINEE_NAME, Steps.CHOOSING_UNIT, Steps.TYPING_VILLAGE,
                          Steps.TYPING_WHAT, Steps.TYPING_DATE, Steps.TYPING_PLACE,
                          Steps.DECIDING_CONTACT))


async def start_report(ctx: Context) -> list[Reply]:
    """/baoguong: start a report (registration first, when needed)."""
    started = await require_registration(ctx, "c:baoguong")
    if started is not None:
        return started
    running = running_campaigns(ctx)
    if not running:
        return [Reply(ctx.t("deeds.no_campaign"))]
    data: dict[str, Any] = {
        "_ask_consent": not await ctx.consents.has(ctx.person.id, Purpose.DEEDS),
        "_my_unit": ctx.person.unit_code,
    }
    current = ctx.person.current_campaign
    if current in {c.id for c in running}:
        data["campaign_id"] = current
    elif len(running) == 1:
        data["campaign_id"] = running[0].id
    return await ctx.forms.start(ctx, REPORT, data)


async def deeds_menu(ctx: Context) -> list[Reply]:
    """/guongtot: new notices first, then report, my reports, answers owed, honoured deeds."""
    replies: list[Reply] = []
    notices = await pending_reply(ctx)
    if notices is not None:
        replies.append(notices)
    rows: list[list[Choice]] = [_new_row(ctx)]
    mine = await DeedsRepo(ctx.session).by_reporter(ctx.person.id)
    for deed in mine:
        if deed.status == Status.RETURNED:
            rows.append([_answer_choice(ctx, deed.id)])
    if mine:
        rows.append([Choice(ctx.t("deeds.menu_mine", count=len(mine)), MyReports().pack())])
    rows.append([Choice(ctx.t("deeds.menu_public"), Recognised().pack())])
    if ctx.access.has(*REVIEW_ROLES):
        rows.append([Choice(ctx.t("deeds.menu_review"), "c:duyet")])
    replies.append(Reply(ctx.t("deeds.menu"), rows))
    return replies


def _new_row(ctx: Context) -> list[Choice]:
    return [Choice(ctx.t("deeds.menu_new"), NewReport().pack())]


def _answer_choice(ctx: Context, deed_id: int) -> Choice:
    return Choice(ctx.t("deeds.menu_answer", id=deed_id), AnswerReviewer(deed_id).pack())


def _mine_short_row(ctx: Context) -> list[Choice]:
    return [Choice(ctx.t("deeds.menu_mine_short"), MyReports().pack())]


def _none_yet(ctx: Context) -> list[Reply]:
    return [Reply(ctx.t("deeds.mine.none"), [_new_row(ctx)])]


async def new_report(ctx: Context, _payload: NewReport) -> list[Reply]:
    """The "new report" button: the same as /baoguong."""
    return await start_report(ctx)


async def my_reports(ctx: Context, _payload: MyReports) -> list[Reply]:
    """List the reports the person sent."""
    if not ctx.person.is_registered:
        return _none_yet(ctx)
    mine = await DeedsRepo(ctx.session).by_reporter(ctx.person.id)
    if not mine:
        return _none_yet(ctx)
    lines = "\n".join(list_line(ctx, d, show_nominee=False) for d in mine)
    rows = [[Choice(ctx.t("deeds.mine.open", id=d.id), MyReport(d.id).pack())]
            for d in mine[:10]]
    return [Reply(ctx.t("deeds.mine.title", lines=lines), rows)]


async def my_report(ctx: Context, payload: MyReport) -> list[Reply]:
    """Show one of the person's reports with the decisions they are told about."""
    if not ctx.person.is_registered:
        return _none_yet(ctx)
    repo = DeedsRepo(ctx.session)
    deed = await repo.get(payload.deed_id)
    if deed is None or deed.reporter_id != ctx.person.id:
        return [Reply(ctx.t("deeds.mine.not_yours"), [_mine_short_row(ctx)])]
    rows = []
    if deed.status == Status.RETURNED:
        rows.append([_answer_choice(ctx, deed.id)])
    rows.append(_mine_short_row(ctx))
    return [Reply(await reporter_view(ctx, deed, await repo.events(deed.id)), rows)]


async def recognised(ctx: Context, _payload: Recognised) -> list[Reply]:
    """Show the recognised deeds whose nominee agreed to be shown."""
    deeds = await DeedsRepo(ctx.session).recognised(None, SHOWN_CONSENTS, RECOGNISED,
                                                    PUBLIC_LIMIT)
    if not deeds:
        return [Reply(ctx.t("deeds.public_none"), [_new_row(ctx)])]
    lines = "\n\n".join(public_line(ctx, d) for d in deeds)
    return [Reply(ctx.t("deeds.public_title", lines=lines), [_new_row(ctx)])]


async def start_answer(ctx: Context, payload: AnswerReviewer) -> list[Reply]:
    """Open the one-question form answering a reviewer's question."""
    if not ctx.person.is_registered:
        return _none_yet(ctx)
    deed = await DeedsRepo(ctx.session).get(payload.deed_id)
    if deed is None or deed.reporter_id != ctx.person.id:
        return [Reply(ctx.t("deeds.mine.not_yours"))]
    if deed.status != Status.RETURNED:
        return [Reply(ctx.t("deeds.answer_not_needed", id=deed.id,
                            status=ctx.t(f"deeds.status.{deed.status}")))]
    events = await DeedsRepo(ctx.session).events(deed.id)
    question = next((e.text for e in reversed(events) if e.action == Action.RETURN), "")
    return await ctx.forms.start(ctx, ANSWER, {"deed_id": deed.id, "_question": question})


def _answer_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("deeds.ask_answer", id=data["deed_id"], question=data.get("_question", ""))


async def _finish_answer(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    repo = DeedsRepo(ctx.session)
    deed = await repo.get(int(data["deed_id"]))
    if deed is None or deed.reporter_id != ctx.person.id:
        return [Reply(ctx.t("deeds.mine.not_yours"))]
    try:
        to = next_status(Action.ANSWER, deed.status)
    except Refusal:
        return [Reply(ctx.t("deeds.answer_not_needed", id=deed.id,
                            status=ctx.t(f"deeds.status.{deed.status}")))]
    now = ctx.clock.now()
    if not await repo.transition(deed.id, deed.version, now, status=to):
        return [Reply(ctx.t("deeds.answer_conflict", id=deed.id))]
    await repo.add_event(deed.id, ctx.person.id, now, Action.ANSWER,
                         status_before=deed.status, status_after=to, text=data["answer"])
    await tell_reviewers(ctx, deed, "deeds.notice.answered", deed.version + 1,
                         text=data["answer"][:300])
    return [ctx.main_menu(ctx.t("deeds.answer_sent", id=deed.id))]


def answer_form() -> Form:
    """Return the one-question form in which a reporter answers a reviewer's question."""
    step = Step(Steps.TYPING_ANSWER, "answer", _answer_prompt,
                parse=free_text(5, "deeds.answer_too_short"), back=False)
    return Form(ANSWER, "deeds.answer_title", (step,), _finish_answer)
