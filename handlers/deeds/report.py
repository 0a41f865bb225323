"""/guongtot: report a good deed, follow one's reports, answer reviewers, read honoured deeds."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Stay, Step
from bot.core.types import Choice, Reply
from content.address import set_current
from content.privacy import Purpose
from handlers.common.address import chosen_or_suggested
from handlers.common.registration import policy
from handlers.deeds.access import REVIEW_ROLES
from handlers.deeds.notices import pending_reply, tell_reviewers
from handlers.deeds.payloads import AnswerReviewer, MyReport, MyReports, NewReport, Recognised
from handlers.deeds.steps import (
    SELF,
    Steps,
    campaign_edit_step,
    campaign_step,
    consent_step,
    date_step,
    free_text,
    my_name_step,
    my_unit_step,
    nominee_age_step,
    nominee_unit_step,
    parse_photos,
    place_step,
    settle_campaign,
    village_step,
    what_step,
    who_name_step,
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
    MAX_PHOTOS,
    RECOGNISED,
    Action,
    Minor,
    NomineeConsent,
    Refusal,
    Status,
    next_status,
    parse_phone,
)
from storage.deeds.repo import DeedsRepo, NewDeed, Photo
from storage.files import FileRepo

REPORT = "deed_report"
ANSWER = "deed_answer"
PUBLIC_LIMIT = 10
SHOWN_CONSENTS = (NomineeConsent.SELF, NomineeConsent.PERSON, NomineeConsent.GUARDIAN)


def _agreed(data: dict[str, Any]) -> bool:
    return data.get("consent_deeds") != "no"


def _new(data: dict[str, Any]) -> bool:
    return _agreed(data) and bool(data.get("_new"))


def _never(_data: dict[str, Any]) -> bool:
    return False  # reached only from the summary's "Sửa"


def _is_self(data: dict[str, Any]) -> bool:
    return data.get("who_name") == SELF


REPORT_STEPS = (
    consent_step(),
    my_name_step(_new),
    my_unit_step(lambda d: _agreed(d) and not d.get("my_unit")),
    campaign_step(lambda d: _agreed(d) and "campaign_id" not in d),
    who_name_step(_agreed),
    what_step(_agreed),
    date_step(_agreed),
    Step(Steps.REVIEWING, "review", lambda ctx, d: _review_prompt(ctx, d),
         parse=lambda ctx, text: _parse_review(ctx, text), pick=lambda ctx, v: _pick_review(v),
         options=lambda ctx, d: _review_options(ctx), invalid="deeds.review_hint",
         attachments=True, back=False, when=_agreed),
    # Reached only from the summary ("Sửa"): what most reports do not need.
    campaign_edit_step(_never),
    nominee_unit_step(_never),
    village_step(_never),
    place_step(_never),
    nominee_age_step(_never),
)
SENDING = ("send", "cancel")


def _unit_of(data: dict[str, Any]) -> str:
    return str(data.get("unit_code") or data.get("my_unit") or "")


def _summary_text(ctx: Context, data: dict[str, Any]) -> str:
    if _is_self(data):
        who = ctx.t("deeds.summary_self", name=data.get("full_name") or ctx.person.full_name
                    or "")
    else:
        who = data.get("who_name", "")
        minor = data.get("nominee_minor")
        if minor and minor != Minor.UNKNOWN:
            who = ctx.t("deeds.summary_other", name=who, minor=minor_text(ctx, minor))
    unit = unit_text(ctx, _unit_of(data))
    if data.get("village"):
        unit = f"{data['village']}, {unit}"
    photos = len(data.get("photos") or [])
    contact = (ctx.t("deeds.contact_phone", phone=data["phone"]) if data.get("phone")
               else ctx.t("deeds.contact_no"))
    text = ctx.t("deeds.summary", campaign=campaign_text(ctx, data.get("campaign_id", "")),
                 who=who, unit=unit, what=data.get("what", ""),
                 when=day_text(data["happened_on"]), photos=photos, contact=contact)
    if data.get("place"):
        text += "\n" + ctx.t("deeds.summary_place", place=data["place"])
    if data.get("_new"):
        text = ctx.t("deeds.summary_me", name=data.get("full_name", ""),
                     unit=unit_text(ctx, data.get("my_unit"))) + "\n" + text
    return text


def _summary(ctx: Context, data: dict[str, Any]) -> str | None:
    if not _agreed(data) or data.get("review") in SENDING:
        return None  # refused, or sent / cancelled at the review step
    return _summary_text(ctx, data)


def _review_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("deeds.review_report", summary=_summary_text(ctx, data), max=MAX_PHOTOS)


def _review_options(ctx: Context) -> list[Choice]:
    return [Choice(ctx.t("deeds.send"), "f:send"), Choice(ctx.t("form.edit"), "f:edit"),
            Choice(ctx.t("form.cancel"), "f:cancel")]


def _pick_review(value: str) -> str:
    if value not in (*SENDING, "edit"):
        raise Invalid("deeds.review_hint")
    return value


async def _parse_review(ctx: Context, text: str) -> str:
    """At the review: a photo or a phone number is added; anything else asks again."""
    data = ctx.state.data
    if ctx.msg.attachments:
        try:
            await parse_photos(ctx, text)
        except Stay:
            raise Stay("deeds.review_photo_added", count=len(data.get("photos") or []),
                       max=MAX_PHOTOS, summary=_review_prompt(ctx, data)) from None
    try:
        data["phone"] = parse_phone(text)
    except ValueError:
        raise Invalid("deeds.review_hint") from None
    raise Stay("deeds.phone_added", phone=data["phone"], summary=_review_prompt(ctx, data))


async def _finish_report(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    now = ctx.clock.now()
    version = policy(ctx).version
    if data.get("_ask_consent"):
        await ctx.consents.record(ctx.person.id, Purpose.DEEDS, _agreed(data), version,
                                  ctx.msg.channel, now)
        if data.get("_new"):  # one question covered the profile too
            await ctx.consents.record(ctx.person.id, Purpose.PROFILE, _agreed(data), version,
                                      ctx.msg.channel, now)
    if not _agreed(data):
        return [ctx.main_menu(ctx.t("deeds.consent_refused"))]
    if data.get("review") == "cancel":
        return [ctx.main_menu(ctx.t("deeds.report_cancelled"))]
    if data.get("_new"):
        # No birth year is asked here: the word its birth year suggests if one is known,
        # else the default, as /toi registration would store it.
        known = {"birth_year": ctx.person.birth_year}
        ctx.person = await ctx.people.update_profile(
            ctx.person.id, now, full_name=data["full_name"], unit_code=data["my_unit"],
            registered_at=now, address=ctx.person.address or chosen_or_suggested(ctx, known))
        set_current(ctx.person.address)
    elif not ctx.person.unit_code and data.get("my_unit"):
        ctx.person = await ctx.people.update_profile(ctx.person.id, now,
                                                     unit_code=data["my_unit"])
    is_self = _is_self(data)
    photos = tuple(Photo(i + 1, p["channel"], p.get("ref"), p.get("size"), p.get("caption"),
                         p.get("file"))
                   for i, p in enumerate(data.get("photos") or []))
    # The report keeps the photos' bytes now: they live as long as the reporter's account.
    await FileRepo(ctx.session).claim([p.file_id for p in photos if p.file_id is not None])
    new = NewDeed(
        campaign_id=data.get("campaign_id") or "", reporter_id=ctx.person.id,
        unit_code=_unit_of(data), is_self=is_self,
        nominee_name=(ctx.person.full_name or "") if is_self else data["who_name"],
        nominee_minor=Minor.NO if is_self else data.get("nominee_minor", Minor.UNKNOWN),
        village=data.get("village"), what=data["what"],
        happened_on=date.fromisoformat(data["happened_on"]), place=data.get("place") or "",
        contact_ok=bool(data.get("phone")), phone=data.get("phone"),
        nominee_consent=NomineeConsent.SELF if is_self else NomineeConsent.PENDING,
        photos=photos)
    deed = await DeedsRepo(ctx.session).create(new, now)
    told = await tell_reviewers(ctx, deed, "deeds.notice.new", deed.version, holder_first=False)
    text = ctx.t("deeds.sent", id=deed.id, told=told.text(ctx, "reviewers"))
    if not deed.campaign_id:
        text += "\n" + ctx.t("deeds.sent_general")
    if not is_self:
        text += "\n" + ctx.t("deeds.sent_nominee_note")
    return [ctx.main_menu(text)]


def report_form() -> Form:
    """Return the report form: consents once, (name, commune), who, what, when, review."""
    return Form(REPORT, "deeds.title", REPORT_STEPS, _finish_report, summary=_summary,
                editable=(Steps.TYPING_WHO, Steps.TYPING_WHAT, Steps.TYPING_DATE,
                          Steps.CHOOSING_CAMPAIGN, Steps.CHOOSING_UNIT, Steps.TYPING_VILLAGE,
                          Steps.TYPING_PLACE, Steps.CHOOSING_NOMINEE_AGE))


async def start_report(ctx: Context) -> list[Reply]:
    """/baoguong: start a report; a newcomer gives their name and commune inside it."""
    data: dict[str, Any] = {
        "_new": not ctx.person.is_registered,
        "_ask_consent": not await ctx.consents.has(ctx.person.id, Purpose.DEEDS),
    }
    if ctx.person.is_registered and ctx.person.unit_code in ctx.services.units:
        data["my_unit"] = ctx.person.unit_code
        settle_campaign(ctx, data)
    return await ctx.forms.start(ctx, REPORT, data)


async def deeds_menu(ctx: Context) -> list[Reply]:
    """/guongtot: new notices first, then report, my reports, answers owed, honoured deeds."""
    replies: list[Reply] = []
    notices = await pending_reply(ctx)
    if notices is not None:
        replies.append(notices)
    # Fixed slots: the same number always means the same thing on this screen; answers
    # owed to reviewers (not always there) come after every item that always is.
    rows: list[list[Choice]] = [_new_row(ctx), _mine_short_row(ctx),
                                [Choice(ctx.t("deeds.menu_public"), Recognised().pack())]]
    if ctx.access.has(*REVIEW_ROLES):
        rows.append([Choice(ctx.t("deeds.menu_review"), "c:duyet")])
    mine = await DeedsRepo(ctx.session).by_reporter(ctx.person.id) \
        if ctx.person.is_registered else []
    for deed in mine:
        if deed.status == Status.RETURNED:
            rows.append([_answer_choice(ctx, deed.id)])
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
    rows = [_mine_short_row(ctx)]
    if deed.status == Status.RETURNED:
        rows.append([_answer_choice(ctx, deed.id)])
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
    told = await tell_reviewers(ctx, deed, "deeds.notice.answered", deed.version + 1,
                                text=data["answer"][:300])
    return [ctx.main_menu(ctx.t("deeds.answer_sent", id=deed.id,
                                told=told.text(ctx, "reviewers")))]


def answer_form() -> Form:
    """Return the one-question form in which a reporter answers a reviewer's question."""
    step = Step(Steps.TYPING_ANSWER, "answer", _answer_prompt,
                parse=free_text(5, "deeds.answer_too_short"), back=False)
    return Form(ANSWER, "deeds.answer_title", (step,), _finish_answer)
