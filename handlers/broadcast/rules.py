"""Pure rules of /thongbao: limits, the stored audience spec, reading a typed send time."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.delivery.audiences import EVERYONE, NONCOMPLIANT, PARTICIPANTS, ROLE, UNIT
from bot.delivery.timing import at_time
from content.text import nfc

# The framed message must fit one Zalo message (2000) and a Telegram caption (1024).
TEXT_LIMIT = 1800
CAPTION_LIMIT = 850
MIN_TEXT = 10
MAX_DAYS_AHEAD = 60
PROGRAMMES = ("works", "conference")
_TIME_RE = re.compile(r"^(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?$")
_DATE_TIME_RE = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?\s+(?:lúc\s+)?(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?$")
_TIME_FIRST_RE = re.compile(
    r"^(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?\s+(?:ngày\s+)?(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?$")


def audience_spec(data: dict[str, Any]) -> dict[str, str]:
    """Return the stored audience spec built from the form's answers."""
    kind = data["audience_type"]
    if kind == ROLE:
        return {"type": ROLE, "role": data["role"]}
    if kind == UNIT:
        return {"type": UNIT, "unit": data["unit"]}
    if kind == PARTICIPANTS:
        return {"type": PARTICIPANTS, "campaign": data["campaign"]}
    if kind == NONCOMPLIANT:
        return {"type": NONCOMPLIANT, "campaign": data["campaign"],
                "programme": data["programme"]}
    return {"type": EVERYONE}


def parse_when(text: str, now: datetime) -> datetime:
    """Read "20/04/2024 08:00", "20/4 8h30", "08:00 20/04" or "8:00" (next such time)."""
    cleaned = " ".join(nfc(text).strip().lower().split())
    tz = now.tzinfo
    assert tz is not None
    match = _TIME_RE.match(cleaned)
    if match:
        clock = time(int(match[1]), int(match[2] or 0))
        moment = at_time(now.date(), clock, tz)
        return moment if moment > now else at_time(now.date() + timedelta(days=1), clock, tz)
    match = _DATE_TIME_RE.match(cleaned)
    if match:
        day, month, year, hour, minute = match.groups()
    else:
        match = _TIME_FIRST_RE.match(cleaned)
        if not match:
            raise ValueError(text)
        hour, minute, day, month, year = match.groups()
    moment_day = date(int(year or now.year), int(month), int(day))
    return at_time(moment_day, time(int(hour), int(minute or 0)), tz)


def snippet(text: str, size: int = 50) -> str:
    """Return text on one line, cut to `size` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"
