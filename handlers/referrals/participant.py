"""/vandong for participants: join, add referred accounts, mark weeks, verdict, code."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Choice, Reply
from content.privacy import Purpose
from content.schema import Campaign, ReferralProgramme
from content.text import fold, nfc
from handlers.profile import require_registration
from handlers.referrals.common import (
    RELATIONS,
    area_units,
    campaign_by_key,
    campaign_key,
    covering,
    default_campaign,
    full_date,
    grid,
    line_of,
    policy_version,
    programme,
    programme_day,
    referral_campaigns,
    verdict_of,
    verdict_text,
    week_choices,
    week_span,
    yes_no,
)
from handlers.referrals.rules import (
    AccountError,
    AccountKind,
    QuizAccount,
    WeekProblem,
    bit,
    display_account,
    markable_week_problem,
    normalize_account,
)
from storage.referrals.repo import AccountClaimed, Member, Participant, ReferralRepo

JOIN = "ref_join"
ADD = "ref_add"
WEEK = "ref_week"
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")


class Steps(StrEnum):
    """What the participant is doing in the referral forms."""

    DECIDING_REFERRAL_CONSENT = "deciding_referral_consent"
    TYPING_OWN_ACCOUNT = "typing_own_account"
    CHOOSING_PROGRAMME_UNIT = "choosing_programme_unit"
    TYPING_REFERRAL_NAME = "typing_referral_name"
    CHOOSING_RELATION = "choosing_relation"
    TYPING_REFERRAL_ACCOUNT = "typing_referral_account"
    CONFIRMING_REFERRAL_ELIGIBILITY = "confirming_referral_eligibility"
    TYPING_WEEK_NUMBER = "typing_week_number"


# --------------------------------------------------------------------------- shared bits


def repo_of(ctx: Context) -> ReferralRepo:
    """Return the referral repository of this message's session."""
    return ReferralRepo(ctx.session)


def stale(ctx: Context) -> list[Reply]:
    """Answer a choice that no longer applies."""
    return [ctx.main_menu(ctx.t("error.stale_choice"))]


def campaign_of(ctx: Context, campaign_id: str) -> Campaign | None:
    """Return a referral campaign by id."""
    campaign = ctx.services.campaigns.get(campaign_id)
    return campaign if campaign is not None and campaign.programmes.referral else None


def parse_account(ctx: Context, text: str) -> QuizAccount:
    """Normalise a typed quiz account; raise Invalid with examples of accepted forms."""
    try:
        return normalize_account(text)
    except AccountError as exc:
        raise Invalid(f"ref.account.bad_{exc.kind}") from exc


def consent_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    """Return the Agree / Decline choices."""
    return [Choice(ctx.t("consent.agree"), "f:yes"), Choice(ctx.t("consent.decline"), "f:no")]


def decision(ctx: Context, text: str) -> dict[str, str]:
    """Read a typed consent answer with its time; unclear answers are never taken as yes."""
    answer = yes_no(text)
    if answer is None:
        raise Invalid("consent.invalid")
    return {"answer": answer, "at": ctx.clock.now().isoformat()}


def decision_pick(ctx: Context, value: str) -> dict[str, str]:
    """Validate a pressed consent choice."""
    if value not in ("yes", "no"):
        raise Invalid("consent.invalid")
    return {"answer": value, "at": ctx.clock.now().isoformat()}


async def record_consent(ctx: Context, decided: dict[str, str] | None) -> None:
    """Store a referral-consent decision taken in a form."""
    if decided:
        await ctx.consents.record(ctx.person.id, Purpose.REFERRALS, decided["answer"] == "yes",
                                  policy_version(ctx), ctx.msg.channel,
                                  datetime.fromisoformat(decided["at"]))


def refused(data: dict[str, Any]) -> bool:
    """Tell whether the consent step was answered no."""
    return bool(data.get("consent", {}).get("answer") == "no")


def consented(data: dict[str, Any]) -> bool:
    """Tell whether the form may go on (consent given now or before)."""
    return not refused(data)


def criterion_text(ctx: Context, prog: ReferralProgramme) -> str:
    """Quote the individual criterion of the plan, with its section."""
    return ctx.t("ref.criterion", own=prog.own_account.text, recruit=prog.min_referrals.text,
                 weeks=prog.consecutive_weeks.text, source=prog.consecutive_weeks.source)


