"""Rule lookup, gathering candidates: the passages that can still cover enough of a question,
with their coverage scores, found from the postings without scanning every passage.

Two things keep the cost flat as the content grows:
- Passages with the very same features (a district's plan copied from the province's
  template: the same sentence under the same headings) form one *shape*, scored once. A
  question that names no campaign walks the postings of shapes; the scores are then given to
  every passage of the shapes that qualify. Ten districts issuing the same plan cost about as
  much as one.
- Rarest (heaviest) features first. Once the weight still to come cannot reach the coverage
  an answer needs, a passage not met so far cannot qualify: the common features ("#num",
  "khen") are only looked up for the candidates left, and those that can no longer reach the
  floor (the coverage needed, or the RERANK-th best so far less what ranking may add) drop
  out as they go.
The scores are exactly those of scoring every passage: same features, same order of sums.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from content.query import Vocab
from content.schema import Campaign
from content.search_base import RERANK, _Query, _Synonyms
from content.search_corpus import Corpus

REQUIRED_CACHE = 256  # kinds of required facts remembered (each a set of shapes or passages)

Required = tuple[tuple[str, ...], ...]


class Candidates(Corpus):
    """Coverage scores of the passages that can answer a question (see the module)."""

    def __init__(
        self, campaigns: Sequence[Campaign], synonyms: _Synonyms, vocab: Vocab | None = None
    ) -> None:
        super().__init__(campaigns, synonyms, vocab)
        self._index_shapes()

    def _index_shapes(self) -> None:
        """Group the searched passages by their features (once every feature is known: the
        classes above add some after the corpus is built)."""
        ids: dict[frozenset[tuple[str, float]], int] = {}
        members: list[list[int]] = []
        shape_of: dict[int, int] = {}
        for i, doc in enumerate(self._docs):
            if doc.field:
                continue
            key = frozenset(self._sat[i].items())
            shape = ids.setdefault(key, len(members))
            if shape == len(members):
                members.append([])
            members[shape].append(i)
            shape_of[i] = shape
        self._shape_members: tuple[tuple[int, ...], ...] = tuple(tuple(m) for m in members)
        self._shape_size: tuple[int, ...] = tuple(len(m) for m in members)
        # A shape's features are its first passage's.
        self._shape_sat: tuple[dict[str, float], ...] = tuple(self._sat[m[0]] for m in members)
        # From each shape's first passage (shapes in the order of their first passages, as
        # the postings are): its features that are searched ("#e…" are only required).
        held_by: dict[str, list[tuple[int, float]]] = defaultdict(list)
        postings = self._postings
        for shape, sats in enumerate(self._shape_sat):
            for feat, sat in sats.items():
                if feat in postings:
                    held_by[feat].append((shape, sat))
        self._shape_postings: dict[str, tuple[tuple[int, float], ...]] = {
            feat: tuple(held_by.get(feat, ())) for feat in postings
        }
        self._allowed: dict[tuple[bool, Required], frozenset[int]] = {}
        # Passages that rank alike whatever the question (same features, same own words,
        # same item heading: a plan's copies) share a twin, the first of them; a question's
        # ranking computes their lift once (search.py).
        firsts: dict[tuple[int, frozenset[str], str], int] = {}
        self._twins: tuple[int, ...] = tuple(
            firsts.setdefault((shape_of[i], doc.own, doc.heading), i) if i in shape_of else i
            for i, doc in enumerate(self._docs)
        )

    def _candidates(
        self, q: _Query, total: float, min_coverage: float, slack: float
    ) -> dict[int, float]:
        """Coverage scores (weighted) of the passages that can still reach min_coverage and
        the RERANK best (scores only grow: the RERANK-th best so far bounds the final one);
        slack: how much ranking may lift a passage above its coverage, as a share."""
        if q.campaigns:
            # The campaigns' own postings: a share of the content already.
            by_campaign = self._campaign_postings
            named = q.campaigns

            def postings(feat: str) -> Sequence[tuple[int, float]]:
                held = by_campaign.get(feat, {})
                return [p for c in named for p in held.get(c, ())]

            return self._gather(q, total, min_coverage, slack, postings, self._sat, None)
        shape_postings = self._shape_postings
        scores = self._gather(
            q, total, min_coverage, slack, lambda feat: shape_postings.get(feat, ()),
            self._shape_sat, self._shape_size,
        )
        members = self._shape_members
        return {i: score for shape, score in scores.items() for i in members[shape]}

    def _gather(
        self, q: _Query, total: float, min_coverage: float, slack: float,
        postings_of: Callable[[str], Sequence[tuple[int, float]]],
        sats: Sequence[Mapping[str, float]], sizes: Sequence[int] | None,
    ) -> dict[int, float]:
        """The scores of the units (passages, or shapes of sizes[u] passages each)."""
        scores: dict[int, float] = {}
        allowed = self._meeting(q.required, sats, sizes is not None) if q.required else None
        remaining = total
        floor = min_coverage * total - 1e-9
        for feat, weight in sorted(q.core.items(), key=lambda kv: -kv[1]):
            kth = _kth(scores, sizes)
            if kth is not None:
                floor = max(floor, kth - slack * total)
            held = postings_of(feat)
            if remaining >= floor:
                get = scores.get
                if allowed is None:
                    for u, sat in held:
                        scores[u] = get(u, 0.0) + weight * sat
                else:
                    for u, sat in held:
                        if u in allowed:
                            scores[u] = get(u, 0.0) + weight * sat
            else:
                # Only the candidates so far can still qualify: add this feature to them (by
                # the shorter of its postings and the candidates), then drop those that can
                # no longer reach the floor with the weight still to come.
                if len(held) < len(scores):
                    for u, sat in held:
                        if u in scores:
                            scores[u] += weight * sat
                else:
                    for u in scores:
                        own = sats[u].get(feat)
                        if own:
                            scores[u] += weight * own
                threshold = floor - (remaining - weight)
                scores = {u: sc for u, sc in scores.items() if sc >= threshold}
            remaining -= weight
        return scores

    def _meeting(
        self, required: Required, sats: Sequence[Mapping[str, float]], shapes: bool
    ) -> frozenset[int]:
        """The units holding one feature of every required group (remembered by kind)."""
        key = (shapes, required)
        found = self._allowed.get(key)
        if found is None:
            found = frozenset(
                u for u, own in enumerate(sats)
                if all(any(f in own for f in group) for group in required)
            )
            if len(self._allowed) >= REQUIRED_CACHE:
                self._allowed.clear()
            self._allowed[key] = found
        return found


def _kth(scores: Mapping[int, float], sizes: Sequence[int] | None) -> float | None:
    """The RERANK-th best score of the passages so far (a shape counts its passages), or None
    while there are RERANK or fewer."""
    if sizes is None:
        if len(scores) <= RERANK:
            return None
        # sorted() runs in C: faster than heapq.nlargest's Python loop here.
        return sorted(scores.values(), reverse=True)[RERANK - 1]
    # (Each shape holds one passage or more: more than RERANK shapes need no sum.)
    if len(scores) <= RERANK and sum(map(sizes.__getitem__, scores)) <= RERANK:
        return None
    count = 0
    # Best first, sorted in C; the order among equal scores does not change the score where
    # the count reaches RERANK.
    for u in sorted(scores, key=scores.__getitem__, reverse=True):
        count += sizes[u]
        if count >= RERANK:
            return scores[u]
    return None  # not reached: more than RERANK passages in all
