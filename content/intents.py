"""Which of the Trợ lý's own functions a message asks for ("tôi muốn xoá dữ liệu").

The phrases are data (content/feature_intents.yaml), keyed by command name: `requests` ask
the Trợ lý to do something ("tắt thông báo"), `topics` are also subjects of the plans
("đăng ký công trình"). A message is read as the rule lookup reads a question
(content.query.normalise_words: chat abbreviations expanded, diacritics folded) and a phrase
matches when its words stand together in it. Nothing here knows which commands exist or who
may use them: the caller checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from content.errors import ContentError
from content.query import canon_word, normalise_words
from content.yaml_file import read_mapping

INTENTS_FILE = Path(__file__).parent / "feature_intents.yaml"
KINDS = ("requests", "topics")


@dataclass(frozen=True)
class Intent:
    """A command a message asks for; `request` when it asks the Trợ lý to do it."""

    command: str
    request: bool


@dataclass(frozen=True)
class FeatureIntents:
    """Phrases per command, as canonical folded words."""

    phrases: tuple[tuple[str, tuple[str, ...], bool], ...]  # (command, words, request)
    # The same phrases by their first word, so that a message is read once, not once per
    # phrase (every rule question passes here).
    _by_first: dict[str, list[tuple[str, tuple[str, ...], bool]]] = field(
        init=False, repr=False, compare=False)
    _order: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {}
        for entry in self.phrases:
            by_first.setdefault(entry[1][0], []).append(entry)
        object.__setattr__(self, "_by_first", by_first)
        commands = dict.fromkeys(command for command, _, _ in self.phrases)
        object.__setattr__(self, "_order", {c: i for i, c in enumerate(commands)})

    def commands_in(self, text: str) -> list[Intent]:
        """The commands whose phrases the message holds, once each, in the file's order; a
        command counts as a request when one of its request phrases is there."""
        words = [canon_word(w) for w in normalise_words(text)]
        found: dict[str, bool] = {}
        for i, word in enumerate(words):
            for command, phrase, request in self._by_first.get(word, ()):
                if tuple(words[i:i + len(phrase)]) == phrase:
                    found[command] = found.get(command, False) or request
        order = self._order
        return [Intent(command, found[command])
                for command in sorted(found, key=order.__getitem__)]


def load_intents(path: Path = INTENTS_FILE) -> FeatureIntents:
    """Read the phrases file; raise ContentError naming the file and the bad entry."""
    data = read_mapping(path)
    phrases: list[tuple[str, tuple[str, ...], bool]] = []
    for command, kinds in data.items():
        if not isinstance(command, str) or not command.isascii() or not command.isalnum():
            raise ContentError(path.name, str(command), "not a command name")
        if not isinstance(kinds, dict) or not kinds or set(kinds) - set(KINDS):
            raise ContentError(path.name, command, "expected 'requests:' and/or 'topics:'")
        for kind, raw in kinds.items():
            if not isinstance(raw, list) or not raw:
                raise ContentError(path.name, f"{command}.{kind}", "expected a list of phrases")
            for item in raw:
                words = tuple(canon_word(w) for w in normalise_words(str(item)))
                if not isinstance(item, str) or not words:
                    raise ContentError(path.name, f"{command}.{kind}", f"empty phrase: {item!r}")
                phrases.append((command, words, kind == "requests"))
    return FeatureIntents(tuple(phrases))


@lru_cache(maxsize=1)
def default_intents() -> FeatureIntents:
    """The shipped phrases, read once."""
    return load_intents()
