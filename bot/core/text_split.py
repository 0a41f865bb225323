"""Split long texts into messages a platform accepts, keeping paragraphs together."""

from __future__ import annotations

import re

TELEGRAM_TEXT_LIMIT = 4096
ZALO_TEXT_LIMIT = 2000

# From coarse to fine: paragraphs (blank lines), lines, words; the last resort is a hard cut.
_LEVELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r" +"), " "),
)


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into non-empty chunks of at most `limit` characters, paragraphs first."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    chunks = (chunk.strip() for chunk in _split(text, limit, 0))
    return [chunk for chunk in chunks if chunk]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pattern, joiner = _LEVELS[level]
    chunks: list[str] = []
    current = ""
    for part in pattern.split(text):
        if not part.strip():
            continue
        if len(part) > limit:
            if current:
                chunks.append(current)
            pieces = _split(part, limit, level + 1)
            chunks.extend(pieces[:-1])
            current = pieces[-1]
            continue
        candidate = f"{current}{joiner}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = part
    if current:
        chunks.append(current)
    return chunks
