"""Reading what a fake Bot API recorded for one chat, in order, as a person would."""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class ChatReader(Generic[T]):
    """Return a chat's messages one by one; subclasses say where the messages are."""

    def __init__(self) -> None:
        self._read = 0

    def _messages(self) -> list[T]:
        raise NotImplementedError

    async def reply(self, timeout: float = 5.0) -> T:
        """Return the next unread message the bot sent to this chat."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            messages = self._messages()
            if len(messages) > self._read:
                self._read += 1
                return messages[self._read - 1]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("no reply from the bot")
            await asyncio.sleep(0.01)

    async def assert_silent(self, wait: float = 0.3) -> None:
        """Fail if the bot sends anything more within `wait` seconds."""
        await asyncio.sleep(wait)
        unread = self._messages()[self._read :]
        assert not unread, f"unexpected replies: {unread}"
