"""A feature's manifest: everything it plugs into the bot, registered in one place.

Each feature package (`handlers/<feature>/__init__.py`) defines `FEATURE = Feature(...)`;
`bot/app` lists the features and builds the router, the delivery registry and the CLI from
their manifests. Adding a programme means a handler folder with a manifest, a storage
folder, a catalog file and a migration, plus one line in `bot/app/features.py`.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.core.context import Services
    from bot.core.dispatcher import Router
    from bot.core.weblinks import WebParts
    from bot.delivery.registry import DeliveryRegistry

RegisterHandlers = Callable[["Router"], None]
RegisterDelivery = Callable[["DeliveryRegistry", "Services"], None]


@dataclass(frozen=True, slots=True)
class CliCommand:
    """A `thidua …` subcommand a feature contributes (e.g. `thidua export deeds`).

    `path` is the words after `thidua` (("export", "deeds")); `help_key` a catalog key;
    `configure` adds the arguments; `run(args, app)` does the work with a started app
    (the bot's services, sessions and clock) and returns the exit code.
    """

    path: tuple[str, ...]
    help_key: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Any], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Feature:
    """What one feature plugs in: handlers, reminder rules and audiences, CLI commands, and
    the content of the web pages its one-time links open (bot/core/weblinks.py)."""

    name: str
    register: RegisterHandlers
    register_delivery: RegisterDelivery | None = None
    cli: tuple[CliCommand, ...] = ()
    web: WebParts | None = None
