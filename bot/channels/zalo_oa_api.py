"""Thin asyncio client of the Zalo Official Account Open API (openapi.zalo.me) and its OAuth
server (oauth.zaloapp.com), over aiohttp. Facts: ../shared/reference/zalo-oa-api.md.

Errors come back as `{"error": <non-zero>, "message": …}`, usually with HTTP 200: the body is
always parsed. Each error code is classed once (ErrorKind) and the retry rules follow it:
-216/-220 refresh the token once and retry once; -32 and transport errors back off and retry
a few times; everything else goes back to the caller, typed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_OA_API_BASE = "https://openapi.zalo.me"
DEFAULT_OA_OAUTH_BASE = "https://oauth.zaloapp.com"
CS_PATH = "/v3.0/oa/message/cs"
TEMPLATE_PATH = "/v3.0/oa/message/template"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
UPLOAD_FILE_PATH = "/v2.0/oa/upload/file"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"
GETOA_PATH = "/v2.0/oa/getoa"
TOKEN_PATH = "/v4/oa/access_token"
CONSENT_PATH = "/v4/oa/permission"


class ErrorKind(StrEnum):
    """What an OA error code means for the caller."""

    RATE = "rate"  # -32: back off, retry
    REUPLOAD = "reupload"  # -100: upload the attachment again, retry
    AUTH = "auth"  # -216/-220: refresh the token once, retry once
    WINDOW = "window"  # the person cannot be reached now: never retry
    NIGHT = "night"  # -234: reschedule for the morning
    CONFIG = "config"  # the OA's tier, verification or wallet: alert a human
    TRANSPORT = "transport"  # no answer: retry later
    PERMANENT = "permanent"  # the request itself is wrong


ERROR_KINDS: dict[int, ErrorKind] = {
    -32: ErrorKind.RATE,
    -100: ErrorKind.REUPLOAD,
    -216: ErrorKind.AUTH,
    -220: ErrorKind.AUTH,
    -124: ErrorKind.AUTH,  # the ZNS spelling of an expired token
    -213: ErrorKind.WINDOW,  # not a follower
    -217: ErrorKind.WINDOW,  # blocked the OA
    -218: ErrorKind.WINDOW,  # out of quota to receive
    -227: ErrorKind.WINDOW,  # banned or inactive > 45 days
    -230: ErrorKind.WINDOW,  # no interaction in 7 days
    -232: ErrorKind.WINDOW,  # last interaction expired
    -244: ErrorKind.WINDOW,  # restricted this message type
    -234: ErrorKind.NIGHT,
    -211: ErrorKind.CONFIG,
    -221: ErrorKind.CONFIG,
    -224: ErrorKind.CONFIG,
    -320: ErrorKind.CONFIG,
    -321: ErrorKind.CONFIG,
}
WINDOW_CODES = frozenset(code for code, kind in ERROR_KINDS.items() if kind is ErrorKind.WINDOW)


class ZaloOAError(Exception):
    """The OA API refused a call (or gave an unusable answer); never carries a token."""

    def __init__(self, code: int, message: str, path: str = "") -> None:
        super().__init__(f"Zalo OA {path or 'API'} error {code}: {message}")
        self.code = code
        self.message = message
        self.path = path

    @property
    def kind(self) -> ErrorKind:
        """Return the class of this error (which retry rule applies)."""
        return ERROR_KINDS.get(self.code, ErrorKind.PERMANENT)


class ZaloOANetworkError(ZaloOAError):
    """The request did not complete: connection error, timeout or an HTML error page."""

    @property
    def kind(self) -> ErrorKind:
        """Return TRANSPORT: worth retrying later."""
        return ErrorKind.TRANSPORT


class ZaloOAuthError(Exception):
    """The OAuth server refused a code or a refresh token: a human must consent again."""

    def __init__(self, code: int, name: str, reason: str) -> None:
        super().__init__(f"Zalo OAuth error {code} {name}: {reason}")
        self.code = code
        self.name = name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What the token endpoint answers: access and refresh token, lifetime in seconds."""

    access_token: str
    refresh_token: str
    expires_in: int


class TokenSource(Protocol):
    """Where the client gets its access token (bot.channels.zalo_oa_tokens.OATokens)."""

    async def access_token(self) -> str:
        """Return a valid access token (refreshed ahead of expiry)."""
        ...

    async def refreshed(self, stale: str) -> str:
        """Refresh after `stale` was refused (once per stale token) and return the new one."""
        ...


