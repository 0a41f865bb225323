"""A local fake of the Zalo OA Open API and its OAuth server, written from
`../shared/reference/zalo-oa-api.md`, on 127.0.0.1.

What it reproduces: the `{data, error, message}` envelope with errors at HTTP 200; the token
endpoint (`secret_key` header, form body, `expires_in` as a string, 25 h access tokens,
single-use refresh tokens, 10-minute single-use codes); `access_token` header checks (-216
unknown, -220 expired); consultation messages (`/v3.0/oa/message/cs`: text <= 2,000, at most
5 buttons, images by `attachment_id`, files by upload `token`, ids that expire after 7 days
-> -100) sent only inside the 7-day interaction window (-230); template messages; uploads;
`user/detail`; `getoa`; signed webhooks (`X-ZEvent-Signature: mac=sha256(app_id + body +
timestamp + OA secret key)`) with millisecond-string timestamps; echoes `oa_send_*` of what
the OA sent; replays of a delivery; bursts of -32. Time is an injectable clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.channels.reading import ChatReader

ACCESS_LIFETIME = timedelta(hours=25)
REFRESH_LIFETIME = timedelta(days=90)
CODE_LIFETIME = timedelta(minutes=10)
WINDOW = timedelta(days=7)
ATTACHMENT_LIFETIME = timedelta(days=7)
SIGNATURE_HEADER = "X-ZEvent-Signature"

_ids = itertools.count(1)


class Clock(Protocol):
    """Anything with an aware `now()` (bot.core.clock.MovableClock in tests)."""

    def now(self) -> datetime:
        """Return the current aware datetime."""
        ...


def ms(moment: datetime) -> str:
    """Return an epoch-milliseconds string, as Zalo writes timestamps."""
    return str(int(moment.timestamp() * 1000))


def sign(app_id: str, body: bytes, timestamp: str, key: str) -> str:
    """Return the documented webhook mac: sha256 hex of app_id + body + timestamp + key."""
    digest = hashlib.sha256()
    digest.update(app_id.encode() + body + timestamp.encode() + key.encode())
    return digest.hexdigest()


@dataclass
class Grant:
    """One access/refresh pair the fake issued."""

    access: str
    refresh: str
    access_expires: datetime
    refresh_expires: datetime
    refresh_used: bool = False


@dataclass
class Person:
    """A Zalo user as the OA knows them."""

    user_id: str
    display_name: str
    follower: bool = False
    last_interaction: datetime | None = None
    blocked: bool = False


@dataclass
class FakeZaloOA:
    """Serve the OA Open API and OAuth on one local port; emit signed webhooks."""

    clock: Clock
    app_id: str = "360846524940903967"
    app_secret: str = "APP-secret-Kx9"
    oa_secret_key: str = "OA-secret-key-Zq7"
    oa_id: str = "2718281828459045"
    redirect_uri: str = "https://xa.example.vn/zalo-oa/callback"
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)
    refreshes: int = 0
    # Emit an oa_send_* echo to the webhook after every message the OA sends.
    echoes: bool = True

    def __post_init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.grants: dict[str, Grant] = {}  # by access token
        self._by_refresh: dict[str, Grant] = {}
        self._codes: dict[str, tuple[datetime, str | None]] = {}
        self._attachments: dict[str, datetime] = {}
        self._scripted: dict[str, list[int]] = {}
        self._server: TestServer | None = None
        self._session: aiohttp.ClientSession | None = None
        self._sent_event = asyncio.Event()
        self.webhook_url = ""
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []
        self.webhook_answers: list[int] = []
        self.base_url = ""
        # Photos and files people sent, served as Zalo's CDN would (their URLs expire).
        self.cdn: dict[str, bytes] = {}
        self.fetched: list[str] = []

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> str:
        """Start listening and return the base URL (used for both openapi and oauth)."""
        app = web.Application()
        app.router.add_post("/v4/oa/access_token", self._token)
        app.router.add_route("*", "/{path:v[23]\\.0/.*}", self._api)
        app.router.add_get("/cdn/{name}", self._cdn_get)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server(access_log=None)  # it would log tokens
        self.base_url = str(self._server.make_url("")).rstrip("/")
        return self.base_url

    async def close(self) -> None:
        """Stop listening and close the webhook client."""
        if self._session is not None:
            await self._session.close()
        if self._server is not None:
            await self._server.close()

    # --- test controls --------------------------------------------------------------------

    def person(self, user_id: str, display_name: str = "Lan", *, follower: bool = True
               ) -> Person:
        """Create (or return) a user of Zalo known to the OA."""
        if user_id not in self.people:
            self.people[user_id] = Person(user_id, display_name, follower)
        return self.people[user_id]

    def issue_code(self, code_verifier: str | None = None) -> str:
        """Return an authorization code as the consent page hands it to the callback."""
        code = secrets.token_urlsafe(16)
        self._codes[code] = (self.clock.now(), code_verifier)
        return code

    def issue_grant(self) -> Grant:
        """Issue a pair directly (as the API Explorer does) and return it."""
        now = self.clock.now()
        grant = Grant(f"AT-{secrets.token_hex(12)}", f"RT-{secrets.token_hex(12)}",
                      now + ACCESS_LIFETIME, now + REFRESH_LIFETIME)
        self.grants[grant.access] = grant
        self._by_refresh[grant.refresh] = grant
        return grant

    def fail(self, path: str, error: int, times: int = 1) -> None:
        """Answer the next `times` calls of `path` (e.g. "v3.0/oa/message/cs") with `error`."""
        self._scripted.setdefault(path.strip("/"), []).extend([error] * times)

    def burst_32(self, times: int) -> None:
        """Refuse the next `times` sends with -32 (rate limit reached)."""
        self.fail("v3.0/oa/message/cs", -32, times)

    def expire_all_access_tokens(self) -> None:
        """Make every access token expired now (as if 25 h passed for tokens only)."""
        for grant in self.grants.values():
            grant.access_expires = self.clock.now() - timedelta(seconds=1)

    def texts_to(self, user_id: str) -> list[str]:
        """Return the texts sent to one user, in order."""
        return [m["message"].get("text", "") for m in self.sent
                if m["recipient"]["user_id"] == user_id]

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        """Return the full message bodies sent to one user, in order."""
        return [m["message"] for m in self.sent if m["recipient"]["user_id"] == user_id]

    async def wait_sent(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least `count` consultation messages were accepted."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.sent) < count:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"expected {count} sent messages, got {len(self.sent)}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), timeout=left)
        return self.sent

    # --- webhooks -------------------------------------------------------------------------

    def user_event(self, event_name: str, user_id: str, *, msg_id: str | None = None,
                   **message: Any) -> dict[str, Any]:
        """Build a user event (`user_send_*`) with string ids and a ms-string timestamp."""
        return {
            "app_id": self.app_id, "user_id_by_app": f"app-{user_id}",
            "event_name": event_name, "timestamp": ms(self.clock.now()),
            "sender": {"id": user_id}, "recipient": {"id": self.oa_id},
            "message": {"msg_id": msg_id or f"m{next(_ids):012x}", **message},
        }

    def cdn_url(self, name: str, data: bytes) -> str:
        """Serve a photo or file a person sent; return its URL (until `expire`)."""
        self.cdn[name] = data
        return f"{self.base_url}/cdn/{name}"

    def expire(self, name: str) -> None:
        """Let a CDN URL expire (404 from now on)."""
        self.cdn.pop(name, None)

    async def _cdn_get(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.cdn:
            return web.Response(status=404)
        self.fetched.append(name)
        return web.Response(body=self.cdn[name], content_type="application/octet-stream")

    def file_event(self, user_id: str, name: str, data: bytes) -> dict[str, Any]:
        """Build a `user_send_file` event whose file the CDN serves."""
        payload = {"url": self.cdn_url(name, data), "name": name, "size": str(len(data)),
                   "type": name.rsplit(".", 1)[-1]}
        return self.user_event("user_send_file", user_id,
                               attachments=[{"type": "file", "payload": payload}])

    def image_event(self, user_id: str, name: str, data: bytes) -> dict[str, Any]:
        """Build a `user_send_image` event whose photo the CDN serves."""
        payload = {"url": self.cdn_url(name, data), "thumbnail": ""}
        return self.user_event("user_send_image", user_id,
                               attachments=[{"type": "image", "payload": payload}])

    def follow_event(self, user_id: str, follow: bool = True) -> dict[str, Any]:
        """Build a `follow` / `unfollow` event."""
        return {"oa_id": self.oa_id, "follower": {"id": user_id}, "user_id_by_app":
                f"app-{user_id}", "source": "oa_profile", "app_id": self.app_id,
                "event_name": "follow" if follow else "unfollow",
                "timestamp": ms(self.clock.now())}

    def chatnow_event(self, user_id: str) -> dict[str, Any]:
        """Build a flat `user_click_chatnow` event (tap on "Nhắn tin")."""
        return {"app_id": self.app_id, "user_id": user_id, "oa_id": self.oa_id,
                "event_name": "user_click_chatnow", "timestamp": ms(self.clock.now())}

    def _interacted(self, event: dict[str, Any]) -> None:
        name = str(event.get("event_name", ""))
        if name.startswith("user_send_") or name in ("user_click_chatnow", "user_submit_info"):
            user_id = (event.get("sender") or {}).get("id") or event.get("user_id")
        elif name in ("follow", "unfollow"):
            user_id = (event.get("follower") or {}).get("id")
        else:
            return  # receipts and echoes are not interactions
        person = self.person(str(user_id))
        if name == "unfollow":
            person.follower = False
            return
        if name == "follow":
            person.follower = True
        person.last_interaction = self.clock.now()

    async def deliver(self, event: dict[str, Any], *, tamper: bool = False,
                      signature: str | None = None, num_retry: int | None = None) -> int:
        """POST one signed event to the webhook; return the HTTP status it got."""
        self._interacted(event)
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        mac = sign(self.app_id, body, str(event.get("timestamp", "")), self.oa_secret_key)
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: signature if signature is not None else f"mac={mac}"}
        if num_retry is not None:
            headers["num_retry"] = str(num_retry)
        if tamper:
            body = body.replace(b'"text":"', b'"text":"X', 1)
        return await self._post(body, headers)

    async def replay(self, index: int = -1) -> int:
        """Deliver an earlier webhook body again, byte for byte (as Zalo's retries do)."""
        body, headers = self.deliveries[index]
        return await self._post(body, {**headers, "num_retry": "1"})

    async def _post(self, body: bytes, headers: dict[str, str]) -> int:
        if not self.webhook_url:
            raise AssertionError("no webhook URL configured on the fake")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self.deliveries.append((body, headers))
        async with self._session.post(self.webhook_url, data=body, headers=headers) as response:
            await response.read()
            self.webhook_answers.append(response.status)
            return response.status

    def _echo(self, user_id: str, message: dict[str, Any], msg_id: str) -> None:
        if not self.echoes or not self.webhook_url:
            return
        kind = "text"
        attachment = message.get("attachment") or {}
        if attachment.get("type") == "file":
            kind = "file"
        elif (attachment.get("payload") or {}).get("template_type") == "media":
            kind = "image"
        elif attachment:
            kind = "template"
        event = {"app_id": self.app_id, "event_name": f"oa_send_{kind}",
                 "timestamp": ms(self.clock.now()), "sender": {"id": self.oa_id},
                 "recipient": {"id": user_id},
                 "message": {"msg_id": msg_id, "text": message.get("text", "")}}
        asyncio.get_running_loop().create_task(self.deliver(event))

    # --- OAuth ----------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.text()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        self.calls.append(("oauth/access_token", {k: v for k, v in form.items()
                                                  if k in ("grant_type", "app_id")}))
        if request.headers.get("secret_key") != self.app_secret:
            return _oauth_error(-14001, "invalid_client", "secret_key is wrong")
        if form.get("app_id") != self.app_id:
            return _oauth_error(-14002, "invalid_app", "app_id is wrong or not activated")
        now = self.clock.now()
        if form.get("grant_type") == "authorization_code":
            issued = self._codes.pop(form.get("code", ""), None)
            if issued is None or now - issued[0] > CODE_LIFETIME:
                return _oauth_error(-14019, "invalid_grant", "code is invalid or expired")
            if issued[1] is not None and form.get("code_verifier") != issued[1]:
                return _oauth_error(-14020, "invalid_grant", "code_verifier mismatch")
        elif form.get("grant_type") == "refresh_token":
            old = self._by_refresh.get(form.get("refresh_token", ""))
            if old is None or old.refresh_used or now > old.refresh_expires:
                return _oauth_error(-14014, "invalid_grant", "refresh_token is invalid")
            old.refresh_used = True  # single use: the old refresh token dies now
            self.refreshes += 1
        else:
            return _oauth_error(-14004, "unsupported_grant_type", "grant_type")
        grant = self.issue_grant()
        return web.json_response({"access_token": grant.access,
                                  "refresh_token": grant.refresh,
                                  "expires_in": str(int(ACCESS_LIFETIME.total_seconds()))})

    # --- Open API -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        token = request.headers.get("access_token", "")
        payload: dict[str, Any] = {}
        if request.method == "GET":
            raw = request.query.get("data")
            payload = json.loads(raw) if raw else {}
        elif request.content_type == "application/json":
            payload = await request.json()
        self.calls.append((path, payload))
        grant = self.grants.get(token)
        if grant is None:
            return self._refuse(path, -216, "Access token is invalid")
        if self.clock.now() >= grant.access_expires:
            return self._refuse(path, -220, "access_token is expired or removed")
        scripted = self._scripted.get(path)
        if scripted:
            code = scripted.pop(0)
            return self._refuse(path, code, f"scripted error {code}")
        if path == "v3.0/oa/message/cs":
            return self._send_cs(payload)
        if path == "v3.0/oa/message/template":
            user_id = str(payload.get("user_id") or (payload.get("recipient") or {})
                          .get("user_id") or "")
            self.templates.append(payload)
            return _ok({"msg_id": f"t{next(_ids)}", "user_id": user_id})
        if path in ("v2.0/oa/upload/image", "v2.0/oa/upload/file"):
            return await self._upload(request, path)
        if path == "v3.0/oa/user/detail":
            person = self.people.get(str(payload.get("user_id", "")))
            if person is None:
                return self._refuse(path, -201, "user_id is invalid")
            return _ok({"user_id": person.user_id, "display_name": person.display_name,
                        "user_is_follower": person.follower})
        if path == "v2.0/oa/getoa":
            return _ok({"oa_id": self.oa_id, "name": "UBND xã Mẫu", "is_verified": True})
        if path == "v3.0/oa/quota/message":
            person = self.people.get(str(payload.get("user_id", "")))
            last = person.last_interaction if person else None
            return _ok({"last_interaction": ms(last) if last else None})
        return web.json_response({"error": 404, "message": "empty or invalid API"})

    def _refuse(self, path: str, code: int, message: str) -> web.Response:
        self.refused.append((path, code))
        return _error(code, message)

    def _send_cs(self, payload: dict[str, Any]) -> web.Response:
        path = "v3.0/oa/message/cs"
        user_id = str((payload.get("recipient") or {}).get("user_id") or "")
        message = payload.get("message") or {}
        person = self.people.get(user_id)
        if person is None:
            return self._refuse(path, -201, "user_id is invalid")
        if person.blocked:
            return self._refuse(path, -217, "User blocked invitation from OA")
        now = self.clock.now()
        if person.last_interaction is None or now - person.last_interaction > WINDOW:
            return self._refuse(path, -230, "User has not interacted with the OA in the past "
                                "7 days")
        text = message.get("text")
        attachment = message.get("attachment")
        if text is not None and (not isinstance(text, str) or len(text) > 2000):
            return self._refuse(path, -201, "text is invalid")
        if text is None and attachment is None:
            return self._refuse(path, -201, "message is invalid")
        if attachment is not None:
            payload_ = attachment.get("payload") or {}
            buttons = payload_.get("buttons") or []
            if len(buttons) > 5:
                return self._refuse(path, -201, "buttons is invalid")
            ref = payload_.get("token")
            for element in payload_.get("elements") or []:
                ref = element.get("attachment_id") or ref
            if ref is not None:
                created = self._attachments.get(ref)
                if created is None or now - created > ATTACHMENT_LIFETIME:
                    return self._refuse(path, -100, "attachment_id was expired")
        msg_id = f"oa{next(_ids):010x}"
        self.sent.append({**payload, "message_id": msg_id, "at": now})
        self._sent_event.set()
        self._echo(user_id, message, msg_id)
        return _ok({"message_id": msg_id, "user_id": user_id, "sent_time": ms(now)})

    async def _upload(self, request: web.Request, path: str) -> web.Response:
        reader = await request.multipart()
        part = await reader.next()
        if part is None or getattr(part, "name", None) != "file":
            return self._refuse(path, -201, "file is invalid")
        assert isinstance(part, aiohttp.BodyPartReader)
        data = await part.read()
        ref = secrets.token_hex(8)
        self._attachments[ref] = self.clock.now()
        self.uploads.append({"path": path, "filename": part.filename, "size": len(data),
                             "ref": ref})
        if path.endswith("image"):
            if len(data) > 1_000_000:
                return self._refuse(path, -201, "file size is invalid")
            return _ok({"attachment_id": ref})
        return _ok({"token": ref})

    def expire_uploads(self) -> None:
        """Make every uploaded attachment id and token expired."""
        for ref in self._attachments:
            self._attachments[ref] = self.clock.now() - ATTACHMENT_LIFETIME - timedelta(1)


def _ok(data: Any) -> web.Response:
    return web.json_response({"data": data, "error": 0, "message": "Success"})


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message})  # HTTP 200, as Zalo does


def _oauth_error(code: int, name: str, reason: str) -> web.Response:
    return web.json_response({"error": code, "error_name": name, "error_reason": reason,
                              "ref_doc": "https://developers.zalo.me/docs"})


class OAChat(ChatReader[str]):
    """One follower's chat with the OA over the fake: type texts, read replies in order."""

    def __init__(self, fake: FakeZaloOA, user_id: str, display_name: str = "Lan") -> None:
        self.fake = fake
        self.user_id = user_id
        fake.person(user_id, display_name)
        super().__init__()

    async def send(self, text: str) -> dict[str, Any]:
        """Type `text`; return the delivered event (to replay it)."""
        event = self.fake.user_event("user_send_text", self.user_id, text=text)
        status = await self.fake.deliver(event)
        assert status == 200, status
        return event

    def _messages(self) -> list[str]:
        return self.fake.texts_to(self.user_id)
