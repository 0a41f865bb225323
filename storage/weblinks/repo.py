"""Make, find and spend one-time web links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.rows import changed
from storage.weblinks.models import WebLinkRow


@dataclass(frozen=True, slots=True)
class WebLink:
    """A stored link (its token is never stored: only people holding the URL know it)."""

    id: int
    person_id: int
    purpose: str
    params: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def _link(row: WebLinkRow) -> WebLink:
    return WebLink(row.id, row.person_id, row.purpose, dict(row.params or {}), row.created_at,
                   row.expires_at, row.used_at)


class WebLinkRepo:
    """Queries on web_links."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token_hash: str, person_id: int, purpose: str, params: dict[str, Any],
                  now: datetime, expires_at: datetime) -> WebLink:
        """Store a new link."""
        row = WebLinkRow(token_hash=token_hash, person_id=person_id, purpose=purpose,
                         params=params, created_at=now, expires_at=expires_at)
        self.session.add(row)
        await self.session.flush()
        return _link(row)

    async def by_hash(self, token_hash: str) -> WebLink | None:
        """Return the link with this token hash, if any."""
        row = await self.session.scalar(select(WebLinkRow)
                                        .where(WebLinkRow.token_hash == token_hash))
        return _link(row) if row is not None else None

    async def spend(self, link_id: int, now: datetime) -> bool:
        """Mark a link used, atomically; False when it was already used (a second upload)."""
        result = await self.session.execute(
            update(WebLinkRow).where(WebLinkRow.id == link_id, WebLinkRow.used_at.is_(None))
            .values(used_at=now))
        return changed(result) > 0

    async def purge_expired(self, before: datetime) -> int:
        """Delete links that expired before `before`; return how many."""
        result = await self.session.execute(delete(WebLinkRow)
                                            .where(WebLinkRow.expires_at < before))
        return changed(result)
