"""The forms behind the decisions that need words from the reviewer (return, reject,
nominate, award, note, consent, and one form per field a reviewer may correct)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Choice
from handlers.deeds.decisions import (
    finish_award,
    finish_consent,
    finish_edit,
    finish_nominate,
    finish_note,
    finish_reject,
    finish_return,
)
from handlers.deeds.steps import EDIT_STEPS, Steps, free_text
from handlers.deeds.views import FIELD_LABELS, consent_text, reason_text, rewards_of
from handlers.deeds.workflow import (
    REJECT_REASONS,
    NomineeConsent,
    Refusal,
    check_consent_source,
)

CONSENT_SOURCES = (NomineeConsent.PERSON, NomineeConsent.GUARDIAN, NomineeConsent.REFUSED)


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
            for i, (text, source) in enumerate(rewards_of(ctx, data["_campaign"]))]


def _pick_reward(ctx: Context, value: str) -> str:
    if not (value.isdigit() and int(value) < len(rewards_of(ctx, ctx.state.data["_campaign"]))):
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
    reward, source = rewards_of(ctx, data["_campaign"])[int(data["reward"])]
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
             finish_return),
        Form("deed_reject", "deeds.review.reject_title",
             (Step(Steps.CHOOSING_REASON, "reason", "deeds.review.ask_reason",
                   parse=_no_typing, pick=_pick_reason, options=_reason_options),
              Step(Steps.TYPING_REASON_TEXT, "explain", "deeds.review.ask_explain",
                   parse=free_text(5, "deeds.too_short"), max_length=500)),
             finish_reject, summary=_reject_summary),
        Form("deed_nominate", "deeds.review.nominate_title",
             (Step(Steps.CHOOSING_REWARD, "reward", "deeds.review.ask_reward",
                   parse=_no_typing, pick=_pick_reward, options=_reward_options),
              Step(Steps.TYPING_NOMINATION_NOTE, "note", "deeds.review.ask_nomination_note",
                   parse=free_text(2, "deeds.too_short"), skip=True, max_length=500)),
             finish_nominate, summary=_nominate_summary),
        Form("deed_award", "deeds.review.award_title",
             (Step(Steps.TYPING_AWARD_DECISION, "decision", "deeds.review.ask_decision",
                   parse=free_text(3, "deeds.too_short"), skip=True, max_length=200),),
             finish_award, summary=_award_summary),
        Form("deed_note", "deeds.review.note_title",
             (Step(Steps.TYPING_NOTE, "note", "deeds.review.ask_note",
                   parse=free_text(2, "deeds.too_short"), max_length=1000),),
             finish_note),
        Form("deed_consent", "deeds.review.consent_title",
             (Step(Steps.CHOOSING_CONSENT_SOURCE, "source", "deeds.review.ask_consent_source",
                   parse=_no_typing, pick=_pick_consent, options=_consent_options),
              Step(Steps.TYPING_CONSENT_HOW, "how", "deeds.review.ask_consent_how",
                   parse=free_text(3, "deeds.too_short"), skip=True, max_length=300)),
             finish_consent, summary=_consent_summary),
    ]
    forms += [Form(f"deed_edit_{field}", "deeds.review.edit_title",
                   (replace(make(), prompt=_edit_prompt, back=False),), finish_edit)
              for field, make in EDIT_STEPS.items()]
    return forms
