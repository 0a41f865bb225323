"""What a handler receives: the message, the person, their chat state and the services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Access
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.limits import RateLimiter
from bot.core.permissions import allowed, can_act_on_unit, held_roles
from bot.core.traits import ChannelTraits, traits_of
from bot.core.types import Choice, Incoming, Reply
from content.messages import Messages
from content.privacy import Policy
from storage.access import Grant
from storage.people import Account, ChatState, ConsentRepo, PeopleRepo, Person

if TYPE_CHECKING:
    from bot.core.dispatcher import Router
    from bot.core.forms import FormEngine
    from content.schema import Campaign
    from content.search import SearchIndex
    from content.units import UnitTree


# Payloads of the main menu's entries: a command, and "back to the unfinished form".
COMMAND_PAYLOAD = "c:"
RESUME = "form:resume"
ELSEWHERE = "noikhac"  # the command listing the programmes of other areas


@dataclass(slots=True)
class Services:
    """Long-lived dependencies shared by every handler."""

    settings: Settings
    clock: Clock
    messages: Messages
    units: UnitTree
    router: Router
    campaigns: dict[str, Campaign]
    search: SearchIndex
    policy: Policy
    # Per-account message rate limit (the dispatcher makes one when none is given).
    rate_limiter: RateLimiter | None = None
    # The outbox, reminders and broadcasts service (bot.delivery sits above the core, so it
    # is typed there: read it with `bot.delivery.service.delivery_of(services)`).
    delivery: object | None = None

    @property
    def extras(self) -> Mapping[str, Any]:
        """Deprecated: the old string-keyed lookup, read-only; use the typed fields."""
        found = {"policy": self.policy, "rate_limiter": self.rate_limiter,
                 "delivery": self.delivery}
        return {key: value for key, value in found.items() if value is not None}


@dataclass(slots=True)
class Context:
    """One incoming message being handled, with typed access to everything it may need."""

    msg: Incoming
    person: Person
    account: Account
    state: ChatState
    services: Services
    grants: tuple[Grant, ...] = ()
    # The message's session, or how to open it the first time a handler asks for it (most
    # messages, a rule question or a menu, never do: it is not made for them).
    opened: AsyncSession | None = None
    opener: Callable[[], AsyncSession] | None = None

    @property
    def session(self) -> AsyncSession:
        """Return the message's database session (opened on first use)."""
        if self.opened is None:
            if self.opener is None:
                raise RuntimeError("a context without a session")
            self.opened = self.opener()
        return self.opened

    @property
    def people(self) -> PeopleRepo:
        """Return the people repository on the message's session."""
        return PeopleRepo(self.session)

    @property
    def consents(self) -> ConsentRepo:
        """Return the consent repository on the message's session."""
        return ConsentRepo(self.session)

    @property
    def clock(self) -> Clock:
        """Return the injected clock."""
        return self.services.clock

    @property
    def text(self) -> str:
        """Return the message text, stripped ('' for stickers and photos)."""
        return (self.msg.text or "").strip()

    def t(self, key: str, **params: Any) -> str:
        """Return a catalog message."""
        return self.services.messages.t(key, **params)

    async def reload_person(self) -> Person:
        """Re-read the person after a change and keep it on the context."""
        self.person = await self.people.get(self.person.id)
        return self.person

    @property
    def traits(self) -> ChannelTraits:
        """Return what this chat's channel can carry (files, photos, buttons, text limit)."""
        return traits_of(self.msg.channel)

    @property
    def access(self) -> Access:
        """Return the one access check (roles held, units managed) for this person."""
        return Access(self.grants, self.services.units)

    @property
    def roles(self) -> frozenset[str]:
        """Return every role the person holds (resident, plus their grants)."""
        return held_roles(self.grants)

    def may(self, roles: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        """Tell whether the person may use something open to `roles` (the one check)."""
        return allowed(self.roles, roles)

    def can_act_on_unit(self, unit_code: str | None,
                        roles: tuple[str, ...] = ("reviewer", "liaison")) -> bool:
        """Tell whether the person's grants cover a unit (admins cover every unit)."""
        return can_act_on_unit(self.grants, unit_code, self.services.units, roles)

    @property
    def forms(self) -> FormEngine:
        """Return the form engine."""
        return self.services.router.forms

    def main_menu(self, text: str | None = None) -> Reply:
        """Return the main menu for this person, optionally after a message."""
        return build_main_menu(self, text)


def build_main_menu(ctx: Context, text: str | None = None) -> Reply:
    """Return the main menu for this person: the entries of their area's programmes (and
    every entry that is no programme's), then one "Xem phong trào nơi khác" when some
    programme does not concern their unit, then a way back to an unfinished form (last: the
    menu's numbers mean the same with or without it)."""
    router = ctx.services.router
    rows: list[list[Choice]] = []
    elsewhere = False
    for spec in router.menu_for(ctx.roles):
        assert spec.menu_label is not None
        if spec.elsewhere(ctx):
            elsewhere = True
            continue
        rows.append([Choice(ctx.t(spec.menu_label), COMMAND_PAYLOAD + spec.name)])
    if elsewhere:
        rows.append([Choice(ctx.t("menu.elsewhere"), COMMAND_PAYLOAD + ELSEWHERE)])
    form = router.forms.active(ctx)
    if form is not None:
        rows.append([Choice(ctx.t("menu.resume", title=ctx.t(form.title)), RESUME)])
    return Reply(text or ctx.t("menu.title"), rows)
