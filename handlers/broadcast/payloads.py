"""The /thongbao buttons (bytes unchanged: `bc:new`, `bc:l`, `bc:v:<id>`, `bc:x:<id>`,
`bc:xx:<id>`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.payloads import Id, Payload


@dataclass(frozen=True, slots=True)
class NewBroadcast(Payload):
    """Write a new broadcast."""

    PREFIX: ClassVar[str] = "bc:new"


@dataclass(frozen=True, slots=True)
class BroadcastList(Payload):
    """Back to the recent broadcasts."""

    PREFIX: ClassVar[str] = "bc:l"


@dataclass(frozen=True, slots=True)
class ViewBroadcast(Payload):
    """Show one broadcast's progress (also "refresh")."""

    PREFIX: ClassVar[str] = "bc:v"
    broadcast_id: Id


@dataclass(frozen=True, slots=True)
class StopBroadcast(Payload):
    """Ask before stopping a broadcast."""

    PREFIX: ClassVar[str] = "bc:x"
    broadcast_id: Id


@dataclass(frozen=True, slots=True)
class StopConfirmed(Payload):
    """Stop a broadcast (confirmed)."""

    PREFIX: ClassVar[str] = "bc:xx"
    broadcast_id: Id
