"""Repositories: take a session, return plain dataclasses; the caller commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import Grant
from storage.models import (
    ChannelAccountRow,
    ChatStateRow,
    ConsentRow,
    LinkCodeRow,
    PersonRow,
    RoleGrantRow,
)
from storage.rows import changed

# How often a message records the account's last-seen time (it also records a new chat or
# the end of a block at once).
SEEN_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Person:
    """A person's profile."""

    id: int
    full_name: str | None
    birth_year: int | None
    unit_code: str | None
    role: str
    current_campaign: str | None
    registered_at: datetime | None
    # The word the bot calls the person by (content.address.WORDS), None until chosen.
    address: str | None = None

    @property
    def is_registered(self) -> bool:
        """Tell whether the person finished registration."""
        return self.registered_at is not None


@dataclass(frozen=True, slots=True)
class Account:
    """A channel account of a person."""

    id: int
    person_id: int
    channel: str
    external_id: str
    chat_id: str | None
    blocked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Consent:
    """One consent decision."""

    id: int
    person_id: int
    purpose: str
    granted: bool
    policy_version: str
    channel: str
    decided_at: datetime
    withdrawn_at: datetime | None

    @property
    def active(self) -> bool:
        """Tell whether this consent currently allows processing."""
        return self.granted and self.withdrawn_at is None


@dataclass(slots=True)
class ChatState:
    """What a chat is doing: active form (flow, step, data) and the last menu shown."""

    channel: str
    chat_id: str
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    menu: list[list[str]] = field(default_factory=list)
    start_payload: str | None = None
    forget: bool = False  # set when the chat's person was deleted: the state is not saved
    # What the store holds (None: nothing yet), so an unchanged state is not written again.
    loaded: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)
    # The stored row's revision when read (None: no row), for a save conditional on it.
    revision: int | None = field(default=None, repr=False, compare=False)

    def clear_form(self) -> None:
        """Forget the active form."""
        self.flow = None
        self.step = None
        self.data = {}

    def changed(self) -> bool:
        """Tell whether saving would write anything (a new, changed or forgotten state)."""
        return self.forget or _snapshot(self) != self.loaded


@dataclass(frozen=True, slots=True)
class Identity:
    """Who sent a message: their account, person and grants in force, read in one go."""

    account: Account
    person: Person
    grants: tuple[Grant, ...]
    last_seen_at: datetime | None
    # The chat's state, when asked for in the same read (`identify(..., chat_id=…)`).
    state: ChatState | None = None

    def needs_touch(self, chat_id: str, now: datetime) -> bool:
        """Tell whether the account's chat, block or last-seen time should be written."""
        return (self.account.chat_id != chat_id or self.account.blocked_at is not None
                or self.last_seen_at is None or now - self.last_seen_at >= SEEN_EVERY)


_accounts = ChannelAccountRow.__table__
_persons = PersonRow.__table__
_grants = RoleGrantRow.__table__
_states = cast(Table, ChatStateRow.__table__)
_STATE_COLUMNS = (_states.c.flow, _states.c.step, _states.c.data, _states.c.menu,
                  _states.c.start_payload, _states.c.revision)
# The hot path's one read: a Core statement (compiled once, cached by SQLAlchemy) joining
# the account, its person and their grants in force (one row per grant, or one without).
_IDENTIFY = (
    select(_accounts.c.id, _accounts.c.person_id, _accounts.c.channel,
           _accounts.c.external_id, _accounts.c.chat_id, _accounts.c.blocked_at,
           _accounts.c.last_seen_at,
           _persons.c.full_name, _persons.c.birth_year, _persons.c.unit_code, _persons.c.role,
           _persons.c.current_campaign, _persons.c.registered_at, _persons.c.address,
           _grants.c.id.label("grant_id"), _grants.c.role.label("grant_role"),
           _grants.c.unit_code.label("grant_unit"), _grants.c.granted_by,
           _grants.c.granted_at)
    .select_from(_accounts.join(_persons, _persons.c.id == _accounts.c.person_id)
                 .outerjoin(_grants, and_(_grants.c.person_id == _persons.c.id,
                                          _grants.c.revoked_at.is_(None))))
    .where(_accounts.c.channel == bindparam("channel"),
           _accounts.c.external_id == bindparam("external_id"))
    .order_by(_grants.c.id)
)
_TOUCH = (update(cast(Table, _accounts)).where(_accounts.c.id == bindparam("account_id"))
          .values(last_seen_at=bindparam("seen"), chat_id=bindparam("chat"), blocked_at=None))
