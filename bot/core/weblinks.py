"""One-time links to the bot's small web pages, and what features plug into those pages.

A link is made for one person and one purpose (upload a file, download an export, see
progress) and carries only a random token: its SHA-256 is stored, never the token, and the
URL holds no personal data. Features provide the pages' content through `WebParts` in their
manifest; the web server (bot/channels/web_pages.py) and its wiring (bot/app/web.py) never
import a feature.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.access import Access
from bot.core.cli import ExportFile
from bot.core.config import Settings
from storage.people import Person
from storage.weblinks.repo import WebLinkRepo

if TYPE_CHECKING:
    from bot.core.context import Services

UPLOAD = "upload"
DOWNLOAD = "download"
PROGRESS = "progress"
PURPOSES = (UPLOAD, DOWNLOAD, PROGRESS)
LINK_PATH = "/l/"
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """Return the stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def links_enabled(settings: Settings) -> bool:
    """Tell whether PUBLIC_URL is set, so links can be made."""
    return bool(settings.public_url and settings.public_url.strip())


async def make_link(session: AsyncSession, settings: Settings, person_id: int, purpose: str,
                    params: Mapping[str, Any], now: datetime) -> str | None:
    """Store a new link for a person and return its URL (None without PUBLIC_URL)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    if not links_enabled(settings):
        return None
    assert settings.public_url is not None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + timedelta(hours=settings.web_link_ttl_hours)
    await WebLinkRepo(session).add(token_hash(token), person_id, purpose, dict(params), now,
                                   expires)
    return settings.public_url.strip().rstrip("/") + LINK_PATH + token


class WebRefused(Exception):
    """A page's request cannot be done: `key` is the catalog text shown, with `params`."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True)
class WebCall:
    """One page request on a valid link: the person it was made for and its parameters."""

    session: AsyncSession
    services: Services
    person: Person
    access: Access
    params: Mapping[str, Any]
    now: datetime


@dataclass(frozen=True, slots=True)
class Download:
    """A file a download page hands out; `export` is audited like every export."""

    filename: str
    media_type: str
    export: ExportFile


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: a label, a value and, if any, the target to reach."""

    label: str
    value: float
    target: float | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart (drawn as inline SVG on the page)."""

    title: str
    bars: Sequence[Bar]


@dataclass(frozen=True, slots=True)
class ProgressSection:
    """One part of a progress page: a table and its charts."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    charts: Sequence[Chart] = ()
    note: str = ""


Uploader = Callable[[WebCall, str, bytes], Awaitable[str]]
Downloader = Callable[[WebCall], Awaitable[Download]]
ProgressProvider = Callable[[WebCall], Awaitable[ProgressSection | None]]


@dataclass(frozen=True, slots=True)
class WebParts:
    """What a feature contributes to the web pages, by the link's `kind` parameter.

    `uploads[kind](call, filename, data)` takes a file and returns the report people read
    (raise WebRefused for a file that cannot be taken: the link stays usable);
    `downloads[kind](call)` returns the file (raise WebRefused when the person may not see
    it); every `progress` provider returns a section of the progress page, or None.
    """

    uploads: Mapping[str, Uploader] = field(default_factory=dict)
    downloads: Mapping[str, Downloader] = field(default_factory=dict)
    progress: Sequence[ProgressProvider] = ()
