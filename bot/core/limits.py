"""Guards in front of the dispatcher: per-person rate limit, size caps, text cleaning."""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.types import AttachmentKind, Incoming

# C0/C1 control characters except tab and newline, and the bidirectional embedding,
# override and isolate marks that can make text display in a misleading order.
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_PAYLOAD_RE = re.compile(r"^[\x21-\x7e]{1,64}$")
_START_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def clean_text(text: str | None) -> str | None:
    """Return text in NFC without control characters or bidi overrides (None stays None)."""
    if text is None:
        return None
    return _UNSAFE_RE.sub("", unicodedata.normalize("NFC", text.replace("\r\n", "\n")))


def valid_payload(payload: str) -> bool:
    """Tell whether a choice payload has the shape the bot makes (short printable ASCII)."""
    return bool(_PAYLOAD_RE.match(payload))


def valid_start_payload(payload: str) -> bool:
    """Tell whether a deep-link start payload is one the bot could have made."""
    return bool(_START_PAYLOAD_RE.match(payload))


class Refusal(StrEnum):
    """Why a message was refused before it reached a handler (catalog key suffixes)."""

    TEXT_TOO_LONG = "text_too_long"
    TOO_MANY_PHOTOS = "too_many_photos"
    PHOTO_TOO_BIG = "photo_too_big"
    FILE_TOO_BIG = "file_too_big"


@dataclass(frozen=True, slots=True)
class Caps:
    """Size limits of one incoming message."""

    max_text: int
    max_photos: int
    max_photo_bytes: int

    def check(self, msg: Incoming) -> Refusal | None:
        """Return why the message is too big, or None when it is acceptable."""
        if msg.text is not None and len(msg.text) > self.max_text:
            return Refusal.TEXT_TOO_LONG
        photos = [a for a in msg.attachments if a.kind is AttachmentKind.PHOTO]
        if len(photos) > self.max_photos:
            return Refusal.TOO_MANY_PHOTOS
        too_big = [a for a in msg.attachments
                   if a.size is not None and a.size > self.max_photo_bytes]
        if any(a.kind is AttachmentKind.DOCUMENT for a in too_big):
            return Refusal.FILE_TOO_BIG
        if too_big:
            return Refusal.PHOTO_TOO_BIG
        return None


class Verdict(StrEnum):
    """What the rate limiter says about one message."""

    PASS = "pass"
    WARN = "warn"
    DROP = "drop"


@dataclass(slots=True)
class _Window:
    times: deque[datetime] = field(default_factory=deque)
    warned_at: datetime | None = None


class RateLimiter:
    """Sliding-window limit per sender, in memory: `limit` messages per `window`.

    The first message over the limit in a window gets a polite warning, the next ones are
    dropped silently; both are counted in `dropped`.
    """

    SWEEP_EVERY = 1000

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self.dropped = 0
        self._windows: dict[tuple[str, str], _Window] = {}
        self._calls = 0

    def check(self, key: tuple[str, str], now: datetime) -> Verdict:
        """Count one message from `key` at `now` and say whether to handle it."""
        if self.limit <= 0:
            return Verdict.PASS
        self._calls += 1
        if self._calls % self.SWEEP_EVERY == 0:
            self._sweep(now)
        state = self._windows.setdefault(key, _Window())
        start = now - self.window
        while state.times and state.times[0] <= start:
            state.times.popleft()
        if len(state.times) < self.limit:
            state.times.append(now)
            return Verdict.PASS
        self.dropped += 1
        if state.warned_at is not None and state.warned_at > start:
            return Verdict.DROP
        state.warned_at = now
        return Verdict.WARN

    def _sweep(self, now: datetime) -> None:
        start = now - self.window
        idle = [key for key, state in self._windows.items()
                if (not state.times or state.times[-1] <= start)
                and (state.warned_at is None or state.warned_at <= start)]
        for key in idle:
            del self._windows[key]

    def __len__(self) -> int:
        return len(self._windows)


# Two identical messages sent this close together (by the platform's own timestamps) are
# one double tap, when the second was sent before the first had been answered.
DOUBLE_TAP = timedelta(seconds=1)
CLOCKS_AGREE = timedelta(seconds=2)
_TAPS_KEPT = 10_000


@dataclass(slots=True)
class _Tap:
    text: str
    sent_at: datetime  # the platform's clock
    answered_at: datetime | None = None  # our clock


@dataclass
class DoubleTaps:
    """Recognise a message typed or tapped twice before the bot answered the first one.

    On Zalo a number picks from the menu last shown: "1" sent twice quickly would pick the
    first screen's "1", then the next screen's "1" (mark a week, then unmark it), though the
    person saw only the first screen. Only messages carrying the time the platform received
    them (`Incoming.sent_at`) are compared; the console and tests typing after each reply
    are never matched (their second message is sent after the first was answered).
    """

    taps: dict[tuple[str, str], _Tap] = field(default_factory=dict)

    def arrived(self, msg: Incoming, now: datetime) -> bool:
        """Record a message (`now`: our real time); tell whether it repeats the previous one
        as a double tap.

        The platform's send time is compared with our clock only when the two agree (the
        message's time within `CLOCKS_AGREE` of ours on arrival): a platform or test clock
        apart from ours never drops an answer; a repeat that reaches us while the first is
        still being answered is a double tap whatever the clocks say."""
        if msg.sent_at is None or msg.text is None or msg.choice is not None:
            return False
        key = (msg.channel, msg.chat_id)
        previous = self.taps.get(key)
        if (previous is not None and previous.text == msg.text
                and timedelta(0) <= msg.sent_at - previous.sent_at < DOUBLE_TAP
                and (previous.answered_at is None
                     or (abs(now - msg.sent_at) <= CLOCKS_AGREE
                         and msg.sent_at < previous.answered_at))):
            return True
        if len(self.taps) >= _TAPS_KEPT:
            self.taps.pop(next(iter(self.taps)))
        self.taps[key] = _Tap(msg.text, msg.sent_at)
        return False

    def answered(self, msg: Incoming, now: datetime) -> None:
        """Note when a recorded message was answered (`now`: real time, as `sent_at`)."""
        tap = self.taps.get((msg.channel, msg.chat_id))
        if tap is not None and msg.sent_at is not None and tap.sent_at == msg.sent_at \
                and tap.answered_at is None:
            tap.answered_at = now
