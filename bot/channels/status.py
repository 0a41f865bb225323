"""The health of one channel: starting, ok, down (its intake fails) or paused (the
platform refuses the bot: a 401, or a burst of refusals), with the kind of the last error."""

from __future__ import annotations

import logging
import time
from collections import deque

from bot.channels.support import error_kind
from bot.core.channel_errors import ChannelUnauthorized
from bot.core.metrics import CHANNEL_PAUSES, CHANNEL_STATE, CHANNEL_UP

logger = logging.getLogger(__name__)

STATES = ("starting", "ok", "down", "paused")


class ChannelStatus:
    """State of a channel's intake and of the platform's refusals (pauses double)."""

    def __init__(self, name: str, *, burst: int = 5, window: float = 60.0,
                 pause: float = 60.0, pause_max: float = 900.0) -> None:
        self.name = name
        self._burst = burst
        self._window = window
        self._pause_initial = pause
        self._pause_max = pause_max
        self._intake = "starting"
        self._intake_error: str | None = None
        self._refused_until = 0.0
        self._refused_kind: str | None = None
        self._refusals: deque[float] = deque()
        self._next_pause = pause
        self._alerted = False
        self.publish()

    @property
    def state(self) -> str:
        """Return starting, ok, down or paused."""
        if self._refused_until > time.monotonic():
            return "paused"
        return self._intake

    @property
    def last_error(self) -> str | None:
        """Return the kind of the last failure (no message, no secret), if any."""
        if self.state == "paused":
            return self._refused_kind
        return self._intake_error

    def health(self) -> dict[str, str | None]:
        """Return the state and last error kind, as /readyz shows them (gauges updated)."""
        self.publish()
        return {"state": self.state, "error": self.last_error}

    def publish(self) -> None:
        """Bring the state gauges up to date."""
        state = self.state
        CHANNEL_UP.set(1.0 if state == "ok" else 0.0, channel=self.name)
        for name in STATES:
            CHANNEL_STATE.set(1.0 if name == state else 0.0, channel=self.name, state=name)

    def starting(self) -> None:
        """The channel is (re)starting."""
        self._intake = "starting"
        self.publish()

    def intake_ok(self) -> None:
        """A platform call of the intake succeeded."""
        if self._intake != "ok":
            if self._intake == "down":
                logger.info("channel %s: back up", self.name)
            self._intake = "ok"
            self._intake_error = None
            self.publish()

    def intake_failed(self, exc: BaseException) -> str:
        """The intake failed; return the error kind."""
        kind = error_kind(exc)
        if self._intake != "down" or self._intake_error != kind:
            logger.warning("channel %s: down (%s)", self.name, kind)
        self._intake = "down"
        self._intake_error = kind
        self.publish()
        return kind

    def refuse(self, kind: str) -> tuple[ChannelUnauthorized, bool]:
        """Pause the channel (doubling pauses); return the error and whether to alert now
        (once per episode)."""
        now = time.monotonic()
        alert = False
        left = self._refused_until - now
        if left <= 0:
            seconds = self._next_pause
            self._next_pause = min(self._next_pause * 2, self._pause_max)
            self._refused_until = now + seconds
            self._refused_kind = kind
            CHANNEL_PAUSES.inc(channel=self.name)
            logger.error("channel %s: the platform refuses the bot (%s); paused for %.1f s",
                         self.name, kind, seconds)
            self.publish()
            alert, self._alerted = not self._alerted, True
            left = seconds
        return ChannelUnauthorized(left, kind), alert

    def note_refusal(self) -> bool:
        """Count one refusal; return True when they make a burst."""
        now = time.monotonic()
        self._refusals.append(now)
        while self._refusals and self._refusals[0] < now - self._window:
            self._refusals.popleft()
        return len(self._refusals) >= self._burst

    def accepted(self) -> None:
        """A platform call succeeded: the refusal episode, if any, is over."""
        episode = self._alerted or self._refused_kind is not None
        if episode and self._refused_until <= time.monotonic():
            logger.info("channel %s: the platform accepts the bot again", self.name)
            self._alerted = False
            self._refused_kind = None
            self._next_pause = self._pause_initial
            self._refusals.clear()
            self.publish()

    def refusal_left(self) -> float:
        """Return the seconds the channel stays paused."""
        return max(0.0, self._refused_until - time.monotonic())

    def paused_error(self) -> ChannelUnauthorized:
        """Return the error for a send attempted while paused."""
        return ChannelUnauthorized(self.refusal_left(), self._refused_kind or "unauthorized")