def weeks_text(ctx: Context, prog: ReferralProgramme) -> str:
    """List the dated weeks, with the note when they are an assumption."""
    lines = [ctx.t("ref.week_line", week=w.number, span=week_span(prog, w.number))
             for w in prog.weeks]
    text = "\n".join(lines)
    if prog.weeks_assumption and prog.weeks_note:
        text += "\n" + ctx.t("ref.weeks_assumption", note=prog.weeks_note)
    return text


def status_text(ctx: Context, prog: ReferralProgramme) -> str:
    """Say where today falls: week k of n, before the first week, or ended."""
    line = line_of(ctx, prog)
    if line.current is not None:
        return ctx.t("ref.status.current", week=line.current, total=line.total,
                     span=week_span(prog, line.current))
    if line.finished:
        return ctx.t("ref.status.ended", end=full_date(prog.weeks[-1].end))
    if line.closed == 0:
        return ctx.t("ref.status.before", start=full_date(prog.weeks[0].start))
    return ctx.t("ref.status.between")


async def owner_participant(ctx: Context, participant_id: str) -> Participant | None:
    """Return the participant of a payload if it belongs to this person."""
    if not participant_id.isdigit():
        return None
    participant = await repo_of(ctx).participant(int(participant_id))
    if participant is None or participant.person_id != ctx.person.id:
        return None
    return participant


def _parts(payload: str) -> list[str]:
    return payload.split(":")[1:]


# --------------------------------------------------------------------------- entry


async def vandong(ctx: Context) -> list[Reply]:
    """/vandong: my referral programme (join, grid, weekly marks, verdict); /vandong <mã>."""
    _, _, arg = ctx.text.partition(" ")
    if arg.strip():
        from handlers.referrals.referred import use_code

        return await use_code(ctx, arg)
    campaign = default_campaign(ctx)
    if campaign is None:
        return [ctx.main_menu(ctx.t("ref.no_programme"))]
    return await home(ctx, campaign)


async def home(ctx: Context, campaign: Campaign, prefix: str | None = None) -> list[Reply]:
    """Show the person's place in a campaign's programme: dashboard, referred view or intro."""
    repo = repo_of(ctx)
    participant = await repo.participant_of(campaign.id, ctx.person.id)
    if participant is not None:
        if not await ctx.consents.has(ctx.person.id, Purpose.REFERRALS):
            return [Reply(_join(prefix, ctx.t("ref.consent_withdrawn")),
                          [[Choice(ctx.t("ref.consent_again"), f"rf:ok:{participant.id}")],
                           [Choice(ctx.t("ref.back_menu"), "c:menu")]])]
        return [await dashboard(ctx, campaign, participant, prefix)]
    linked = [m for m in await repo.linked_to(ctx.person.id) if m.campaign_id == campaign.id]
    if linked:
        from handlers.referrals.referred import referred_view

        return [await referred_view(ctx, campaign, linked[0], prefix)]
    return [intro(ctx, campaign, prefix)]


def _join(prefix: str | None, text: str) -> str:
    return f"{prefix}\n\n{text}" if prefix else text


def intro(ctx: Context, campaign: Campaign, prefix: str | None = None) -> Reply:
    """Explain the programme and offer to join it (or to enter someone's code)."""
    prog = programme(campaign)
    ended = ctx.clock.today() > prog.until.date
    text = ctx.t("ref.intro", name=campaign.short_name, criterion=criterion_text(ctx, prog),
                 weeks=weeks_text(ctx, prog), minimum=prog.min_referrals.value,
                 maximum=prog.max_referrals.number, status=status_text(ctx, prog))
    rows: list[list[Choice]] = []
    if ended:
        text += "\n\n" + ctx.t("ref.join.ended", end=full_date(prog.until.date))
    else:
        rows.append([Choice(ctx.t("ref.join.button"), f"rf:join:{campaign_key(campaign.id)}")])
        rows.append([Choice(ctx.t("ref.code.button"), "rf:code")])
    rows += _other_campaigns(ctx, campaign)
    return Reply(_join(prefix, text), rows)


def _other_campaigns(ctx: Context, campaign: Campaign) -> list[list[Choice]]:
    return [[Choice(ctx.t("ref.other_campaign", name=c.short_name),
                    f"rf:cp:{campaign_key(c.id)}")]
            for c in referral_campaigns(ctx) if c.id != campaign.id]


