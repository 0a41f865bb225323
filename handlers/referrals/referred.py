"""The referred person: open the bot with a referral code, then link, consent, confirm."""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Choice, Reply
from content.privacy import Purpose
from content.schema import Campaign
from content.text import fold
from handlers.common.steps import yes_no_step
from handlers.referrals.common import (
    campaign_of,
    full_date,
    parse_account,
    programme,
    repo_of,
    stale,
)
from handlers.referrals.consent import consent_step, record_consent, refused
from handlers.referrals.views import dashboard, referred_view
from storage.referrals.marks import display_account
from storage.referrals.repo import Participant, normalize_code

LINK = "ref_link"
CODE = "ref_code"


class Steps(StrEnum):
    """What the referred person is doing."""

    TYPING_REFERRAL_CODE = "typing_referral_code"
    TYPING_OWN_QUIZ_ACCOUNT = "typing_own_quiz_account"
    DECIDING_LINK_CONSENT = "deciding_link_consent"
    CONFIRMING_OWN_ELIGIBILITY = "confirming_own_eligibility"
    DECIDING_REMOVAL = "deciding_removal"


async def start_payload(ctx: Context, payload: str) -> list[Reply]:
    """Handle `/start VD-XXXXXX` (a Telegram deep link or typed on Zalo): greet, then the
    next step itself (the question to answer, or a view with its choices)."""
    replies = await use_code(ctx, payload)
    if not replies:
        return [ctx.main_menu(ctx.t("ref.start_hello"))]
    first = replies[0]
    return [replace(first, text=f"{ctx.t('ref.start_hello')}\n\n{first.text}"), *replies[1:]]


async def use_code(ctx: Context, typed: str) -> list[Reply]:
    """Follow a referral code: the referrer's own view, or linking the referred person."""
    code = normalize_code(typed)
    if code is None:
        return [ctx.main_menu(ctx.t("ref.code.bad"))]
    repo = repo_of(ctx)
    participant = await repo.participant_by_code(code)
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        return [ctx.main_menu(ctx.t("ref.code.unknown"))]
    if participant.person_id == ctx.person.id:
        return [await dashboard(ctx, campaign, participant, ctx.t("ref.code.own"))]
    mine = [m for m in await repo.linked_to(ctx.person.id)
            if m.participant_id == participant.id]
    if mine:
        return [await referred_view(ctx, campaign, mine[0])]
    if ctx.clock.today() > programme(campaign).until.date:
        return [ctx.main_menu(ctx.t("ref.mark.ended",
                                    end=full_date(programme(campaign).until.date)))]
    referrer = await repo.person_name(participant.person_id) or ctx.t("ref.someone")
    has = await ctx.consents.has(ctx.person.id, Purpose.REFERRALS)
    return await ctx.forms.start(ctx, LINK, {"pid": participant.id, "cid": campaign.id,
                                             "referrer": referrer,
                                             "campaign": campaign.short_name,
                                             "_consented": has})


async def start_code_form(ctx: Context) -> list[Reply]:
    """Ask for a referral code typed by hand (Zalo has no deep links)."""
    return await ctx.forms.start(ctx, CODE)


def _parse_code(_ctx: Context, text: str) -> str:
    code = normalize_code(text)
    if code is None:
        raise Invalid("ref.code.bad")
    return code


async def _finish_code(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    return await use_code(ctx, str(data["code"]))


def code_form() -> Form:
    """Return the one-question form that takes a referral code."""
    step = Step(Steps.TYPING_REFERRAL_CODE, "code", "ref.code.ask", parse=_parse_code,
                invalid="ref.code.bad", max_length=30)
    return Form(CODE, "ref.code.title", (step,), _finish_code)


async def _link_participant(ctx: Context, data: dict[str, Any]
                            ) -> tuple[Participant, Campaign]:
    pid = data.get("pid")
    participant = await repo_of(ctx).participant(int(pid)) if isinstance(pid, int) else None
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        raise Invalid("ref.code.unknown")
    return participant, campaign


async def _parse_own_quiz_account(ctx: Context, text: str) -> int:
    account = parse_account(ctx, text)
    participant, _ = await _link_participant(ctx, ctx.state.data)
    members = await repo_of(ctx).members(participant.id)
    found = next((m for m in members if m.quiz_account == account.value and not m.is_self),
                 None)
    if found is None:
        raise Invalid("ref.link.not_listed", referrer=ctx.state.data["referrer"],
                      account=display_account(account.value))
    if found.linked_person_id not in (None, ctx.person.id):
        raise Invalid("ref.link.taken")
    return found.id


def _asks_eligibility(data: dict[str, Any]) -> bool:
    return not refused(data)


def _eligibility_prompt(ctx: Context, data: dict[str, Any]) -> str:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        raise Invalid("ref.code.unknown")
    prog = programme(campaign)
    area = ctx.services.units.get(prog.home_unit)
    return ctx.t("ref.link.ask_eligible", minimum=prog.min_age.value,
                 area=area.full_name if area else prog.home_unit)


def _removal_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("ref.link.keep"), "f:keep"),
            Choice(ctx.t("ref.link.remove"), "f:remove")]


def _pick_removal(_ctx: Context, value: str) -> str:
    if value not in ("keep", "remove"):
        raise Invalid("ref.link.bad_removal")
    return value


def _parse_removal(_ctx: Context, text: str) -> str:
    words = fold(text).split()
    if "giu" in words:
        return "keep"
    if "xoa" in words:
        return "remove"
    raise Invalid("ref.link.bad_removal")


async def _finish_link(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    try:
        participant, campaign = await _link_participant(ctx, data)
    except Invalid:
        return stale(ctx)
    await record_consent(ctx, data.get("consent"))
    repo = repo_of(ctx)
    member = await repo.member(int(data["mid"]))
    if member is None or member.participant_id != participant.id:
        return stale(ctx)
    referrer = data["referrer"]
    if refused(data):
        if data.get("removal") == "remove":
            await repo.remove_member(member.id)
            return [ctx.main_menu(ctx.t("ref.link.removed", referrer=referrer))]
        return [ctx.main_menu(ctx.t("ref.link.not_linked", referrer=referrer))]
    if data.get("eligible") != "yes":
        await repo.remove_member(member.id)
        prog = programme(campaign)
        return [ctx.main_menu(ctx.t("ref.link.ineligible_removed", referrer=referrer,
                                    minimum=prog.min_age.value, source=prog.min_age.source))]
    await repo.link(member.id, ctx.person.id, ctx.clock.now())
    fresh = await repo.member(member.id)
    assert fresh is not None
    return [await referred_view(ctx, campaign, fresh, ctx.t("ref.link.done", referrer=referrer))]


def link_form() -> Form:
    """Return the linking form: own quiz account, consent, eligibility (or removal)."""
    steps = (
        Step(Steps.TYPING_OWN_QUIZ_ACCOUNT, "mid", "ref.link.ask_account",
             parse=_parse_own_quiz_account, max_length=120),
        consent_step(Steps.DECIDING_LINK_CONSENT, "ref.link.consent"),
        yes_no_step(Steps.CONFIRMING_OWN_ELIGIBILITY, "eligible", _eligibility_prompt,
                    yes="ref.link.eligible_yes", no="ref.link.eligible_no",
                    invalid="ref.link.bad_yes_no", when=_asks_eligibility),
        Step(Steps.DECIDING_REMOVAL, "removal", "ref.link.ask_removal", parse=_parse_removal,
             pick=_pick_removal, options=_removal_options, invalid="ref.link.bad_removal",
             when=refused, back=False),
    )
    return Form(LINK, "ref.link.title", steps, _finish_link)
