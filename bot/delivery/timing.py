"""Civil-hours arithmetic for proactive messages: quiet hours, reminder times, local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A nightly span (e.g. 21:00–07:00, local time) when nothing proactive is sent."""

    start: time
    end: time

    @property
    def enabled(self) -> bool:
        """Tell whether there are quiet hours at all (start == end switches them off)."""
        return self.start != self.end

    def contains(self, moment: datetime, tz: tzinfo) -> bool:
        """Tell whether `moment` falls inside the quiet hours."""
        if not self.enabled:
            return False
        now = moment.astimezone(tz).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def next_allowed(self, moment: datetime, tz: tzinfo) -> datetime:
        """Return `moment` itself, or the end of the quiet hours it falls in."""
        if not self.contains(moment, tz):
            return moment
        local = moment.astimezone(tz)
        end = at_time(local.date(), self.end, tz)
        return end if end > local else at_time(local.date() + timedelta(days=1), self.end, tz)


def at_time(day: date, when: time, tz: tzinfo) -> datetime:
    """Return the aware datetime of `day` at local time `when`."""
    return datetime.combine(day, when.replace(tzinfo=None), tzinfo=tz)


def day_bounds(moment: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the start of the local day of `moment` and the start of the next one."""
    day = moment.astimezone(tz).date()
    return at_time(day, time(0, 0), tz), at_time(day + timedelta(days=1), time(0, 0), tz)


def retry_delay(attempts: int, base: float = 30.0, cap: float = 3600.0) -> timedelta:
    """Return the wait before retry number `attempts` (30 s, 1 min, 2 min … up to 1 h)."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))