def code_challenge(verifier: str) -> str:
    """Return the S256 PKCE challenge of a verifier (base64url, no padding)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """Return a random `state` for the consent link."""
    return secrets.token_urlsafe(12)


def consent_url(app_id: str, redirect_uri: str, *, verifier: str | None = None,
                state: str | None = None, oauth_base: str = DEFAULT_OA_OAUTH_BASE) -> str:
    """Return the link an OA admin opens to grant the app access to the OA."""
    params = {"app_id": app_id, "redirect_uri": redirect_uri}
    if verifier:
        params["code_challenge"] = code_challenge(verifier)
    if state:
        params["state"] = state
    return f"{oauth_base.rstrip('/')}{CONSENT_PATH}?{urlencode(params)}"


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ZaloOAuth:
    """The OAuth token endpoint: exchange a callback code, refresh a pair."""

    def __init__(self, app_id: str, app_secret: str, base_url: str = DEFAULT_OA_OAUTH_BASE,
                 *, session_factory: Callable[[], Awaitable[aiohttp.ClientSession]],
                 request_timeout: float = 20.0) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self._base_url = base_url.rstrip("/")
        self._session = session_factory
        self._timeout = request_timeout

    async def exchange(self, code: str, verifier: str | None = None) -> TokenPair:
        """Exchange the callback `code` (10 min, single use) for the first pair."""
        form = {"code": code, "app_id": self.app_id, "grant_type": "authorization_code"}
        if verifier:
            form["code_verifier"] = verifier
        return await self._post(form)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Trade a refresh token (single use) for a new pair."""
        return await self._post({"refresh_token": refresh_token, "app_id": self.app_id,
                                 "grant_type": "refresh_token"})

    async def _post(self, form: dict[str, str]) -> TokenPair:
        session = await self._session()
        headers = {"secret_key": self._secret,
                   "Content-Type": "application/x-www-form-urlencoded"}
        try:
            async with session.post(f"{self._base_url}{TOKEN_PATH}", data=urlencode(form),
                                    headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=self._timeout)) as resp:
                status = resp.status
                body = await resp.text()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ZaloOANetworkError(0, type(exc).__name__, TOKEN_PATH) from None
        try:
            data = json.loads(body)
        except ValueError:
            raise ZaloOANetworkError(status, f"HTTP {status} with a non-JSON body",
                                     TOKEN_PATH) from None
        data = _dict(data)
        access, refresh = _text_of(data.get("access_token")), _text_of(data.get("refresh_token"))
        if not access or not refresh:
            code = data.get("error")
            raise ZaloOAuthError(int(code) if isinstance(code, int) else status,
                                 _text_of(data.get("error_name")) or "no token",
                                 _text_of(data.get("error_reason") or data.get("message")))
        try:
            expires_in = int(str(data.get("expires_in") or 90000))  # a string, documented
        except ValueError:
            expires_in = 90000
        return TokenPair(access, refresh, expires_in)


