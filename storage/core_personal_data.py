"""The personal-data sections of the core tables: profile, accounts, chat states, consents,
link codes, role grants, invites and the audit log (registered by the privacy feature)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.access import GrantRepo, InviteRepo
from storage.audit import AuditFilter, AuditRepo
from storage.files import StoredFilesSection
from storage.models import (
    ChannelAccountRow,
    ChatStateRow,
    ConsentRow,
    LinkCodeRow,
    PersonRow,
)
from storage.people import ConsentRepo
from storage.personal_data import PersonalDataRegistry, PersonalDataSection, Record


class ProfileSection:
    """Name, birth year, unit and role of the person."""

    key = "profile"
    purposes = frozenset({"profile"})

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the profile."""
        row = await session.get(PersonRow, person_id)
        if row is None:
            return []
        return [{"person_id": row.id, "full_name": row.full_name, "birth_year": row.birth_year,
                 "unit_code": row.unit_code, "address": row.address, "role": row.role,
                 "registered_at": row.registered_at, "created_at": row.created_at}]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Empty the profile fields (the person may register again)."""
        await session.execute(
            update(PersonRow).where(PersonRow.id == person_id)
            .values(full_name=None, birth_year=None, unit_code=None, current_campaign=None,
                    address=None,
                    registered_at=None, updated_at=now))


class ChannelAccountsSection:
    """The Zalo, Telegram or console accounts the person writes from."""

    key = "channel_accounts"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the accounts."""
        rows = await session.scalars(select(ChannelAccountRow)
                                     .where(ChannelAccountRow.person_id == person_id)
                                     .order_by(ChannelAccountRow.id))
        return [{"channel": r.channel, "external_id": r.external_id, "chat_id": r.chat_id,
                 "created_at": r.created_at, "last_seen_at": r.last_seen_at,
                 "blocked_at": r.blocked_at} for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Unlink every account: the same user writing again starts as someone new."""
        await session.execute(delete(ChannelAccountRow)
                              .where(ChannelAccountRow.person_id == person_id))


async def _chat_keys(session: AsyncSession, person_id: int) -> list[tuple[str, str]]:
    rows = await session.execute(select(ChannelAccountRow.channel, ChannelAccountRow.external_id,
                                        ChannelAccountRow.chat_id)
                                 .where(ChannelAccountRow.person_id == person_id))
    keys: set[tuple[str, str]] = set()
    for channel, external_id, chat_id in rows.all():
        keys.add((channel, external_id))
        if chat_id:
            keys.add((channel, chat_id))
    return sorted(keys)


class ChatStatesSection:
    """Unfinished forms (what was typed so far) in the person's chats."""

    key = "chat_states"
    purposes = frozenset({"profile"})

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the chats' unfinished forms."""
        keys = await _chat_keys(session, person_id)
        if not keys:
            return []
        rows = await session.scalars(select(ChatStateRow).where(
            tuple_(ChatStateRow.channel, ChatStateRow.chat_id).in_(keys)))
        return [{"channel": r.channel, "flow": r.flow, "step": r.step,
                 "data": {k: v for k, v in (r.data or {}).items() if not k.startswith("_")},
                 "start_payload": r.start_payload}
                for r in rows if r.flow or r.start_payload]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Forget the chats' state."""
        keys = await _chat_keys(session, person_id)
        if keys:
            await session.execute(delete(ChatStateRow).where(
                tuple_(ChatStateRow.channel, ChatStateRow.chat_id).in_(keys)))


class ConsentsSection:
    """Consent decisions with policy version and dates."""

    key = "consents"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return every decision."""
        return [{"purpose": c.purpose, "granted": c.granted, "policy_version": c.policy_version,
                 "channel": c.channel, "decided_at": c.decided_at,
                 "withdrawn_at": c.withdrawn_at}
                for c in await ConsentRepo(session).history(person_id)]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Drop the decisions (nothing is processed for a deleted account any more)."""
        await session.execute(delete(ConsentRow).where(ConsentRow.person_id == person_id))


class LinkCodesSection:
    """Unused codes for linking another channel account."""

    key = "link_codes"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return when codes were made and expire (not the codes: they are credentials)."""
        rows = await session.scalars(select(LinkCodeRow).where(LinkCodeRow.person_id == person_id))
        return [{"created_at": r.created_at, "expires_at": r.expires_at} for r in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Drop the codes."""
        await session.execute(delete(LinkCodeRow).where(LinkCodeRow.person_id == person_id))


class RoleGrantsSection:
    """Roles the person holds or held (liaison, reviewer, admin) and for which unit."""

    key = "role_grants"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return every grant."""
        return [{"role": g.role, "unit_code": g.unit_code, "granted_at": g.granted_at,
                 "granted_by": g.granted_by, "revoked_at": g.revoked_at}
                for g in await GrantRepo(session).history_for(person_id)]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """End the grants in force; the history stays, tied to the anonymous shell."""
        await GrantRepo(session).revoke_all(person_id, now, revoked_by=person_id,
                                            reason="account deleted")


class InvitesSection:
    """Invite codes the person created or used."""

    key = "role_invites"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the invites."""
        return [{"role": i.role, "unit_code": i.unit_code, "created_at": i.created_at,
                 "expires_at": i.expires_at, "used_at": i.used_at,
                 "created_by_me": i.created_by == person_id,
                 "used_by_me": i.used_by == person_id}
                for i in await InviteRepo(session).related_to(person_id)]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Cancel the person's unused invites."""
        await InviteRepo(session).cancel_pending_of(person_id, now)


class AuditSection:
    """Audit lines about the person or by them (ids only, so nothing to erase)."""

    key = "audit"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the audit lines that mention the person."""
        entries = await AuditRepo(session).search(AuditFilter(person_id=person_id, limit=500))
        return [{"at": e.at, "action": e.action,
                 "by_me": e.actor_id == person_id,
                 "target": f"{e.target_type}:{e.target_id}" if e.target_type else None,
                 "changes": e.changes}
                for e in reversed(entries)]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the lines: they hold ids and fields, never personal values (append-only)."""


def core_sections() -> list[tuple[PersonalDataSection, bool]]:
    """Return the sections of the core tables, each with its `last` flag."""
    return [(ChatStatesSection(), False), (LinkCodesSection(), False),
            (RoleGrantsSection(), False), (InvitesSection(), False), (AuditSection(), False),
            (StoredFilesSection(), False),
            (ConsentsSection(), True), (ChannelAccountsSection(), True),
            (ProfileSection(), True)]


def register_core_sections(registry: PersonalDataRegistry) -> None:
    """Add the core sections to a registry."""
    for section, last in core_sections():
        registry.add(section, last=last)
