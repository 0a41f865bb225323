"""Pure rules of /thongbao: limits, the stored audience spec, reading a typed send time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.delivery.audiences import EVERYONE, NONCOMPLIANT, PARTICIPANTS, ROLE, UNIT
from handlers.common.parsing.times import parse_moment

# The framed message must fit one Zalo message (2000) and a Telegram caption (1024).
TEXT_LIMIT = 1800
CAPTION_LIMIT = 850
MIN_TEXT = 10
MAX_DAYS_AHEAD = 60
PROGRAMMES = ("works", "conference")


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
    """Read "20/04/2024 08:00", "20/4 8h30", "8 giờ sáng mai", "2 giờ chiều" or "8:00" (a time
    alone is the next such time); see handlers/common/parsing/times.py."""
    return parse_moment(text, now, roll_forward=True)


def snippet(text: str, size: int = 50) -> str:
    """Return text on one line, cut to `size` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"
