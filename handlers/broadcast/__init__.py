"""/thongbao: admins write an announcement, pick its audience, preview, send or schedule it,
follow its progress and stop it.

rules.py holds the pure rules, forms.py the writing form, views.py what is shown,
actions.py what the command and buttons do, payloads.py the buttons.
"""

from __future__ import annotations

from bot.core.context import Services
from bot.core.dispatcher import Router
from bot.core.forms import Form
from bot.delivery.audiences import ByRole, ByUnit, Everyone
from bot.delivery.registry import DeliveryRegistry
from handlers.broadcast import actions
from handlers.broadcast.forms import FORM, STEPS, finish
from handlers.broadcast.payloads import (
    BroadcastList,
    NewBroadcast,
    StopBroadcast,
    StopConfirmed,
    ViewBroadcast,
)
from handlers.broadcast.rules import CAPTION_LIMIT, PROGRAMMES, TEXT_LIMIT
from handlers.common.feature import Feature
from storage.delivery.personal_data import BroadcastsWrittenSection

__all__ = ["CAPTION_LIMIT", "FEATURE", "PROGRAMMES", "TEXT_LIMIT"]

ADMINS = frozenset({"admin"})


def register(router: Router) -> None:
    """Register /thongbao, its form and its buttons (admins only)."""
    router.forms.add(Form(FORM, "broadcast.title", STEPS, finish, roles=ADMINS))
    router.personal_data.add(BroadcastsWrittenSection())
    router.command("thongbao", menu_label="broadcast.menu", roles=ADMINS,
                   order=810)(actions.broadcast_command)
    router.action(NewBroadcast, roles=ADMINS)(actions.new)
    router.action(BroadcastList, roles=ADMINS)(actions.recent)
    router.action(ViewBroadcast, roles=ADMINS)(actions.view)
    router.action(StopBroadcast, roles=ADMINS)(actions.ask_stop)
    router.action(StopConfirmed, roles=ADMINS)(actions.stop_confirmed)


def register_delivery(registry: DeliveryRegistry, services: Services) -> None:
    """Add the built-in audiences: everyone, a role, a unit with its children."""
    registry.add_audience(Everyone())
    registry.add_audience(ByRole())
    registry.add_audience(ByUnit(services.units))


FEATURE = Feature("broadcast", register, register_delivery)