async def dashboard(ctx: Context, campaign: Campaign, participant: Participant,
                    prefix: str | None = None) -> Reply:
    """Show the grid of my accounts × weeks with what I can do next."""
    prog = programme(campaign)
    line = line_of(ctx, prog)
    members = await repo_of(ctx).members(participant.id)
    referrals = len(members) - 1
    text = ctx.t("ref.dashboard", name=campaign.short_name, status=status_text(ctx, prog),
                 code=participant.code, grid=grid(ctx, members, line, None),
                 referrals=referrals, minimum=prog.min_referrals.value,
                 maximum=prog.max_referrals.number, legend=ctx.t("ref.legend"))
    if referrals < prog.min_referrals.number:
        text += "\n" + ctx.t("ref.need_more", count=prog.min_referrals.number - referrals)
    rows: list[list[Choice]] = []
    today = ctx.clock.today()
    if line.current is not None and today <= prog.until.date:
        rows.append([Choice(ctx.t("ref.mark.button", week=line.current),
                            f"rf:wk:{participant.id}:{line.current}")])
    if referrals < prog.max_referrals.number and today <= prog.until.date:
        rows.append([Choice(ctx.t("ref.add.button"), f"rf:add:{participant.id}")])
    rows.append([Choice(ctx.t("ref.verdict.button"), f"rf:vd:{participant.id}")])
    rows.append([Choice(ctx.t("ref.share.button"), f"rf:share:{participant.id}")])
    if line.closed and today <= prog.until.date:
        rows.append([Choice(ctx.t("ref.mark.other_week"), f"rf:wo:{participant.id}")])
    if referrals:
        rows.append([Choice(ctx.t("ref.remove.button"), f"rf:rm:{participant.id}")])
    rows.append([Choice(ctx.t("ref.info.button"), f"rf:info:{campaign_key(campaign.id)}")])
    rows += _other_campaigns(ctx, campaign)
    return Reply(_join(prefix, text), rows)


# --------------------------------------------------------------------------- joining


async def start_join(ctx: Context, campaign: Campaign) -> list[Reply]:
    """Begin joining: registration first, the age check, then consent, account and unit."""
    started = await require_registration(ctx, "c:vandong")
    if started is not None:
        return [Reply(ctx.t("ref.join.register_first")), *started]
    prog = programme(campaign)
    if ctx.clock.today() > prog.until.date:
        return [intro(ctx, campaign)]
    if await repo_of(ctx).participant_of(campaign.id, ctx.person.id) is not None:
        return await home(ctx, campaign)
    birth_year = ctx.person.birth_year
    age = prog.until.date.year - birth_year if birth_year else 0
    if age < prog.min_age.number:
        return [ctx.main_menu(ctx.t("ref.join.under_age", age=age, minimum=prog.min_age.value,
                                    source=prog.min_age.source, year=prog.until.date.year))]
    has = await ctx.consents.has(ctx.person.id, Purpose.REFERRALS)
    return await ctx.forms.start(ctx, JOIN, {"cid": campaign.id, "_consented": has})


def _join_campaign(ctx: Context, data: dict[str, Any]) -> Campaign:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        raise Invalid("ref.no_programme")
    return campaign


def _consent_prompt(ctx: Context, data: dict[str, Any]) -> str:
    campaign = _join_campaign(ctx, data)
    return ctx.t("ref.consent.ask", name=campaign.short_name, version=policy_version(ctx),
                 weeks=programme(campaign).consecutive_weeks.value)


def _own_account_prompt(ctx: Context, data: dict[str, Any]) -> str:
    prog = programme(_join_campaign(ctx, data))
    return ctx.t("ref.join.ask_account", own=prog.own_account.text,
                 source=prog.own_account.source)


async def _parse_own_account(ctx: Context, text: str) -> dict[str, str]:
    account = parse_account(ctx, text)
    campaign = _join_campaign(ctx, ctx.state.data)
    holder = await repo_of(ctx).claimed(campaign.id, account.value)
    if holder is not None:
        raise Invalid("ref.account.claimed", account=display_account(account.value))
    return {"value": account.value, "kind": account.kind.value}


def _area_name(ctx: Context, prog: ReferralProgramme) -> str:
    unit = ctx.services.units.get(prog.home_unit)
    return unit.full_name if unit else prog.home_unit


