"""Routes one incoming message: global commands, choices, form steps, commands, free text."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.config import Settings
from bot.core.context import COMMAND_PAYLOAD, RESUME, Context, Services
from bot.core.dispatcher_writes import SmallWrites
from bot.core.forms import FORM_PREFIX, FormEngine
from bot.core.limits import (
    Caps,
    DoubleTaps,
    RateLimiter,
    Verdict,
    clean_text,
    valid_payload,
)
from bot.core.payloads import Payload
from bot.core.permissions import ROLES, allowed
from bot.core.personal import personal_data_only
from bot.core.types import Choice, Incoming, Reply
from content.address import addressing
from content.query import conversation_kind, looks_like_question
from content.text import fold_words
from storage.access import Grant, GrantRepo
from storage.db import NeedsWrite, lock_chat, read_first, read_sessions, reads_first
from storage.people import (
    Account,
    ChatState,
    ChatStateRepo,
    Identity,
    PeopleRepo,
    Person,
)
from storage.people_driver import PeopleDriver
from storage.personal_data import PersonalDataRegistry
from storage.sqlite_driver import inline_statements

logger = logging.getLogger(__name__)

# Small talk that names a global command: typed in words, it does what the command does.
_FORM_EXITS = {"menu": "menu", "help": "help", "cancel": "huy"}

Handler = Callable[[Context], Awaitable[list[Reply]]]
ChoiceHandler = Callable[[Context, str], Awaitable[list[Reply]]]
ActionHandler = Callable[[Context, Any], Awaitable[list[Reply]]]

BUSY_RETRIES = 2


@dataclass(frozen=True, slots=True)
class Command:
    """A feature command: `/name`, who may use it, and its main-menu entry."""

    name: str
    handler: Handler
    menu_label: str | None = None
    roles: frozenset[str] = frozenset(ROLES)
    order: int = 100
    is_global: bool = False
    # For a programme's entry: whether it concerns the person's area (their unit); the main
    # menu moves the entries that do not behind one "Xem phong trào nơi khác" choice.
    applies: Callable[[Context], bool] | None = None

    def elsewhere(self, ctx: Context) -> bool:
        """Whether this is a programme's entry that does not concern the person's area."""
        return self.applies is not None and not self.applies(ctx)


@dataclass(slots=True)
class Router:
    """The tables handlers are registered in."""

    commands: dict[str, Command] = field(default_factory=dict)
    choices: dict[str, ChoiceHandler] = field(default_factory=dict)
    choice_roles: dict[str, frozenset[str]] = field(default_factory=dict)
    forms: FormEngine = field(default_factory=FormEngine)
    fallback: Handler | None = None
    # The fallback's answer when it finds something, else None (the rule lookup): on a
    # screen with choices, "hạn đăng ký công trình" is a question even without "?" or "nào".
    found: Callable[[Context], Awaitable[list[Reply] | None]] | None = None
    non_text: Handler | None = None
    personal_data: PersonalDataRegistry = field(default_factory=PersonalDataRegistry)
    start_payloads: dict[str, ChoiceHandler] = field(default_factory=dict)
    # Typed payloads (bot.core.payloads): the class, its handler and who may press it.
    actions: list[tuple[type[Payload], ActionHandler, frozenset[str]]] = field(
        default_factory=list)
    # Choice prefixes of screens where free text is a question (the main menu, the rule
    # lookup's own screens); on any other screen with choices, unexpected text gets that
    # screen's help and its choices again.
    open_prefixes: set[str] = field(default_factory=lambda: {"c", "form"})
    # `menu_for`'s answers, by the roles held and the number of commands registered.
    _menus: dict[tuple[frozenset[str], int], tuple[Command, ...]] = field(
        default_factory=dict, repr=False)
    # `actions` by the first segment of their prefix ("rf" for "rf:del"), longest first:
    # a pressed button is matched against its own few, not every payload class.
    _actions_by_head: dict[str, list[tuple[type[Payload], ActionHandler, frozenset[str]]]] = (
        field(default_factory=dict, repr=False))

    def command(self, name: str, *, menu_label: str | None = None,
                roles: Iterable[str] = ROLES, order: int = 100, is_global: bool = False,
                applies: Callable[[Context], bool] | None = None
                ) -> Callable[[Handler], Handler]:
        """Register a command handler (decorator); `applies` tells whether a programme's
        menu entry concerns the person's area."""

        def register(handler: Handler) -> Handler:
            if name in self.commands:
                raise ValueError(f"command registered twice: /{name}")
            self.commands[name] = Command(name, handler, menu_label, frozenset(roles), order,
                                          is_global, applies)
            return handler

        return register

    def choice(self, prefix: str, *, roles: Iterable[str] = ROLES
               ) -> Callable[[ChoiceHandler], ChoiceHandler]:
        """Register a handler for choice payloads `prefix:…`, usable by `roles` (decorator)."""

        def register(handler: ChoiceHandler) -> ChoiceHandler:
            if prefix in self.choices or prefix in ("c", "f"):
                raise ValueError(f"choice prefix taken: {prefix}")
            self.choices[prefix] = handler
            self.choice_roles[prefix] = frozenset(roles)
            return handler

        return register

    def action(self, payload: type[Payload], *, roles: Iterable[str] = ROLES
               ) -> Callable[[ActionHandler], ActionHandler]:
        """Register a handler for one typed payload class, usable by `roles` (decorator).

        The handler receives the parsed payload object; a payload that does not parse
        (stale or forged) never reaches it.
        """

        def register(handler: ActionHandler) -> ActionHandler:
            if any(cls.PREFIX == payload.PREFIX for cls, _, _ in self.actions):
                raise ValueError(f"payload prefix taken: {payload.PREFIX}")
            self.actions.append((payload, handler, frozenset(roles)))
            # Longest prefix first, so "rf:del" is tried before "rf".
            self.actions.sort(key=lambda entry: -len(entry[0].PREFIX))
            self._actions_by_head.clear()
            return handler

        return register

    def action_for(self, raw: str) -> tuple[type[Payload], ActionHandler, frozenset[str]] | None:
        """Return the typed payload entry whose prefix raw carries (longest first)."""
        if not self._actions_by_head and self.actions:
            for entry in self.actions:  # already longest first
                self._actions_by_head.setdefault(entry[0].PREFIX.split(":", 1)[0],
                                                 []).append(entry)
        for entry in self._actions_by_head.get(raw.split(":", 1)[0], ()):
            if entry[0].matches(raw):
                return entry
        return None

    def start_payload(self, prefix: str) -> Callable[[ChoiceHandler], ChoiceHandler]:
        """Register a handler for `/start <prefix>-…` deep-link payloads (decorator)."""

        def register(handler: ChoiceHandler) -> ChoiceHandler:
            key = prefix.casefold()
            if key in self.start_payloads:
                raise ValueError(f"start payload prefix taken: {prefix}")
            self.start_payloads[key] = handler
            return handler

        return register

    def menu_for(self, roles: str | Iterable[str]) -> list[Command]:
        """Return the main-menu commands someone holding `roles` may use, in menu order
        (worked out once per set of roles: every main menu shown asks)."""
        held = frozenset((roles,) if isinstance(roles, str) else roles)
        key = (held, len(self.commands))
        menu = self._menus.get(key)
        if menu is None:
            menu = self._menus[key] = tuple(sorted(
                (c for c in self.commands.values() if c.menu_label and allowed(held, c.roles)),
                key=lambda c: (c.order, c.name)))
        return list(menu)