# The same read with the chat's state (no row lock: for reads without the writer, SQLite).
_IDENTIFY_WITH_STATE = (
    _IDENTIFY.add_columns(*_STATE_COLUMNS, _states.c.chat_id.label("state_chat"))
    .outerjoin(_states, and_(_states.c.channel == _accounts.c.channel,
                             _states.c.chat_id == bindparam("chat_id")))
)


_PERSON_INSERT = (insert(cast(Table, _persons))
                  .values(role=bindparam("role"), created_at=bindparam("now"),
                          updated_at=bindparam("now"))
                  .returning(_persons.c.id))
_ACCOUNT_INSERT = (insert(cast(Table, _accounts))
                   .values(person_id=bindparam("person_id"), channel=bindparam("channel"),
                           external_id=bindparam("external_id"), chat_id=bindparam("chat_id"),
                           created_at=bindparam("now"), last_seen_at=bindparam("now"))
                   .returning(_accounts.c.id))


def _person(row: PersonRow) -> Person:
    return Person(row.id, row.full_name, row.birth_year, row.unit_code, row.role,
                  row.current_campaign, row.registered_at, row.address)


def _account(row: ChannelAccountRow) -> Account:
    return Account(row.id, row.person_id, row.channel, row.external_id, row.chat_id,
                   row.blocked_at)


def _consent(row: ConsentRow) -> Consent:
    return Consent(row.id, row.person_id, row.purpose, row.granted, row.policy_version,
                   row.channel, row.decided_at, row.withdrawn_at)


