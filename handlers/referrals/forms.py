"""The forms of /vandong: joining the programme, adding a referred account, picking a week."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Choice, Reply
from content.address import set_current
from content.privacy import Purpose
from content.schema import Campaign, ReferralProgramme
from content.text import fold
from handlers.common.address import chosen_or_suggested
from handlers.common.parsing.relations import parse_relation
from handlers.common.steps import (
    TYPING_BIRTH_YEAR,
    name_parser,
    name_step,
    parse_birth_year,
    yes_no,
)
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
from handlers.referrals.consent import (
    consent_options,
    consented,
    decision,
    decision_pick,
    not_yet_consented,
    record_consent,
    refused,
)
from handlers.referrals.rules import markable_week_problem
from handlers.referrals.views import dashboard, mark_view, week_problem_text
from storage.referrals.marks import AccountKind, QuizAccount, display_account
from storage.referrals.repo import AccountClaimed, Participant

JOIN = "ref_join"
ADD = "ref_add"
WEEK = "ref_week"
EXACT_NAME = 100.0  # a unit search score meaning the typed name is the unit's name


class Steps(StrEnum):
    """What the participant is doing in the referral forms."""

    DECIDING_REFERRAL_CONSENT = "deciding_referral_consent"
    TYPING_OWN_ACCOUNT = "typing_own_account"
    CHOOSING_PROGRAMME_UNIT = "choosing_programme_unit"
    TYPING_REFERRAL_NAME = "typing_referral_name"
    CHOOSING_RELATION = "choosing_relation"
    TYPING_REFERRAL_ACCOUNT = "typing_referral_account"
    TYPING_WEEK_NUMBER = "typing_week_number"


# --------------------------------------------------------------------------- joining
#
# One form for a fresh account and for a registered one: the consents asked once, together
# (the profile, the referrals and, as a choice, the weekly reminders), name and birth year only
# when there is no profile yet, the unit only when the profile has none in the programme's
# area, then the quiz account and one confirmation. Joining then goes straight on to adding
# the first referred person.


def _join_campaign(ctx: Context, data: dict[str, Any]) -> Campaign:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        raise Invalid("ref.no_programme")
    return campaign


def registering(data: dict[str, Any]) -> bool:
    """Tell whether the person has no profile yet (the form registers them too)."""
    return bool(data.get("_register"))


def _consent_prompt(ctx: Context, data: dict[str, Any]) -> str:
    campaign = _join_campaign(ctx, data)
    key = "ref.consent.ask_with_profile" if registering(data) else "ref.consent.ask"
    return ctx.t(key, name=campaign.short_name, version=policy_version(ctx),
                 weeks=programme(campaign).consecutive_weeks.value)


def _join_consent_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    if registering(data):
        return [Choice(ctx.t("ref.consent.agree_reminders"), "f:yes"),
                Choice(ctx.t("ref.consent.agree_quiet"), "f:quiet"),
                Choice(ctx.t("consent.decline"), "f:no")]
    return consent_options(ctx, data)


def _join_decision(ctx: Context, text: str) -> dict[str, str]:
    decided = decision(ctx, text)
    decided["reminders"] = decided["answer"]
    return decided


def _join_decision_pick(ctx: Context, value: str) -> dict[str, str]:
    if value == "quiet" and registering(ctx.state.data):
        return {"answer": "yes", "reminders": "no", "at": ctx.clock.now().isoformat()}
    decided = decision_pick(ctx, value)
    decided["reminders"] = decided["answer"]
    return decided


def _asks_profile(data: dict[str, Any]) -> bool:
    return registering(data) and consented(data)


def _parse_join_birth_year(ctx: Context, text: str) -> int:
    year = parse_birth_year(ctx, text)
    prog = programme(_join_campaign(ctx, ctx.state.data))
    age = prog.until.date.year - year
    if age < prog.min_age.number:
        raise Invalid("ref.join.under_age", age=age, minimum=prog.min_age.value,
                      source=prog.min_age.source, year=prog.until.date.year)
    return year


def _asks_unit(data: dict[str, Any]) -> bool:
    return consented(data) and not data.get("_unit_known")


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


def _parse_unit(ctx: Context, text: str) -> str:
    """Take the unit typed when exactly one unit of the area has that name; else offer the
    units that match (the summary shows the unit taken, and it can be changed there)."""
    prog = programme(_join_campaign(ctx, ctx.state.data))
    area = set(area_units(ctx, prog))
    units = ctx.services.units
    scored = [(u, score) for u, score in units.search(text, on=programme_day(ctx, prog),
                                                       limit=20)
              if u.code in area and len(u.code) <= 60]
    if not scored:
        raise Invalid("ref.join.unit_not_found", query=text[:60], area=_area_name(ctx, prog))
    exact = [u for u, score in scored if score >= EXACT_NAME]
    if len(exact) == 1:
        return exact[0].code
    raise Invalid("reg.unit_pick",
                  choices=[Choice(units.path_text(u.code), "f:" + u.code)
                           for u, _ in scored[:6]])


def _pick_unit(ctx: Context, code: str) -> str:
    prog = programme(_join_campaign(ctx, ctx.state.data))
    if code not in area_units(ctx, prog):
        raise Invalid("ref.join.unit_not_found", query=code[:60], area=_area_name(ctx, prog))
    return code


def _join_summary(ctx: Context, data: dict[str, Any]) -> str | None:
    if refused(data):
        return None
    text = ctx.t("ref.join.summary", account=display_account(data["account"]["value"]),
                 unit=ctx.services.units.path_text(data["unit_code"]))
    if registering(data):
        text = ctx.t("ref.join.summary_profile", full_name=data["full_name"],
                     birth_year=data["birth_year"],
                     address=chosen_or_suggested(ctx, data)) + "\n" + text
    return text


async def _record_join_consents(ctx: Context, data: dict[str, Any]) -> None:
    decided = data.get("consent")
    await record_consent(ctx, decided)
    if not decided or not registering(data):
        return
    at = datetime.fromisoformat(decided["at"])
    version, channel = policy_version(ctx), ctx.msg.channel
    await ctx.consents.record(ctx.person.id, Purpose.PROFILE, decided["answer"] == "yes",
                              version, channel, at)
    await ctx.consents.record(ctx.person.id, Purpose.REMINDERS,
                              decided.get("reminders") == "yes", version, channel, at)


async def _finish_join(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    await _record_join_consents(ctx, data)
    if refused(data):
        return [ctx.main_menu(ctx.t("ref.consent.refused"))]
    campaign = _join_campaign(ctx, data)
    repo = repo_of(ctx)
    account = QuizAccount(*_account_tuple(data["account"]))
    unit_code = str(data["unit_code"])
    if registering(data):
        now = ctx.clock.now()
        # The polite address word as /toi registration stores it ("bác" from 55 years of age).
        ctx.person = await ctx.people.update_profile(
            ctx.person.id, now, full_name=data["full_name"], birth_year=data["birth_year"],
            unit_code=unit_code, registered_at=now,
            address=ctx.person.address or chosen_or_suggested(ctx, data))
        set_current(ctx.person.address)  # from this reply on, the person's own word
    official = await repo.official_mask(campaign.id, covering(ctx, unit_code))
    try:
        participant = await repo.join(campaign.id, ctx.person.id, unit_code, account, official,
                                      ctx.clock.now())
    except AccountClaimed:
        return [ctx.main_menu(ctx.t("ref.account.claimed",
                                    account=display_account(account.value)))]
    prog = programme(campaign)
    done = ctx.t("ref.join.done", code=participant.code, minimum=prog.min_referrals.value)
    return await start_add_form(ctx, campaign, participant, done)


def _account_tuple(raw: dict[str, str]) -> tuple[AccountKind, str]:
    return AccountKind(raw["kind"]), raw["value"]


def join_form() -> Form:
    """Return the joining form: consents, (name, birth year), unit, own quiz account, confirm."""
    steps = (
        Step(Steps.DECIDING_REFERRAL_CONSENT, "consent", _consent_prompt,
             parse=_join_decision, pick=_join_decision_pick, options=_join_consent_options,
             invalid="consent.invalid", when=not_yet_consented),
        name_step(_asks_profile),
        Step(TYPING_BIRTH_YEAR, "birth_year", "reg.ask_birth_year",
             parse=_parse_join_birth_year, invalid="reg.bad_birth_year",
             label="reg.field.birth_year", max_length=20, when=_asks_profile),
        Step(Steps.CHOOSING_PROGRAMME_UNIT, "unit_code", _unit_prompt, parse=_parse_unit,
             pick=_pick_unit, label="ref.field.unit", max_length=200, when=_asks_unit),
        Step(Steps.TYPING_OWN_ACCOUNT, "account", _own_account_prompt, parse=_parse_own_account,
             label="ref.field.account", max_length=120, when=consented),
    )
    return Form(JOIN, "ref.join.title", steps, _finish_join, summary=_join_summary,
                editable=(Steps.CHOOSING_PROGRAMME_UNIT, Steps.TYPING_OWN_ACCOUNT))


async def start_join_form(ctx: Context, campaign: Campaign) -> list[Reply]:
    """Begin joining (registering too when the person has no profile yet)."""
    has = await ctx.consents.has(ctx.person.id, Purpose.REFERRALS)
    register = not ctx.person.is_registered
    data: dict[str, Any] = {"cid": campaign.id, "_register": register,
                            "_consented": has and not register}
    code = ctx.person.unit_code
    if not register and code and code in area_units(ctx, programme(campaign)):
        data["unit_code"] = code
        data["_unit_known"] = True
    return await ctx.forms.start(ctx, JOIN, data)


# --------------------------------------------------------------------------- adding referrals
#
# Three questions: the name, the quiz account, then the relation, whose choice also confirms
# the person is eligible and saves (two more choices say they are not). While fewer than the
# minimum are recorded, saving goes straight on to the next person ("Để sau" stops).

NOT_ELIGIBLE = ("under_age", "outside")


async def _add_context(ctx: Context, data: dict[str, Any]
                       ) -> tuple[Campaign, ReferralProgramme, Participant]:
    participant = await owner_participant(ctx, str(data.get("pid", "")))
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        raise Invalid("ref.no_programme")
    return campaign, programme(campaign), participant


def _adding(data: dict[str, Any]) -> bool:
    return data.get("name") is not None


def _name_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("ref.add.later"), "f:later")] if data.get("_later") else []


def _pick_later(_ctx: Context, value: str) -> None:
    if value != "later":
        raise Invalid("ref.add.bad_name")


def _relation_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    minimum = data.get("_min_age", "16")
    return [*(Choice(ctx.t(f"ref.relation.{r}"), f"f:{r}") for r in RELATIONS),
            Choice(ctx.t("ref.add.eligible_under_age", name=data.get("name", ""),
                         minimum=minimum), "f:under_age"),
            Choice(ctx.t("ref.add.eligible_outside", name=data.get("name", "")), "f:outside")]


def _parse_relation(ctx: Context, text: str) -> str:
    typed = " ".join(fold(text).split())
    for relation in RELATIONS:
        if typed == " ".join(fold(ctx.t(f"ref.relation.{relation}")).split()):
            return relation
    # This answer saves: a bare yes/no is never read as a relation ("có" folds like "cô");
    # unsure answers ("có lẽ", "chắc là") are refused by parse_relation itself.
    if yes_no(text) is not None:
        raise Invalid("ref.add.bad_relation", name=ctx.state.data.get("name", ""))
    # Everyday words: "anh trai", "mẹ", "bạn học", "hàng xóm" (content/natural.yaml).
    said = parse_relation(text)
    if said in RELATIONS:
        return said
    raise Invalid("ref.add.bad_relation", name=ctx.state.data.get("name", ""))


def _pick_relation(ctx: Context, value: str) -> str:
    if value not in RELATIONS and value not in NOT_ELIGIBLE:
        raise Invalid("ref.add.bad_relation", name=ctx.state.data.get("name", ""))
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


def _relation_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.add.ask_relation", name=data["name"],
                 account=display_account(data["account"]["value"]),
                 minimum=data.get("_min_age", "16"), area=data.get("_area", ""))


async def _finish_add(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    try:
        campaign, prog, participant = await _add_context(ctx, data)
    except Invalid:
        return stale(ctx)
    if not _adding(data):
        return [await dashboard(ctx, campaign, participant)]
    if data.get("relation") in NOT_ELIGIBLE:
        key = ("ref.add.not_eligible_age" if data.get("relation") == "under_age"
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
    text = ctx.t("ref.add.done", name=data["name"],
                 relation=ctx.t(f"ref.relation.{data['relation']}"),
                 account=display_account(account.value))
    count = len(await repo.members(participant.id)) - 1
    if count < prog.min_referrals.number:
        text += "\n" + ctx.t("ref.add.next", count=count, minimum=prog.min_referrals.value)
        return await start_add_form(ctx, campaign, participant, text)
    text += "\n" + ctx.t("ref.add.share_hint", code=participant.code)
    return [await dashboard(ctx, campaign, participant, text)]


def add_form() -> Form:
    """Return the form that adds a referred account: name, account, relation (saves)."""
    steps = (
        Step(Steps.TYPING_REFERRAL_NAME, "name", "ref.add.ask_name",
             parse=name_parser("ref.add.bad_name"),
             pick=_pick_later, options=_name_options, invalid="ref.add.bad_name",
             label="ref.field.name", max_length=100),
        Step(Steps.TYPING_REFERRAL_ACCOUNT, "account", _referral_account_prompt,
             parse=_parse_referral_account, label="ref.field.account", max_length=120,
             when=_adding),
        Step(Steps.CHOOSING_RELATION, "relation", _relation_prompt,
             parse=_parse_relation, pick=_pick_relation, options=_relation_options,
             label="ref.field.relation", max_length=60, when=_adding),
    )
    return Form(ADD, "ref.add.title", steps, _finish_add)


async def start_add_form(ctx: Context, campaign: Campaign, participant: Participant,
                         prefix: str | None = None) -> list[Reply]:
    """Begin adding a referred account (after `prefix`, e.g. "joined" or "added Minh")."""
    prog = programme(campaign)
    area = ctx.services.units.get(prog.home_unit)
    replies = await ctx.forms.start(ctx, ADD, {
        "pid": participant.id, "_min_age": prog.min_age.value,
        "_area": area.full_name if area else prog.home_unit, "_later": bool(prefix)})
    if prefix and replies:
        replies[0] = replace(replies[0], text=f"{prefix}\n\n{replies[0].text}")
    return replies


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
