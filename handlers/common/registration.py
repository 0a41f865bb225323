"""Registration as other features need it: the policy, "register first", handing over.

The registration form itself belongs to the profile feature; features start it by name
(`REGISTER`) and continue with their own command once the person is registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.context import COMMAND_PAYLOAD, Context
from bot.core.payloads import Payload
from bot.core.types import Choice, Reply
from content.privacy import Policy, Purpose
from storage.people import Person

REGISTER = "register"  # the registration form's name (stored in chat states: never rename)
PREFILLED = "_prefilled"  # form data: the registration fields already known, not asked again
# What registration asks for, in order (a profile without one of these is not complete).
NEEDED = ("full_name", "birth_year")


def policy(ctx: Context) -> Policy:
    """Return the personal-data policy."""
    result: Policy = ctx.services.extras["policy"]
    return result


def missing_fields(person: Person) -> list[str]:
    """Return what registration still needs of a person ([] when their profile is complete).

    Someone registered along the way (e.g. by a good-deed report, which asks no birth
    year) is registered but not complete: only what is missing is asked.
    """
    if not person.is_registered:
        return list(NEEDED)
    return [name for name in NEEDED if getattr(person, name) is None]


async def registration_data(ctx: Context, then: str | None = None) -> dict[str, object]:
    """Return the registration form's starting data: what is already known is kept and its
    question skipped (the consents too, when the profile consent is already given)."""
    person = ctx.person
    data: dict[str, object] = {"_then": then} if then else {}
    if not person.is_registered:
        return data
    known = [name for name in ("full_name", "birth_year", "unit_code")
             if getattr(person, name) is not None]
    if await ctx.consents.has(person.id, Purpose.PROFILE):
        known += ["consent_profile", "consent_reminders"]
    data.update({name: getattr(person, name) for name in known if hasattr(person, name)})
    data[PREFILLED] = known
    return data


async def require_registration(ctx: Context, then: str | None = None) -> list[Reply] | None:
    """Start registration when the person's profile is not complete; None when it is.

    `then` is a command payload ("c:toi") run once registration is done.
    """
    missing = missing_fields(ctx.person)
    if not missing:
        return None
    started = await ctx.forms.start(ctx, REGISTER, await registration_data(ctx, then))
    if not ctx.person.is_registered:
        return started
    # Registered along the way (a good-deed report asks no birth year): say what is missing
    # and why it is asked, instead of a bare question out of nowhere.
    fields = ", ".join(ctx.t(f"reg.field.{name}") for name in missing).lower()
    return [Reply(ctx.t("profile.incomplete", fields=fields)), *started]


async def run_command(ctx: Context, name: str) -> list[Reply] | None:
    """Run another feature's command by its name (None when no such command exists)."""
    spec = ctx.services.router.commands.get(name)
    return None if spec is None else await spec.handler(ctx)


@dataclass(frozen=True, slots=True)
class StartRegistration(Payload):
    """The "Đăng ký" button: start registration, then show the profile (`p:register`)."""

    PREFIX: ClassVar[str] = "p:register"


@dataclass(frozen=True, slots=True)
class ChooseUnit(Payload):
    """"Chọn đơn vị của tôi" offered by a feature that needs the person's unit: the profile
    asks for the unit (registration first, when needed), then runs the feature's command
    `then` (its name, e.g. "congtrinh") again (`p:unitfor:<then>`)."""

    PREFIX: ClassVar[str] = "p:unitfor"
    then: str


def choose_unit(ctx: Context, text: str, then: str) -> Reply:
    """A feature's "your profile has no unit" screen: `text`, then a choice that asks for the
    unit and comes back to the command `then`, and the main menu's way out."""
    return Reply(text, [[Choice(ctx.t("profile.choose_unit"), ChooseUnit(then).pack())],
                        [Choice(ctx.t("menu.back"), COMMAND_PAYLOAD + "menu")]])