class PeopleRepo:
    """People and their channel accounts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def account(self, channel: str, external_id: str) -> Account | None:
        """Return the account for a channel user id, if known."""
        row = await self.session.scalar(
            select(ChannelAccountRow).where(
                ChannelAccountRow.channel == channel, ChannelAccountRow.external_id == external_id
            )
        )
        return _account(row) if row else None

    async def identify(self, channel: str, external_id: str,
                       chat_id: str | None = None) -> Identity | None:
        """Return the account for a channel user id with its person and grants, if known;
        with `chat_id`, the chat's state too, in the same read (its row is not locked)."""
        if chat_id is None:
            result = await self.session.execute(_IDENTIFY, {"channel": channel,
                                                            "external_id": external_id})
        else:
            result = await self.session.execute(_IDENTIFY_WITH_STATE, {
                "channel": channel, "external_id": external_id, "chat_id": chat_id})
        rows = result.all()
        if not rows:
            return None
        first = rows[0]
        state = None
        if chat_id is not None:
            state = _state_of(channel, chat_id, first if first.state_chat is not None else None)
        account = Account(first.id, first.person_id, first.channel, first.external_id,
                          first.chat_id, first.blocked_at)
        person = Person(first.person_id, first.full_name, first.birth_year, first.unit_code,
                        first.role, first.current_campaign, first.registered_at,
                        first.address)
        grants = tuple(Grant(r.grant_id, first.person_id, r.grant_role, r.grant_unit,
                             r.granted_by, r.granted_at, None)
                       for r in rows if r.grant_id is not None)
        return Identity(account, person, grants, first.last_seen_at, state)

    async def create_with_account(
        self, channel: str, external_id: str, chat_id: str, now: datetime, role: str = "resident"
    ) -> tuple[Person, Account]:
        """Create an empty person and their first channel account (two Core INSERTs: the
        first message of every new person runs this)."""
        person_id = (await self.session.execute(
            _PERSON_INSERT, {"role": role, "now": now})).scalar_one()
        account_id = (await self.session.execute(_ACCOUNT_INSERT, {
            "person_id": person_id, "channel": channel, "external_id": external_id,
            "chat_id": chat_id, "now": now})).scalar_one()
        return (Person(person_id, None, None, None, role, None, None, None),
                Account(account_id, person_id, channel, external_id, chat_id, None))

    async def touch_account(self, account_id: int, chat_id: str, now: datetime) -> None:
        """Record that the account was seen now, in this chat (and is not blocked)."""
        await self.session.execute(_TOUCH, {"account_id": account_id, "seen": now,
                                            "chat": chat_id})

    async def touch_accounts(self, touches: list[tuple[int, str, datetime]]) -> None:
        """Record several accounts as seen (account id, chat id, when), in one statement."""
        if touches:
            await self.session.execute(_TOUCH, [{"account_id": account_id, "seen": seen,
                                                 "chat": chat_id}
                                                for account_id, chat_id, seen in touches])

    async def mark_blocked(self, channel: str, external_id: str, now: datetime) -> bool:
        """Mark an account as having blocked the bot; tell whether it was known."""
        result = await self.session.execute(
            update(ChannelAccountRow)
            .where(ChannelAccountRow.channel == channel,
                   ChannelAccountRow.external_id == external_id)
            .values(blocked_at=now)
        )
        return changed(result) > 0

    async def get(self, person_id: int) -> Person:
        """Return a person by id."""
        row = await self.session.get_one(PersonRow, person_id)
        return _person(row)

    async def find(self, person_id: int) -> Person | None:
        """Return a person by id, or None when there is none or their account was deleted."""
        row = await self.session.get(PersonRow, person_id)
        return None if row is None or row.deleted_at is not None else _person(row)

    async def addresses(self, person_ids: Iterable[int]) -> dict[int, str]:
        """Return the address word chosen by each of these registered people (others:
        absent, they are called "bạn")."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            select(PersonRow.id, PersonRow.address).where(
                PersonRow.id.in_(ids), PersonRow.address.is_not(None),
                PersonRow.registered_at.is_not(None)))
        return {person_id: word for person_id, word in rows if word}

    async def accounts_of(self, person_id: int) -> list[Account]:
        """Return every channel account of a person."""
        rows = await self.session.scalars(
            select(ChannelAccountRow).where(ChannelAccountRow.person_id == person_id)
            .order_by(ChannelAccountRow.id)
        )
        return [_account(r) for r in rows]

    async def update_profile(self, person_id: int, now: datetime, **fields: Any) -> Person:
        """Change profile fields (full_name, birth_year, unit_code, current_campaign…).

        Roles are not profile fields: they change only through GrantRepo, which audits.
        """
        allowed = {"full_name", "birth_year", "unit_code", "current_campaign", "registered_at",
                   "address"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown profile fields: {sorted(unknown)}")
        row = await self.session.get_one(PersonRow, person_id)
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
        await self.session.flush()
        return _person(row)


@dataclass(frozen=True, slots=True)
class PeopleStats:
    """Counts for administrators."""

    people: int
    registered: int
    by_channel: dict[str, int]


async def people_stats(session: AsyncSession) -> PeopleStats:
    """Count people, registered people and accounts per channel."""
    people = await session.scalar(
        select(func.count()).select_from(PersonRow).where(PersonRow.deleted_at.is_(None))
    ) or 0
    registered = await session.scalar(
        select(func.count()).select_from(PersonRow).where(PersonRow.registered_at.is_not(None))
    ) or 0
    rows = await session.execute(
        select(ChannelAccountRow.channel, func.count()).group_by(ChannelAccountRow.channel)
        .order_by(ChannelAccountRow.channel)
    )
    return PeopleStats(people, registered, {channel: count for channel, count in rows.all()})


class ConsentRepo:
    """Consent decisions, append-only except for withdrawal."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, person_id: int, purpose: str, granted: bool, policy_version: str,
                     channel: str, decided_at: datetime) -> Consent:
        """Record one decision for one purpose."""
        row = ConsentRow(person_id=person_id, purpose=purpose, granted=granted,
                         policy_version=policy_version, channel=channel, decided_at=decided_at)
        self.session.add(row)
        await self.session.flush()
        return _consent(row)

    async def history(self, person_id: int) -> list[Consent]:
        """Return every decision of a person, oldest first."""
        rows = await self.session.scalars(
            select(ConsentRow).where(ConsentRow.person_id == person_id)
            .order_by(ConsentRow.decided_at, ConsentRow.id)
        )
        return [_consent(r) for r in rows]

    async def current(self, person_id: int) -> dict[str, Consent]:
        """Return the latest decision per purpose."""
        latest: dict[str, Consent] = {}
        for consent in await self.history(person_id):
            latest[consent.purpose] = consent
        return latest

    async def count_active(self, purpose: str) -> int:
        """Count people whose latest decision for purpose is an active yes."""
        latest = (
            select(ConsentRow.person_id, func.max(ConsentRow.id).label("last_id"))
            .where(ConsentRow.purpose == purpose).group_by(ConsentRow.person_id).subquery()
        )
        count = await self.session.scalar(
            select(func.count()).select_from(ConsentRow)
            .join(latest, ConsentRow.id == latest.c.last_id)
            .where(ConsentRow.granted.is_(True), ConsentRow.withdrawn_at.is_(None))
        )
        return count or 0

    async def withdraw(self, person_id: int, purpose: str, now: datetime) -> bool:
        """Withdraw the active consent for purpose; tell whether there was one."""
        consent = (await self.current(person_id)).get(purpose)
        if consent is None or not consent.active:
            return False
        await self.session.execute(
            update(ConsentRow).where(ConsentRow.id == consent.id).values(withdrawn_at=now))
        return True

    async def has(self, person_id: int, purpose: str) -> bool:
        """Tell whether the person's latest decision for purpose is an active yes."""
        consent = (await self.current(person_id)).get(purpose)
        return consent is not None and consent.active


