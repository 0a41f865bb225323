"""Polite address: the word the bot calls a person by (bạn, anh, chị, cô, chú, bác).

The catalog is written with "bạn" for "you". At render time every whole word "bạn" of a
template becomes the reader's word, keeping its capitalisation ("Bạn" → "Bác"). Where
"bạn" means something else — a friend ("[bạn] bè", "[bạn] học") or the "you" of a text the
reader forwards to someone else — the catalog writes it in square brackets: "[bạn]" is
shown as "bạn" and never replaced.

The word in force is a context variable: the dispatcher sets the person's word while it
handles their message, the sender sets the recipient's word while it renders their outbox
row. Outside of both (exports, command line, unregistered people) it is "bạn".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from content.text import fold, fold_words, nfc

DEFAULT = "bạn"
# Stable order: on text channels a number keeps its meaning.
WORDS: tuple[str, ...] = ("bạn", "anh", "chị", "cô", "chú", "bác")
# From this age on "bác" (said to men and women alike) is suggested rather than "bạn".
ELDER_AGE = 55

# "bạn" as a whole word, or "[bạn]" kept as written (any capitalisation).
_PRONOUN = re.compile(r"\[(bạn|Bạn|BẠN)\]|(?<![\w\[])(bạn|Bạn|BẠN)(?![\w\]])")

_current: ContextVar[str] = ContextVar("address", default=DEFAULT)


def valid(word: str | None) -> bool:
    """Tell whether a word is one of the address words."""
    return word in WORDS


def current() -> str:
    """Return the address word in force ("bạn" outside of a person's scope)."""
    return _current.get()


def set_current(word: str | None) -> None:
    """Change the word in force inside the current scope (e.g. right after the person
    chose another one); an unknown or empty word means "bạn"."""
    _current.set(word if word in WORDS else DEFAULT)


@contextmanager
def addressing(word: str | None) -> Iterator[None]:
    """Render catalog messages for a person whose word is `word` inside the block."""
    token = _current.set(word if word in WORDS else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def _cased(source: str, word: str) -> str:
    if source.isupper():
        return word.upper()
    if source[0].isupper():
        return word[0].upper() + word[1:]
    return word


def address_template(template: str, word: str) -> str:
    """Return a catalog template with its "bạn" turned into `word` and "[bạn]" unmarked."""
    def repl(match: re.Match[str]) -> str:
        kept = match.group(1)
        if kept is not None:
            return kept
        return _cased(match.group(2), word)

    return _PRONOUN.sub(repl, template)


def suggest(birth_year: int | None, this_year: int) -> str:
    """Return the word to offer a person of that birth year: "bác" from ELDER_AGE on,
    else "bạn" (anh, chị, cô, chú depend on more than age: the person picks them)."""
    if birth_year is not None and this_year - birth_year >= ELDER_AGE:
        return "bác"
    return DEFAULT


def read_word(text: str) -> str | None:
    """Read an address word from a typed answer ("bác", "Gọi tôi là chú", "co"), or None.

    With or without diacritics; a lone "co" is "cô", "chi" is "chị", "chu" is "chú".
    """
    folded = {fold(w): w for w in WORDS}
    found = [folded[w] for w in fold_words(text) if w in folded]
    exact = [w for w in re.findall(r"\w+", nfc(text).lower()) if w in WORDS]
    if len(set(exact)) == 1:
        return exact[0]
    if len(set(found)) == 1:
        return found[0]
    return None