def role_allows(role: str, allowed_roles: frozenset[str]) -> bool:
    """Tell whether a role may use something open to `allowed_roles` (admins may use all)."""
    return allowed({role}, allowed_roles)


def parse_command(text: str) -> tuple[str, str] | None:
    """Split `/name arg…` into (name, arg); None when text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, arg = text[1:].partition(" ")
    name = head.split("@", 1)[0].casefold()
    return name, arg.strip()


@functools.lru_cache(maxsize=4096)
def _menu_words(text: str) -> str:
    """Fold a label or an answer to plain words: "Tham gia: ghi…" → "tham gia ghi…".

    Remembered: the same menu labels are folded again for every answer typed under them.
    """
    return " ".join(fold_words(text))


def match_menu(text: str, menu: list[list[str]]) -> str | None:
    """Return the payload a typed answer picks from the last menu (number or words)."""
    if not menu or not text:
        return None
    cleaned = text.strip().rstrip(".)")
    if cleaned.isascii() and cleaned.isdigit():  # not "²", "①": str.isdigit() takes those
        if len(cleaned) > 3:
            return None
        index = int(cleaned)
        return menu[index - 1][1] if 1 <= index <= len(menu) else None
    typed = _menu_words(text)
    if len(typed) < 2:
        return None
    labels = [(_menu_words(label), payload) for label, payload in menu]
    exact = [payload for label, payload in labels if label == typed]
    if len(exact) == 1:
        return exact[0]
    prefixed = [payload for label, payload in labels
                if label.startswith(typed + " ") and len(typed) >= 3]
    return prefixed[0] if len(prefixed) == 1 else None


class StateMoved(Exception):
    """The chat's stored state changed while a message was handled: handle it again."""