_STATE_LOAD = (select(*_STATE_COLUMNS)
               .where(_states.c.channel == bindparam("channel"),
                      _states.c.chat_id == bindparam("chat_id"))
               .with_for_update())
_STATE_KEY = and_(_states.c.channel == bindparam("key_channel"),
                  _states.c.chat_id == bindparam("key_chat_id"))
_STATE_VALUES: dict[str, Any] = {name: bindparam(name) for name in
                 ("flow", "step", "data", "menu", "start_payload", "updated_at")}
# Statements built once: their compiled form is cached, no per-message construction.
_STATE_UPDATE = (update(_states).where(_STATE_KEY)
                 .values(**_STATE_VALUES, revision=_states.c.revision + 1))
_STATE_UPDATE_IF = (update(_states).where(_STATE_KEY,
                                          _states.c.revision == bindparam("old_revision"))
                    .values(**_STATE_VALUES, revision=bindparam("new_revision")))
_STATE_INSERT = insert(_states).values(channel=bindparam("key_channel"),
                                       chat_id=bindparam("key_chat_id"), revision=0,
                                       **_STATE_VALUES)
_STATE_DELETE = delete(_states).where(_STATE_KEY)


def _state_of(channel: str, chat_id: str, row: Any) -> ChatState:
    """Return the state a stored row holds (an empty one for no row)."""
    if row is None:
        return ChatState(channel, chat_id)
    state = ChatState(channel, chat_id, row.flow, row.step, dict(row.data or {}),
                      [list(m) for m in row.menu or []], row.start_payload)
    state.loaded = _snapshot(state)
    state.revision = row.revision
    return state


