"""The /quyen buttons (bytes unchanged: `ro:new`, `ro:list`, `ro:pending`, `ro:rv:<grant>`,
`ro:rvok:<grant>`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.payloads import Id, Payload


@dataclass(frozen=True, slots=True)
class NewInvite(Payload):
    """Make an invite code."""

    PREFIX: ClassVar[str] = "ro:new"


@dataclass(frozen=True, slots=True)
class ListGrants(Payload):
    """List the roles given (that I may revoke)."""

    PREFIX: ClassVar[str] = "ro:list"


@dataclass(frozen=True, slots=True)
class PendingInvites(Payload):
    """List the invite codes not used yet."""

    PREFIX: ClassVar[str] = "ro:pending"


@dataclass(frozen=True, slots=True)
class Revoke(Payload):
    """Ask before revoking one grant."""

    PREFIX: ClassVar[str] = "ro:rv"
    grant_id: Id


@dataclass(frozen=True, slots=True)
class RevokeConfirmed(Payload):
    """Revoke one grant (confirmed)."""

    PREFIX: ClassVar[str] = "ro:rvok"
    grant_id: Id
