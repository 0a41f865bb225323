"""Vietnamese text normalisation: NFC for display, folded keys for matching."""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[0-9a-z]+")
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Return text in NFC, the form stored and displayed everywhere."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold text for matching: strip tones and marks, map đ to d, casefold."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def fold_words(text: str) -> list[str]:
    """Return the folded alphanumeric words of text."""
    return _WORD_RE.findall(fold(text))
