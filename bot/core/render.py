"""Plain-text rendering of replies for channels without buttons (console, Zalo)."""

from __future__ import annotations

from bot.core.types import Reply


def numbered_text(reply: Reply) -> str:
    """Return the reply text followed by its choices as a numbered list `1. …`."""
    choices = reply.flat_choices()
    if not choices:
        return reply.text
    lines = [f"{i}. {c.label}" for i, c in enumerate(choices, start=1)]
    return reply.text.rstrip() + "\n\n" + "\n".join(lines)


def megabytes(size: int) -> str:
    """Render a byte count as Vietnamese decimal megabytes, e.g. 5000000 → "5,0"."""
    return f"{size / 1_000_000:.1f}".replace(".", ",")
