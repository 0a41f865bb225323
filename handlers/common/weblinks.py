"""Offer a one-time link in the chat (bot/core/weblinks.py), or say why there is none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.context import Context
from bot.core.weblinks import DOWNLOAD, PROGRESS, UPLOAD, make_link

__all__ = ["DOWNLOAD", "PROGRESS", "UPLOAD", "download_link_text", "link_text"]


async def link_text(ctx: Context, purpose: str, params: Mapping[str, Any], key: str,
                    fallback: str, **fmt: Any) -> str:
    """Return the catalog text `key` with a new link for this person (`{url}`, `{hours}`),
    or `fallback` (which says that PUBLIC_URL is needed) when links are not set up."""
    settings = ctx.services.settings
    url = await make_link(ctx.session, settings, ctx.person.id, purpose, params,
                          ctx.clock.now())
    if url is None:
        return ctx.t(fallback, **fmt)
    return ctx.t(key, url=url, hours=settings.web_link_ttl_hours, **fmt)


async def download_link_text(ctx: Context, kind: str, params: Mapping[str, Any],
                             command: str) -> str:
    """Return the download link of an export `kind` where the chat cannot carry files, or
    the command-line way when PUBLIC_URL is not set."""
    return await link_text(ctx, DOWNLOAD, {**params, "kind": kind}, "web.chat.download_link",
                           "web.chat.no_public_url", what=ctx.t(f"web.kind.{kind}"),
                           command=command)
