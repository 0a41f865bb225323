"""Composition root: wires settings, storage, content, handlers and the dispatcher."""

from __future__ import annotations

import functools
import gc
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import bot.channels  # noqa: F401  (declares each channel's traits)
from bot.app.features import FEATURES
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.context import Services
from bot.core.dispatcher import Dispatcher, Router, resolve_account
from bot.core.types import Incoming, Reply
from bot.delivery.registry import build_registry
from bot.delivery.service import Delivery, delivery_of
from content.check import unit_problems
from content.loader import load_campaigns
from content.messages import Messages
from content.natural import natural
from content.privacy import Policy, load_policy
from content.query import default_vocab
from content.schema import Campaign
from content.search import SearchIndex, build_index
from content.units import UnitTree, load_units
from storage.access import GrantRepo
from storage.db import create_engine, is_sqlite, session_factory
from storage.migrate import ensure_migrated
from storage.people import PeopleRepo

logger = logging.getLogger(__name__)


def build_router() -> Router:
    """Register every feature's handlers, in the order the dispatcher consults them."""
    router = Router()
    for feature in FEATURES:
        feature.register(router)
    return router


@dataclass
class App:
    """A ready bot: `handle` one message at a time; channels call it."""

    settings: Settings
    services: Services
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    dispatcher: Dispatcher

    async def start(self) -> None:
        """Bring the database schema up to date (or refuse on an outdated one)."""
        auto = self.settings.auto_migrate or is_sqlite(self.settings.database_url)
        await ensure_migrated(self.engine, self.settings.database_url, auto=auto)
        await self._bootstrap_admins()

    async def _bootstrap_admins(self) -> None:
        """Give the admin role to known accounts in ADMIN_IDS (new ones get it on contact)."""
        now = self.services.clock.now()
        async with self.sessions() as session:
            people = PeopleRepo(session)
            for channel, external_id in sorted(self.settings.admin_accounts()):
                account = await people.account(channel, external_id)
                if account is not None and (await people.get(account.person_id)).role != "admin":
                    await GrantRepo(session).bootstrap_admin(account.person_id, now)
                    logger.info("admin role given from ADMIN_IDS (account %s)", account.id)
            await session.commit()

    @property
    def delivery(self) -> Delivery:
        """Return the outbox, reminders and broadcasts service."""
        return delivery_of(self.services)

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Process one incoming message and return the replies."""
        return await self.dispatcher.handle(msg)

    async def mark_blocked(self, channel: str, external_id: str) -> None:
        """Record that a person blocked the bot on a channel."""
        async with self.sessions() as session:
            await PeopleRepo(session).mark_blocked(channel, external_id, self.services.clock.now())
            await session.commit()

    async def role_of(self, channel: str, external_id: str, set_to: str | None = None) -> str:
        """Return a channel user's role, first setting it when asked (console tooling only)."""
        now = self.services.clock.now()
        async with self.sessions() as session:
            people = PeopleRepo(session)
            person, _ = await resolve_account(people, self.settings, channel, external_id,
                                              external_id, now)
            # `/as NAME ROLE` makes NAME hold exactly that role, on their profile's unit (the
            # console gives it again on the unit NAME registers, when they have none yet).
            if set_to is not None:
                grants = GrantRepo(session)
                await grants.revoke_all(person.id, now, revoked_by=None, reason="console")
                if set_to != "resident":
                    unit = None if set_to == "admin" else person.unit_code
                    await grants.grant(person.id, set_to, unit, now, granted_by=None,
                                       reason="console")
                person = await people.get(person.id)
            await session.commit()
            return person.role

    async def unit_of(self, channel: str, external_id: str) -> str | None:
        """Return the unit of a channel user's profile, if any (console tooling only)."""
        async with self.sessions() as session:
            people = PeopleRepo(session)
            account = await people.account(channel, external_id)
            return None if account is None else (await people.get(account.person_id)).unit_code

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


@dataclass(frozen=True)
class Content:
    """Everything loaded from `content/`, validated; read-only once loaded."""

    messages: Messages
    units: UnitTree
    campaigns: dict[str, Campaign]
    search: SearchIndex
    policy: Policy


@functools.cache
def load_content() -> Content:
    """Load and cross-check all content once per process (raises ContentError)."""
    units = load_units()
    campaigns = load_campaigns()
    problems = unit_problems(campaigns, units)
    if problems:
        raise problems[0]
    # Read now, not on the first message: under load that first read stalled every chat
    # in flight for a second or more.
    default_vocab()
    natural()
    content = Content(Messages.load(), units, {c.id: c for c in campaigns},
                      build_index(campaigns), load_policy())
    settle_collector()
    return content


# Objects allocated (net of those freed) between two collections of the youngest generation.
# Python's default, 700, made a collection every 6 messages or so (about 170 per 1,000 under
# load); each walks whatever a few dozen messages in flight hold at that moment (sessions,
# coroutines, replies), work that dies by reference counting anyway: 2-5 % of the CPU of a
# message (bench.throughput --gc: 0.05-0.13 ms per message at 200 users, a 12 ms collection
# of the youngest generation every 1,000 messages or so at this threshold). The older
# generations keep their defaults (one collection of the next generation every 10).
YOUNG_THRESHOLD = 20_000


def settle_collector() -> None:
    """Set the garbage collector for a long-running process once its content is loaded.

    The content lives as long as the process: it is frozen (gc.freeze), so the collector's
    full passes do not walk it again and again (their cost would grow with the content,
    issue #17); what is allocated afterwards is collected as usual, less often
    (YOUNG_THRESHOLD). Calling it again freezes what was loaded since.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)


def create_app(settings: Settings, clock: Clock | None = None) -> App:
    """Load and validate content, then build the app (raises ContentError on bad content)."""
    clock = clock or SystemClock(settings.tz)
    router = build_router()
    content = load_content()
    services = Services(settings=settings, clock=clock, messages=content.messages,
                        units=content.units, router=router, campaigns=content.campaigns,
                        search=content.search, policy=content.policy)
    engine = create_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    sessions = session_factory(engine)
    services.delivery = Delivery(settings, clock, content.messages, sessions,
                                            build_registry(FEATURES, services))
    return App(settings, services, engine, sessions, Dispatcher(router, services, sessions))
