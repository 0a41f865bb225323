"""The forms of /vandong: joining the programme, adding a referred account, picking a week."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Choice, Reply
from content.schema import Campaign, ReferralProgramme
from content.text import fold
from handlers.common.parsing.relations import parse_relation
from handlers.common.steps import name_step, yes_no
from handlers.referrals.common import (
    RELATIONS,
    area_units,
    campaign_of,
    covering,
    form_choice,
    owner_participant,
    parse_account,
    parse_week_number,
    policy_version,
    programme,
    programme_day,
    repo_of,
    stale,
    week_choices,
)
from handlers.referrals.consent import consent_step, consented, record_consent, refused
from handlers.referrals.rules import markable_week_problem
from handlers.referrals.views import dashboard, mark_view, week_problem_text
from storage.referrals.marks import AccountKind, QuizAccount, display_account
from storage.referrals.repo import AccountClaimed, Participant

JOIN = "ref_join"
ADD = "ref_add"
WEEK = "ref_week"


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


# --------------------------------------------------------------------------- joining


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
        consent_step(Steps.DECIDING_REFERRAL_CONSENT, _consent_prompt),
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


def _relation_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t(f"ref.relation.{r}"), f"f:{r}") for r in RELATIONS]


def _parse_relation(ctx: Context, text: str) -> str:
    typed = " ".join(fold(text).split())
    for relation in RELATIONS:
        if typed == " ".join(fold(ctx.t(f"ref.relation.{relation}")).split()):
            return relation
    # Everyday words: "anh trai", "mẹ", "bạn học", "hàng xóm" (content/natural.yaml).
    said = parse_relation(text)
    if said in RELATIONS:
        return said
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
        name_step(name=Steps.TYPING_REFERRAL_NAME, field="name", prompt="ref.add.ask_name",
                  invalid="ref.add.bad_name", label="ref.field.name"),
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


# --------------------------------------------------------------------------- another week


def _week_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.week.ask", total=data.get("_total", ""))


async def _week_form_campaign(ctx: Context) -> tuple[Campaign, ReferralProgramme]:
    participant = await owner_participant(ctx, str(ctx.state.data.get("pid", "")))
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if campaign is None:
        raise Invalid("ref.no_programme")
    return campaign, programme(campaign)


async def _parse_week(ctx: Context, text: str) -> int:
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
    return week_choices(ctx, programme(campaign), form_choice, started_only=True)


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
