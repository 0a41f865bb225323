"""The referrals consent step, shared by the joining form and the linking form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.context import Context
from bot.core.forms import Invalid, PromptBuilder, Step
from bot.core.types import Choice
from content.privacy import Purpose
from handlers.common.steps import yes_no
from handlers.referrals.common import policy_version


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


def not_yet_consented(data: dict[str, Any]) -> bool:
    """Tell whether the form must ask for consent (none recorded when it started)."""
    return not data.get("_consented")


def consent_step(name: str, prompt: str | PromptBuilder) -> Step:
    """Return the consent step (field `consent`), asked only when none is recorded yet."""
    return Step(name, "consent", prompt, parse=decision, pick=decision_pick,
                options=consent_options, invalid="consent.invalid", when=not_yet_consented)
