"""What the link pages show: a link's token → its person and purpose → a feature's part.

The pages ask nothing of the visitor: the token is the person's capability, so every check
is made here, on the server, at each request: the link exists (only the token's hash is
stored), has not expired, an upload link has not been used, the person still exists, and
the feature's part checks that the person may still see or change what the link names
(their roles and units today, not when the link was made).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.app.exports import audit_export
from bot.channels.web_pages import FileOut, Page, WebPages
from bot.core.access import Access
from bot.core.cli import ExportFile
from bot.core.weblinks import (
    DOWNLOAD,
    UPLOAD,
    Download,
    Downloader,
    ProgressProvider,
    Uploader,
    WebCall,
    WebParts,
    WebRefused,
    token_hash,
)
from bot.delivery.service import delivery_of
from handlers.common.feature import Feature
from storage.access import GrantRepo
from storage.people import PeopleRepo
from storage.personal_data import export_json, export_person
from storage.weblinks.repo import WebLink, WebLinkRepo

logger = logging.getLogger(__name__)
Part = TypeVar("Part")

JSON_TYPE = "application/json"
PRIVACY = "privacy"


@dataclass(frozen=True, slots=True)
class _Refusal:
    page: Page


class LinkBackend:
    """The pages' backend over the app's database and the features' web parts."""

    def __init__(self, app: App, features: Sequence[Feature]) -> None:
        self.app = app
        self.t = app.services.messages.t
        self.uploads: dict[str, Uploader] = {}
        self.downloads: dict[str, Downloader] = {PRIVACY: self._privacy}
        self.progress: list[ProgressProvider] = []
        for feature in features:
            parts: WebParts | None = feature.web
            if parts is None:
                continue
            self.uploads.update(parts.uploads)
            self.downloads.update(parts.downloads)
            self.progress.extend(parts.progress)

    # --- checks ---------------------------------------------------------------------------

    def _refused(self, key: str, status: int, **params: Any) -> _Refusal:
        return _Refusal(Page(self.t("web.refused.title"), self.t(key, **params),
                             status=status))

    async def _call(self, session: AsyncSession, token: str, purpose: str | None = None
                    ) -> tuple[WebLink, WebCall] | _Refusal:
        now = self.app.services.clock.now()
        link = await WebLinkRepo(session).by_hash(token_hash(token)) if token else None
        if link is None or (purpose is not None and link.purpose != purpose):
            return self._refused("web.refused.unknown", 404)
        if link.expires_at <= now:
            return self._refused("web.refused.expired", 410)
        if link.purpose == UPLOAD and link.used_at is not None:
            return self._refused("web.refused.used", 410)
        person = await PeopleRepo(session).find(link.person_id)
        if person is None:  # the account was deleted since
            return self._refused("web.refused.unknown", 404)
        grants = await GrantRepo(session).active_for(person.id)
        access = Access(tuple(grants), self.app.services.units)
        return link, WebCall(session, self.app.services, person, access, link.params, now)

    async def _part(self, session: AsyncSession, token: str, purpose: str,
                    parts: Mapping[str, Part]) -> tuple[WebLink, WebCall, Part] | _Refusal:
        """Check an upload or download link and find the feature's part for its kind."""
        found = await self._call(session, token, purpose)
        if isinstance(found, _Refusal):
            return found
        link, call = found
        part = parts.get(str(link.params.get("kind", "")))
        if part is None:
            return self._refused("web.refused.unknown", 404)
        return link, call, part

    # --- pages ----------------------------------------------------------------------------

    async def page(self, token: str) -> Page:
        """Return the page a link opens."""
        async with self.app.sessions() as session:
            found = await self._call(session, token)
            if isinstance(found, _Refusal):
                return found.page
            link, call = found
            kind = str(link.params.get("kind", ""))
            if link.purpose == UPLOAD:
                if kind not in self.uploads:
                    return self._refused("web.refused.unknown", 404).page
                return Page(self.t("web.upload.title"), self._upload_intro(call), "upload")
            if link.purpose == DOWNLOAD:
                if kind not in self.downloads:
                    return self._refused("web.refused.unknown", 404).page
                return Page(self.t("web.download.title"),
                            self.t("web.download.intro", what=self.t(f"web.kind.{kind}"),
                                   until=self._until(link)), "download")
            return await self._progress(call)

    def _until(self, link: WebLink) -> str:
        return link.expires_at.astimezone(self.app.services.clock.tz).strftime("%H:%M %d/%m/%Y")

    def _upload_intro(self, call: WebCall) -> str:
        units = self.app.services.units
        unit = str(call.params.get("unit") or "")
        name = units.path_text(unit) if unit and units.get(unit) else unit
        return self.t("web.upload.intro", week=call.params.get("week", ""), unit=name)

    async def _progress(self, call: WebCall) -> Page:
        sections = []
        for provider in self.progress:
            try:
                section = await provider(call)
            except WebRefused as exc:
                return Page(self.t("web.refused.title"), self.t(exc.key, **exc.params),
                            status=403)
            if section is not None:
                sections.append(section)
        if not sections:
            return self._refused("web.refused.nothing", 404).page
        return Page(self.t("web.progress.title"), self.t("web.progress.intro"),
                    sections=sections)

    async def upload(self, token: str, filename: str, data: bytes | None) -> Page:
        """Take the file of an upload link: once, and only when the import accepts it."""
        title = self.t("web.upload.title")
        async with self.app.sessions() as session:
            found = await self._part(session, token, UPLOAD, self.uploads)
            if isinstance(found, _Refusal):
                return found.page
            link, call, uploader = found
            again = self._upload_intro(call)
            if data is None:
                cap = self.app.settings.max_upload_bytes
                size = f"{cap // 1_000_000} MB" if cap >= 1_000_000 else f"{cap // 1000} KB"
                return Page(title, self.t("web.upload.too_big", size=size) + "\n" + again,
                            "upload", status=413)
            if not data:
                return Page(title, self.t("web.upload.empty") + "\n" + again, "upload",
                            status=400)
            if not await WebLinkRepo(session).spend(link.id, call.now):
                return self._refused("web.refused.used", 410).page
            try:
                report = await uploader(call, filename or "danh-sach", data)
            except WebRefused as exc:
                await session.rollback()  # the link stays usable for a corrected file
                return Page(title, self.t(exc.key, **exc.params) + "\n" + again, "upload",
                            status=400)
            await delivery_of(self.app.services).notify(
                session, call.person.id, f"weblink:{link.id}", "web.upload.chat_report",
                {"report": report}, now=call.now)
            await session.commit()
        logger.info("web upload taken (link %s)", link.id)
        return Page(self.t("web.upload.done_title"), self.t("web.upload.done"), report=report)

    async def download(self, token: str) -> FileOut | Page:
        """Build, audit and hand out the file of a download link."""
        async with self.app.sessions() as session:
            found = await self._part(session, token, DOWNLOAD, self.downloads)
            if isinstance(found, _Refusal):
                return found.page
            link, call, downloader = found
            try:
                made = await downloader(call)
            except WebRefused as exc:
                return Page(self.t("web.refused.title"), self.t(exc.key, **exc.params),
                            status=403)
            await audit_export(session, call.now, made.export, call.person.id)
            await session.commit()
        logger.info("web download handed out (link %s, %s rows)", link.id, made.export.rows)
        return FileOut(made.filename, made.media_type, made.export.data)

    async def _privacy(self, call: WebCall) -> Download:
        """The person's own personal-data export (JSON), as /quyenriengtu sends it."""
        router = self.app.services.router
        data = await export_person(call.session, router.personal_data, call.person.id)
        body = export_json(data, exported_at=call.now,
                           policy_version=self.app.services.policy.version)
        rows = sum(len(records) for records in data.values())
        return Download(f"du-lieu-ca-nhan-{call.now:%Y%m%d}.json", JSON_TYPE,
                        ExportFile(body, rows, "person", lambda _p: "",
                                   scope=str(call.person.id)))


def link_pages(app: App, features: Sequence[Feature]) -> WebPages:
    """Return the link pages of an app (to mount on its web server)."""
    return WebPages(LinkBackend(app, features), app.services.messages.t,
                    app.settings.max_upload_bytes)