class Dispatcher:
    """Handles incoming messages one chat at a time, in one transaction each."""

    def __init__(self, router: Router, services: Services,
                 sessions: async_sessionmaker[AsyncSession]) -> None:
        self.router = router
        self.services = services
        self.sessions = sessions
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.taps = DoubleTaps()
        self._waiting: dict[tuple[str, str], int] = {}
        settings = services.settings
        if services.rate_limiter is None:
            services.rate_limiter = RateLimiter(
                settings.rate_limit_messages,
                timedelta(seconds=settings.rate_limit_window_seconds))
        self.limiter: RateLimiter = services.rate_limiter
        self.caps = Caps(settings.max_message_length, settings.max_photos_per_message,
                         settings.max_upload_bytes)
        self._admins = settings.admin_accounts()
        # Messages are first handled as reads (storage.db.read_first): on SQLite without
        # the single writer, on PostgreSQL without the chat's lock, in autocommit (one
        # round trip); their small writes are committed together (group commit).
        self._read_first = reads_first(sessions)
        self._read_sessions = read_sessions(sessions)
        # The read of every message (account, person, grants, chat state) and the shared
        # writes, straight on the driver (storage.people_driver).
        bind = sessions.kw.get("bind")
        self._driver = (PeopleDriver.for_engine(bind)
                        if self._read_first and bind is not None else None)
        self._writes = SmallWrites(sessions, self._driver)

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Process one message and return the replies; messages of one chat run in order."""
        verdict = self.limiter.check((msg.channel, msg.user_id), self.services.clock.now())
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.WARN:
            logger.info("rate limit: messages from one %s account dropped", msg.channel)
            return [Reply(self.services.messages.t("limits.slow_down"))]
        refusal = self.caps.check(msg)
        if refusal is not None:
            logger.info("message refused before handling: %s", refusal.value)
            return [Reply(self.services.messages.t(f"limits.{refusal.value}",
                                                   max_text=self.caps.max_text,
                                                   max_photos=self.caps.max_photos,
                                                   max_mb=self.caps.max_photo_bytes // 1_000_000))]
        cleaned = clean_text(msg.text)
        if cleaned != msg.text:
            msg = replace(msg, text=cleaned)
        if self.taps.arrived(msg, datetime.now(UTC)):  # the answer to the first tap is the answer
            logger.info("a %s message sent twice before it was answered: once only",
                        msg.channel)
            return []
        key = (msg.channel, msg.chat_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                try:
                    return await self._handle_with_retry(msg)
                finally:
                    # Real time, as the platform's `sent_at` (not the movable clock).
                    self.taps.answered(msg, datetime.now(UTC))
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key]
                self._locks.pop(key, None)

    async def _handle_with_retry(self, msg: Incoming) -> list[Reply]:
        for attempt in range(BUSY_RETRIES + 1):
            try:
                return await self._handle_once(msg)
            except OperationalError as exc:
                if not _is_busy(exc):
                    return self._apology(exc)
                logger.warning("database busy (attempt %s)", attempt + 1)
                await asyncio.sleep(0.2 * (attempt + 1))
            except StateMoved:
                logger.info("chat state changed meanwhile: message handled again")
            except Exception as exc:
                return self._apology(exc)
        return [Reply(self.services.messages.t("error.busy"))]

    def _apology(self, exc: BaseException) -> list[Reply]:
        ref = secrets.token_hex(3).upper()
        logger.error("handler failed [ref %s]: %s", ref, type(exc).__name__, exc_info=exc)
        return [Reply(self.services.messages.t("error.unexpected", ref=ref))]

    async def _handle_once(self, msg: Incoming) -> list[Reply]:
        now = self.services.clock.now()
        # A message with files is stored (a write), and its files should be fetched once.
        if self._read_first and not msg.attachments:
            replies = await self._handle_read_first(msg, now)
            if replies is not None:
                return replies
        async with self.sessions() as session:
            # One message of a chat at a time across processes too (the asyncio lock above
            # covers this process): the state read below is the one the last message saved.
            await lock_chat(session, msg.channel, msg.chat_id)
            # SQLite: this transaction holds the writer from its start; PostgreSQL: the
            # chat's lock above. So the state comes with the person in one read, and is
            # saved if no one else (an account's erasure) changed it meanwhile.
            with inline_statements():
                ctx, touch = await self._context(session, msg, now)
                if touch:
                    await ctx.people.touch_account(ctx.account.id, msg.chat_id, now)
            replies = await self._route_and_remember(ctx)
            with inline_statements():
                saved = await ChatStateRepo(session).save_if_unchanged(ctx.state, now)
            if not saved:
                await session.rollback()
                raise StateMoved
            await session.commit()
            return replies

    async def _handle_read_first(self, msg: Incoming, now: datetime) -> list[Reply] | None:
        """Handle the message as a read (SQLite: a snapshot, without the writer;
        PostgreSQL: without the chat's lock); return None when it needs to write (then it
        is handled again the usual way).

        Most messages (a rule question, a menu) only change the chat state and, once a
        minute, the last-seen time: those are written afterwards, together with other
        messages' (bot.core.dispatcher_writes), if the chat's stored state is still the
        one read (else: handled again). A new chat's first state, or a forgotten one, gets
        its own short transaction.
        """
        found: Identity | None = None
        if self._driver is not None and (msg.channel, msg.user_id) not in self._admins:
            try:
                # One read on the driver; the session only if a handler asks for it.
                found = await self._driver.identify(msg.channel, msg.user_id, msg.chat_id)
                if found is None:
                    # A first contact: the person, account and empty state written at
                    # once (outside the read attempt: a write), then handled as any other.
                    found = await self._driver.create(msg.channel, msg.user_id, msg.chat_id,
                                                      now)
            except Exception as exc:
                if self._read_sessions is self.sessions:
                    raise
                logger.info("read attempt failed (%s): handled again in a transaction",
                            type(exc).__name__)
                return None
            if found is None or found.state is None:
                return None  # created meanwhile, or a chat with a state: the usual way
        with read_first() as attempt:
            ctx: Context | None = None
            try:
                if found is not None and found.state is not None:
                    touch = found.needs_touch(msg.chat_id, now)
                    ctx = Context(msg, found.person, found.account, found.state, self.services,
                                  found.grants, opener=self._read_sessions)
                    replies = await self._route_and_remember(ctx)
                    await self._flush_read(ctx.opened)
                else:
                    async with self._read_sessions() as session:  # its end rolls back
                        with inline_statements():
                            ctx, touch = await self._context(session, msg, now, reading=True)
                        replies = await self._route_and_remember(ctx)
                        await self._flush_read(session)
            except NeedsWrite:
                return None
            except Exception as exc:
                if attempt.wanted_write:
                    return None
                if self._read_sessions is not self.sessions:
                    # PostgreSQL reads outside a transaction, where a few things fail (a
                    # server-side cursor: a streamed export): done again in one.
                    logger.info("read attempt failed (%s): handled again in a transaction",
                                type(exc).__name__)
                    return None
                raise
            finally:
                if ctx is not None and ctx.opener is not None and ctx.opened is not None:
                    await ctx.opened.close()  # a session a handler opened: rolled back
            if attempt.wanted_write:
                return None
        state = ctx.state
        changed = state.changed()
        if not touch and not changed:
            return replies
        if not changed or (state.revision is not None and not state.forget):
            # A stored chat's new state and/or the last-seen time: written with other
            # messages' in one transaction (if the state is still the one read).
            seen = (ctx.account.id, msg.chat_id, now) if touch else None
            return replies if await self._writes.write(state if changed else None, seen,
                                                       now) else None
        async with self.sessions() as session:
            with inline_statements():
                saved = await ChatStateRepo(session).save_if_unchanged(state, now)
                if saved and touch:
                    await PeopleRepo(session).touch_account(ctx.account.id, msg.chat_id, now)
            if not saved:
                await session.rollback()
                return None
            await session.commit()
        return replies

    @staticmethod
    async def _flush_read(session: AsyncSession | None) -> None:
        """Flush an ORM change a read attempt's handler left unflushed: NeedsWrite."""
        if session is not None and (session.new or session.dirty or session.deleted):
            await session.flush()

    async def _route_and_remember(self, ctx: Context) -> list[Reply]:
        # Every catalog text of this message speaks to the person by their word.
        with addressing(ctx.person.address if ctx.person.is_registered else None):
            replies = await self.route(ctx)
        replies = [r for r in replies if r.text.strip() or r.attachments]
        self._remember_menu(ctx.state, replies)
        return replies

    async def _context(self, session: AsyncSession, msg: Incoming, now: datetime, *,
                       reading: bool = False) -> tuple[Context, bool]:
        """Return the message's context, and whether the account's last-seen time (or
        chat) is to be written. The chat's state is read with the person, in one
        statement, its row not locked (save it with `save_if_unchanged`). `reading`: a
        read-first attempt, which a new account's creation ends at once (NeedsWrite)."""
        people = PeopleRepo(session)
        found = await people.identify(msg.channel, msg.user_id, msg.chat_id)
        touch = False
        state = None
        if found is not None and (msg.channel, msg.user_id) not in self._admins:
            person, account, grants = found.person, found.account, found.grants
            touch = found.needs_touch(msg.chat_id, now)
            state = found.state
        elif found is None and reading:
            raise NeedsWrite("a new account")
        else:
            person, account, grants = await resolve_identity(
                people, self.services.settings, msg.channel, msg.user_id, msg.chat_id, now,
                found=found)
        if state is None:
            state = await ChatStateRepo(session).load(msg.channel, msg.chat_id)
        return Context(msg, person, account, state, self.services, grants, session), touch

    @staticmethod
    def _remember_menu(state: ChatState, replies: list[Reply]) -> None:
        with_choices = [r for r in replies if r.choices]
        if with_choices:
            state.menu = [[c.label, c.payload] for c in with_choices[-1].flat_choices()]
        elif replies:
            state.menu = []

    async def route(self, ctx: Context) -> list[Reply]:
        """Decide who answers: global command, choice, form step, command, free text."""
        text = ctx.text
        command = parse_command(text) if ctx.msg.choice is None else None
        if command and command[0] in self.router.commands:
            spec = self.router.commands[command[0]]
            if spec.is_global:
                return await self._run_command(ctx, spec)
        choice = ctx.msg.choice
        if choice is not None and not valid_payload(choice):
            logger.warning("malformed choice payload refused (%s bytes)", len(choice.encode()))
            return [ctx.main_menu(ctx.t("error.stale_choice"))]
        if choice is not None and choice not in {payload for _, payload in ctx.state.menu}:
            # An old button, or a forged one: handlers validate it; the log keeps a trace.
            logger.info("pressed choice not from the last menu (prefix %r)",
                        choice.split(":", 1)[0][:16])
        if choice is None and command is None:
            choice = match_menu(text, ctx.state.menu)
        if choice is not None:
            return await self._run_choice(ctx, choice)
        kind = conversation_kind(text) if text else None  # small talk, read once
        if self.router.forms.active(ctx) is not None:
            refused = self._form_refused(ctx)
            if refused:
                return refused
            # "menu", "hướng dẫn", "huỷ" typed in words leave the form as their commands do.
            exit_command = self.router.commands.get(_FORM_EXITS.get(kind or "", ""))
            if exit_command is not None and command is None:
                return await self._run_command(ctx, exit_command)
            if self._form_in_focus(ctx.state.menu):
                return await self.router.forms.handle(ctx, None)
            # The person left the form for another screen (it stays open to resume from the
            # menu): what they type now belongs to that screen, not to the form's step.
        if command is not None:
            spec_or_none = self.router.commands.get(command[0])
            if spec_or_none is None:
                return [ctx.main_menu(ctx.t("error.unknown_command",
                                                  command="/" + command[0]))]
            return await self._run_command(ctx, spec_or_none)
        if not text and self._closed_screen(ctx.state.menu):
            return [self._screen_help(ctx, text)]
        if not text:
            if self.router.non_text is not None:
                return await self.router.non_text(ctx)
            return [ctx.main_menu(ctx.t("error.not_text"))]
        found: list[Reply] | None = None
        if (self._closed_screen(ctx.state.menu) and kind in (None, "ack")
                and not looks_like_question(text)):
            # Not read as a question: answered only when the plans answer it (searched once).
            found = await self.router.found(ctx) if self.router.found is not None else None
            if found is None:
                return [self._screen_help(ctx, text)]
        small_talk = await self._small_talk(ctx, text, kind)
        if small_talk is not None:
            return small_talk
        if found is not None:
            return found
        if self.router.fallback is None:
            return [ctx.main_menu(ctx.t("error.no_answer"))]
        return await self.router.fallback(ctx)

    @staticmethod
    def _form_in_focus(menu: list[list[str]]) -> bool:
        """Tell whether the last screen was the form's own step (its choices, or none)."""
        return not menu or any(payload.startswith(FORM_PREFIX) for _, payload in menu)

    def _closed_screen(self, menu: list[list[str]]) -> bool:
        """Tell whether the last screen offered a feature's choices (not the main menu)."""
        return any(payload.split(":", 1)[0] not in self.router.open_prefixes
                   for _, payload in menu)

    @staticmethod
    def _screen_help(ctx: Context, text: str) -> Reply:
        """Answer text a screen with choices did not expect: the same choices again."""
        cleaned = text.strip().rstrip(".)")
        if not cleaned:
            intro = ctx.t("error.not_text_screen")
        elif cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 3:
            intro = ctx.t("error.not_on_screen", number=cleaned)
        else:
            intro = ctx.t("error.pick_from_screen")
        return Reply(intro, [[Choice(label, payload)] for label, payload in ctx.state.menu])

    async def _small_talk(self, ctx: Context, text: str, kind: str | None
                          ) -> list[Reply] | None:
        """Answer greetings, thanks, "menu", "hướng dẫn", "vâng" and a number that is not on
        the last menu with the welcome, the menu or help: they are not questions (`kind`: the
        message's `conversation_kind`)."""
        cleaned = text.strip().rstrip(".)")
        if cleaned.isdigit() and len(cleaned) <= 3:
            key = "rules.chat.not_on_menu" if ctx.state.menu else "rules.chat.no_list"
            return [ctx.main_menu(ctx.t(key, number=cleaned))]
        if personal_data_only(text):
            # A phone or card number or an email sent out of any form: not a question, and
            # not kept: the person is told where their profile is.
            return [ctx.main_menu(ctx.t("rules.chat.personal_data"))]
        if kind is None:
            return None
        if kind == "greeting":
            return [ctx.main_menu(ctx.t("welcome"))]
        if kind == "thanks":
            return [ctx.main_menu(ctx.t("rules.chat.thanks"))]
        named = self.router.commands.get(_FORM_EXITS.get(kind, ""))
        if kind in ("help", "cancel") and named is not None:
            return await self._run_command(ctx, named)
        return [ctx.main_menu()]

    async def _run_command(self, ctx: Context, spec: Command) -> list[Reply]:
        if not ctx.may(spec.roles):
            logger.info("command refused by role check: /%s", spec.name)
            return [ctx.main_menu(ctx.t("error.not_allowed", command="/" + spec.name))]
        return await spec.handler(ctx)

    def _form_refused(self, ctx: Context) -> list[Reply] | None:
        """Stop a form the person may no longer be in (e.g. their role was revoked)."""
        form = self.router.forms.active(ctx)
        if form is None or form.roles is None or ctx.may(form.roles):
            return None
        logger.info("form stopped by role check: %s", form.name)
        ctx.state.clear_form()
        return [ctx.main_menu(ctx.t("error.not_allowed", command=ctx.t(form.title)))]

    async def _run_choice(self, ctx: Context, payload: str) -> list[Reply]:
        forms = self.router.forms
        if payload.startswith(FORM_PREFIX):
            if forms.active(ctx) is not None:
                return self._form_refused(ctx) or await forms.handle(ctx, payload)
            return [ctx.main_menu(ctx.t("error.stale_choice"))]
        if payload == RESUME and forms.active(ctx) is not None:
            return self._form_refused(ctx) or [await forms.prompt(ctx)]
        if payload.startswith(COMMAND_PAYLOAD):
            spec = self.router.commands.get(payload[len(COMMAND_PAYLOAD):])
            if spec is not None:
                return await self._run_command(ctx, spec)
        action = self.router.action_for(payload)
        if action is not None:
            cls, run, roles = action
            parsed = cls.parse(payload)
            if parsed is None:
                logger.info("unreadable payload ignored (prefix %r)", cls.PREFIX[:16])
                return [ctx.main_menu(ctx.t("error.stale_choice"))]
            if not ctx.access.may(roles):
                logger.warning("choice refused by role check (prefix %r)", cls.PREFIX[:16])
                return [ctx.main_menu(ctx.t("error.not_allowed_choice"))]
            return await run(ctx, parsed)
        prefix = payload.split(":", 1)[0]
        handler = self.router.choices.get(prefix)
        if handler is not None:
            if not ctx.may(self.router.choice_roles.get(prefix, ROLES)):
                logger.warning("choice refused by role check (prefix %r)", prefix)
                return [ctx.main_menu(ctx.t("error.not_allowed_choice"))]
            return await handler(ctx, payload)
        logger.info("unknown choice payload ignored (prefix %r)", prefix[:16])
        return [ctx.main_menu(ctx.t("error.stale_choice"))]


