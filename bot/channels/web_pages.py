"""The small web pages one-time links open (`/l/<token>`), served by the webhook server.

Plain server-rendered HTML in Vietnamese, no script at all, readable on a cheap phone: an
upload form, a download button, a progress table with inline SVG bar charts. What a page
shows comes from a `WebBackend` (bot/app/web.py wires the features' parts); this module only
renders and carries HTTP. The token is never logged; pages are never cached nor indexed,
and no referrer leaves them.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import BodyPartReader, web

from bot.core.weblinks import LINK_PATH, Chart, ProgressSection

logger = logging.getLogger(__name__)

Texts = Callable[..., str]
CHUNK = 1 << 16
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; "
                                "img-src data:; form-action 'self'; base-uri 'none'"),
}


@dataclass(frozen=True, slots=True)
class Page:
    """What one page shows; every text is already a catalog text.

    `action` is "upload" (a file form), "download" (a button to the file) or "" (nothing
    to do: a progress view, a report, a refusal).
    """

    title: str
    text: str = ""
    action: str = ""
    report: str = ""
    sections: Sequence[ProgressSection] = ()
    status: int = 200


@dataclass(frozen=True, slots=True)
class FileOut:
    """A file the download link hands out."""

    filename: str
    media_type: str
    data: bytes = field(repr=False)


class WebBackend(Protocol):
    """What the pages ask of the app."""

    async def page(self, token: str) -> Page:
        """Return the page a link opens (or the refusal page)."""
        ...

    async def upload(self, token: str, filename: str, data: bytes | None) -> Page:
        """Take an uploaded file (None: too big; empty: no file) and return the page."""
        ...

    async def download(self, token: str) -> FileOut | Page:
        """Return the file of a download link, or the refusal page."""
        ...


def _svg_chart(chart: Chart, t: Texts) -> str:
    bars = list(chart.bars)
    if not bars:
        return ""
    top = max(max(b.value, b.target or 0) for b in bars) or 1
    row, label_w, bar_w = 22, 150, 170
    height = row * len(bars) + 6
    parts = [f'<svg role="img" aria-label="{html.escape(chart.title)}" width="100%" '
             f'viewBox="0 0 {label_w + bar_w + 60} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif">']
    for i, bar in enumerate(bars):
        y = 3 + i * row
        width = bar.value / top * bar_w
        reached = bar.target is None or bar.value >= bar.target
        colour = "#2e7d32" if reached else "#e65100"
        label = bar.label if len(bar.label) <= 24 else bar.label[:23] + "…"
        value = f"{bar.value:g}" + (f"/{bar.target:g}" if bar.target is not None else "")
        parts.append(f'<text x="0" y="{y + 14}">{html.escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="15" '
                     f'fill="{colour}"/>')
        if bar.target is not None:
            x = label_w + bar.target / top * bar_w
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 19}" '
                         f'stroke="#000" stroke-dasharray="2,2"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{value}</text>')
    parts.append("</svg>")
    legend = t("web.chart_legend")
    return (f'<figure><figcaption>{html.escape(chart.title)}</figcaption>{"".join(parts)}'
            f"<small>{html.escape(legend)}</small></figure>")


def _section(section: ProgressSection, t: Texts) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in section.headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                   for row in section.rows)
    charts = "".join(_svg_chart(c, t) for c in section.charts)
    note = f"<p>{html.escape(section.note)}</p>" if section.note else ""
    return (f"<section><h2>{html.escape(section.title)}</h2>{note}{charts}"
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"</table></div></section>")


STYLE = ("body{font-family:sans-serif;margin:0 auto;max-width:46rem;padding:.8rem;"
         "line-height:1.45;color:#111}h1{font-size:1.3rem}h2{font-size:1.1rem}"
         "pre{white-space:pre-wrap;background:#f3f3f3;padding:.6rem}"
         "table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #bbb;"
         "padding:.25rem .4rem;text-align:left}.scroll{overflow-x:auto}"
         "button,input{font-size:1rem;margin:.4rem 0}button{padding:.5rem 1rem}"
         "figure{margin:1rem 0}.refused{color:#b71c1c}")


def render(page: Page, t: Texts, token: str) -> str:
    """Return the page's HTML."""
    text = "".join(f"<p>{html.escape(p)}</p>" for p in page.text.split("\n") if p.strip())
    if page.status >= 400:
        text = f'<div class="refused">{text}</div>'
    action = ""
    if page.action == "upload":
        action = ('<form method="post" enctype="multipart/form-data">'
                  f'<label>{html.escape(t("web.upload.pick"))}'
                  f'<br><input type="file" name="file" accept=".csv,.xlsx" required></label>'
                  f'<br><button type="submit">{html.escape(t("web.upload.send"))}</button>'
                  "</form>")
    elif page.action == "download":
        action = (f'<p><a href="{html.escape(token)}/tai-ve" download><button type="button">'
                  f'{html.escape(t("web.download.button"))}</button></a></p>')
    report = f"<pre>{html.escape(page.report)}</pre>" if page.report else ""
    sections = "".join(_section(s, t) for s in page.sections)
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer">'
            f"<title>{html.escape(page.title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{html.escape(page.title)}</h1>{text}{report}{action}{sections}"
            f'<footer><small>{html.escape(t("web.footer"))}</small></footer></body></html>')


class WebPages:
    """Routes of the link pages on an aiohttp application."""

    def __init__(self, backend: WebBackend, texts: Texts, max_upload_bytes: int) -> None:
        self.backend = backend
        self.t = texts
        self.max_upload_bytes = max_upload_bytes

    def mount(self, app: web.Application) -> None:
        """Add `/l/{token}` (GET page, POST upload) and `/l/{token}/tai-ve` (the file)."""
        app.router.add_get(LINK_PATH + "{token}", self._get)
        app.router.add_post(LINK_PATH + "{token}", self._post)
        app.router.add_get(LINK_PATH + "{token}/tai-ve", self._file)

    def _html(self, page: Page, request: web.Request) -> web.Response:
        body = render(page, self.t, request.match_info["token"])
        return web.Response(text=body, status=page.status, content_type="text/html",
                            charset="utf-8", headers=SECURITY_HEADERS)

    async def _get(self, request: web.Request) -> web.Response:
        return self._html(await self.backend.page(request.match_info["token"]), request)

    async def _post(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        filename, data = "", None
        try:
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if isinstance(part, BodyPartReader) and part.name == "file":
                    filename = part.filename or ""
                    data = await self._read_capped(part)
                    break
        except (ValueError, AssertionError, KeyError):
            logger.info("web upload: unreadable form")
            data = b""
        return self._html(await self.backend.upload(token, filename, data), request)

    async def _read_capped(self, part: BodyPartReader) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await part.read_chunk(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_upload_bytes:
                return None
            chunks.append(chunk)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        found = await self.backend.download(request.match_info["token"])
        if isinstance(found, Page):
            return self._html(found, request)
        headers: dict[str, Any] = dict(SECURITY_HEADERS)
        headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
        return web.Response(body=found.data, content_type=found.media_type, headers=headers)
