"""Fetch a photo a platform hands over as a URL, at once and within a size cap.

Zalo's inbound photo URLs may expire, so the adapters fetch the bytes while handling the
message; evidence then lives in the bot's own storage. Only http(s) URLs are fetched, the
body is read in chunks and dropped past `max_bytes`, and failures are logged without the
URL (it may carry a token) and give None: the message is still handled, with the URL only.
"""

from __future__ import annotations

import logging

import aiohttp

logger = logging.getLogger(__name__)

CHUNK = 1 << 16


async def fetch_capped(session: aiohttp.ClientSession, url: str, max_bytes: int,
                       *, timeout: float = 20.0) -> bytes | None:
    """Return the body at `url`, or None when it fails or passes `max_bytes`."""
    if not url.startswith(("https://", "http://")):
        return None
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout),
                               allow_redirects=True, max_redirects=3) as response:
            if response.status != 200:
                logger.warning("a photo could not be fetched: HTTP %s", response.status)
                return None
            if (response.content_length or 0) > max_bytes:
                logger.warning("a photo over %s bytes was not fetched", max_bytes)
                return None
            data = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    logger.warning("a photo over %s bytes was dropped", max_bytes)
                    return None
            return bytes(data)
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        logger.warning("a photo could not be fetched: %s", type(exc).__name__)
        return None