async def resolve_account(people: PeopleRepo, settings: Settings, channel: str, user_id: str,
                          chat_id: str, now: datetime) -> tuple[Person, Account]:
    """Find or create the person behind a channel user; ADMIN_IDS accounts become admins."""
    person, account, _grants = await resolve_identity(people, settings, channel, user_id,
                                                      chat_id, now)
    return person, account


async def resolve_identity(people: PeopleRepo, settings: Settings, channel: str, user_id: str,
                           chat_id: str, now: datetime, *,
                           found: Identity | Literal[False] | None = False
                           ) -> tuple[Person, Account, tuple[Grant, ...]]:
    """Find or create the person behind a channel user, with their grants in force.

    One read for a known account; its last-seen time is written at most once a minute
    (a new chat id, or a chat that had blocked the bot, is written at once). ADMIN_IDS
    accounts become admins. `found`: the account's identity when already read (None: no
    account), not read again.
    """
    if found is False:
        found = await people.identify(channel, user_id)
    grants: tuple[Grant, ...] = ()
    if found is None:
        person, account = await people.create_with_account(channel, user_id, chat_id, now)
    else:
        person, account, grants = found.person, found.account, found.grants
        if found.needs_touch(chat_id, now):
            await people.touch_account(account.id, chat_id, now)
    if (channel, user_id) in settings.admin_accounts() and person.role != "admin":
        repo = GrantRepo(people.session)
        await repo.bootstrap_admin(person.id, now)
        person = await people.get(person.id)
        grants = tuple(await repo.active_for(person.id))
    return person, account, grants


def _is_busy(exc: OperationalError) -> bool:
    message = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in message or "busy" in message
