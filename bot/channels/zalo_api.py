"""Thin asyncio client of the Zalo Bot API (bot-api.zaloplatforms.com) over aiohttp."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import aiohttp

from bot.channels.fetch import fetch_capped

logger = logging.getLogger(__name__)

DEFAULT_ZALO_API_BASE = "https://bot-api.zaloplatforms.com"
NO_UPDATE = 408  # getUpdates answers 408 when the poll timed out idle


class ZaloApiError(Exception):
    """The API answered `ok: false` (or an unusable response); never carries the token."""

    def __init__(self, error_code: int, description: str, method: str = "") -> None:
        super().__init__(f"Zalo {method or 'API'} error {error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.method = method

    @property
    def transient(self) -> bool:
        """Return True when retrying later may succeed (timeouts, 5xx)."""
        return self.error_code == NO_UPDATE or self.error_code >= 500


class ZaloNetworkError(ZaloApiError):
    """The request did not complete: connection error or client timeout."""

    @property
    def transient(self) -> bool:
        """Return True: network errors are worth retrying."""
        return True


class ZaloUnauthorizedError(ZaloApiError):
    """401: the token is wrong or revoked."""


class ZaloForbiddenError(ZaloApiError):
    """403: the platform refuses this chat (blocked bot, or an undocumented refusal)."""


class ZaloRateLimitError(ZaloApiError):
    """429: quota exceeded; `retry_after` in seconds when the API tells it."""

    def __init__(
        self, error_code: int, description: str, method: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(error_code, description, method)
        self.retry_after = retry_after


def token_fingerprint(token: str) -> str:
    """Return a short hash naming a token in logs and guards without revealing it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def _retry_after(envelope: dict[str, Any]) -> float | None:
    parameters = envelope.get("parameters")
    candidates = [envelope.get("retry_after")]
    if isinstance(parameters, dict):
        candidates.insert(0, parameters.get("retry_after"))
    for value in candidates:
        if isinstance(value, int | float) and value >= 0:
            return float(value)
    return None


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def error_from_envelope(envelope: dict[str, Any], method: str, status: int) -> ZaloApiError:
    """Build the typed error for an `ok: false` envelope."""
    raw_code = envelope.get("error_code")
    code = raw_code if isinstance(raw_code, int) else status
    description = str(envelope.get("description") or "no description")
    if code == 429:
        return ZaloRateLimitError(code, description, method, _retry_after(envelope))
    if code == 401:
        return ZaloUnauthorizedError(code, description, method)
    if code == 403:
        return ZaloForbiddenError(code, description, method)
    return ZaloApiError(code, description, method)


class ZaloBotApi:
    """Call Zalo Bot API methods with one shared aiohttp session."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_ZALO_API_BASE,
        *,
        request_timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._request_timeout = request_timeout
        self._session = session
        self._own_session = session is None
        self.fingerprint = token_fingerprint(token)

    def __repr__(self) -> str:
        return f"ZaloBotApi(base_url={self._base_url!r}, token=<{self.fingerprint}>)"

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>")

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def download(self, url: str, max_bytes: int) -> bytes | None:
        """Fetch an inbound photo's bytes now (None when it fails or is too big)."""
        return await fetch_capped(await self._get_session(), url, max_bytes)

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(
        self, method: str, payload: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """POST `payload` to `method` and return `result`; raise ZaloApiError otherwise."""
        session = await self._get_session()
        url = f"{self._base_url}/bot{self._token}/{method}"
        client_timeout = aiohttp.ClientTimeout(total=timeout or self._request_timeout)
        try:
            async with session.post(url, json=payload or {}, timeout=client_timeout) as response:
                status = response.status
                body = await response.text()
        except TimeoutError:
            raise ZaloNetworkError(0, "request timed out", method) from None
        except aiohttp.ClientError as exc:
            detail = self._redact(f"{type(exc).__name__}: {exc}")
            raise ZaloNetworkError(0, detail, method) from None
        try:
            envelope = json.loads(body)
        except ValueError:
            raise ZaloApiError(status, f"HTTP {status} with a non-JSON body", method) from None
        if not isinstance(envelope, dict):
            raise ZaloApiError(status, f"HTTP {status} with an unexpected body", method)
        if envelope.get("ok") is not True:
            raise error_from_envelope(envelope, method, status)
        if status >= 400:
            raise ZaloApiError(status, f"HTTP {status}", method)
        return envelope.get("result")

    async def get_me(self) -> dict[str, Any]:
        """Return the bot's own account."""
        return _as_dict(await self.call("getMe"))

    async def get_updates(self, timeout: int = 30) -> list[dict[str, Any]]:
        """Long-poll for the next event; return [] when the poll ended idle (408)."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, timeout=timeout + 5)
        except ZaloApiError as exc:
            if exc.error_code == NO_UPDATE and not isinstance(exc, ZaloNetworkError):
                return []
            raise
        if isinstance(result, dict):
            return [result]
        if isinstance(result, list):  # defensive: the API documents a single event
            return [item for item in result if isinstance(item, dict)]
        return []

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """Send a text (1–2000 characters) and return `{message_id, date}`."""
        return _as_dict(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(
        self, chat_id: str, photo: str, caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo by public URL, with an optional caption."""
        payload: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            payload["caption"] = caption
        return _as_dict(await self.call("sendPhoto", payload))

    async def send_sticker(self, chat_id: str, sticker: str) -> dict[str, Any]:
        """Send a sticker by id."""
        return _as_dict(await self.call("sendSticker", {"chat_id": chat_id, "sticker": sticker}))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        """Show a chat action such as `typing`."""
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        """Register the webhook URL and its secret (8–256 characters)."""
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("the Zalo webhook secret must have 8 to 256 characters")
        payload = {"url": url, "secret_token": secret_token}
        return _as_dict(await self.call("setWebhook", payload))

    async def delete_webhook(self) -> dict[str, Any]:
        """Remove the webhook so that getUpdates works."""
        return _as_dict(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> dict[str, Any]:
        """Return `{url, updated_at}` of the registered webhook."""
        return _as_dict(await self.call("getWebhookInfo"))
