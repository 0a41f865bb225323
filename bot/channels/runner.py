"""Build the configured channel adapters and run them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from bot.channels.alerts import admin_alert
from bot.channels.base import Handle, OnBlocked, TextSource
from bot.channels.health import HealthServer
from bot.channels.inbox import Inbox
from bot.channels.telegram import TelegramChannel
from bot.channels.webhook import WebhookServer
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_api import ZaloBotApi
from bot.channels.zalo_oa import build_zalo_oa, oa_configured
from bot.core.config import Settings
from bot.core.types import Reply
from bot.delivery.service import Delivery

logger = logging.getLogger(__name__)


class Channel(Protocol):
    """What the application sees of an adapter."""

    @property
    def name(self) -> str:
        """Return the channel name used in Incoming.channel ("zalo", "telegram")."""
        ...

    async def start(self) -> None:
        """Start taking updates."""
        ...

    async def stop(self) -> None:
        """Stop taking updates, finish in-flight handlers, close sessions."""
        ...

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send a reply now; raise RetryAfter, Blocked, TransientError or PermanentError."""
        ...

    def health(self) -> dict[str, str | None]:
        """Return {"state": starting|ok|down|paused, "error": kind or None}."""
        ...


def _check_path(url: str, name: str) -> None:
    path = WebhookServer.path(name)
    if not url.rstrip("/").endswith(path):
        logger.warning("%s webhook URL does not end with %s: mind the proxy", name, path)


def build_channels(
    settings: Settings,
    handle: Handle,
    on_blocked: OnBlocked,
    texts: TextSource,
    *,
    telegram_commands: Sequence[tuple[str, str]] = (),
    webhook_server: WebhookServer | None = None,
    delivery: Delivery | None = None,
) -> list[Channel]:
    """Create an adapter for each configured token; webhooks share one web server.

    With `delivery` (as `thidua run` gives it), updates go through the durable inbox of its
    database and a channel the platform refuses alerts the admins through the outbox.
    """
    wants_webhook = bool(
        (settings.zalo_bot_token and settings.zalo_webhook_url)
        or (settings.telegram_bot_token and settings.telegram_webhook_url)
        or oa_configured(settings)
    )
    server = webhook_server
    if wants_webhook and server is None:
        server = WebhookServer(settings.webhook_host, settings.webhook_port)
    durable: dict[str, Any] = {}
    if delivery is not None:
        durable = {"inbox": Inbox(delivery.sessions), "on_alert": admin_alert(delivery)}
    channels: list[Channel] = []
    if settings.zalo_bot_token is not None:
        api = ZaloBotApi(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_base)
        secret = settings.zalo_webhook_secret
        if settings.zalo_webhook_url:
            _check_path(settings.zalo_webhook_url, ZaloChannel.name)
        channels.append(
            ZaloChannel(
                api,
                handle=handle,
                on_blocked=on_blocked,
                texts=texts,
                poll_timeout=settings.zalo_poll_timeout,
                webhook_url=settings.zalo_webhook_url or None,
                webhook_secret=secret.get_secret_value() if secret else None,
                webhook_server=server,
                max_download_bytes=settings.max_upload_bytes,
                **durable,
            )
        )
    if settings.telegram_bot_token is not None:
        secret = settings.telegram_webhook_secret
        if settings.telegram_webhook_url:
            _check_path(settings.telegram_webhook_url, TelegramChannel.name)
        channels.append(
            TelegramChannel(
                settings.telegram_bot_token.get_secret_value(),
                handle=handle,
                on_blocked=on_blocked,
                texts=texts,
                commands=telegram_commands,
                api_base=settings.telegram_api_base or None,
                webhook_url=settings.telegram_webhook_url or None,
                webhook_secret=secret.get_secret_value() if secret else None,
                webhook_server=server,
                max_download_bytes=settings.max_upload_bytes,
                **durable,
            )
        )
    if oa_configured(settings):
        assert server is not None
        channels.append(build_zalo_oa(
            settings, handle=handle, on_blocked=on_blocked, texts=texts, webhook_server=server,
            sessions=delivery.sessions if delivery is not None else None,
            max_download_bytes=settings.max_upload_bytes, **durable))
    return channels


async def start_channels(channels: Sequence[Channel]) -> None:
    """Start every channel at once; a platform that fails keeps retrying in the background
    (the channel reports itself down), so one channel never holds the others back. A
    configuration error still stops them all and is raised."""
    results = await asyncio.gather(*(c.start() for c in channels), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        await stop_channels(channels)
        raise errors[0]
    for channel in channels:
        logger.info("channel %s: %s", channel.name, channel.health()["state"])


async def start_health(settings: Settings, channels: Sequence[Channel],
                       delivery: Delivery | None) -> HealthServer | None:
    """Start /healthz, /readyz and /metrics on HEALTH_HOST:HEALTH_PORT (0: none)."""
    if not settings.health_port:
        return None
    server = HealthServer(settings.health_host, settings.health_port, channels,
                          delivery.sessions if delivery is not None else None)
    try:
        await server.start()
    except OSError as exc:
        logger.error("health server not started on %s:%s: %s", settings.health_host,
                     settings.health_port, exc.strerror or type(exc).__name__)
        return None
    return server


async def stop_channels(channels: Sequence[Channel]) -> None:
    """Stop every channel concurrently; log failures rather than raise them."""
    results = await asyncio.gather(*(c.stop() for c in channels), return_exceptions=True)
    for channel, result in zip(channels, results, strict=True):
        if isinstance(result, BaseException):
            logger.error("channel %s failed to stop", channel.name, exc_info=result)
