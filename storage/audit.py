"""The append-only audit log: who did what, to what, when and why; people by id only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditRow

# Field names whose values are personal data: they must never reach the audit log, which
# outlives every deletion. Say "person #17" (target_id) instead of their name.
PERSONAL_FIELDS = frozenset({
    "full_name", "name", "birth_year", "birth_date", "phone", "address", "external_id",
    "chat_id", "photo", "photo_url", "text", "caption", "display_name",
})


class Action:
    """Action names written by this codebase (features may add their own `area.verb`)."""

    ROLE_GRANT = "access.grant"
    ROLE_REVOKE = "access.revoke"
    INVITE_CREATE = "access.invite"
    PRIVACY_EXPORT = "data.export"
    PRIVACY_DELETE = "data.delete"
    CONSENT_WITHDRAW = "data.withdraw"
    RETENTION_WARN = "retention.warn"
    RETENTION_ANONYMISE = "retention.anonymise"
    REVIEW = "review.decide"
    IMPORT = "import.run"
    BROADCAST = "broadcast.send"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit line."""

    id: int
    at: datetime
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    unit_code: str | None
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What `AuditRepo.search` selects; empty fields select everything."""

    actor_id: int | None = None
    person_id: int | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor_id, row.action, row.target_type, row.target_id,
                      row.unit_code, dict(row.changes or {}), row.reason)


def _check_no_personal(changes: Mapping[str, Any], path: str = "") -> None:
    for key, value in changes.items():
        if str(key) in PERSONAL_FIELDS:
            raise ValueError(f"personal field {path}{key} may not be written to the audit log")
        if isinstance(value, Mapping):
            _check_no_personal(value, f"{path}{key}.")


class AuditRepo:
    """Append and read audit lines; there is deliberately no way to change or remove one."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, action: str, at: datetime, *, actor_id: int | None,
                     target_type: str | None = None, target_id: int | str | None = None,
                     unit_code: str | None = None, before: Mapping[str, Any] | None = None,
                     after: Mapping[str, Any] | None = None, reason: str | None = None
                     ) -> AuditEntry:
        """Write one line; `before`/`after` hold changed fields, never personal values."""
        changes: dict[str, Any] = {}
        if before:
            changes["before"] = dict(before)
        if after:
            changes["after"] = dict(after)
        _check_no_personal(changes)
        row = AuditRow(at=at, actor_id=actor_id, action=action, target_type=target_type,
                       target_id=None if target_id is None else str(target_id),
                       unit_code=unit_code, changes=changes,
                       reason=reason[:200] if reason else None)
        self.session.add(row)
        await self.session.flush()
        return _entry(row)

    async def search(self, where: AuditFilter) -> list[AuditEntry]:
        """Return matching lines, newest first."""
        query = select(AuditRow)
        if where.actor_id is not None:
            query = query.where(AuditRow.actor_id == where.actor_id)
        if where.person_id is not None:
            query = query.where(
                (AuditRow.actor_id == where.person_id)
                | ((AuditRow.target_type == "person")
                   & (AuditRow.target_id == str(where.person_id)))
            )
        if where.action:
            query = query.where((AuditRow.action == where.action)
                                | AuditRow.action.startswith(where.action.rstrip(".") + "."))
        if where.target_type:
            query = query.where(AuditRow.target_type == where.target_type)
        if where.target_id is not None:
            query = query.where(AuditRow.target_id == where.target_id)
        if where.since is not None:
            query = query.where(AuditRow.at >= where.since)
        if where.until is not None:
            query = query.where(AuditRow.at < where.until)
        rows = await self.session.scalars(
            query.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(max(1, where.limit)))
        return [_entry(r) for r in rows]
