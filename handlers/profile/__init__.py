"""Registration with per-purpose consent, and /toi to see and edit one's profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.context import COMMAND_PAYLOAD, Context
from bot.core.dispatcher import Router
from bot.core.forms import Form, Step
from bot.core.payloads import Payload
from bot.core.types import Choice, Reply
from content.address import set_current
from content.privacy import Purpose
from handlers.common.address import CHOOSING_ADDRESS, address_step, chosen_or_suggested, never
from handlers.common.feature import Feature
from handlers.common.registration import (
    PREFILLED,
    REGISTER,
    ChooseUnit,
    StartRegistration,
    missing_fields,
    policy,
    require_registration,
)
from handlers.common.steps import (
    CHOOSING_UNIT,
    TYPING_BIRTH_YEAR,
    TYPING_FULL_NAME,
    birth_year_step,
    name_step,
    unit_label,
    unit_step,
    yes_no_options,
    yes_no_parse,
    yes_no_pick,
)
from handlers.profile.payloads import (
    EditAddress,
    EditBirthYear,
    EditName,
    EditUnit,
    ToggleReminders,
)
from storage.delivery.repo import OutboxRepo

__all__ = ["FEATURE", "show_profile"]


class Steps(StrEnum):
    """What the person is doing in the profile forms."""

    DECIDING_PROFILE_CONSENT = "deciding_profile_consent"
    DECIDING_REMINDER_CONSENT = "deciding_reminder_consent"
    TYPING_FULL_NAME = TYPING_FULL_NAME
    TYPING_BIRTH_YEAR = TYPING_BIRTH_YEAR
    CHOOSING_UNIT = CHOOSING_UNIT
    CHOOSING_ADDRESS = CHOOSING_ADDRESS


_consent_options = yes_no_options("consent.agree", "consent.decline")
_consent_pick = yes_no_pick("consent.invalid")
_consent_parse = yes_no_parse("consent.invalid")


def _summary(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("reg.summary", full_name=data["full_name"], birth_year=data["birth_year"],
                 age=ctx.clock.today().year - data["birth_year"],
                 unit=unit_label(ctx, data.get("unit_code")),
                 address=chosen_or_suggested(ctx, data))


def _with_time(answer: str, ctx: Context) -> dict[str, str]:
    return {"answer": answer, "at": ctx.clock.now().isoformat()}


def _decision_parse(ctx: Context, text: str) -> dict[str, str]:
    return _with_time(_consent_parse(ctx, text), ctx)


def _decision_pick(ctx: Context, value: str) -> dict[str, str]:
    return _with_time(_consent_pick(ctx, value), ctx)


def _profile_prompt(ctx: Context, _data: dict[str, Any]) -> str:
    return ctx.t("consent.profile_ask", version=policy(ctx).version)


def _refused(data: dict[str, Any]) -> bool:
    return bool(data.get("consent_profile", {}).get("answer") == "no")


def _agreed(data: dict[str, Any]) -> bool:
    return not _refused(data)


def _asks(field: str, agreed: bool = True) -> Any:
    """Ask a registration question unless its answer is already known (a person registered
    along the way completes only what is missing)."""

    def when(data: dict[str, Any]) -> bool:
        return field not in data.get(PREFILLED, ()) and (not agreed or _agreed(data))

    return when


REGISTRATION_FORM_STEPS = (
    Step(Steps.DECIDING_PROFILE_CONSENT, "consent_profile", _profile_prompt,
         parse=_decision_parse, pick=_decision_pick, options=_consent_options,
         invalid="consent.invalid", when=_asks("consent_profile", agreed=False)),
    Step(Steps.DECIDING_REMINDER_CONSENT, "consent_reminders", "consent.reminders_ask",
         parse=_decision_parse, pick=_decision_pick, options=_consent_options,
         invalid="consent.invalid", when=_asks("consent_reminders")),
    name_step(_asks("full_name")),
    birth_year_step(_asks("birth_year")),
    unit_step(_asks("unit_code")),
    # Not a message of its own: the summary shows the suggested word, "Sửa" changes it.
    address_step(never),
)


async def _finish_registration(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    version = policy(ctx).version
    decisions = {Purpose.PROFILE: data.get("consent_profile"),
                 Purpose.REMINDERS: data.get("consent_reminders")}
    for purpose, decision in decisions.items():
        if isinstance(decision, dict):  # None or absent when already given before
            await ctx.consents.record(ctx.person.id, purpose, decision["answer"] == "yes",
                                      version, ctx.msg.channel,
                                      datetime.fromisoformat(decision["at"]))
    if _refused(data):
        return [ctx.main_menu(ctx.t("consent.refused"))]
    now = ctx.clock.now()
    person = await ctx.people.update_profile(
        ctx.person.id, now, full_name=data["full_name"], birth_year=data["birth_year"],
        unit_code=data.get("unit_code"), address=chosen_or_suggested(ctx, data),
        registered_at=ctx.person.registered_at or now)
    ctx.person = person
    set_current(person.address)  # from this reply on, the person's own word
    done = Reply(ctx.t("reg.done", full_name=person.full_name))
    return [done, *(await _then(ctx, data) or [ctx.main_menu()])]


async def _then(ctx: Context, data: dict[str, Any]) -> list[Reply] | None:
    """Continue with the feature that asked for registration or for the unit (the command
    payload "c:<name>", or "c:<name> <argument>", kept in the form's data); None when no
    feature is waiting."""
    then = data.get("_then")
    name, _, arg = then[2:].partition(" ") if isinstance(then, str) else ("", "", "")
    spec = ctx.services.router.commands.get(name)
    if spec is None or not ctx.may(spec.roles):
        return None
    if not arg:
        return list(await spec.handler(ctx))
    # "c:nhanquyen ABCD-EFGH": the command as the person first typed it, code included.
    typed = ctx.msg
    ctx.msg = replace(typed, text=f"/{name} {arg}", choice=None)
    try:
        return list(await spec.handler(ctx))
    finally:
        ctx.msg = typed


def registration_form() -> Form:
    """Return the registration form: consents first, then the profile, then confirm."""
    return Form(REGISTER, "reg.title", REGISTRATION_FORM_STEPS, _finish_registration,
                summary=lambda ctx, d: None if _refused(d) else _summary(ctx, d),
                editable=(Steps.TYPING_FULL_NAME, Steps.TYPING_BIRTH_YEAR,
                          Steps.CHOOSING_UNIT, Steps.CHOOSING_ADDRESS))


def _role_text(ctx: Context) -> str:
    return ctx.t(f"role.{ctx.person.role}")


async def _consent_lines(ctx: Context) -> str:
    current = await ctx.consents.current(ctx.person.id)
    lines = [ctx.t("consent.line", purpose=ctx.t(f"consent.purpose.{c.purpose}"),
                   decision=ctx.t("consent.granted" if c.active else "consent.refused_short"),
                   date=c.decided_at.astimezone(ctx.clock.tz).strftime("%d/%m/%Y"))
             for c in current.values()]
    return "\n".join(lines) or ctx.t("profile.no_consents")


async def show_profile(ctx: Context, prefix: str | None = None) -> list[Reply]:
    """Show the person's profile with edit choices (or offer registration)."""
    person = ctx.person
    # The channel id lets a person (e.g. on Zalo) learn what to put in ADMIN_IDS.
    account = ctx.t("profile.account_id", account=f"{ctx.msg.channel}:{ctx.msg.user_id}")
    missing = missing_fields(person)
    if missing and person.is_registered:  # registered along the way: complete it now
        return await require_registration(ctx, "c:toi") or []
    if missing:
        return [Reply(f"{ctx.t('profile.not_registered')}\n\n{account}",
                      [[Choice(ctx.t("profile.register"), StartRegistration().pack())]])]
    assert person.birth_year is not None  # a complete profile has one (missing_fields)
    text = ctx.t("profile.show", full_name=person.full_name, birth_year=person.birth_year,
                 age=ctx.clock.today().year - person.birth_year,
                 unit=unit_label(ctx, person.unit_code), role=_role_text(ctx),
                 address=person.address or ctx.t("address.default"),
                 consents=await _consent_lines(ctx))
    text = f"{text}\n\n{account}"
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows = [[Choice(ctx.t("profile.edit_name"), EditName().pack())],
            [Choice(ctx.t("profile.edit_birth_year"), EditBirthYear().pack())],
            [Choice(ctx.t("profile.edit_unit"), EditUnit().pack())],
            [Choice(ctx.t("profile.edit_reminders"), ToggleReminders().pack())],
            [Choice(ctx.t("profile.edit_address"), EditAddress().pack())]]
    return [Reply(text, rows)]


async def profile_command(ctx: Context) -> list[Reply]:
    """/toi: show the profile, or start registration."""
    return await show_profile(ctx)


# The edit buttons and their one-question forms (form names are stored in chat states).
EDIT_FORMS: dict[type[Payload], tuple[str, Step]] = {
    EditName: ("edit_name", name_step()),
    EditBirthYear: ("edit_birth_year", birth_year_step()),
    EditUnit: ("edit_unit", unit_step()),
    EditAddress: ("edit_address", address_step()),
}


async def _finish_edit(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    fields = {k: v for k, v in data.items()
              if k in ("full_name", "birth_year", "unit_code", "address")}
    ctx.person = await ctx.people.update_profile(ctx.person.id, ctx.clock.now(), **fields)
    set_current(ctx.person.address)
    then = await _then(ctx, data)
    if then is not None:
        return [Reply(ctx.t("profile.updated")), *then]
    return await show_profile(ctx, ctx.t("profile.updated"))


async def unit_then_command(ctx: Context, payload: ChooseUnit) -> list[Reply]:
    """"Chọn đơn vị của tôi" from a feature that needs it: ask for the unit (registering
    first, when needed), then open that feature's command again."""
    spec = ctx.services.router.commands.get(payload.then)
    if spec is None or not ctx.may(spec.roles):  # a forged or stale button
        return await show_profile(ctx)
    then = COMMAND_PAYLOAD + spec.name
    started = await require_registration(ctx, then)
    if started is not None:
        return started
    return await ctx.forms.start(ctx, EDIT_FORMS[EditUnit][0], {"_then": then})


async def start_registration(ctx: Context, _payload: StartRegistration) -> list[Reply]:
    """Start registration (then show the profile), or show the profile when registered."""
    started = await require_registration(ctx, "c:toi")
    return started if started is not None else await show_profile(ctx)


async def edit(ctx: Context, payload: Payload) -> list[Reply]:
    """Start the one-question form editing a field (registered people only)."""
    if not ctx.person.is_registered:
        return await show_profile(ctx)
    return await ctx.forms.start(ctx, EDIT_FORMS[type(payload)][0])


async def toggle_reminders(ctx: Context, _payload: ToggleReminders) -> list[Reply]:
    """Turn reminders on or off; turning them off cancels what was waiting (as /nhacnho)."""
    if not ctx.person.is_registered:
        return await show_profile(ctx)
    enabled = await ctx.consents.has(ctx.person.id, Purpose.REMINDERS)
    await ctx.consents.record(ctx.person.id, Purpose.REMINDERS, not enabled,
                              policy(ctx).version, ctx.msg.channel, ctx.clock.now())
    if enabled:
        await OutboxRepo(ctx.session).cancel_pending_for(ctx.person.id, now=ctx.clock.now())
    return await show_profile(
        ctx, ctx.t("profile.reminders_off" if enabled else "profile.reminders_on"))


def register(router: Router) -> None:
    """Register registration, the profile command and its edit forms."""
    router.forms.add(registration_form())
    for form_name, step in EDIT_FORMS.values():
        router.forms.add(Form(form_name, "profile.edit_title", (step,), _finish_edit))
    router.command("toi", menu_label="menu.profile", order=20)(profile_command)
    router.action(StartRegistration)(start_registration)
    for payload in EDIT_FORMS:
        router.action(payload)(edit)
    router.action(ToggleReminders)(toggle_reminders)
    router.action(ChooseUnit)(unit_then_command)


FEATURE = Feature("profile", register)
