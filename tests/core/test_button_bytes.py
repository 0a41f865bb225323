"""Buttons already sent keep working: the typed payloads of profile, privacy, roles,
reminders and broadcasts pack to the exact bytes used before, and read them back."""

from __future__ import annotations

import pytest

from bot.core.payloads import Payload
from handlers.broadcast.payloads import (
    BroadcastList,
    NewBroadcast,
    StopBroadcast,
    StopConfirmed,
    ViewBroadcast,
)
from handlers.common.registration import StartRegistration
from handlers.privacy.payloads import (
    DeleteAccount,
    EditProfile,
    Export,
    Overview,
    Withdraw,
    WithdrawMenu,
)
from handlers.profile.payloads import EditBirthYear, EditName, EditUnit, ToggleReminders
from handlers.reminders.payloads import AllOff, AllOn, ToggleKind
from handlers.roles.payloads import ListGrants, NewInvite, PendingInvites, Revoke, RevokeConfirmed

BYTES: list[tuple[Payload, str]] = [
    (StartRegistration(), "p:register"), (EditName(), "p:name"), (EditBirthYear(), "p:year"),
    (EditUnit(), "p:unit"), (ToggleReminders(), "p:rem"),
    (Overview(), "pv:home"), (Export(), "pv:export"), (EditProfile(), "pv:edit"),
    (WithdrawMenu(), "pv:withdraw"), (Withdraw("reminders"), "pv:wd:reminders"),
    (DeleteAccount(), "pv:delete"),
    (NewInvite(), "ro:new"), (ListGrants(), "ro:list"), (PendingInvites(), "ro:pending"),
    (Revoke(12), "ro:rv:12"), (RevokeConfirmed(12), "ro:rvok:12"),
    (AllOn(), "nn:on"), (AllOff(), "nn:off"), (ToggleKind("han_chot"), "nn:t:han_chot"),
    (NewBroadcast(), "bc:new"), (BroadcastList(), "bc:l"), (ViewBroadcast(7), "bc:v:7"),
    (StopBroadcast(7), "bc:x:7"), (StopConfirmed(7), "bc:xx:7"),
]


@pytest.mark.parametrize("payload, raw", BYTES, ids=[raw for _, raw in BYTES])
def test_buttons_keep_their_bytes(payload: Payload, raw: str) -> None:
    assert payload.pack() == raw
    assert type(payload).parse(raw) == payload


@pytest.mark.parametrize("cls, raw", [
    (Revoke, "ro:rv:"), (Revoke, "ro:rv:1x"), (Revoke, "ro:rv:²"), (Revoke, "ro:rv:" + "9" * 19),
    (RevokeConfirmed, "ro:rv:1"), (ViewBroadcast, "bc:v:-1"), (StopBroadcast, "bc:xx:1"),
    (EditName, "p:name:x"), (Overview, "pv:homex"), (Withdraw, "pv:wd"),
])
def test_forged_or_stale_buttons_are_not_read(cls: type[Payload], raw: str) -> None:
    assert cls.parse(raw) is None