def _unit_prompt(ctx: Context, data: dict[str, Any]) -> str:
    prog = programme(_join_campaign(ctx, data))
    return ctx.t("ref.join.ask_unit", area=_area_name(ctx, prog))


def _unit_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    prog = programme(_join_campaign(ctx, data))
    code = ctx.person.unit_code
    if code and code in area_units(ctx, prog) and len(code) <= 60:
        return [Choice(ctx.t("ref.join.keep_unit", unit=ctx.services.units.path_text(code)),
                       "f:" + code)]
    return []


def _parse_unit(ctx: Context, text: str) -> str:
    prog = programme(_join_campaign(ctx, ctx.state.data))
    area = set(area_units(ctx, prog))
    units = ctx.services.units
    hits = [u for u, _ in units.search(text, on=programme_day(ctx, prog), limit=20)
            if u.code in area and len(u.code) <= 60][:6]
    if not hits:
        raise Invalid("ref.join.unit_not_found", query=text[:60], area=_area_name(ctx, prog))
    raise Invalid("reg.unit_pick",
                  choices=[Choice(units.path_text(u.code), "f:" + u.code) for u in hits])


def _pick_unit(ctx: Context, code: str) -> str:
    prog = programme(_join_campaign(ctx, ctx.state.data))
    if code not in area_units(ctx, prog):
        raise Invalid("ref.join.unit_not_found", query=code[:60], area=_area_name(ctx, prog))
    return code


def _join_summary(ctx: Context, data: dict[str, Any]) -> str | None:
    if refused(data):
        return None
    return ctx.t("ref.join.summary", account=display_account(data["account"]["value"]),
                 unit=ctx.services.units.path_text(data["unit_code"]))


async def _finish_join(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    await record_consent(ctx, data.get("consent"))
    if refused(data):
        return [ctx.main_menu(ctx.t("ref.consent.refused"))]
    campaign = _join_campaign(ctx, data)
    repo = repo_of(ctx)
    account = QuizAccount(*_account_tuple(data["account"]))
    unit_code = str(data["unit_code"])
    official = await repo.official_mask(campaign.id, covering(ctx, unit_code))
    try:
        participant = await repo.join(campaign.id, ctx.person.id, unit_code, account, official,
                                      ctx.clock.now())
    except AccountClaimed:
        return [ctx.main_menu(ctx.t("ref.account.claimed",
                                    account=display_account(account.value)))]
    prog = programme(campaign)
    done = ctx.t("ref.join.done", code=participant.code, minimum=prog.min_referrals.value)
    return [await dashboard(ctx, campaign, participant, done)]


def _account_tuple(raw: dict[str, str]) -> tuple[AccountKind, str]:
    return AccountKind(raw["kind"]), raw["value"]


def join_form() -> Form:
    """Return the joining form: consent, own quiz account, unit, then confirm."""
    steps = (
        Step(Steps.DECIDING_REFERRAL_CONSENT, "consent", _consent_prompt, parse=decision,
             pick=decision_pick, options=consent_options, invalid="consent.invalid",
             when=lambda d: not d.get("_consented")),
        Step(Steps.TYPING_OWN_ACCOUNT, "account", _own_account_prompt, parse=_parse_own_account,
             label="ref.field.account", max_length=120, when=consented),
        Step(Steps.CHOOSING_PROGRAMME_UNIT, "unit_code", _unit_prompt, parse=_parse_unit,
             pick=_pick_unit, options=_unit_options, label="ref.field.unit", max_length=200,
             when=consented),
    )
    return Form(JOIN, "ref.join.title", steps, _finish_join, summary=_join_summary,
                editable=(Steps.TYPING_OWN_ACCOUNT, Steps.CHOOSING_PROGRAMME_UNIT))


# --------------------------------------------------------------------------- adding referrals


async def _add_context(ctx: Context, data: dict[str, Any]
                       ) -> tuple[Campaign, ReferralProgramme, Participant]:
    participant = await owner_participant(ctx, str(data.get("pid", "")))
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        raise Invalid("ref.no_programme")
    return campaign, programme(campaign), participant


def _parse_referral_name(_ctx: Context, text: str) -> str:
    name = " ".join(nfc(text).split())
    if not 2 <= len(name) <= 100 or not NAME_RE.match(name):
        raise Invalid("ref.add.bad_name")
    return name


def _relation_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"ref.relation.{r}"), f"f:{r}") for r in RELATIONS]


