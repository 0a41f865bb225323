"""Which "not found" rule refused each question, counted per rule.

Run: uv run python -m bench.scope_trace [--sets dev,1,9] [--tsv FILE ...] [--list RULE|all]

Every question of the development set and held-out sets 1-9 (and of any --tsv file, e.g. a
scratch file of one's own probe questions) is asked in process and traced through the stages
of SearchIndex.search: the reading checks (an unknown place, year, name, everyday topic), the
scope checks (a kind of fact no plan states, another time, a public service, an edition), the
coverage floor and the kinds of fact required, the checks on the hits found (another district,
the topic share, a qualifier, the event dated, per unit) and the choice guard. For an in-scope
row answered "not found", the rule that refused it; an in-scope row answered wrongly is
counted apart, by whether a right passage was among the three best before the checks on hits
(a ranking miss) or not. Per rule: in-scope rows it wrongly refuses against out-of-scope rows
it catches (the rows it refuses that are right "not found"). Set 10 and later are never read
here: they judge the rounds.

The reply is judged as the shared scorer judges it (bench.cover_analysis.judged); the chat's
own screens (small talk, feature offers) are not part of the trace.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from bench.cover_analysis import SETS, judged
from bench.rerank_train import ROOT, fold, read_set
from content.loader import load_campaigns
from content.messages import Messages
from content.query import normalise_words, split_story
from content.search import SearchIndex, build_index
from content.search_base import LONG_COVERAGE, LONG_PASSAGE_FLOOR, MIN_COVERAGE, _norm_token
from content.search_base import qualifier_values as _qualifier_values


def refusal(index: SearchIndex, question: str) -> tuple[str, list[int]]:
    """The stage that left the question without an answer ("" when one is given), and the
    passages the ranking found before the checks on hits ran (for wrong answers)."""
    query = index._expand_acronyms(question)
    story, asked = split_story(query, index._lex)
    q0 = index._analyse(asked, story)
    if q0.out_of_scope:
        raw = [_norm_token(w) for w in normalise_words(asked, index._lex, known=index._known)]
        if story and index._story(story)[2]:
            return "read:story_place", []
        if index._off_topic(asked, raw):
            return "read:off_topic", []
        if index._unknown_place(asked, raw, message=f"{story} {asked}" if story else ""):
            return "read:unknown_place", []
        if index._uncovered(raw, q0.campaigns):
            return "read:uncovered_year_edition", []
        if index._unknown_name(asked):
            return "read:unknown_name", []
        return "read:?", []
    q = index._scoped(q0, asked)
    if q.out_of_scope:
        rule = index._scope_refusal(dataclasses.replace(q, out_of_scope=False), asked)
        # (the one check not named by _scope_refusal: a district narrowing the plans asked
        # about to its own, where nothing is asked but another plan's named event)
        return f"scope:{rule or 'other_plans_event'}", []
    if q.field or q.only_names:
        return "", []
    total = sum(q.core.values())
    if total <= 0:
        return "read:no_words", []
    hits = _ranked(index, q, asked, total)
    if not hits:
        if q.required and _ranked(index, dataclasses.replace(q, required=()), asked, total):
            kinds = "+".join(sorted({f for g in q.required for f in g}))[:40]
            return f"rank:required {kinds}", []
        if q.yes_no:
            return "rank:floor_yes_no", []
        return "rank:floor", []
    found = [h.ref for h in hits]
    for name, kept in index._answering_steps(q, hits, asked):
        if not kept:
            if "~lienhe" in q.core:
                return "", found
            return f"hits:{name}", found
        hits = kept
    if not index._answers_a_choice(query, hits[0]) and not index._choice_hits(query, None, 3):
        return "hits:choice", found
    return "", found


def _ranked(index: SearchIndex, q, asked: str, total: float):  # type: ignore[no-untyped-def]
    min_coverage = LONG_COVERAGE if index._long(q) or q.yes_no else MIN_COVERAGE
    scores = index._candidates(q, total, min_coverage * LONG_PASSAGE_FLOOR, 0.05)
    quals = _qualifier_values((asked,), index._lex.qualifiers)
    return index._rank(q, scores, total, min_coverage, None, 3, quals)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--tsv", action="append", type=Path, default=[])
    ap.add_argument("--list", default="", help="list the rows of this rule ('all': every miss)")
    args = ap.parse_args(argv)
    campaigns = load_campaigns()
    names = {c.id: c.short_name for c in campaigns}
    index = build_index(campaigns)
    messages = Messages.load()
    files = [(n, ROOT / "tests" / "content" / SETS[n]) for n in args.sets.split(",") if n]
    files += [(p.stem, p) for p in args.tsv]
    wrong_refusals: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    rows: dict[str, list[str]] = defaultdict(list)
    per_set: list[str] = []
    for name, path in files:
        ok_in = ok_out = n_in = n_out = 0
        for question, expected, kind in read_set(path):
            ok = judged(index, messages, names, question, expected, kind)
            rule, found = refusal(index, question)
            if kind == "in":
                n_in += 1
                ok_in += ok
                if not ok and rule:
                    wrong_refusals[rule] += 1
                    rows[rule].append(f"[{name}] IN  {question}  -> {expected}")
                elif not ok:
                    frags = [fold(f) for f in expected.split("|")]
                    right = [i for i in found if any(
                        f in fold(f"{index._docs[i].heading} {index._docs[i].passage.text}")
                        for f in frags)]
                    label = ("wrong (a right passage among the 3 best)" if right
                             else "wrong answer")
                    removed[label] += 1
                    rows[label].append(f"[{name}] IN  {question}  -> {expected}")
            else:
                n_out += 1
                ok_out += ok
                if ok:
                    caught[rule or "(other)"] += 1
                    rows[f"out:{rule}"].append(f"[{name}] OUT {question}")
                else:
                    rows["out answered"].append(f"[{name}] OUT {question}")
        per_set.append(f"{name}: in {ok_in}/{n_in} out {ok_out}/{n_out}")
    print("\n".join(per_set))
    print("\nrule: in-scope rows wrongly refused / out-of-scope rows it catches")
    for rule in sorted(set(wrong_refusals) | set(caught)):
        print(f"  {rule:45s} {wrong_refusals[rule]:3d} / {caught[rule]:3d}")
    for label, n in removed.items():
        print(f"  {label:45s} {n:3d}")
    print(f"  {'out answered':45s} {len(rows['out answered']):3d}")
    if args.list:
        for key, lines in sorted(rows.items()):
            if (args.list == "all" and not key.startswith("out:")) or args.list in key:
                print(f"\n== {key}")
                print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
