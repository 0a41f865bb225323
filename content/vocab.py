"""The yes/no vocabulary: what a typed answer to a yes-or-no question means (content/vocab.yaml).

One vocabulary serves every flow, so "đúng" or "vâng" is yes wherever a yes/no question is
asked. A question confirming an action may also accept the action's own words ("xoá") from
a named set under `confirm`. Words are folded when loaded and matched folded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from content.errors import ContentError
from content.text import fold

DEFAULT_VOCAB = Path(__file__).parent / "vocab.yaml"

Answer = Literal["yes", "no"]


def folded(text: str) -> str:
    """Return text as it is matched: folded, with spaces collapsed."""
    return " ".join(fold(text).split())


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yes_words: list[str]
    no_words: list[str]

    @field_validator("yes_words", "no_words")
    @classmethod
    def _not_blank(cls, words: list[str]) -> list[str]:
        if not words:
            raise ValueError("cần ít nhất một từ")
        for word in words:
            if not folded(word):
                raise ValueError("có từ trống")
        return words


class _File(_Words):
    confirm: dict[str, _Words] = {}
    particles: list[str] = []


@dataclass(frozen=True, slots=True)
class YesNo:
    """Folded yes and no words."""

    yes: frozenset[str]
    no: frozenset[str]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The shared yes/no words, and the extra words of confirm questions by set name."""

    base: YesNo
    confirm: dict[str, YesNo] = field(default_factory=dict)
    # Polite words around an answer ("vâng ạ", "dạ không", "đúng rồi"), folded.
    particles: frozenset[str] = frozenset()

    def answer(self, text: str, confirm: str | None = None) -> Answer | None:
        """Read a typed answer: "yes", "no", or None when it is neither."""
        extra = self.confirm.get(confirm) if confirm else None
        exact = folded(text)
        for words in dict.fromkeys((exact, _strip_particles(exact, self.particles))):
            if words in self.base.yes or (extra is not None and words in extra.yes):
                return "yes"
            if words in self.base.no or (extra is not None and words in extra.no):
                return "no"
        return None


def _strip_particles(words: str, particles: frozenset[str]) -> str:
    """Drop polite words before and after an answer, keeping at least one word."""
    parts = words.split()
    while len(parts) > 1 and parts[-1] in particles:
        parts.pop()
    while len(parts) > 1 and parts[0] in particles:
        parts.pop(0)
    return " ".join(parts)


def _yes_no(words: _Words, where: str, file: str) -> YesNo:
    yes = frozenset(folded(w) for w in words.yes_words)
    no = frozenset(folded(w) for w in words.no_words)
    both = sorted(yes & no)
    if both:
        raise ContentError(file, where, f"vừa là có vừa là không: {', '.join(both)}")
    return YesNo(yes, no)


def load_vocab(path: Path = DEFAULT_VOCAB) -> Vocabulary:
    """Load and check the vocabulary file (raises ContentError naming the problem)."""
    try:
        raw = _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(path.name, "", f"không đọc được tệp: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(path.name, where, first["msg"]) from exc
    base = _yes_no(raw, "", path.name)
    confirm: dict[str, YesNo] = {}
    for name, words in raw.confirm.items():
        extra = _yes_no(words, f"confirm.{name}", path.name)
        clash = sorted((extra.yes & base.no) | (extra.no & base.yes))
        if clash:
            raise ContentError(path.name, f"confirm.{name}",
                               f"trái nghĩa với từ chung: {', '.join(clash)}")
        confirm[name] = extra
    particles = frozenset(folded(w) for w in raw.particles)
    if any(" " in word for word in particles):
        raise ContentError(path.name, "particles", "mỗi từ đệm là một tiếng")
    return Vocabulary(base, confirm, particles)