def _parse_relation(ctx: Context, text: str) -> str:
    typed = " ".join(fold(text).split())
    for relation in RELATIONS:
        if typed == " ".join(fold(ctx.t(f"ref.relation.{relation}")).split()):
            return relation
    raise Invalid("ref.add.bad_relation")


def _pick_relation(_ctx: Context, value: str) -> str:
    if value not in RELATIONS:
        raise Invalid("ref.add.bad_relation")
    return value


def _referral_account_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.add.ask_account", name=data["name"])


async def _parse_referral_account(ctx: Context, text: str) -> dict[str, str]:
    account = parse_account(ctx, text)
    campaign, _, participant = await _add_context(ctx, ctx.state.data)
    holder = await repo_of(ctx).claimed(campaign.id, account.value)
    if holder is not None:
        shown = display_account(account.value)
        if holder.participant_id == participant.id and holder.is_self:
            raise Invalid("ref.account.is_own", account=shown)
        if holder.participant_id == participant.id:
            raise Invalid("ref.account.already_mine", account=shown,
                          name=holder.display_name or "")
        raise Invalid("ref.account.claimed", account=shown)
    return {"value": account.value, "kind": account.kind.value}


def _eligibility_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.add.ask_eligible", name=data["name"],
                 minimum=data.get("_min_age", "16"), area=data.get("_area", ""))


def _eligibility_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("ref.add.eligible_yes"), "f:yes"),
            Choice(ctx.t("ref.add.eligible_under_age", minimum=data.get("_min_age", "16")),
                   "f:under_age"),
            Choice(ctx.t("ref.add.eligible_outside"), "f:outside")]


def _parse_eligibility(ctx: Context, text: str) -> str:
    answer = yes_no(text)
    if answer == "yes":
        return "yes"
    raise Invalid("ref.add.bad_eligible", minimum=ctx.state.data.get("_min_age", "16"))


def _pick_eligibility(ctx: Context, value: str) -> str:
    if value not in ("yes", "under_age", "outside"):
        raise Invalid("ref.add.bad_eligible", minimum=ctx.state.data.get("_min_age", "16"))
    return value


def _add_summary(ctx: Context, data: dict[str, Any]) -> str | None:
    if data.get("eligible") != "yes":
        return None
    return ctx.t("ref.add.summary", name=data["name"],
                 relation=ctx.t(f"ref.relation.{data['relation']}"),
                 account=display_account(data["account"]["value"]))


