"""Deeds transcripts: notices pushed to other console users are set aside, not interleaved.

Every decision, new report and answer is pushed through the outbox; in the console those
pushes come after the replies of the line that caused them. The chat here moves them to a
separate list (`helpers.take_pushed` / `pushed_to`) so each test reads the conversation of
the person typing, and asserts the pushes where they matter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from tests.deeds.helpers import take_pushed
from tests.harness import Chat


class DeedsChat(Chat):
    """A chat whose pushes to console users are kept aside (see `take_pushed`)."""

    async def send(self, line: str) -> None:
        """Type a line; pushes it caused are set aside."""
        await super().send(line)
        take_pushed(self)

    async def send_photo(self, caption: str | None = None) -> None:
        """Send a photo; pushes it caused are set aside."""
        await super().send_photo(caption)
        take_pushed(self)


@pytest.fixture
async def chat(app: App, clock: MovableClock) -> AsyncIterator[Chat]:
    """Return a transcript chat over the console; unread replies (not pushes) fail."""
    conversation = DeedsChat(ConsoleChannel(app, clock, user="lan"))
    yield conversation
    conversation.assert_all_read()
