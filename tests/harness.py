"""Conversation harness over the console channel: tests read like transcripts."""

from __future__ import annotations

from collections import deque

from bot.channels.console import ConsoleChannel
from bot.core.render import numbered_text
from bot.core.types import Attachment, AttachmentKind, Reply


class Chat:
    """Send lines as a person would and read every reply in order; none may go unread."""

    def __init__(self, channel: ConsoleChannel) -> None:
        self.channel = channel
        self.pending: deque[Reply] = deque()
        self.last: Reply | None = None

    def _check_read(self) -> None:
        if self.pending:
            unread = "\n---\n".join(numbered_text(r) for r in self.pending)
            raise AssertionError(f"unread replies before sending again:\n{unread}")

    async def send(self, line: str) -> None:
        """Type a line (commands such as /as and /clock included)."""
        self._check_read()
        self.pending.extend(await self.channel.process(line))

    async def send_sticker(self) -> None:
        """Send a sticker."""
        self._check_read()
        self.pending.extend(await self.channel.send(None, (Attachment(AttachmentKind.STICKER),)))

    async def send_photo(self, caption: str | None = None) -> None:
        """Send a photo, with an optional caption."""
        self._check_read()
        photo = Attachment(AttachmentKind.PHOTO, url="file:///tmp/p.jpg", caption=caption)
        self.pending.extend(await self.channel.send(caption, (photo,)))

    async def reply(self) -> str:
        """Return the next reply as the person sees it (text plus numbered choices)."""
        assert self.pending, "expected a reply, got none"
        self.last = self.pending.popleft()
        return numbered_text(self.last)

    async def replies(self) -> list[str]:
        """Return all pending replies."""
        out = []
        while self.pending:
            out.append(await self.reply())
        return out

    def choices(self) -> list[str]:
        """Return the labels of the choices of the last reply read."""
        assert self.last is not None
        return [c.label for c in self.last.flat_choices()]

    def assert_all_read(self) -> None:
        """Fail when replies were left unread at the end of a test."""
        self._check_read()