async def _finish_add(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    try:
        campaign, prog, participant = await _add_context(ctx, data)
    except Invalid:
        return stale(ctx)
    if data.get("eligible") != "yes":
        key = ("ref.add.not_eligible_age" if data.get("eligible") == "under_age"
               else "ref.add.not_eligible_area")
        text = ctx.t(key, name=data["name"], minimum=prog.min_age.value,
                     source=prog.min_age.source, area=data.get("_area", ""))
        return [await dashboard(ctx, campaign, participant, text)]
    repo = repo_of(ctx)
    if len(await repo.members(participant.id)) - 1 >= prog.max_referrals.number:
        text = ctx.t("ref.add.full", maximum=prog.max_referrals.number)
        return [await dashboard(ctx, campaign, participant, text)]
    account = QuizAccount(*_account_tuple(data["account"]))
    official = await repo.official_mask(campaign.id, covering(ctx, participant.unit_code))
    try:
        await repo.add_referral(participant, data["name"], data["relation"], account, official,
                                ctx.clock.now())
    except AccountClaimed:
        text = ctx.t("ref.account.claimed", account=display_account(account.value))
        return [await dashboard(ctx, campaign, participant, text)]
    text = ctx.t("ref.add.done", name=data["name"], code=participant.code)
    return [await dashboard(ctx, campaign, participant, text)]


def add_form() -> Form:
    """Return the form that adds a referred account: name, relation, account, eligibility."""
    steps = (
        Step(Steps.TYPING_REFERRAL_NAME, "name", "ref.add.ask_name", parse=_parse_referral_name,
             invalid="ref.add.bad_name", label="ref.field.name", max_length=100),
        Step(Steps.CHOOSING_RELATION, "relation", "ref.add.ask_relation",
             parse=_parse_relation, pick=_pick_relation, options=_relation_options,
             label="ref.field.relation", max_length=60),
        Step(Steps.TYPING_REFERRAL_ACCOUNT, "account", _referral_account_prompt,
             parse=_parse_referral_account, label="ref.field.account", max_length=120),
        Step(Steps.CONFIRMING_REFERRAL_ELIGIBILITY, "eligible", _eligibility_prompt,
             parse=_parse_eligibility, pick=_pick_eligibility, options=_eligibility_options),
    )
    return Form(ADD, "ref.add.title", steps, _finish_add, summary=_add_summary,
                editable=(Steps.TYPING_REFERRAL_NAME, Steps.CHOOSING_RELATION,
                          Steps.TYPING_REFERRAL_ACCOUNT))


async def start_add(ctx: Context, participant: Participant) -> list[Reply]:
    """Begin adding a referred account, unless the list is full or the contest ended."""
    campaign = campaign_of(ctx, participant.campaign_id)
    if campaign is None:
        return stale(ctx)
    prog = programme(campaign)
    if ctx.clock.today() > prog.until.date:
        text = ctx.t("ref.mark.ended", end=full_date(prog.until.date))
        return [await dashboard(ctx, campaign, participant, text)]
    if len(await repo_of(ctx).members(participant.id)) - 1 >= prog.max_referrals.number:
        text = ctx.t("ref.add.full", maximum=prog.max_referrals.number)
        return [await dashboard(ctx, campaign, participant, text)]
    area = ctx.services.units.get(prog.home_unit)
    return await ctx.forms.start(ctx, ADD, {
        "pid": participant.id, "_min_age": prog.min_age.value,
        "_area": area.full_name if area else prog.home_unit})


# --------------------------------------------------------------------------- weekly marks


def week_problem_text(ctx: Context, prog: ReferralProgramme, week: int,
                      problem: WeekProblem) -> str:
    """Explain why a week cannot be marked now."""
    if problem is WeekProblem.UNKNOWN:
        return ctx.t("ref.week.unknown", week=week, total=len(prog.weeks),
                     end=full_date(prog.weeks[-1].end))
    if problem is WeekProblem.ENDED:
        return ctx.t("ref.mark.ended", end=full_date(prog.until.date))
    return ctx.t("ref.mark.not_started", week=week,
                 start=full_date(prog.weeks[week - 1].start))


def _mark_label(ctx: Context, member: Member, week: int) -> str:
    name = ctx.t("ref.you") if member.is_self else (member.display_name or "")
    marks = member.marks
    b = bit(week)
    if marks.verified & b:
        state = "ref.mark.state_verified"
    elif marks.conflicts & b:
        state = "ref.mark.state_conflict"
    elif marks.reported & b:
        state = "ref.mark.state_done"
    else:
        state = "ref.mark.state_open"
    return ctx.t("ref.mark.person", name=name, state=ctx.t(state))


async def mark_view(ctx: Context, campaign: Campaign, participant: Participant, week: int,
                    prefix: str | None = None) -> Reply:
    """List my accounts for one week; choosing one marks or unmarks it."""
    prog = programme(campaign)
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    if problem is not None:
        return await dashboard(ctx, campaign, participant,
                               _join(prefix, week_problem_text(ctx, prog, week, problem)))
    members = await repo_of(ctx).members(participant.id)
    rows = [[Choice(_mark_label(ctx, m, week), f"rf:mk:{m.id}:{week}")] for m in members]
    rows.append([Choice(ctx.t("ref.mark.all"), f"rf:ma:{participant.id}:{week}")])
    rows.append([Choice(ctx.t("ref.mark.finish"), f"rf:home:{participant.id}")])
    text = ctx.t("ref.mark.title", week=week, span=week_span(prog, week))
    return Reply(_join(prefix, text), rows)


async def toggle_mark(ctx: Context, member_id: str, week_text: str) -> list[Reply]:
    """Mark or unmark one account's week (its participant or the linked person may)."""
    if not (member_id.isdigit() and week_text.isdigit()):
        return stale(ctx)
    repo = repo_of(ctx)
    member = await repo.member(int(member_id))
    participant = await repo.participant(member.participant_id) if member else None
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if member is None or participant is None or campaign is None:
        return stale(ctx)
    is_owner = participant.person_id == ctx.person.id
    if not is_owner and member.linked_person_id != ctx.person.id:
        return stale(ctx)
    week = int(week_text)
    prog = programme(campaign)
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    note: str | None = None
    if problem is None:
        name = ctx.t("ref.you") if (member.is_self and is_owner) or not is_owner else (
            member.display_name or "")
        if member.marks.verified & bit(week):
            note = ctx.t("ref.mark.already_verified", name=name, week=week)
        else:
            on = not member.marks.reported & bit(week)
            await repo.set_reported([member.id], week, on, ctx.clock.now())
            note = ctx.t("ref.mark.marked" if on else "ref.mark.unmarked", name=name, week=week)
    else:
        note = week_problem_text(ctx, prog, week, problem)
    if not is_owner:
        from handlers.referrals.referred import referred_view

        fresh = await repo.member(member.id)
        assert fresh is not None
        return [await referred_view(ctx, campaign, fresh, note)]
    if problem is not None:
        return [await dashboard(ctx, campaign, participant, note)]
    return [await mark_view(ctx, campaign, participant, week, note)]


async def mark_all(ctx: Context, participant: Participant, week: int) -> list[Reply]:
    """Mark every account of mine as having taken part in a week."""
    campaign = campaign_of(ctx, participant.campaign_id)
    if campaign is None:
        return stale(ctx)
    prog = programme(campaign)
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    if problem is not None:
        return [await dashboard(ctx, campaign, participant,
                                week_problem_text(ctx, prog, week, problem))]
    repo = repo_of(ctx)
    members = await repo.members(participant.id)
    await repo.set_reported([m.id for m in members if not m.marks.verified & bit(week)], week,
                            True, ctx.clock.now())
    return [await dashboard(ctx, campaign, participant, ctx.t("ref.mark.all_done", week=week))]


def _week_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.week.ask", total=data.get("_total", ""))


async def _week_form_campaign(ctx: Context) -> tuple[Campaign, ReferralProgramme]:
    participant = await owner_participant(ctx, str(ctx.state.data.get("pid", "")))
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if campaign is None:
        raise Invalid("ref.no_programme")
    return campaign, programme(campaign)


async def _parse_week(ctx: Context, text: str) -> int:
    from handlers.referrals.common import parse_week_number

    _, prog = await _week_form_campaign(ctx)
    week = parse_week_number(ctx, prog, text)
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    if problem is not None:
        raise Invalid("ref.week.problem", text=week_problem_text(ctx, prog, week, problem))
    return week


async def _pick_week(ctx: Context, value: str) -> int:
    return await _parse_week(ctx, value)


def _week_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        return []
    return week_choices(ctx, programme(campaign), "f:{week}", started_only=True)


async def _finish_week(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    participant = await owner_participant(ctx, str(data.get("pid", "")))
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        return stale(ctx)
    return [await mark_view(ctx, campaign, participant, int(data["week"]))]


def week_form() -> Form:
    """Return the one-question form that picks another week to mark."""
    step = Step(Steps.TYPING_WEEK_NUMBER, "week", _week_prompt, parse=_parse_week,
                pick=_pick_week, options=_week_options, invalid="ref.week.bad", max_length=20)
    return Form(WEEK, "ref.week.title", (step,), _finish_week)


# --------------------------------------------------------------------------- choices


async def share(ctx: Context, campaign: Campaign, participant: Participant) -> list[Reply]:
    """Give the referral code and a forwardable invitation (with a Telegram link if known)."""
    username = ctx.services.settings.telegram_bot_username
    link = (ctx.t("ref.share.link", url=f"https://t.me/{username.lstrip('@')}?start="
                  f"{participant.code}") if username else "")
    name = ctx.person.full_name or ""
    invite = ctx.t("ref.share.invite", name=name, campaign=campaign.short_name,
                   code=participant.code, link=link).rstrip()
    return [Reply(ctx.t("ref.share.intro", code=participant.code)),
            Reply(invite, [[Choice(ctx.t("ref.back_dashboard"), f"rf:home:{participant.id}")]])]


async def remove_list(ctx: Context, participant: Participant) -> list[Reply]:
    """List my referred accounts to remove one."""
    members = [m for m in await repo_of(ctx).members(participant.id) if not m.is_self]
    rows = [[Choice(m.display_name or "", f"rf:rmx:{m.id}")] for m in members]
    rows.append([Choice(ctx.t("ref.back_dashboard"), f"rf:home:{participant.id}")])
    return [Reply(ctx.t("ref.remove.which"), rows)]


async def _owned_member(ctx: Context, member_id: str) -> tuple[Member, Participant] | None:
    if not member_id.isdigit():
        return None
    repo = repo_of(ctx)
    member = await repo.member(int(member_id))
    if member is None or member.is_self:
        return None
    participant = await repo.participant(member.participant_id)
    if participant is None or participant.person_id != ctx.person.id:
        return None
    return member, participant


async def participant_choice(ctx: Context, payload: str) -> list[Reply]:
    """Handle `rf:` choices of the participant and referred views."""
    parts = _parts(payload)
    action = parts[0] if parts else ""
    arg = parts[1] if len(parts) > 1 else ""
    if action == "join":
        campaign = campaign_by_key(ctx, arg)
        return await start_join(ctx, campaign) if campaign else stale(ctx)
    if action in ("cp", "info"):
        campaign = campaign_by_key(ctx, arg)
        if campaign is None:
            return stale(ctx)
        if action == "cp":
            return await home(ctx, campaign)
        prog = programme(campaign)
        text = ctx.t("ref.info.text", name=campaign.short_name,
                     criterion=criterion_text(ctx, prog), weeks=weeks_text(ctx, prog),
                     reward=prog.reward.text,
                     reward_source=prog.reward.source)
        return [Reply(text, [[Choice(ctx.t("ref.back_dashboard"), "c:vandong")]])]
    if action == "code":
        from handlers.referrals.referred import start_code_form

        return await start_code_form(ctx)
    if action == "mk" and len(parts) == 3:
        return await toggle_mark(ctx, arg, parts[2])
    if action in ("rmx", "rmy"):
        return await _remove(ctx, action, arg)
    participant = await owner_participant(ctx, arg)
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        return stale(ctx)
    return await _participant_action(ctx, action, parts, campaign, participant)


async def _participant_action(ctx: Context, action: str, parts: list[str], campaign: Campaign,
                              participant: Participant) -> list[Reply]:
    week = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 0
    if action == "home":
        return [await dashboard(ctx, campaign, participant)]
    if action == "wk" and week:
        return [await mark_view(ctx, campaign, participant, week)]
    if action == "ma" and week:
        return await mark_all(ctx, participant, week)
    if action == "wo":
        prog = programme(campaign)
        return await ctx.forms.start(ctx, WEEK, {"pid": participant.id, "cid": campaign.id,
                                                 "_total": len(prog.weeks)})
    if action == "add":
        return await start_add(ctx, participant)
    if action == "vd":
        prog = programme(campaign)
        members = await repo_of(ctx).members(participant.id)
        verdict = verdict_of(ctx, members, prog, line_of(ctx, prog), None)
        text = verdict_text(ctx, verdict, prog) + "\n\n" + criterion_text(ctx, prog)
        return [Reply(text, [[Choice(ctx.t("ref.back_dashboard"),
                                     f"rf:home:{participant.id}")]])]
    if action == "share":
        return await share(ctx, campaign, participant)
    if action == "rm":
        return await remove_list(ctx, participant)
    if action == "ok":
        await ctx.consents.record(ctx.person.id, Purpose.REFERRALS, True, policy_version(ctx),
                                  ctx.msg.channel, ctx.clock.now())
        return [await dashboard(ctx, campaign, participant, ctx.t("ref.consent_recorded"))]
    return stale(ctx)


async def _remove(ctx: Context, action: str, member_id: str) -> list[Reply]:
    owned = await _owned_member(ctx, member_id)
    if owned is None:
        return stale(ctx)
    member, participant = owned
    campaign = campaign_of(ctx, participant.campaign_id)
    if campaign is None:
        return stale(ctx)
    if action == "rmx":
        key = "ref.remove.confirm_verified" if member.marks.verified else "ref.remove.confirm"
        return [Reply(ctx.t(key, name=member.display_name or ""),
                      [[Choice(ctx.t("ref.remove.yes"), f"rf:rmy:{member.id}")],
                       [Choice(ctx.t("ref.remove.no"), f"rf:home:{participant.id}")]])]
    await repo_of(ctx).remove_member(member.id)
    text = ctx.t("ref.remove.done", name=member.display_name or "")
    return [await dashboard(ctx, campaign, participant, text)]
