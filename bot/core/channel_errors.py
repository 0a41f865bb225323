"""Typed delivery errors every channel adapter raises from `send`."""

from __future__ import annotations


class ChannelError(Exception):
    """Base of the errors a channel raises when a message could not be delivered."""


class RetryAfter(ChannelError):
    """The platform asked to slow down; nothing of the reply was sent, retry after `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class Blocked(ChannelError):
    """The person blocked the bot or left the platform; never retry to this chat."""

    def __init__(self, detail: str = "blocked") -> None:
        super().__init__(detail)


class TransientError(ChannelError):
    """Network trouble, timeout or a 5xx answer; retrying later may succeed."""


class PermanentError(ChannelError):
    """The platform rejected the message itself (bad request, bad token); do not retry as is."""


class Unreachable(PermanentError):
    """The platform will not carry a message to this person now (e.g. the Zalo OA's
    interaction window has closed): not retried; the outbox reroutes or records it."""


class ChannelUnauthorized(RetryAfter):
    """The platform refuses the bot itself (401, or a burst of Zalo 403s): the channel is
    paused for `seconds` and the admins are alerted. Nothing was sent; the person is not at
    fault: keep the row queued (as for RetryAfter), never mark it failed or the person blocked.
    """

    def __init__(self, seconds: float, kind: str = "unauthorized") -> None:
        super().__init__(seconds)
        self.kind = kind
        self.args = (f"channel refused ({kind}); paused for {seconds:g} s",)
