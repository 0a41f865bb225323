"""The OA's OAuth grant: kept in the database, refreshed by one process at a time.

The access token lives 25 h and the refresh token is single use: refreshing twice with the
same refresh token (two processes, or one retry too many) loses the grant. So a refresh
runs under an in-process lock and a database row lock (SELECT … FOR UPDATE on PostgreSQL,
BEGIN IMMEDIATE on SQLite), re-reads the row under the lock (another process may have
refreshed it already), and commits the new pair before anyone uses it. A refused refresh is
terminal: it is recorded, reported by `state`, and `on_failure` alerts a human.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.zalo_oa_api import ZaloOAError, ZaloOAuth, ZaloOAuthError
from storage.zalo_oa.repo import OAGrant, ZaloOARepo

logger = logging.getLogger(__name__)

DEFAULT_MARGIN = timedelta(hours=1)
OnFailure = Callable[[str], Awaitable[None]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OATokens:
    """Hand out a valid access token; refresh ahead of expiry and after a -216/-220."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], oauth: ZaloOAuth,
                 oa_id: str, *, now: Callable[[], datetime] = _utcnow,
                 margin: timedelta = DEFAULT_MARGIN, on_failure: OnFailure | None = None
                 ) -> None:
        self._sessions = sessions
        self._oauth = oauth
        self.oa_id = oa_id
        self._now = now
        self._margin = margin
        self._on_failure = on_failure
        self._lock = asyncio.Lock()
        self._cached: OAGrant | None = None
        self.refreshes = 0  # refreshes this process made
        self.failure: str | None = None  # why the grant no longer works

    @property
    def state(self) -> str:
        """Return "ok", "failed" (a human must consent again) or "unknown" (not read yet)."""
        if self.failure is not None:
            return "failed"
        return "ok" if self._cached is not None else "unknown"

    async def access_token(self) -> str:
        """Return an access token valid for at least the margin (refreshing if needed)."""
        grant = self._cached
        if grant is None or self._now() >= grant.expires_at - self._margin:
            grant = await self._ensure(stale=None)
        return grant.access_token

    async def refreshed(self, stale: str) -> str:
        """Return a token other than `stale` (refreshing unless another process did)."""
        return (await self._ensure(stale=stale)).access_token

    async def _ensure(self, stale: str | None) -> OAGrant:
        async with self._lock:
            cached = self._cached
            if cached is not None and self._usable(cached, stale):
                return cached
            async with self._sessions() as session:
                repo = ZaloOARepo(session)
                grant = await repo.grant(self.oa_id, lock=True)
                if grant is None:
                    await session.rollback()
                    self.failure = "no grant stored"
                    raise ZaloOAError(-216, "no OA grant stored: run `thidua zalo-oa connect`")
                if self._usable(grant, stale):
                    await session.commit()  # another process refreshed it: use theirs
                    self._cached = grant
                    self.failure = None
                    return grant
                try:
                    pair = await self._oauth.refresh(grant.refresh_token)
                except ZaloOAuthError as exc:
                    reason = f"refresh refused: {exc.code} {exc.name}"
                    await repo.record_failure(self.oa_id, reason, self._now())
                    await session.commit()
                    await self._failed(reason)
                    raise ZaloOAError(-216, reason) from None
                now = self._now()
                expires_at = now + timedelta(seconds=pair.expires_in)
                # Commit before use: the old refresh token is already dead at Zalo.
                await repo.save_grant(self.oa_id, pair.access_token, pair.refresh_token,
                                      expires_at, now)
                await session.commit()
            self.refreshes += 1
            logger.info("zalo_oa: access token refreshed (valid until %s)",
                        expires_at.isoformat(timespec="minutes"))
            self._cached = OAGrant(self.oa_id, pair.access_token, pair.refresh_token,
                                   expires_at, now, None, None)
            self.failure = None
            return self._cached

    def _usable(self, grant: OAGrant, stale: str | None) -> bool:
        if stale is not None:
            return grant.access_token != stale and self._now() < grant.expires_at
        return grant.failed_at is None and self._now() < grant.expires_at - self._margin

    async def _failed(self, reason: str) -> None:
        self.failure = reason
        self._cached = None
        logger.error("zalo_oa: %s; an admin must run `thidua zalo-oa connect`", reason)
        if self._on_failure is not None:
            try:
                await self._on_failure(reason)
            except Exception:
                logger.exception("zalo_oa: alerting the admins failed")


async def store_first_grant(sessions: async_sessionmaker[AsyncSession], oauth: ZaloOAuth,
                            oa_id: str, code: str, verifier: str | None = None, *,
                            now: Callable[[], datetime] = _utcnow) -> datetime:
    """Exchange the callback code and store the first pair; return its expiry."""
    pair = await oauth.exchange(code, verifier)
    moment = now()
    expires_at = moment + timedelta(seconds=pair.expires_in)
    async with sessions() as session:
        await ZaloOARepo(session).save_grant(oa_id, pair.access_token, pair.refresh_token,
                                             expires_at, moment)
        await session.commit()
    return expires_at
