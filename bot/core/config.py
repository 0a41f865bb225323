"""Settings from the environment and `.env` (pydantic-settings).

The bot's time zone is the commune's, never the server's: `BOT_TZ` (environment or `.env`)
wins; `TZ` is read from the `.env` file only, because an operating-system `TZ` (often `UTC`
on servers and in containers) would move reminders and quiet hours by hours. A
`postgres://` or `postgresql://` URL is accepted and given the asyncpg driver.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from storage.db import DEFAULT_DATABASE_URL

__all__ = ["DEFAULT_DATABASE_URL", "DEFAULT_TZ", "Settings", "normalise_database_url"]

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
# URL schemes written without a driver, and the async driver the bot uses for them.
DRIVERLESS = {"postgres": "postgresql+asyncpg", "postgresql": "postgresql+asyncpg",
              "sqlite": "sqlite+aiosqlite"}


def normalise_database_url(url: str) -> str:
    """Return url with the async driver when it names none (`postgres://…`)."""
    scheme, sep, rest = url.strip().partition("://")
    if sep and scheme.lower() in DRIVERLESS:
        return f"{DRIVERLESS[scheme.lower()]}://{rest}"
    return url.strip()


class _WithoutOsTz(PydanticBaseSettingsSource):
    """The process environment without `TZ`: the server's zone is not the commune's."""

    def __init__(self, inner: PydanticBaseSettingsSource) -> None:
        super().__init__(inner.settings_cls)
        self.inner = inner

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values = dict(self.inner())
        values.pop("tz", None)
        return values


class Settings(BaseSettings):
    """Every setting of the bot; names match `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    auto_migrate: bool = True
    sqlite_busy_timeout_ms: int = 5000

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_bot_username: str | None = None
    # The name people see for the bot on Zalo (said in invitations: "nhắn cho …").
    zalo_bot_name: str | None = None

    zalo_bot_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_poll_timeout: int = 30

    # Zalo Official Account (docs/zalo-oa.md): app, OA and webhook key; consent callback.
    zalo_oa_app_id: str | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_id: str | None = None
    zalo_oa_webhook_path: str = "/webhook/zalo_oa"
    zalo_oa_redirect_uri: str | None = None
    zalo_oa_pkce_verifier: SecretStr | None = None
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oa_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_oa_template_id: str | None = None
    oa_allow_paid_sends: bool = False

    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    # The HTTPS address at which the web server above is reached from outside (behind the
    # proxy): one-time links to upload, download and progress pages start with it. Unset:
    # no links, the bot points to the command line instead (docs/weblinks.md).
    public_url: str | None = None
    web_link_ttl_hours: int = Field(default=24, ge=1, le=24 * 7)
    health_host: str = "127.0.0.1"
    health_port: int = 8090

    admin_ids: str = ""
    bot_tz: str | None = None
    tz: str = Field(default=DEFAULT_TZ)
    log_level: str = "INFO"
    max_text_length: int = 1000
    max_photo_bytes: int = 5_000_000

    # Abuse guards (per channel account, in memory) and size caps of incoming messages.
    rate_limit_messages: int = 20
    rate_limit_window_seconds: int = 60
    max_message_length: int = 4000
    max_photos_per_message: int = 5
    max_upload_bytes: int = 20_000_000
    # The rule lookup's answers to the last questions asked, remembered (0: none).
    lookup_cache_size: int = Field(default=1024, ge=0)

    # Personal data: inactive accounts are anonymised after RETENTION_DAYS, warned
    # RETENTION_WARNING_DAYS before; role invite codes expire after INVITE_TTL_HOURS.
    retention_days: int = 730
    retention_warning_days: int = 30
    invite_ttl_hours: int = 48

    # Delivery of reminders and broadcasts (bot/delivery).
    reminder_hour: time = time(8, 0)
    reminder_grace_hours: int = Field(default=12, ge=1, le=72)
    reminder_max_per_day: int = Field(default=3, ge=1)
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(7, 0)
    delivery_telegram_rate: float = Field(default=25.0, gt=0)
    delivery_telegram_chat_rate: float = Field(default=1.0, gt=0)
    delivery_zalo_rate: float = Field(default=5.0, gt=0)
    delivery_zalo_oa_rate: float = Field(default=5.0, gt=0)
    delivery_retry_limit: int = Field(default=5, ge=1)
    delivery_max_in_flight: int = Field(default=8, ge=1, le=100)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read the environment without its `TZ` (see the module docstring)."""
        return (init_settings, _WithoutOsTz(env_settings), dotenv_settings,
                file_secret_settings)

    @model_validator(mode="after")
    def _bot_tz_wins(self) -> Settings:
        if self.bot_tz and self.bot_tz.strip():
            self.tz = self.bot_tz.strip()
        return self

    @field_validator("tz", mode="before")
    @classmethod
    def _blank_tz(cls, value: object) -> object:
        return DEFAULT_TZ if value is None or str(value).strip() == "" else str(value).strip()

    @field_validator("database_url", mode="after")
    @classmethod
    def _driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("telegram_bot_token", "zalo_bot_token", "telegram_webhook_secret",
                     "zalo_webhook_secret", "telegram_bot_username", "zalo_bot_name",
                     "zalo_oa_app_id", "zalo_oa_app_secret", "zalo_oa_secret_key", "zalo_oa_id",
                     "zalo_oa_pkce_verifier", "zalo_oa_template_id", "zalo_oa_redirect_uri",
                     "bot_tz", "public_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    def admin_accounts(self) -> set[tuple[str, str]]:
        """Return the (channel, external id) pairs listed in ADMIN_IDS."""
        pairs: set[tuple[str, str]] = set()
        for item in self.admin_ids.split(","):
            channel, sep, external_id = item.strip().partition(":")
            if sep and channel and external_id:
                pairs.add((channel.strip().lower(), external_id.strip()))
        return pairs
