"""`thidua run`: the app plus every configured channel, until SIGTERM or Ctrl+C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.app import App, create_app
from bot.app.features import FEATURES
from bot.app.observability import install_log_redaction, secrets_of
from bot.app.web import link_pages
from bot.channels.runner import (
    Channel,
    build_channels,
    start_channels,
    start_health,
    stop_channels,
)
from bot.channels.webhook import WebhookServer
from bot.core.config import Settings
from bot.core.weblinks import links_enabled
from bot.delivery.scheduler import run_delivery

logger = logging.getLogger(__name__)

GLOBAL_COMMANDS = ("start", "menu", "help", "huy")


def telegram_commands(app: App) -> list[tuple[str, str]]:
    """Return (command, Vietnamese description) pairs for Telegram's command menu."""
    t = app.services.messages.t
    pairs = [(name, t(f"commands.{name}")) for name in GLOBAL_COMMANDS]
    for spec in sorted(app.services.router.commands.values(), key=lambda c: (c.order, c.name)):
        if spec.menu_label and spec.name not in GLOBAL_COMMANDS:
            pairs.append((spec.name, t(spec.menu_label)))
    return pairs


def make_channels(app: App, server: WebhookServer | None = None) -> list[Channel]:
    """Build the channel adapters for the app's settings (webhooks on `server`, if given)."""
    return build_channels(app.settings, app.handle, app.mark_blocked, app.services.messages.t,
                          telegram_commands=telegram_commands(app), delivery=app.delivery,
                          webhook_server=server)


def make_web_server(app: App) -> WebhookServer | None:
    """With PUBLIC_URL, the web server with the link pages mounted (webhooks join it)."""
    if not links_enabled(app.settings):
        return None
    server = WebhookServer(app.settings.webhook_host, app.settings.webhook_port)
    link_pages(app, FEATURES).mount(server.app)
    return server


async def run_bot(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Start the app and its channels; on SIGTERM/SIGINT (or `stop`) shut down cleanly."""
    install_log_redaction(secrets_of(settings))
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    app = create_app(settings)
    await app.start()
    server = make_web_server(app)
    channels = make_channels(app, server)
    delivery_stop = asyncio.Event()
    delivery: asyncio.Task[None] | None = None
    health = None
    try:
        await start_channels(channels)
        if server is not None:
            await server.serve_pages()
        health = await start_health(app.settings, channels, app.delivery)
        delivery = asyncio.create_task(run_delivery(
            app.delivery, app.engine, {c.name: c for c in channels}, delivery_stop))
        logger.info("running: %s", ", ".join(c.name for c in channels))
        await stop.wait()
        logger.info("stopping: finishing messages in progress")
    finally:
        delivery_stop.set()
        if delivery is not None:
            await asyncio.gather(delivery, return_exceptions=True)
        await stop_channels(channels)
        if server is not None:
            await server.close()
        if health is not None:
            await health.stop()
        await app.close()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    logger.info("stopped")
