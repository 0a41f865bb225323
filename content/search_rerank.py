"""Rule lookup, a learned re-ranker: reorders the best few candidates of content/search.py.

Each (question, candidate passage) pair is described by generic features the search already
computes or can compute cheaply: coverage of the question's words by the passage, its own words
and its heading, word pairs found as pairs, the kind of fact asked against what the passage
holds (a date, a day, a number, a body), the passage's depth, length and place in its list,
and today's rank, score and gap to the best candidate. No feature is a word, a passage, a
section or anything of one plan: the model works on any imported plan.

The model is linear (a listwise softmax over the candidates of a question), pure Python at
answer time. Its weights live in content/search_rerank.json, written by
`uv run python -m bench.rerank_train`. A missing or unreadable weights file, or one with
`"enabled": false`, leaves today's order as it is (with a log line for a broken file).
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from content.search_base import DAY_ANSWER, _Query

if TYPE_CHECKING:
    from content.search import SearchIndex

log = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).with_name("search_rerank.json")
TOP = 12  # candidates re-ranked (the rest keep today's order below them)
# The kinds of fact a question may ask for, and what a passage holds to answer it.
_KINDS = ("#date", "#num", "#org")

FEATURES: tuple[str, ...] = (
    "first",  # today's top candidate
    "inv_pos",  # 1 / (1 + position under today's order)
    "gap",  # today's rank minus the best candidate's (<= 0)
    "coverage",  # share of the question's weight the passage (with its context) holds
    "coverage_gap",  # coverage minus the best coverage among the candidates
    "own_share",  # share of the question's words in the passage's own words or item heading
    "context_only",  # share held only through the headings above or the neighbours
    "heading_topic",  # share held by the passage's own heading ("@feat")
    "pairs_own",  # the question's word pairs found as pairs in the passage's own words
    "pairs_heading",  # …in its short title heading
    "run",  # longest run of the question's consecutive words found in the passage's words
    "rarest_held",  # the question's rarest word held by the passage itself
    "asks_kind",  # the question asks for a date, a number or a body…
    "kind_held",  # …and the passage holds that kind of fact
    "kind_missing",  # …and the passage does not
    "day_held",  # a when-question and the passage holds a day or month
    "org_in_text",  # the passage's own text names a body (not only its heading)
    "is_heading",  # a heading quoted as a passage
    "depth",  # how deep in the plan the passage sits (I. / 1. / a) / -)
    "length",  # log of the passage's length in words
    "list_first",  # first passage of its section
    "list_last",  # last passage of its section (of several)
    "list_size",  # log of how many passages its section holds
    "same_campaign",  # the same campaign as today's top candidate
    "yes_no_cov",  # a yes-no question: coverage
    "long_cov",  # a long question: coverage
    "title_heading",  # the passage's own heading is a short title
)
# Features also given relative to the best candidate of the question (value minus the
# highest value among the candidates): what sets a passage apart from the others.
RELATIVE = ("own_share", "heading_topic", "pairs_own", "pairs_heading", "run", "kind_held",
            "length")
FEATURES = FEATURES + tuple(f"{name}_rel" for name in RELATIVE)
_RELATIVE_AT = tuple(FEATURES.index(name) for name in RELATIVE)


class OrderModel(Protocol):
    """What _rank asks for the candidates' order: a permutation of their positions."""

    def order(self, rows: Sequence[Sequence[float]], refs: Sequence[int]) -> list[int]: ...


@dataclass(frozen=True)
class Reranker:
    """A linear scorer over standardised features; ties keep today's order."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    top: int = TOP

    def score(self, row: Sequence[float]) -> float:
        return sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, row, self.means, self.scales,
                                                   strict=True)
        )

    def order(self, rows: Sequence[Sequence[float]], refs: Sequence[int]) -> list[int]:
        scores = [self.score(r) for r in rows]
        return sorted(range(len(rows)), key=lambda k: (-round(scores[k], 9), k))

    def to_json(self, **extra: object) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "weights": [round(w, 6) for w in self.weights],
            "means": [round(m, 6) for m in self.means],
            "scales": [round(s, 6) for s in self.scales],
            "top": self.top,
            **extra,
        }


def parse_model(data: object) -> Reranker | None:
    """The model of a weights file's content; None when it is switched off.
    Raises ValueError when the content is not a model of today's features."""
    if not isinstance(data, dict):
        raise ValueError("the weights file is not a JSON object")
    if not data.get("enabled", True):
        return None
    if data.get("features") != list(FEATURES):
        raise ValueError("the weights file was trained on other features")
    n = len(FEATURES)
    vectors = []
    for key in ("weights", "means", "scales"):
        values = data.get(key)
        if not isinstance(values, list) or len(values) != n or not all(
            isinstance(v, int | float) and math.isfinite(v) for v in values
        ):
            raise ValueError(f"the weights file's {key!r} is not {n} numbers")
        vectors.append(tuple(float(v) for v in values))
    if any(s <= 0 for s in vectors[2]):
        raise ValueError("the weights file's scales must be positive")
    top = data.get("top", TOP)
    if not isinstance(top, int) or top < 2:
        raise ValueError("the weights file's 'top' must be an integer of 2 or more")
    return Reranker(vectors[0], vectors[1], vectors[2], top)