class ZaloOAApi:
    """Call the OA Open API with one shared aiohttp session and a token source."""

    def __init__(self, tokens: TokenSource | None = None, base_url: str = DEFAULT_OA_API_BASE,
                 *, request_timeout: float = 30.0, rate_retries: int = 3,
                 rate_backoff: float = 2.0, transport_retries: int = 2,
                 session: aiohttp.ClientSession | None = None) -> None:
        self.tokens = tokens
        self._base_url = base_url.rstrip("/")
        self._request_timeout = request_timeout
        self._rate_retries = rate_retries
        self._rate_backoff = rate_backoff
        self._transport_retries = transport_retries
        self._session = session
        self._own_session = session is None
        self.rate_limited = 0  # -32 answers seen (for logs and tests)

    def __repr__(self) -> str:
        return f"ZaloOAApi(base_url={self._base_url!r})"

    async def session(self) -> aiohttp.ClientSession:
        """Return the shared session (opened on first use)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(self, method: str, path: str, *, json_body: dict[str, Any] | None = None,
                   query: dict[str, Any] | None = None,
                   form: Callable[[], aiohttp.FormData] | None = None) -> dict[str, Any]:
        """Call `path` and return `data`; apply the retry rules; raise ZaloOAError."""
        if self.tokens is None:
            raise ZaloOAError(-216, "no access token: run `thidua zalo-oa connect`", path)
        token = await self.tokens.access_token()
        refreshed = False
        rate_tries = transport_tries = 0
        while True:
            try:
                return await self._once(method, path, token, json_body, query, form)
            except ZaloOAError as exc:
                kind = exc.kind
                if kind is ErrorKind.AUTH and not refreshed:
                    refreshed = True
                    logger.warning("zalo_oa: token refused (%s); refreshing once", exc.code)
                    token = await self.tokens.refreshed(token)
                    continue
                if kind is ErrorKind.RATE:
                    self.rate_limited += 1
                    if rate_tries < self._rate_retries:
                        rate_tries += 1
                        await asyncio.sleep(self._rate_backoff * 2 ** (rate_tries - 1))
                        continue
                if kind is ErrorKind.TRANSPORT and transport_tries < self._transport_retries:
                    transport_tries += 1
                    await asyncio.sleep(self._rate_backoff * transport_tries)
                    continue
                raise

    async def _once(self, method: str, path: str, token: str, json_body: dict[str, Any] | None,
                    query: dict[str, Any] | None,
                    form: Callable[[], aiohttp.FormData] | None) -> dict[str, Any]:
        session = await self.session()
        url = f"{self._base_url}{path}"
        if query is not None:
            url += "?" + urlencode({"data": json.dumps(query, separators=(",", ":"))})
        kwargs: dict[str, Any] = {"headers": {"access_token": token},
                                  "timeout": aiohttp.ClientTimeout(total=self._request_timeout)}
        if form is not None:
            kwargs["data"] = form()
        elif json_body is not None:
            kwargs["json"] = json_body
        try:
            async with session.request(method, url, **kwargs) as response:
                status = response.status
                body = await response.text()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise ZaloOANetworkError(0, type(exc).__name__, path) from None
        try:
            envelope = json.loads(body)
        except ValueError:
            raise ZaloOANetworkError(status, f"HTTP {status} with a non-JSON body",
                                     path) from None
        envelope = _dict(envelope)
        code = envelope.get("error", 0)
        if not isinstance(code, int):
            try:
                code = int(str(code))
            except ValueError:
                code = status or -1
        if code != 0:
            raise ZaloOAError(code, _text_of(envelope.get("message")) or "no message", path)
        if status >= 500:
            raise ZaloOANetworkError(status, f"HTTP {status}", path)
        if status >= 400:
            raise ZaloOAError(status, f"HTTP {status}", path)
        return _dict(envelope.get("data"))

    # --- methods --------------------------------------------------------------------------

    async def send_cs(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Send one consultation message; return `{message_id, user_id, sent_time}`."""
        return await self.call("POST", CS_PATH, json_body={"recipient": {"user_id": user_id},
                                                           "message": message})

    async def send_template(self, user_id: str, template_id: str,
                            template_data: dict[str, Any]) -> dict[str, Any]:
        """Send an approved template message to a UID (billed)."""
        return await self.call("POST", TEMPLATE_PATH, json_body={
            "user_id": user_id, "template_id": template_id, "template_data": template_data})

    async def upload(self, kind: str, filename: str, data: bytes,
                     content_type: str = "application/octet-stream") -> str:
        """Upload an image (-> attachment_id) or a file (-> token) and return the reference."""
        path = UPLOAD_IMAGE_PATH if kind == "image" else UPLOAD_FILE_PATH

        def form() -> aiohttp.FormData:
            body = aiohttp.FormData()
            body.add_field("file", data, filename=filename, content_type=content_type)
            return body

        result = await self.call("POST", path, form=form)
        ref = result.get("attachment_id") if kind == "image" else result.get("token")
        if not isinstance(ref, str) or not ref:
            raise ZaloOAError(-1, "upload answered without a reference", path)
        return ref

    async def user_detail(self, user_id: str) -> dict[str, Any]:
        """Return a user's profile (display_name, user_is_follower, …)."""
        return await self.call("GET", USER_DETAIL_PATH, query={"user_id": user_id})

    async def get_oa(self) -> dict[str, Any]:
        """Return the OA's own information (a read-only health check)."""
        return await self.call("GET", GETOA_PATH)
