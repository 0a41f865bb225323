"""Candidate coverage of the lookup's misses: for each in-scope question of the development set
and held-out sets 1-9 that the search gets wrong, where the first right passage stands.

Run: uv run python -m bench.cover_analysis [--sets dev,1,9] [--all]

A passage is "right" when its own text or item heading holds one of the expected fragments
(folded as the shared scorer folds). Per miss: whether the search abstained or answered
another passage, and for the best right passage its coverage of the question's weight
against the floor, its place among the candidates (by coverage), and the question's features
it lacks (with their weights). Set 10 and later are never read.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bench.rerank_train import NOT_FOUND, ROOT, fold, read_set
from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.search import SearchIndex, build_index

SETS = {
    "dev": "lookup_dev.tsv",
    **{str(n): f"lookup_heldout{'' if n == 1 else n}.tsv" for n in range(1, 10)},
}


def judged(index: SearchIndex, messages: Messages, names: dict[str, str], question: str,
           expected: str, kind: str) -> bool:
    """Judged as the shared scorer judges the bot's reply (the campaign by its short name,
    as the chat names it)."""
    hits = index.search(question)
    top = hits[0] if hits else None
    reply = fold(hit_text(messages, top, names.get(top.campaign_id))) if top else NOT_FOUND
    if kind == "out":
        return NOT_FOUND in reply
    return NOT_FOUND not in reply and any(fold(w) in reply for w in expected.split("|"))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--all", action="store_true", help="also list out-of-scope misses")
    ap.add_argument("--summary", action="store_true", help="per-set figures only")
    args = ap.parse_args(argv)
    campaigns = load_campaigns()
    names = {c.id: c.short_name for c in campaigns}
    index = build_index(campaigns)
    messages = Messages.load()
    seen: dict[str, Any] = {}
    original = SearchIndex._candidates

    def spy(self: SearchIndex, q: Any, total: float, min_cov: float, slack: float):
        scores = original(self, q, total, min_cov, slack)
        seen.update(q=q, total=total, floor=min_cov, scores=scores)
        return scores

    SearchIndex._candidates = spy  # type: ignore[method-assign]
    texts = [fold(f"{d.heading} {d.passage.text}") for d in index._docs]
    kinds: Counter[str] = Counter()
    tot_in = tot_out = n_in = n_out = 0
    for name in args.sets.split(","):
        ok_in = ok_out = c_in = c_out = 0
        for question, expected, kind in read_set(ROOT / "tests" / "content" / SETS[name]):
            seen.clear()
            ok = judged(index, messages, names, question, expected, kind)
            if kind == "in":
                ok_in += ok
                c_in += 1
            else:
                ok_out += ok
                c_out += 1
            if ok or args.summary or (kind == "out" and not args.all):
                continue
            hits = index.search(question)
            status = "abstain" if not hits else f"wrong {hits[0].campaign_id}:{hits[0].source}"
            print(f"\n[{name}] {question}\n  expected: {expected} ({kind}) -> {status}")
            if kind == "out":
                continue
            frags = [fold(f) for f in expected.split("|")]
            right = [i for i, t in enumerate(texts)
                     if not index._docs[i].field and any(f in t for f in frags)]
            if "q" not in seen:
                print("  (no candidate stage: read as out of scope / field / names)")
                kinds["no stage"] += 1
                continue
            q, total, scores = seen["q"], seen["total"], seen["scores"]
            core = sorted(q.core.items(), key=lambda kv: -kv[1])
            print("  core: " + ", ".join(f"{f}={w:.2f}" for f, w in core))
            order = sorted(scores, key=lambda i: -scores[i])
            place = {i: k for k, i in enumerate(order)}
            if not right:
                print("  no passage holds the expected text")
                kinds["no right passage"] += 1
                continue

            def cov(i: int, q: Any = q, total: float = total) -> float:
                sats = index._sat[i]
                return sum(w * sats.get(f, 0.0) for f, w in q.core.items()) / total

            best = max(right, key=cov)
            found = [i for i in right if i in place]
            k = min((place[i] for i in found), default=None)
            d = index._docs[best]
            lacks = [f"{f}={w:.2f}" for f, w in core if f not in index._sat[best]]
            label = ("none among candidates" if k is None
                     else "rank 1-12" if k < 12 else "rank 13+")
            kinds[f"{'abstain' if not hits else 'wrong'} / {label}"] += 1
            print(f"  right {d.campaign_id}:{d.passage.source} cov {cov(best):.2f} "
                  f"(floor {seen['floor']:.2f}); first right among {len(order)} candidates: "
                  f"{'none' if k is None else k + 1}")
            print(f"  lacks: {', '.join(lacks) or '-'}")
            print(f"  text: {d.heading[:60]} | {d.passage.text[:160]}")
        print(f"== {name}: in {ok_in}/{c_in} out {ok_out}/{c_out}")
        tot_in += ok_in
        n_in += c_in
        tot_out += ok_out
        n_out += c_out
    print(f"== all: in {tot_in}/{n_in} out {tot_out}/{n_out}")
    for k, v in sorted(kinds.items()):
        print(f"  {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
