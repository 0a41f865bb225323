"""Role grants scoped to units, and one-time invite codes that hand them out."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Action, AuditRepo
from storage.models import PersonRow, RoleGrantRow, RoleInviteRow
from storage.rows import changed

# Lowest to highest; `persons.role` holds the highest role a person currently has.
ROLES = ("resident", "reviewer", "liaison", "admin")
SCOPED_ROLES = ("reviewer", "liaison")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Grant:
    """A role of a person, for a unit and everything below it (None: everywhere)."""

    id: int
    person_id: int
    role: str
    unit_code: str | None
    granted_by: int | None
    granted_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Tell whether the grant is still in force."""
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class Invite:
    """A pending or used invite (the code itself is never stored)."""

    id: int
    role: str
    unit_code: str | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None


def highest_role(roles: set[str] | frozenset[str] | list[str]) -> str:
    """Return the highest of some roles ("resident" when there are none)."""
    return max(roles, key=lambda r: ROLE_RANK.get(r, 0), default="resident")


def _grant(row: RoleGrantRow) -> Grant:
    return Grant(row.id, row.person_id, row.role, row.unit_code, row.granted_by, row.granted_at,
                 row.revoked_at)


def _invite(row: RoleInviteRow) -> Invite:
    return Invite(row.id, row.role, row.unit_code, row.created_by, row.created_at,
                  row.expires_at, row.used_by, row.used_at)


def normalise_code(typed: str) -> str:
    """Return a typed invite code without spaces or dashes, in capitals."""
    return "".join(ch for ch in typed.upper() if ch not in " -_.")


def is_code_shape(code: str) -> bool:
    """Tell whether a normalised code could be an invite code."""
    return len(code) == INVITE_LENGTH and all(ch in INVITE_ALPHABET for ch in code)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


class GrantRepo:
    """Role grants; every change is audited and keeps `persons.role` at the highest role."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.audit = AuditRepo(session)

    async def active_for(self, person_id: int) -> list[Grant]:
        """Return a person's grants in force."""
        rows = await self.session.scalars(
            select(RoleGrantRow).where(RoleGrantRow.person_id == person_id,
                                       RoleGrantRow.revoked_at.is_(None))
            .order_by(RoleGrantRow.id))
        return [_grant(r) for r in rows]

    async def history_for(self, person_id: int) -> list[Grant]:
        """Return every grant a person ever had."""
        rows = await self.session.scalars(
            select(RoleGrantRow).where(RoleGrantRow.person_id == person_id)
            .order_by(RoleGrantRow.id))
        return [_grant(r) for r in rows]

    async def get(self, grant_id: int) -> Grant | None:
        """Return a grant by id."""
        row = await self.session.get(RoleGrantRow, grant_id)
        return _grant(row) if row else None

    async def all_active(self, limit: int = 200) -> list[Grant]:
        """Return grants in force, newest first."""
        rows = await self.session.scalars(
            select(RoleGrantRow).where(RoleGrantRow.revoked_at.is_(None))
            .order_by(RoleGrantRow.id.desc()).limit(limit))
        return [_grant(r) for r in rows]

    async def grant(self, person_id: int, role: str, unit_code: str | None, now: datetime, *,
                    granted_by: int | None, reason: str) -> Grant:
        """Give a role (an identical grant in force is reused) and audit it."""
        if role not in ROLES or role == "resident":
            raise ValueError(f"not a grantable role: {role}")
        for existing in await self.active_for(person_id):
            if (existing.role, existing.unit_code) == (role, unit_code):
                return existing
        row = RoleGrantRow(person_id=person_id, role=role, unit_code=unit_code,
                           granted_by=granted_by, granted_at=now)
        self.session.add(row)
        await self.session.flush()
        await self.audit.append(Action.ROLE_GRANT, now, actor_id=granted_by,
                                target_type="person", target_id=person_id, unit_code=unit_code,
                                after={"role": role, "unit_code": unit_code, "grant": row.id},
                                reason=reason)
        await self.sync_role(person_id, now)
        return _grant(row)

    async def revoke(self, grant_id: int, now: datetime, *, revoked_by: int | None,
                     reason: str) -> Grant | None:
        """End a grant in force and audit it; None when it was not in force."""
        row = await self.session.get(RoleGrantRow, grant_id)
        if row is None or row.revoked_at is not None:
            return None
        row.revoked_at = now
        row.revoked_by = revoked_by
        await self.session.flush()
        await self.audit.append(Action.ROLE_REVOKE, now, actor_id=revoked_by,
                                target_type="person", target_id=row.person_id,
                                unit_code=row.unit_code,
                                before={"role": row.role, "unit_code": row.unit_code,
                                        "grant": row.id},
                                reason=reason)
        await self.sync_role(row.person_id, now)
        return _grant(row)

    async def revoke_all(self, person_id: int, now: datetime, *, revoked_by: int | None,
                         reason: str) -> int:
        """End every grant of a person; return how many."""
        grants = await self.active_for(person_id)
        for grant in grants:
            await self.revoke(grant.id, now, revoked_by=revoked_by, reason=reason)
        return len(grants)

    async def sync_role(self, person_id: int, now: datetime) -> str:
        """Set `persons.role` to the highest role in force and return it."""
        role = highest_role([g.role for g in await self.active_for(person_id)])
        await self.session.execute(
            update(PersonRow).where(PersonRow.id == person_id, PersonRow.role != role)
            .values(role=role, updated_at=now))
        return role

    async def bootstrap_admin(self, person_id: int, now: datetime) -> None:
        """Make a person listed in ADMIN_IDS an admin (an audited grant by the system)."""
        await self.grant(person_id, "admin", None, now, granted_by=None, reason="ADMIN_IDS")