class ChatStateRepo:
    """Per-chat conversation state (Core statements: this runs for every message)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, channel: str, chat_id: str) -> ChatState:
        """Return the chat's state (an empty one if none was saved), its row locked until the
        transaction ends (PostgreSQL; SQLite's write lock covers the whole transaction)."""
        result = await self.session.execute(_STATE_LOAD, {"channel": channel,
                                                          "chat_id": chat_id})
        return _state_of(channel, chat_id, result.first())

    @staticmethod
    def _params(state: ChatState, now: datetime) -> dict[str, Any]:
        return {"key_channel": state.channel, "key_chat_id": state.chat_id,
                "flow": state.flow, "step": state.step, "data": dict(state.data),
                "menu": [list(m) for m in state.menu], "start_payload": state.start_payload,
                "updated_at": now}

    async def save(self, state: ChatState, now: datetime) -> None:
        """Store the chat's state when it changed (or remove it when the chat is to be
        forgotten)."""
        if state.forget:
            await self.session.execute(_STATE_DELETE, {"key_channel": state.channel,
                                                       "key_chat_id": state.chat_id})
            return
        snapshot = _snapshot(state)
        if snapshot == state.loaded:
            return
        params = self._params(state, now)
        result = await self.session.execute(_STATE_UPDATE, params)
        if changed(result):
            state.revision = None if state.revision is None else state.revision + 1
        else:
            await self.session.execute(_STATE_INSERT, params)
            state.revision = 0
        state.loaded = snapshot

    async def save_if_unchanged(self, state: ChatState, now: datetime) -> bool:
        """Store the state only if the stored one is still the one it was read from; tell
        whether it was (False: another process changed the chat meanwhile, nothing written).

        One conditional UPDATE on the row's revision (or an INSERT when there is no row,
        which fails if another one was stored meanwhile: after an IntegrityError, roll the
        transaction back); a state that did not change is not written and needs no check; a
        state to forget is deleted, whatever is stored.
        """
        if state.forget:  # the chat's person is erased: whatever is stored goes
            await self.save(state, now)
            return True
        snapshot = _snapshot(state)
        if snapshot == state.loaded:
            return True
        params = self._params(state, now)
        updated = False
        if state.revision is not None:
            result = await self.session.execute(
                _STATE_UPDATE_IF, {**params, "old_revision": state.revision,
                                   "new_revision": state.revision + 1})
            updated = changed(result) == 1
        if updated:
            state.revision = cast(int, state.revision) + 1
        else:
            # No row, or none at the revision read: stored as new if there is no row (it
            # was erased, e.g. by this very transaction withdrawing the person's profile).
            try:
                await self.session.execute(_STATE_INSERT, params)
            except IntegrityError:
                return False
            state.revision = 0
        state.loaded = snapshot
        return True

    async def save_all_if_unchanged(self, states: list[ChatState], now: datetime
                                    ) -> list[bool]:
        """Store several chats' states, each only if its stored row is still at the
        revision it was read at; tell for each whether it was stored.

        States of stored rows only (a revision), none to forget. One statement for all
        of them when none moved on (the usual case); else (or where the driver cannot count
        a statement's rows per parameter set: asyncpg) each is tried on its own, in this same
        transaction (a savepoint undoes the statement for all).
        """
        todo = [(state, _snapshot(state)) for state in states]
        modified = [(state, snapshot) for state, snapshot in todo if snapshot != state.loaded]
        if any(state.forget for state in states) or any(
                state.revision is None for state, _ in modified):
            raise ValueError("only stored states, none to forget, are saved together")
        params = [{**self._params(state, now), "old_revision": state.revision,
                   "new_revision": cast(int, state.revision) + 1} for state, _ in modified]
        stored: dict[int, bool] = {}
        together = self.session.get_bind().dialect.supports_sane_multi_rowcount
        if len(params) > 1 and together:
            savepoint = await self.session.begin_nested()
            result = await self.session.execute(_STATE_UPDATE_IF, params)
            if changed(result) == len(params):
                await savepoint.commit()
                stored = {id(state): True for state, _ in modified}
            else:
                await savepoint.rollback()
        if params and not stored:
            for (state, _), one in zip(modified, params, strict=True):
                result = await self.session.execute(_STATE_UPDATE_IF, one)
                stored[id(state)] = changed(result) == 1
        for state, snapshot in modified:
            if stored[id(state)]:
                state.revision = cast(int, state.revision) + 1
                state.loaded = snapshot
        return [stored.get(id(state), True) for state in states]


def _snapshot(state: ChatState) -> tuple[Any, ...]:
    """Return what is stored of a state, to tell whether it changed."""
    # A menu is a list of [label, payload] pairs: copying each pair is enough (and several
    # times cheaper than freezing it value by value, for every message).
    return (state.flow, state.step, _frozen(state.data) if state.data else (),
            tuple(tuple(item) if isinstance(item, list) else _frozen(item)
                  for item in state.menu),
            state.start_payload)


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


class LinkRepo:
    """One-time codes that join another channel account to a person."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, person_id: int, now: datetime, ttl: timedelta) -> str:
        """Create a fresh 8-digit code for person (older codes of theirs are dropped)."""
        await self.session.execute(delete(LinkCodeRow).where(LinkCodeRow.person_id == person_id))
        code = f"{secrets.randbelow(10**8):08d}"
        self.session.add(LinkCodeRow(code=code, person_id=person_id, created_at=now,
                                     expires_at=now + ttl))
        await self.session.flush()
        return code

    async def peek(self, code: str, now: datetime) -> int | None:
        """Return the person a valid code belongs to, without using it."""
        return await self.session.scalar(
            select(LinkCodeRow.person_id).where(LinkCodeRow.code == code,
                                                LinkCodeRow.expires_at > now))

    async def consume(self, code: str, now: datetime) -> int | None:
        """Use a code once; return its person id, or None when unknown or expired.

        One conditional DELETE: of several concurrent claims exactly one removes the row.
        """
        person_id = await self.peek(code, now)
        if person_id is None:
            return None
        result = await self.session.execute(
            delete(LinkCodeRow)
            .where(LinkCodeRow.code == code, LinkCodeRow.person_id == person_id,
                   LinkCodeRow.expires_at > now)
            .execution_options(synchronize_session=False))
        if changed(result) != 1:
            return None
        return person_id

    async def move_account(self, account_id: int, person_id: int, now: datetime) -> None:
        """Attach a channel account to another person; drop its old person if left empty."""
        row = await self.session.get_one(ChannelAccountRow, account_id)
        old_person = row.person_id
        row.person_id = person_id
        row.last_seen_at = now
        await self.session.flush()
        remaining = await self.session.scalar(
            select(func.count()).select_from(ChannelAccountRow)
            .where(ChannelAccountRow.person_id == old_person))
        person = await self.session.get_one(PersonRow, old_person)
        if not remaining and person.registered_at is None:
            await self.session.delete(person)
            await self.session.flush()