def load_model(path: Path = WEIGHTS_FILE) -> Reranker | None:
    """The re-ranker of the weights file, or None (today's order) when there is none, it is
    switched off, or it cannot be read: the lookup never fails for it."""
    try:
        return parse_model(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        log.warning("lookup re-ranker: no weights file %s, today's order kept", path.name)
    except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        log.warning("lookup re-ranker: weights file %s unusable (%s), today's order kept",
                    path.name, exc)
    return None


_DEFAULT: list[Reranker | None] = []


def default_model() -> Reranker | None:
    """The committed model, read once per process."""
    if not _DEFAULT:
        _DEFAULT.append(load_model())
    return _DEFAULT[0]


def model_of(index: SearchIndex) -> OrderModel | None:
    """The model an index ranks with: its own `rerank_model` when set (training, tests; None
    switches re-ranking off), else the committed one."""
    if "rerank_model" in index.__dict__:
        model: OrderModel | None = index.__dict__["rerank_model"]
        return model
    return default_model()


def _longest_run(words: Sequence[str], own: frozenset[str], stop: frozenset[str]) -> int:
    """The longest run of the question's consecutive word pairs (not two fillers) the
    passage says as pairs."""
    best = run = 0
    for a, b in itertools.pairwise(words):
        if f"{a}_{b}" in own and not (a in stop and b in stop):
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def candidate_features(index: SearchIndex, q: _Query,
                       ranked: Sequence[tuple[float, float, int]]) -> list[list[float]]:
    """The feature rows (FEATURES order) of the candidates `ranked` (rank, coverage, ref)."""
    docs = index._docs
    stop = index._syn.stopwords
    topic = {f: w for f, w in q.core.items() if f[0] != "#"}
    topic_total = sum(topic.values()) or 1.0
    rarest = max(topic, key=lambda f: (topic[f], f)) if topic else ""
    asked = [m for m in _KINDS if m in q.core]
    when = any(m in g for g in q.required for m in ("#date", "#edate"))
    phrases = {
        bg: index._idf[bg] for bg in (f"{a}_{b}" for a, b in itertools.pairwise(q.words)
                                      if not (a in stop and b in stop))
        if bg in index._idf
    }
    phrase_total = sum(phrases.values()) or 1.0
    best_rank = ranked[0][0]
    best_cov = max(c for _, c, _ in ranked)
    top_campaign = docs[ranked[0][2]].campaign_id
    long_q = index._long(q)
    rows = []
    for pos, (rank, coverage, i) in enumerate(ranked):
        doc = docs[i]
        sats = index._sat[i]
        own = doc.own
        own_share = sum(w for f, w in topic.items() if f in own) / topic_total
        held = sum(w * sats.get(f, 0.0) for f, w in topic.items()) / topic_total
        heading_topic = sum(w * sats.get(f"@{f}", 0.0) for f, w in topic.items()) / topic_total
        pairs_own = sum(w for bg, w in phrases.items() if bg in own) / phrase_total
        titled = index._titled(i)
        heading = index._heading_feats(i) if titled else frozenset()
        pairs_heading = sum(
            w * sats.get(f"@{bg}", 0.0) for bg, w in phrases.items() if bg in heading
        ) / phrase_total
        kind_held = sum(min(1.0, sats.get(m, 0.0)) for m in asked) / len(asked) if asked else 0.0
        source = doc.passage.source
        siblings = index._by_section.get((doc.campaign_id, source), ())
        size = len(siblings)
        place = next((k for k, d in enumerate(siblings) if d is doc), 0)
        org_text = bool(index._bodies is not None and index._bodies.search(doc.passage.text))
        rows.append([
            1.0 if pos == 0 else 0.0,
            1.0 / (1 + pos),
            rank - best_rank,
            coverage,
            coverage - best_cov,
            own_share,
            max(0.0, held - own_share),
            heading_topic,
            pairs_own,
            pairs_heading,
            min(_longest_run(q.words, own, stop), 4) / 4,
            1.0 if rarest and rarest in own else 0.0,
            1.0 if asked else 0.0,
            kind_held,
            (1.0 - kind_held) if asked else 0.0,
            1.0 if when and any(f in sats for f in DAY_ANSWER) else 0.0,
            1.0 if org_text else 0.0,
            1.0 if doc.is_heading else 0.0,
            min(source.count("."), 4) / 4,
            math.log1p(doc.length) / 5,
            1.0 if place == 0 else 0.0,
            1.0 if size > 1 and place == size - 1 else 0.0,
            math.log1p(size) / 3,
            1.0 if doc.campaign_id == top_campaign else 0.0,
            coverage if q.yes_no else 0.0,
            coverage if long_q else 0.0,
            1.0 if titled else 0.0,
        ])
    best = [max(r[j] for r in rows) for j in _RELATIVE_AT]
    for r in rows:
        r.extend(r[j] - b for j, b in zip(_RELATIVE_AT, best, strict=True))
    return rows


def rerank(index: SearchIndex, q: _Query, ranked: list[tuple[float, float, int]],
           model_for: Callable[[SearchIndex], OrderModel | None] = model_of,
           ) -> list[tuple[float, float, int]]:
    """`ranked` (rank, coverage, ref; best first) with its first candidates in the model's
    order. The rank column stays where it was (the best rank first), so what the search
    compares it with (parallel passages) is unchanged; only which passage holds it moves."""
    model = model_for(index)
    if model is None or len(ranked) < 2:
        return ranked
    top = min(len(ranked), getattr(model, "top", TOP))
    head = ranked[:top]
    rows = candidate_features(index, q, head)
    perm = model.order(rows, [i for _, _, i in head])
    if perm == list(range(top)):
        return ranked
    moved = [(head[k][0], head[p][1], head[p][2]) for k, p in enumerate(perm)]
    return moved + ranked[top:]

