"""The /nhacnho buttons (bytes unchanged: `nn:on`, `nn:off`, `nn:t:<kind>`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.payloads import Payload


@dataclass(frozen=True, slots=True)
class AllOn(Payload):
    """Turn reminders on (gives the reminders consent)."""

    PREFIX: ClassVar[str] = "nn:on"


@dataclass(frozen=True, slots=True)
class AllOff(Payload):
    """Turn every proactive message off (withdraws the reminders consent)."""

    PREFIX: ClassVar[str] = "nn:off"


@dataclass(frozen=True, slots=True)
class ToggleKind(Payload):
    """Switch one kind of reminder on or off."""

    PREFIX: ClassVar[str] = "nn:t"
    kind: str