class InviteRepo:
    """One-time invite codes: valid once, until they expire."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, role: str, unit_code: str | None, created_by: int, now: datetime,
                     ttl: timedelta) -> tuple[str, Invite]:
        """Create an invite; return the code (shown once, stored only as a hash) and it."""
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
        row = RoleInviteRow(code_hash=_hash(code), role=role, unit_code=unit_code,
                            created_by=created_by, created_at=now, expires_at=now + ttl)
        self.session.add(row)
        await self.session.flush()
        await AuditRepo(self.session).append(
            Action.INVITE_CREATE, now, actor_id=created_by, target_type="invite",
            target_id=row.id, unit_code=unit_code,
            after={"role": role, "unit_code": unit_code, "expires_at": row.expires_at.isoformat()})
        return code, _invite(row)

    async def peek(self, code: str, now: datetime) -> Invite | None:
        """Return the invite a code would give, without using it (None: unknown/used/expired)."""
        row = await self.session.scalar(
            select(RoleInviteRow).where(RoleInviteRow.code_hash == _hash(code),
                                        RoleInviteRow.used_at.is_(None),
                                        RoleInviteRow.expires_at > now)
            .execution_options(populate_existing=True))
        return None if row is None else _invite(row)

    async def consume(self, code: str, person_id: int, now: datetime) -> Invite | None:
        """Use a code once; return its invite, or None when unknown, used or expired.

        One conditional UPDATE: of several concurrent claims exactly one changes the row.
        """
        result = await self.session.execute(
            update(RoleInviteRow)
            .where(RoleInviteRow.code_hash == _hash(code), RoleInviteRow.used_at.is_(None),
                   RoleInviteRow.expires_at > now)
            .values(used_by=person_id, used_at=now)
            .execution_options(synchronize_session=False))
        if changed(result) != 1:
            return None
        row = await self.session.scalar(
            select(RoleInviteRow).where(RoleInviteRow.code_hash == _hash(code))
            .execution_options(populate_existing=True))
        return None if row is None else _invite(row)

    async def pending(self, now: datetime, created_by: int | None = None) -> list[Invite]:
        """Return invites not used and not expired (optionally only someone's)."""
        query = select(RoleInviteRow).where(RoleInviteRow.used_at.is_(None),
                                            RoleInviteRow.expires_at > now)
        if created_by is not None:
            query = query.where(RoleInviteRow.created_by == created_by)
        rows = await self.session.scalars(query.order_by(RoleInviteRow.id))
        return [_invite(r) for r in rows]

    async def related_to(self, person_id: int) -> list[Invite]:
        """Return the invites a person created or used."""
        rows = await self.session.scalars(
            select(RoleInviteRow).where((RoleInviteRow.created_by == person_id)
                                        | (RoleInviteRow.used_by == person_id))
            .order_by(RoleInviteRow.id))
        return [_invite(r) for r in rows]

    async def cancel_pending_of(self, person_id: int, now: datetime) -> int:
        """Expire the unused invites someone created (e.g. when they delete their account)."""
        result = await self.session.execute(
            update(RoleInviteRow)
            .where(RoleInviteRow.created_by == person_id, RoleInviteRow.used_at.is_(None),
                   RoleInviteRow.expires_at > now)
            .values(expires_at=now))
        return changed(result)
