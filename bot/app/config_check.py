"""Check the settings the way the bot reads them, and say every problem in Vietnamese.

`thidua config check` prints them all; every other command refuses to start on a fatal one
with the same message (never a traceback). Notices (a `postgres://` URL given the asyncpg
driver, an operating-system `TZ` that is ignored) are told but do not stop anything.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.config import Settings, normalise_database_url

logger = logging.getLogger(__name__)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CHANNELS = ("telegram", "zalo", "console")
DRIVERS = {("sqlite", "aiosqlite"), ("postgresql", "asyncpg")}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: a catalog key under `config.` and its values; `fatal` stops startup."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)
    fatal: bool = True

    def text(self, t: Callable[..., str]) -> str:
        """Return the Vietnamese sentence."""
        return t(f"config.{self.key}", **self.params)


def _given(name: str, environ: Mapping[str, str], env_file: Path) -> str | None:
    """Return a setting as written (environment first, then the .env file)."""
    if name in environ:
        return environ[name]
    if env_file.is_file():
        value = dotenv_values(env_file).get(name)
        return value if value is None else str(value)
    return None


def load_settings(environ: Mapping[str, str] | None = None,
                  env_file: Path = Path(".env")) -> tuple[Settings | None, list[Problem]]:
    """Read the settings like the bot; return them (None if unreadable) and the problems."""
    try:
        settings = Settings()
    except ValidationError as exc:
        names = sorted({str(error["loc"][0]).upper() for error in exc.errors() if error["loc"]})
        return None, [Problem("invalid_value", {"name": name}) for name in names]
    return settings, check_settings(settings, environ=environ, env_file=env_file)


def check_settings(settings: Settings, *, environ: Mapping[str, str] | None = None,
                   env_file: Path = Path(".env")) -> list[Problem]:
    """Return every problem of settings that concerns every command."""
    environ = os.environ if environ is None else environ
    problems: list[Problem] = []
    if settings.log_level.strip().upper() not in LOG_LEVELS:
        problems.append(Problem("log_level", {"value": settings.log_level,
                                              "known": ", ".join(LOG_LEVELS)}))
    problems += _check_tz(settings, environ)
    problems += _check_admins(settings.admin_ids)
    problems += _check_database(settings, environ, env_file)
    return problems


def _check_tz(settings: Settings, environ: Mapping[str, str]) -> list[Problem]:
    name = "BOT_TZ" if settings.bot_tz else "TZ"
    try:
        ZoneInfo(settings.tz)
    except (ZoneInfoNotFoundError, ValueError):
        return [Problem("tz", {"name": name, "value": settings.tz})]
    os_tz = environ.get("TZ")
    if os_tz and os_tz != settings.tz:
        return [Problem("os_tz_ignored", {"os_tz": os_tz, "tz": settings.tz}, fatal=False)]
    return []


def _check_admins(admin_ids: str) -> list[Problem]:
    problems: list[Problem] = []
    for item in (part.strip() for part in admin_ids.split(",")):
        if not item:
            continue
        channel, sep, external_id = item.partition(":")
        if not sep or not channel.strip() or not external_id.strip():
            problems.append(Problem("admin_no_channel", {"item": item}))
        elif channel.strip().lower() not in CHANNELS:
            problems.append(Problem("admin_unknown_channel",
                                    {"item": item, "known": ", ".join(CHANNELS)}))
    return problems


def _check_database(settings: Settings, environ: Mapping[str, str],
                    env_file: Path) -> list[Problem]:
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return [Problem("database_url")]
    if (url.get_backend_name(), url.get_driver_name()) not in DRIVERS:
        return [Problem("database_driver", {"scheme": url.drivername})]
    given = _given("DATABASE_URL", environ, env_file)
    if given and normalise_database_url(given) != given.strip():
        scheme = given.strip().partition("://")[0]
        return [Problem("database_normalised", {"scheme": scheme, "driver": url.drivername},
                        fatal=False)]
    return []


def check_run(settings: Settings) -> list[Problem]:
    """Return the problems that stop `thidua run`: channels and their webhooks."""
    problems: list[Problem] = []
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        problems.append(Problem("no_channel"))
    webhooks = (("TELEGRAM", settings.telegram_webhook_url, settings.telegram_webhook_secret),
                ("ZALO", settings.zalo_webhook_url, settings.zalo_webhook_secret))
    for channel, url, secret in webhooks:
        if not url:
            continue
        parts = urlsplit(url.strip())
        if parts.scheme != "https" and parts.hostname not in LOOPBACK:
            problems.append(Problem("webhook_https", {"name": f"{channel}_WEBHOOK_URL"}))
        if secret is None or not secret.get_secret_value().strip():
            problems.append(Problem("webhook_secret", {"name": f"{channel}_WEBHOOK_SECRET",
                                                       "url": f"{channel}_WEBHOOK_URL"}))
    if settings.public_url:  # one-time links carry a capability: never over plain HTTP
        parts = urlsplit(settings.public_url.strip())
        if parts.scheme != "https" and parts.hostname not in LOOPBACK:
            problems.append(Problem("public_url_https", {"value": settings.public_url}))
    return problems
