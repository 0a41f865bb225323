"""The profile's buttons (bytes unchanged: `p:name`, `p:year`, `p:unit`, `p:rem`, `p:addr`).

`p:register` is shared (handlers.common.registration.StartRegistration): other features
offer registration too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.payloads import Payload


@dataclass(frozen=True, slots=True)
class EditName(Payload):
    """Edit the full name."""

    PREFIX: ClassVar[str] = "p:name"


@dataclass(frozen=True, slots=True)
class EditBirthYear(Payload):
    """Edit the birth year."""

    PREFIX: ClassVar[str] = "p:year"


@dataclass(frozen=True, slots=True)
class EditUnit(Payload):
    """Edit the unit."""

    PREFIX: ClassVar[str] = "p:unit"


@dataclass(frozen=True, slots=True)
class ToggleReminders(Payload):
    """Turn reminders on or off (the reminders consent)."""

    PREFIX: ClassVar[str] = "p:rem"


@dataclass(frozen=True, slots=True)
class EditAddress(Payload):
    """Change how the bot addresses the person (bạn, anh, chị, cô, chú, bác)."""

    PREFIX: ClassVar[str] = "p:addr"
