"""Registration as other features need it: the policy, "register first", handing over.

The registration form itself belongs to the profile feature; features start it by name
(`REGISTER`) and continue with their own command once the person is registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.context import Context
from bot.core.payloads import Payload
from bot.core.types import Reply
from content.privacy import Policy

REGISTER = "register"  # the registration form's name (stored in chat states: never rename)


def policy(ctx: Context) -> Policy:
    """Return the personal-data policy."""
    result: Policy = ctx.services.extras["policy"]
    return result


async def require_registration(ctx: Context, then: str | None = None) -> list[Reply] | None:
    """Start registration when the person has none; None when they are registered.

    `then` is a command payload ("c:toi") run once registration is done.
    """
    if ctx.person.is_registered:
        return None
    return await ctx.forms.start(ctx, REGISTER, {"_then": then} if then else None)


async def run_command(ctx: Context, name: str) -> list[Reply] | None:
    """Run another feature's command by its name (None when no such command exists)."""
    spec = ctx.services.router.commands.get(name)
    return None if spec is None else await spec.handler(ctx)


@dataclass(frozen=True, slots=True)
class StartRegistration(Payload):
    """The "Đăng ký" button: start registration, then show the profile (`p:register`)."""

    PREFIX: ClassVar[str] = "p:register"
