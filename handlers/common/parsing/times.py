"""Moments typed the way people say them, read against a given now (no clock inside).

"8 giờ", "8h", "8h30", "8g30", "8 giờ 30", "8 giờ rưỡi", "8 giờ kém 15", "20:00",
"2 giờ chiều", "7 giờ tối", "8 giờ sáng mai", "sáng mai 8 giờ", "tối nay 7 giờ",
"mai 8h", "thứ 2 tuần sau 8h", "20/4 8h30", "08:00 20/04", "20/04/2024 08:00".

A part of the day ("sáng", "trưa", "chiều", "tối", "đêm") turns a 12-hour clock hour into a
24-hour one (content/natural.yaml). Without a day the moment is today; when that time has
already passed it is tomorrow only if the caller passes roll_forward=True (otherwise the past
moment is returned and the caller says it has passed). The answer carries now's timezone.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from content.natural import folded, natural
from handlers.common.parsing.dates import DateError, DateProblem, Direction, parse_date


class TimeError(ValueError):
    """Text that does not say a time of day (or an hour/minute out of range)."""


_HOUR = r"(\d{1,2})"
# "8:30", "8h30", "8g", "8 giờ 30 phút", "8 giờ rưỡi", "8 giờ kém 15", "8 h", "8 giờ đúng".
_CLOCK = re.compile(
    rf"(?<![\d/.\-]){_HOUR}\s*(?::\s*(\d{{2}})|(?:gio|h|g)\s*(?:(\d{{1,2}})\s*(?:phut|p)?"
    rf"|(ruoi)|kem\s*(\d{{1,2}})\s*(?:phut|p)?|dung)?)(?![a-z\d/.\-])")


def _clock(words: str) -> tuple[int, int, str]:
    """Find the one time of day in words; return hour, minute and the words around it."""
    matches = list(_CLOCK.finditer(words))
    if len(matches) != 1:
        raise TimeError(words)
    m = matches[0]
    hour = int(m[1])
    minute = int(m[2] or m[3] or 0)
    if m[4]:
        minute = 30
    if m[5]:
        hour, minute = hour - 1, 60 - int(m[5])
        if not 0 < int(m[5]) < 60:
            raise TimeError(words)
    if not (0 <= hour <= 24 and 0 <= minute < 60) or (hour == 24 and minute):
        raise TimeError(words)
    rest = " ".join((words[:m.start()] + " " + words[m.end():]).split())
    return hour % 24, minute, rest


def _period(rest: str) -> tuple[str | None, str]:
    """Take a part of the day ("sáng", "chiều"…) out of the words around the time."""
    found = None
    kept = []
    for word in rest.split():
        if word in natural().day_periods and found is None:
            found = word
        else:
            kept.append(word)
    return found, " ".join(kept)


def parse_moment(text: str, now: datetime, *, roll_forward: bool = False) -> datetime:
    """Return the moment said in text, in now's timezone (see the module for the forms).

    Raises TimeError when no single time of day is said, DateError when the day part is not
    a date (or no such day).
    """
    tz = now.tzinfo
    if tz is None:
        raise ValueError("now must carry its timezone")
    words = " ".join(folded(text).replace(",", " ").split())
    hour, minute, rest = _clock(words)
    period, rest = _period(rest)
    if period is not None and hour <= 12:  # "14 giờ chiều" is already a 24-hour hour
        hour = natural().day_periods[period].hour(hour)
    rest = re.sub(r"^(?:luc|vao luc|vao)\s+|\s+(?:luc|vao luc|vao)$", "", rest).strip()
    rest = re.sub(r"\s+(?:luc|vao luc|vao)\s+", " ", rest)
    today = now.date()
    if rest:
        day = parse_date(rest, today, Direction.ANY).day
        explicit_day = True
    else:
        day = today
        explicit_day = False
    moment = datetime.combine(day, time(hour, minute), tzinfo=tz)
    if not explicit_day and roll_forward and moment <= now:
        moment = datetime.combine(day + timedelta(days=1), time(hour, minute), tzinfo=tz)
    return moment


__all__ = ["DateError", "DateProblem", "TimeError", "parse_moment"]
