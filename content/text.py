"""Vietnamese text normalisation: NFC for display, folded keys for matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD_RE = re.compile(r"[0-9a-z]+")
_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Return text in NFC, the form stored and displayed everywhere."""
    return unicodedata.normalize("NFC", text)


class _Unmarked(dict[int, int | None]):
    """str.translate table dropping combining marks: each character is looked up once
    (unicodedata.combining), then served from the table (translate runs in C). Only the
    alphabets' and marks' range is kept, so that odd input cannot grow the table."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if code < _TABLE_END:
            self[code] = kept
        return kept


_TABLE_END = 0x3000


_UNMARKED = _Unmarked()


def fold(text: str) -> str:
    """Fold text for matching: strip tones and marks, map đ to d, casefold."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return decomposed.translate(_UNMARKED).casefold()


def fold_words(text: str) -> list[str]:
    """Return the folded alphanumeric words of text."""
    return _WORD_RE.findall(fold(text))


TOKEN_CACHE = 8192  # distinct tokens remembered (Vietnamese has a few thousand syllables)


@lru_cache(maxsize=TOKEN_CACHE)
def fold_token(token: str) -> tuple[str, ...]:
    """fold_words of one token (a word as typed, punctuation included: "hỏi,"), remembered
    per distinct token: questions are read token by token, and their tokens repeat."""
    return tuple(fold_words(token))
