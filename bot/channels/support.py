"""Pieces the channel adapters share: type aliases, catalog keys, the dedupe set, the
ticket of an update being handled and the names of failures."""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from typing import Any, TypeAlias

from bot.channels.inbox import Inbox, InboxStatus
from bot.core.channel_errors import ChannelUnauthorized, TransientError
from bot.core.types import Incoming, Reply
from storage.inbox.marks import marking_done

Handle: TypeAlias = Callable[[Incoming], Awaitable[list[Reply]]]
OnBlocked: TypeAlias = Callable[[str, str], Awaitable[None]]
TextSource: TypeAlias = Mapping[str, str] | Callable[[str], str]
Translate: TypeAlias = Callable[[str], str]
SendPart: TypeAlias = Callable[[], Awaitable[None]]
OnAlert: TypeAlias = Callable[[str, str], Awaitable[None]]
Update: TypeAlias = tuple[str, dict[str, Any]]

# Catalog keys the adapters read; the main developer feeds them from content/messages.
UNSUPPORTED_KEY = "channel.unsupported"
GROUP_KEY = "error.group_chat"
REQUIRED_TEXT_KEYS: tuple[str, ...] = (UNSUPPORTED_KEY, GROUP_KEY)


def as_translate(texts: TextSource) -> Translate:
    """Return a `t(key) -> str` over a mapping of texts or an existing callable."""
    if callable(texts):
        return texts
    missing = [key for key in REQUIRED_TEXT_KEYS if key not in texts]
    if missing:
        raise ValueError(f"channel texts lack keys: {', '.join(missing)}")
    table = dict(texts)
    return table.__getitem__


class RecentKeys:
    """A bounded set of recently seen keys (least recently seen dropped first)."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._keys: OrderedDict[Hashable, None] = OrderedDict()
        self._maxsize = maxsize

    def add(self, key: Hashable) -> bool:
        """Remember `key`; return False if it was already there."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._maxsize:
            self._keys.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._keys)


class Refused(TransientError):
    """The platform refused a call in a way that may be its own fault (Zalo's 403 is
    documented as an internal error): retried like a transient error, but a burst of them
    pauses the channel."""


class Unrecorded(Exception):
    """The inbox could not record that replies are going: nothing is sent, the row stays
    claimed and is handled again after a restart or its lease."""


class Reclaimed(Exception):
    """The update's row is no longer this process's claim (its claim was lost in a crash of
    the database server and the row claimed again, or it was closed already): nothing is
    sent, its answer is another handler's (bot.channels.inbox)."""


def error_kind(exc: BaseException) -> str:
    """Return a short, secret-free name for why a platform call failed."""
    if isinstance(exc, ChannelUnauthorized):
        return exc.kind
    if isinstance(exc, TimeoutError):
        return "timeout"
    name = type(exc).__name__
    for marker, kind in (("Unauthorized", "unauthorized"), ("Network", "network"),
                         ("Decode", "bad_answer"), ("Server", "server_error"),
                         ("Connect", "network"), ("Timeout", "timeout")):
        if marker in name:
            return kind
    if isinstance(exc, OSError):
        return "network"
    code = getattr(exc, "error_code", None)
    if isinstance(code, int) and code >= 500:
        return "server_error"
    return name


class Ticket:
    """The inbox row behind the update being handled (no row when there is no inbox).

    The row is closed (done) once, before any reply goes: from then on the update is never
    handled again, so never answered twice (a process that dies while sending leaves it
    unanswered rather than answered twice). The close joins the commit of the message's
    effects when the core offers one (`offered`), else it is its own inbox write."""

    def __init__(self, inbox: Inbox | None, row_id: int) -> None:
        self.inbox = inbox if row_id else None
        self.row_id = row_id
        self.status = InboxStatus.DONE
        self.outcome = "ok"
        self.error: str | None = None
        # The row's close as done is committed (with the effects, or before the replies).
        self.closed = False
        # A close found the row no longer claimed by this process: nothing may be sent.
        self.reclaimed = False

    @contextlib.contextmanager
    def offered(self) -> Iterator[None]:
        """Offer the row's close to the transaction that commits the effects of the
        handling done in this block (storage.inbox.marks)."""
        if self.inbox is None or self.closed or self.reclaimed:
            yield
            return
        with marking_done(self.row_id, self.inbox.owner) as mark:
            try:
                yield
            finally:
                self.closed = self.closed or mark.written
                self.reclaimed = self.reclaimed or mark.refused

    async def answering(self) -> None:
        """Close the row as done now that replies go (unless the commit of the effects
        did); raise Unrecorded if that could not be written, Reclaimed if the row is no
        longer this process's: then nothing is sent."""
        if self.inbox is None or self.closed:
            return
        if self.reclaimed:
            raise Reclaimed
        try:
            took = await self.inbox.finish(self.row_id, InboxStatus.DONE)
        except Exception as exc:
            raise Unrecorded(type(exc).__name__) from None
        if not took:
            self.reclaimed = True
            raise Reclaimed
        self.closed = True

    def settled(self) -> bool:
        """Tell whether the row needs no more writing (closed as done, and done it is; or
        not this process's to close)."""
        return (self.closed and self.status is InboxStatus.DONE) or self.reclaimed

    def fail(self, error: str, outcome: str = "error") -> None:
        """Close the row as failed (a handler error is not retried)."""
        self.status = InboxStatus.FAILED
        self.outcome = outcome
        self.error = error

    def note(self, outcome: str) -> None:
        """Name the outcome counted in the metrics (ok, ignored, group...)."""
        self.outcome = outcome
