"""The privacy menu's buttons (bytes unchanged: `pv:home`, `pv:export`, `pv:edit`,
`pv:withdraw`, `pv:delete`, `pv:wd:<purpose>`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.payloads import Payload


@dataclass(frozen=True, slots=True)
class Overview(Payload):
    """Back to the privacy overview."""

    PREFIX: ClassVar[str] = "pv:home"


@dataclass(frozen=True, slots=True)
class Export(Payload):
    """Send everything stored about me."""

    PREFIX: ClassVar[str] = "pv:export"


@dataclass(frozen=True, slots=True)
class EditProfile(Payload):
    """Correct my profile (shows /toi)."""

    PREFIX: ClassVar[str] = "pv:edit"


@dataclass(frozen=True, slots=True)
class WithdrawMenu(Payload):
    """List the purposes I may withdraw consent for."""

    PREFIX: ClassVar[str] = "pv:withdraw"


@dataclass(frozen=True, slots=True)
class Withdraw(Payload):
    """Withdraw consent for one purpose (asks to confirm)."""

    PREFIX: ClassVar[str] = "pv:wd"
    purpose: str


@dataclass(frozen=True, slots=True)
class DeleteAccount(Payload):
    """Delete my account (asks to confirm)."""

    PREFIX: ClassVar[str] = "pv:delete"


MENU: tuple[tuple[str, Payload], ...] = (
    ("privacy.action.export", Export()), ("privacy.action.edit", EditProfile()),
    ("privacy.action.withdraw", WithdrawMenu()), ("privacy.action.delete", DeleteAccount()))
