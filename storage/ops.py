"""Operational queries: is the database reachable, queue depths, whom to alert."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelAccountRow, OutboxRow, PersonRow, RoleGrantRow


async def ping(session: AsyncSession) -> None:
    """Run a trivial statement; raise if the database cannot be reached."""
    await session.execute(text("SELECT 1"))


async def outbox_by_status(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Return the number of outbox rows per (channel, status)."""
    rows = await session.execute(
        select(OutboxRow.channel, OutboxRow.status, func.count())
        .group_by(OutboxRow.channel, OutboxRow.status))
    return {(channel, status): int(n) for channel, status, n in rows.all()}


@dataclass(frozen=True)
class AdminAccount:
    """An administrator's reachable account."""

    person_id: int
    account_id: int
    channel: str


async def admin_accounts_off(session: AsyncSession, channel: str) -> list[AdminAccount]:
    """Return the unblocked accounts of current admins on channels other than `channel`."""
    admins = select(RoleGrantRow.person_id).where(
        RoleGrantRow.role == "admin", RoleGrantRow.revoked_at.is_(None))
    rows = await session.execute(
        select(ChannelAccountRow.person_id, ChannelAccountRow.id, ChannelAccountRow.channel)
        .join(PersonRow, PersonRow.id == ChannelAccountRow.person_id)
        .where(ChannelAccountRow.person_id.in_(admins), ChannelAccountRow.channel != channel,
               ChannelAccountRow.channel != "console", ChannelAccountRow.blocked_at.is_(None),
               PersonRow.deleted_at.is_(None))
        .order_by(ChannelAccountRow.person_id, ChannelAccountRow.last_seen_at.desc()))
    seen: set[int] = set()
    found: list[AdminAccount] = []
    for person_id, account_id, on in rows.all():
        if person_id not in seen:  # one message per admin, on their latest other channel
            seen.add(person_id)
            found.append(AdminAccount(person_id, account_id, on))
    return found
