"""Messages that are only a piece of personal data (a phone number, an identity-card number,
an email address) typed outside any form: the person offers what the bot did not ask for."""

from __future__ import annotations

import re

# A phone number (0…, +84…, 84…, with spaces, dots or dashes), a 9- or 12-digit identity card
# number: nine digits or more once separators are gone.
_NUMBER_RE = re.compile(r"^\+?[\d\s.\-()]+$")
_LONG_NUMBER = 9
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
# Words people put before such a number ("sđt 0912…", "cccd: 0012…").
_LABEL_RE = re.compile(
    r"^(s[dđ]t|so dien thoai|số điện thoại|dt|đt|zalo|cccd|cmnd|căn cước|can cuoc|email|mail)"
    r"\s*(của\s+(tôi|mình|em|cháu)|cua\s+(toi|minh|em|chau))?\s*(là|la)?\s*[:\-]?\s*",
    re.IGNORECASE,
)


def personal_data_only(text: str) -> bool:
    """Whether a message is nothing but a phone or identity number or an email address."""
    body = _LABEL_RE.sub("", text.strip().rstrip(".")).strip()
    if _EMAIL_RE.match(body):
        return True
    if not _NUMBER_RE.match(body):
        return False
    return sum(c.isdigit() for c in body) >= _LONG_NUMBER
