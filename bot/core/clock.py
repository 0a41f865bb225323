"""Injectable clocks: the real one, and one the console and tests can move."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


class Clock(Protocol):
    """Anything that tells the current time in the bot's time zone."""

    tz: ZoneInfo

    def now(self) -> datetime:
        """Return the current aware datetime in the bot's time zone."""
        ...

    def today(self) -> date:
        """Return today's date in the bot's time zone."""
        ...


class SystemClock:
    """The real clock."""

    def __init__(self, tz: str = DEFAULT_TZ) -> None:
        self.tz = ZoneInfo(tz)

    def now(self) -> datetime:
        """Return the current time."""
        return datetime.now(self.tz)

    def today(self) -> date:
        """Return today's date."""
        return self.now().date()


class MovableClock(SystemClock):
    """A clock that runs from real time plus an offset, which can be moved or reset."""

    def __init__(self, tz: str = DEFAULT_TZ, start: datetime | None = None) -> None:
        super().__init__(tz)
        self.offset = timedelta(0)
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        """Return real time shifted by the offset."""
        return datetime.now(self.tz) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward (or back, with a negative delta)."""
        self.offset += delta

    def set(self, moment: datetime) -> None:
        """Make now() return moment (time keeps flowing from there)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        self.offset = moment - datetime.now(self.tz)

    def reset(self) -> None:
        """Return to real time."""
        self.offset = timedelta(0)
